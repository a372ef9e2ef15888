import ArgumentParser
import Foundation
import NTKDynamics

/// `ntk-dynamics kernel`: the empirical NTK K₀ at initialization over several seeds and widths, against
/// the infinite-width NTK Θ (and the NNGP Σ) on the training inputs, optionally with kernel ridge regression.
public struct KernelCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Measure the empirical NTK at initialization against its infinite-width limit Θ.",
        discussion: """
            Computes the analytic NNGP Σ and NTK Θ on the training inputs (closed forms for relu, erf and \
            linear, Gauss–Hermite quadrature for tanh and gelu), then for each width and each of --seeds \
            initializations the empirical K₀ and ‖K₀ − Θ‖_F/‖Θ‖_F. With a --width list it fits the slope of \
            the mean error against the width on log-log axes (theory: about −1/2). Initialization i uses seed \
            --seed + i, so the first one is the initialization of `run --seed SEED`; the data use --seed. \
            Under --parameterization standard Θ grows with the width and is evaluated at each width \
            (Docs/InfiniteWidth.md); mup and mean-field have no Θ and are refused (Docs/Parameterizations.md). \
            The quadrature runs on every core unless --threads says otherwise. The data are a synthetic dataset, \
            --dataset digits (8×8×1 images, with --classes and --samples) or --data FILE, loaded as `run` loads them; \
            --architecture cnn needs images (the digits, an .npz of shape (N, H, W, C), or --image-shape). \
            The cnn-gap Θ holds (H·W)² position pairs per input pair and thread: a study that would not fit in memory is \
            refused with the figure (Docs/CLI.md#kernel).
            """
    )

    @OptionGroup(title: "Model") public var model: ModelOptions
    @OptionGroup(title: "Data") public var data: DataOptions

    @Option(parsing: .unconditional, help: "Number of initializations (seeds) per width.")
    public var seeds: Int = 8

    @Option(parsing: .unconditional, help: "Seed for the data and the first initialization (initialization i uses seed + i).")
    public var seed: UInt64 = 0

    @Option(name: .customLong("quadrature-degree"), parsing: .unconditional,
            help: """
                Gauss–Hermite nodes per dimension for the tanh and gelu kernel maps (\(GaussHermiteRule.degreeRange.lowerBound) to \
                \(GaussHermiteRule.degreeRange.upperBound); Mehler's series takes its coefficients from twice as many, the fallback \
                quadrature costs grow as n²; see Docs/InfiniteWidth.md for the accuracy).
                """)
    public var quadratureDegree: Int = GaussHermiteRule.defaultDegree

    @Option(parsing: .unconditional, help: """
        Ridge λ ≥ 0: report the kernel ridge regression test loss (mean squared, ½·mean over test points and outputs) with Θ \
        and with each K₀, f(X*) = K(X*,X)(K + λI)⁻¹Y on the unnormalized kernel.
        """)
    public var ridge: Double?

    @OptionGroup(title: "Output") public var output: OutputOptions

    public init() {}

    static let maxSeeds = 10_000

    /// The cross-option rules (``RunSpecification``): Θ must exist for the parameterization and depth, and a cnn needs
    /// image inputs (the digits, or --data with an image shape; Docs/CLI.md#kernel).
    var specification: RunSpecification {
        var spec = model.specification(kernelLimitNeededBy: "The kernel command")
        spec.inputsAreImages = data.inputsAreImages
        return spec
    }

    public func validate() throws {
        try specification.refuse()
        // The shared Output group carries options of training runs that mean nothing here.
        for (given, name) in [(output.printEvery != nil, "--print-every"), (output.checkRates != nil, "--check-rates"),
                              (output.checkModes != nil, "--check-modes")] where given {
            throw ValidationError("\(name) applies to training runs (ntk-dynamics run), not to the kernel command; drop it.")
        }
        guard seeds >= 1 && seeds <= Self.maxSeeds else {
            throw ValidationError("--seeds \(seeds) is out of range; use 1 to \(Self.maxSeeds) initializations.")
        }
        guard GaussHermiteRule.degreeRange.contains(quadratureDegree) else {
            throw ValidationError("""
                --quadrature-degree \(quadratureDegree) is out of range; use \(GaussHermiteRule.degreeRange.lowerBound) to \
                \(GaussHermiteRule.degreeRange.upperBound) nodes (default \(GaussHermiteRule.defaultDegree)).
                """)
        }
        if let ridge {
            guard ridge.isFinite && ridge >= 0 else {
                throw ValidationError("--ridge \(ridge) is invalid; λ must be a finite number ≥ 0.")
            }
            guard data.testSamples > 0 else {
                throw ValidationError("--ridge needs test points to report a test loss; --test-samples is 0.")
            }
        }
    }

    public func run() throws {
        SignalTrap.install()
        try BLASCoreNotice.announce(quiet: output.quiet)
        if let capped = output.applyThreads() { warn(capped) }
        // Held until the command ends, so no other command writes or replaces the directory meanwhile.
        let (root, claim) = try OutputClaim.take(out: output.out, defaultBase: OutputOptions.defaultName(suffix: "kernel"))
        try claim.writing { try write(root, claim) }
    }

    private func write(_ root: URL, _ claim: OutputClaim) throws {
        let widths = model.width.values
        // The synthetic data are drawn as before (`settings.generate(seed:)`); the digits and --data are loaded as `run` does.
        let dataset = try data.loadOrExit(seed: seed, describe: say)
        try specification.refuse(dataset: dataset)
        if ridge != nil && dataset.testCount == 0 {
            throw ValidationError("""
                --ridge needs test points to report a test loss, and this data leaves none: give a test set (--test-data, \
                --test-fraction, or fewer --samples).
                """)
        }
        let dataSettings = data.settings(for: dataset)
        let settings = KernelStudySettings(widths: widths, seeds: seeds, seed: seed, quadratureDegree: quadratureDegree,
                                           ridge: ridge, threads: output.threads)
        let architecture = model.architecture(width: widths.max()!, inputDim: dataset.inputDim, outputs: dataset.outputs,
                                              imageShape: dataset.imageShape)
        try checkMemory(architecture, dataset)
        // Θ and Σ first: nothing is written unless they succeed.
        let study = try KernelStudy(architecture: architecture, dataset: dataset, settings: settings)
        try claim.prepare(force: output.force)
        let recorder = try KernelStudyRecorder(directory: RunDirectory(url: root), study: study,
                                               configuration: KernelConfiguration(study: study, data: dataSettings,
                                                                                  command: CommandLine.arguments))
        printAnalytic(study)
        // The table is the command's result: printed under --quiet too.
        Console.out(Self.tableHeader(ridge: ridge != nil))
        let summary = try study.measure(shouldContinue: { SignalTrap.received == nil }, onSeed: recorder.record) { result in
            try recorder.record(result)
            Console.out(Self.tableRow(result.row, ridge: ridge != nil))
            fflush(nil)
            if let worst = result.row.largestJitter, worst > 0 {
                warn("""
                    kernel ridge regression with K₀ at width \(result.row.width): K + λI was not positive definite for \
                    \(result.jitteredSeeds) of \(result.row.seeds) seeds; a diagonal jitter of up to \(ProgressTable.number(worst)) was \
                    added (kernel.csv, ridge_jitter).
                    """)
            }
        }
        try recorder.finish(summary)
        if widths.count > 1 && !summary.rows.contains(where: { $0.width == study.largestWidth }) && summary.status == .interrupted {
            warn("interrupted before the largest width: arrays/ntk_empirical_mean.npy is missing; see the per-width arrays.")
        }
        // As run and sweep do: the page from the files just written (a failure to draw is a warning).
        SweepReport.writeHTML(root)
        printConclusion(summary, study, directory: root)
        if let signal = SignalTrap.received {
            warn("interrupted; kernel.csv and summary.json hold the seeds that finished (status \"interrupted\").")
            throw ExitCode(NTKExitStatus.afterSignal(signal))
        }
    }

    /// Refuses, with the figures, a study that would not fit in memory:
    /// ``MemoryEstimate/init(kernelCommand:samples:testSamples:widths:ridge:expansionNodes:)``, and for a cnn
    /// ``cnnBytes(_:_:)`` on top.
    private func checkMemory(_ reference: NetworkArchitecture, _ dataset: Dataset) throws {
        let testSamples = ridge != nil ? dataset.testCount : 0
        let base = MemoryEstimate(kernelCommand: reference, samples: dataset.trainCount, testSamples: testSamples,
                                  widths: model.width.values.count, ridge: ridge != nil,
                                  expansionNodes: reference.activation.hasClosedFormKernelMaps ? 0
                                      : AnalyticNTK.expansionDegree(quadratureDegree: quadratureDegree))
        let need = MemoryEstimate(bytes: base.bytes + cnnBytes(reference, dataset))
        guard need.fits() else {
            let cnn = reference.family.convolution.map { c in
                c.pooling == .gap ? ", fewer --threads (the cnn-gap Θ holds the (H·W)² position pairs of one input pair per thread)"
                    : ", a smaller --kernel-size"
            } ?? ""
            throw Console.memoryRefusal(need, subject: "N = \(dataset.trainCount) points at width \(reference.width) need",
                                        advice: "use fewer --samples, fewer or smaller --width values\(cnn), or no --ridge.")
        }
    }

    /// What a cnn adds to the kernel command's estimate, in bytes: the convolutional Θ and Σ at their peak
    /// (``ConvolutionalNTK/memoryBytes(architecture:shape:rows:cols:threads:widthCount:quadratureDegree:)``, on the
    /// training inputs and, with a ridge, on the test × training cross kernel, which are computed one after the other)
    /// and the network's im2col patches of every convolution on the training and test inputs with the per-sample weight
    /// gradients of the largest convolution for K₀ (``MemoryEstimate``'s cnn terms). 0 for the mlp and the resnet.
    func cnnBytes(_ a: NetworkArchitecture, _ dataset: Dataset) -> Double {
        guard let c = a.family.convolution else { return 0 }
        let threads = max(1, output.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let (n, nTest) = (dataset.trainCount, ridge != nil ? dataset.testCount : 0)
        let widthCount = model.width.values.count
        let theta = ConvolutionalNTK.memoryBytes(architecture: a, shape: c, rows: n, cols: n, threads: threads,
                                                 widthCount: widthCount, quadratureDegree: quadratureDegree)
        let cross = nTest == 0 ? 0 : ConvolutionalNTK.memoryBytes(architecture: a, shape: c, rows: nTest, cols: n, threads: threads,
                                                                  quadratureDegree: quadratureDegree)
        let channelsIn = (0..<a.depth).map { $0 == 0 ? c.inputChannels : a.width }
        let patches = channelsIn.reduce(0) { $0 + MemoryEstimate.im2colPatchValues(samples: n + nTest, shape: c, inputChannels: $1) }
        let gradients = channelsIn.map {
            MemoryEstimate.convolutionGradientValues(rows: n * a.outputs, shape: c, inputChannels: $0, outputChannels: a.width)
        }.max() ?? 0
        return max(theta, cross) + 8 * (patches + gradients)
    }

    /// Θ's description, its accuracy and the ridge regression with Θ (warnings on stderr).
    private func printAnalytic(_ study: KernelStudy) {
        let reference = study.architecture
        let number = ProgressTable.number
        say("""
            Θ: infinite-width NTK of \(reference.family == .mlp ? "" : NetworkRecord(reference).caption(width: reference.width) + ", ")\
            \(reference.activation.rawValue), depth \(reference.depth), \
            \(reference.parameterization.rawValue) parameterization, σ_w \(reference.weightStd), σ_b \
            \(reference.hasBias ? "\(reference.biasStd)" : "none"); N = \(study.dataset.trainCount), k = \
            \(study.dataset.outputs), d = \(reference.inputDim)
            """)
        let maps = reference.activation.hasClosedFormKernelMaps ? "closed-form kernel maps"
            : "Gauss–Hermite quadrature, \(quadratureDegree) nodes per dimension (estimated relative error of Θ \(number(study.quadratureErrorEstimate)))"
        say("   \(maps) · \(String(format: "%.3f", study.analyticSeconds)) s")
        if let estimate = study.quadratureErrorEstimate, estimate > 1e-3 {
            warn("""
                the quadrature error of Θ is about \(number(estimate)) (\(quadratureDegree) against \(2 * quadratureDegree) nodes on \
                up to 48 points): raise --quadrature-degree (the error falls like exp(−c·√degree); Docs/InfiniteWidth.md).
                """)
        }
        if let fit = study.ridgeAnalytic?.fit, fit.jitter > 0 {
            warn("""
                kernel ridge regression with Θ: K + λI was not positive definite; added a diagonal jitter of \(number(fit.jitter)) \
                (\(number(fit.relativeJitter)) of its mean diagonal).
                """)
        }
    }

    /// The fitted slope, the ridge comparison and where the files are.
    private func printConclusion(_ summary: KernelSummary, _ study: KernelStudy, directory: URL) {
        let number = ProgressTable.number
        if let slope = summary.slope {
            Console.out("""
                fitted slope of log(mean ‖K₀ − Θ‖/‖Θ‖) against log(width): \(String(format: "%.3f", slope)) (theory ≈ −0.5); \
                seed-averaged kernel: \(summary.slopeSeedAveraged.map { String(format: "%.3f", $0) } ?? "n/a")
                """)
        }
        if let lambda = ridge {
            let jitter = study.ridgeAnalytic.map { $0.fit.jitter > 0 ? " (jitter \(number($0.fit.jitter)))" : "" } ?? ""
            Console.out("""
                kernel ridge regression, λ = \(number(lambda)): test loss with Θ \(number(summary.ridgeAnalyticLoss))\(jitter); \
                predicting 0 gives \(number(summary.zeroPredictorTestLoss))
                """)
        }
        Console.out("kernel run: \(Console.shown(directory.path))  (report.html to view; `ntk-dynamics report \(Console.shown(directory.path))` redraws it)")
        fflush(nil)
    }


    static func tableHeader(ridge: Bool) -> String {
        let head = ["width", "seeds", "err mean", "err std", "err min", "err max", "seed-avg K₀"] + (ridge ? ["ridge K₀"] : [])
        return head.map { Console.pad($0, 12) }.joined()
    }

    static func tableRow(_ r: KernelSummary.WidthRow, ridge: Bool) -> String {
        let n = ProgressTable.number
        let cells = [String(r.width), String(r.seeds), n(r.error.mean), n(r.error.std), n(r.error.min), n(r.error.max),
                     n(r.seedAveragedError)] + (ridge ? [n(r.ridgeLoss?.mean)] : [])
        return cells.map { Console.pad($0, 12) }.joined()
    }

    private func say(_ line: String) { Console(quiet: output.quiet).say(line) }

    private func warn(_ line: String) { Console.warn(line) }
}

