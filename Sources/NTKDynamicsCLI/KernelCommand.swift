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
            (Docs/InfiniteWidth.md); mup and mean-field have no Θ and are refused (Docs/Parameterizations.md). The quadrature runs on every core unless --threads says otherwise.
            """
    )

    @OptionGroup(title: "Model") public var model: ModelOptions
    @OptionGroup(title: "Data") public var data: DataOptions

    @Option(parsing: .unconditional, help: "Number of initializations (seeds) per width.")
    public var seeds: Int = 8

    @Option(parsing: .unconditional, help: "Seed for the data and the first initialization (initialization i uses seed + i).")
    public var seed: UInt64 = 0

    @Option(name: .customLong("quadrature-degree"), parsing: .unconditional,
            help: "Gauss–Hermite nodes per dimension for the tanh and gelu kernel maps (\(GaussHermiteRule.degreeRange.lowerBound) to \(GaussHermiteRule.degreeRange.upperBound); Mehler's series takes its coefficients from twice as many, the fallback quadrature costs grow as n²; see Docs/InfiniteWidth.md for the accuracy).")
    public var quadratureDegree: Int = GaussHermiteRule.defaultDegree

    @Option(parsing: .unconditional, help: "Ridge λ ≥ 0: report the kernel ridge regression test loss (mean squared, ½·mean over test points and outputs) with Θ and with each K₀, f(X*) = K(X*,X)(K + λI)⁻¹Y on the unnormalized kernel.")
    public var ridge: Double?

    @OptionGroup(title: "Output") public var output: OutputOptions

    public init() {}

    static let maxSeeds = 10_000

    public func validate() throws {
        try data.requireSynthetic(command: "kernel")
        try model.requireKernelLimit(for: "The kernel command")
        // The shared Output group carries options of training runs that mean nothing here.
        for (given, name) in [(output.printEvery != nil, "--print-every"), (output.checkRates != nil, "--check-rates"),
                              (output.checkModes != nil, "--check-modes")] where given {
            throw ValidationError("\(name) applies to training runs (ntk-dynamics run), not to the kernel command; drop it.")
        }
        guard seeds >= 1 && seeds <= Self.maxSeeds else {
            throw ValidationError("--seeds \(seeds) is out of range; use 1 to \(Self.maxSeeds) initializations.")
        }
        guard GaussHermiteRule.degreeRange.contains(quadratureDegree) else {
            throw ValidationError("--quadrature-degree \(quadratureDegree) is out of range; use \(GaussHermiteRule.degreeRange.lowerBound) to \(GaussHermiteRule.degreeRange.upperBound) nodes (default \(GaussHermiteRule.defaultDegree)).")
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
        BLAS.threadCount = output.threads ?? OutputOptions.defaultThreads
        let widths = model.width.values
        let largest = widths.max()!
        let dataSettings = data.settings
        let dataset = dataSettings.generate(seed: seed)
        let x = dataset.trainInputs, xTest = dataset.testInputs
        let n = dataset.trainCount, k = dataset.outputs
        let architectureAt = { (w: Int) in
            model.architecture(width: w, inputDim: dataSettings.inputDim, outputs: dataSettings.outputs)
        }
        let reference = architectureAt(largest)
        let need = MemoryEstimate(kernelCommand: reference, samples: n, testSamples: ridge != nil ? dataset.testCount : 0,
                                  widths: widths.count, ridge: ridge != nil,
                                  expansionNodes: reference.activation.hasClosedFormKernelMaps ? 0
                                      : AnalyticNTK.expansionDegree(quadratureDegree: quadratureDegree))
        guard need.fits() else {
            throw ValidationError("N = \(n) points at width \(largest) need about \(MemoryEstimate.describe(need.bytes)) of memory and this machine has \(MemoryEstimate.describe(MemoryEstimate.physicalMemory)) (runs are limited to \(Int(MemoryEstimate.allowedShare * 100))%); use fewer --samples, fewer or smaller --width values, or no --ridge.")
        }
        let clock = ContinuousClock()

        // Θ and Σ first: nothing is written unless they succeed.
        let analyticStart = clock.now
        let analytic = try AnalyticNTK(architecture: reference, quadratureDegree: quadratureDegree, threads: output.threads)
        let scalar = analytic.scalarKernels(x, widths: widths)
        var thetaScalar: [Int: Matrix] = [:]
        for (w, t) in zip(widths, scalar.ntk) { thetaScalar[w] = t }
        let analyticSeconds = (clock.now - analyticStart).kernelCommandSeconds
        // Θ ⊗ I_k is formed per width when needed: (N·k)² each, and the scalar Θ is N².
        let expanded = { (w: Int) in thetaScalar[w]!.kroneckerIdentity(outputs: k) }
        let thetaLargest = expanded(largest)
        let nngp = scalar.nngp.kroneckerIdentity(outputs: k)
        let quadratureCheck = try quadratureErrorEstimate(analytic, x)

        let root = output.directory(suffix: "kernel")
        // Like RunDirectory.create, without the params_init folder a training run fills.
        try RunDirectory.prepare(root, force: output.force)
        do {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("arrays"), withIntermediateDirectories: true)
        } catch {
            throw OutputError.cannotWrite(path: root.appendingPathComponent("arrays").path, reason: error.localizedDescription)
        }
        let dir = RunDirectory(url: root)
        let config = KernelConfiguration(command: self, architecture: reference, widths: widths, data: dataSettings)
        try dir.writeJSON(config, to: "config.json")
        func targets(_ y: Matrix) -> [Int] { y.cols == 1 ? [y.rows] : [y.rows, y.cols] }
        try dir.writeArray("x_train", x)
        try dir.writeArray("y_train", dataset.trainTargets.data, shape: targets(dataset.trainTargets))
        try dir.writeArray("x_test", xTest)
        try dir.writeArray("y_test", dataset.testTargets.data, shape: targets(dataset.testTargets))
        try dir.writeArray("ntk_analytic", thetaLargest)
        try dir.writeArray("nngp_analytic", nngp)
        if model.parameterization == .standard && widths.count > 1 {
            for w in widths { try dir.writeArray("ntk_analytic_w\(w)", w == largest ? thetaLargest : expanded(w)) }
        }

        say("Θ: infinite-width NTK of \(reference.activation.rawValue), depth \(reference.depth), \(reference.parameterization.rawValue) parameterization, σ_w \(reference.weightStd), σ_b \(reference.hasBias ? "\(reference.biasStd)" : "none"); N = \(n), k = \(k), d = \(reference.inputDim)")
        say("   \(reference.activation.hasClosedFormKernelMaps ? "closed-form kernel maps" : "Gauss–Hermite quadrature, \(quadratureDegree) nodes per dimension (estimated relative error of Θ \(ProgressTable.number(quadratureCheck)))") · \(String(format: "%.3f", analyticSeconds)) s")

        if let estimate = quadratureCheck, estimate > 1e-3 {
            warn("the quadrature error of Θ is about \(ProgressTable.number(estimate)) (\(quadratureDegree) against \(2 * quadratureDegree) nodes on up to 48 points): raise --quadrature-degree (the error falls like exp(−c·√degree); Docs/InfiniteWidth.md).")
        }

        // Kernel ridge regression with Θ (the scalar kernel; Θ ⊗ I_k solves output by output).
        var ridgeAnalytic: KernelRidgeRegression?
        var ridgeAnalyticLoss: Double?
        if let lambda = ridge {
            let fit = try KernelRidgeRegression(kernel: thetaScalar[largest]!, targets: dataset.trainTargets, ridge: lambda)
            let cross = analytic.scalarKernels(xTest, x, widths: [largest]).ntk[0]
            let prediction = try fit.predict(crossKernel: cross)
            ridgeAnalytic = fit
            ridgeAnalyticLoss = LossNormalization.mean.loss(prediction.data, dataset.testTargets.data,
                                                            samples: dataset.testCount, outputs: k)
            if fit.jitter > 0 {
                warn("kernel ridge regression with Θ: K + λI was not positive definite; added a diagonal jitter of \(ProgressTable.number(fit.jitter)) (\(ProgressTable.number(fit.relativeJitter)) of its mean diagonal).")
            }
        }

        let csv = try CSVLogWriter(url: dir.file("kernel.csv"), columns: Self.csvColumns)
        var rows: [KernelSummary.WidthRow] = []
        var status = "completed"
        // The table is the command's result: printed under --quiet too.
        print(Self.tableHeader(ridge: ridge != nil))
        widthLoop: for w in widths {
            let architecture = architectureAt(w)
            let reference = w == largest ? thetaLargest : expanded(w)
            var errors: [Double] = [], ridgeLosses: [Double] = [], jitters: [Double] = []
            var sum = Matrix(rows: n * k, cols: n * k)
            let start = clock.now
            for i in 0..<seeds {
                if SignalTrap.received != nil {
                    status = "interrupted"
                    break
                }
                let s = seed &+ UInt64(i)
                let kernelStart = clock.now
                var rng = RandomSource(seed: s, stream: 2)
                let network = MLP(architecture: architecture, rng: &rng)
                let k0 = EmpiricalNTK.kernel(network, x)
                let error = KernelComparison.relativeError(k0, reference: reference)
                BLAS.axpy(1, k0.data, &sum.data)
                errors.append(error)
                var ridgeLoss: Double?, jitter: Double?
                if let lambda = ridge {
                    let fit = try KernelRidgeRegression(kernel: k0, targets: Matrix(rows: n * k, cols: 1, data: dataset.trainTargets.data), ridge: lambda)
                    let prediction = try fit.predict(crossKernel: EmpiricalNTK.kernel(network, xTest, x))
                    ridgeLoss = LossNormalization.mean.loss(prediction.data, dataset.testTargets.data, samples: dataset.testCount, outputs: k)
                    jitter = fit.jitter
                    ridgeLosses.append(ridgeLoss!)
                    jitters.append(fit.jitter)
                }
                let seconds = (clock.now - kernelStart).kernelCommandSeconds
                try csv.append(cells: [String(w), String(s), CSVLogWriter.format(error),
                                       ridgeLoss.map(CSVLogWriter.format) ?? "", jitter.map(CSVLogWriter.format) ?? "",
                                       CSVLogWriter.format(seconds)])
            }
            guard !errors.isEmpty else { break widthLoop }
            BLAS.scale(&sum.data, by: 1 / Double(errors.count))
            try dir.writeArray(widths.count > 1 ? "ntk_empirical_mean_w\(w)" : "ntk_empirical_mean", sum)
            if widths.count > 1 && w == largest { try dir.writeArray("ntk_empirical_mean", sum) }
            let row = KernelSummary.WidthRow(
                width: w, seeds: errors.count, errors: errors,
                seedAveragedError: KernelComparison.relativeError(sum, reference: reference),
                ridgeLosses: ridgeLosses, largestJitter: jitters.max(), seconds: (clock.now - start).kernelCommandSeconds)
            rows.append(row)
            print(Self.tableRow(row, ridge: ridge != nil))
            fflush(nil)
            if let worst = jitters.max(), worst > 0 {
                warn("kernel ridge regression with K₀ at width \(w): K + λI was not positive definite for \(jitters.filter { $0 > 0 }.count) of \(jitters.count) seeds; a diagonal jitter of up to \(ProgressTable.number(worst)) was added (kernel.csv, ridge_jitter).")
            }
            if status == "interrupted" { break }
        }
        try csv.close()
        if widths.count > 1 && !rows.contains(where: { $0.width == largest }) && status == "interrupted" {
            warn("interrupted before the largest width: arrays/ntk_empirical_mean.npy is missing; see the per-width arrays.")
        }

        let summary = KernelSummary(status: status, rows: rows, analyticSeconds: analyticSeconds,
                                    thetaNorm: thetaLargest.frobeniusNorm, nngpNorm: nngp.frobeniusNorm,
                                    quadratureErrorEstimate: quadratureCheck, ridge: ridge,
                                    ridgeAnalytic: ridgeAnalytic, ridgeAnalyticLoss: ridgeAnalyticLoss,
                                    zeroPredictorTestLoss: dataset.testCount > 0
                                        ? LossNormalization.mean.loss([Double](repeating: 0, count: dataset.testTargets.data.count),
                                                                      dataset.testTargets.data, samples: dataset.testCount, outputs: k)
                                        : nil)
        try dir.writeJSON(summary, to: "summary.json")

        let number = ProgressTable.number
        if let slope = summary.slope {
            print("fitted slope of log(mean ‖K₀ − Θ‖/‖Θ‖) against log(width): \(String(format: "%.3f", slope)) (theory ≈ −0.5); seed-averaged kernel: \(summary.slopeSeedAveraged.map { String(format: "%.3f", $0) } ?? "n/a")")
        }
        if let lambda = ridge {
            print("kernel ridge regression, λ = \(number(lambda)): test loss with Θ \(number(ridgeAnalyticLoss))\(ridgeAnalytic.map { $0.jitter > 0 ? " (jitter \(number($0.jitter)))" : "" } ?? ""); predicting 0 gives \(number(summary.zeroPredictorTestLoss))")
        }
        print("kernel run: \(dir.url.path)")
        fflush(nil)
        if let signal = SignalTrap.received {
            warn("interrupted; kernel.csv and summary.json hold the seeds that finished (status \"interrupted\").")
            throw ExitCode(signal == SIGTERM ? NTKExitStatus.terminated : NTKExitStatus.interrupted)
        }
    }

    /// ‖Θ_n − Θ_2n‖_F/‖Θ_2n‖_F on the first (up to) 48 training points, for the quadrature path (nil for closed forms).
    private func quadratureErrorEstimate(_ coarse: AnalyticNTK, _ x: Matrix) throws -> Double? {
        guard !coarse.architecture.activation.hasClosedFormKernelMaps else { return nil }
        let sample = x.rows(0..<min(x.rows, 48))
        let doubled = min(2 * quadratureDegree, GaussHermiteRule.degreeRange.upperBound)
        guard doubled > quadratureDegree else { return nil }
        let fine = try AnalyticNTK(architecture: coarse.architecture, quadratureDegree: doubled, threads: output.threads)
        return KernelComparison.relativeError(coarse.scalarKernels(sample).ntk, reference: fine.scalarKernels(sample).ntk)
    }

    static let csvColumns = ["width", "seed", "relative_error", "ridge_test_loss", "ridge_jitter", "seconds"]

    static func tableHeader(ridge: Bool) -> String {
        let head = ["width", "seeds", "err mean", "err std", "err min", "err max", "seed-avg K₀"] + (ridge ? ["ridge K₀"] : [])
        return head.map { pad($0, 12) }.joined()
    }

    static func tableRow(_ r: KernelSummary.WidthRow, ridge: Bool) -> String {
        let n = ProgressTable.number
        let cells = [String(r.width), String(r.seeds), n(r.error.mean), n(r.error.std), n(r.error.min), n(r.error.max),
                     n(r.seedAveragedError)] + (ridge ? [n(r.ridgeLoss?.mean)] : [])
        return cells.map { pad($0, 12) }.joined()
    }

    private static func pad(_ s: String, _ n: Int) -> String {
        String(repeating: " ", count: max(1, n - s.count)) + s
    }

    private func say(_ line: String) {
        guard !output.quiet else { return }
        print(line)
        fflush(nil)
    }

    private func warn(_ line: String) {
        FileHandle.standardError.write(Data("warning: \(line)\n".utf8))
    }
}

/// `config.json` of a kernel run: every resolved setting, keys at top level (DESIGN.md §3). `width` is the
/// largest width (the one `arrays/ntk_analytic.npy` and `arrays/ntk_empirical_mean.npy` belong to).
struct KernelConfiguration: Encodable {
    var tool = "ntk-dynamics"
    var subcommand = "kernel"
    var version = NTKDynamicsVersion.current
    var width: Int
    var widths: [Int]
    var depth: Int
    var activation: Activation
    var weightStd: Double
    var biasStd: Double
    var bias: Bool
    var parameterization: Parameterization
    var inputDim: Int
    var outputs: Int
    var parameterCount: Int
    var seed: UInt64
    var seeds: Int
    var dataset: SyntheticDataset
    var samples: Int
    var testSamples: Int
    var noise: Double
    /// "closed_form" or "gauss_hermite".
    var kernelMaps: String
    var quadratureDegree: Int
    @NullEncoded var ridge: Double?
    var blasThreads: Int
    var blasCore: String
    var command: [String]

    init(command c: KernelCommand, architecture a: MLPArchitecture, widths: [Int], data: DataSettings) {
        width = a.width
        self.widths = widths
        depth = a.depth
        activation = a.activation
        weightStd = a.weightStd
        biasStd = a.biasStd
        bias = a.hasBias
        parameterization = a.parameterization
        inputDim = a.inputDim
        outputs = a.outputs
        parameterCount = a.parameterCount
        seed = c.seed
        seeds = c.seeds
        dataset = data.dataset
        samples = data.samples
        testSamples = data.testSamples
        noise = data.noise
        kernelMaps = a.activation.hasClosedFormKernelMaps ? "closed_form" : "gauss_hermite"
        quadratureDegree = c.quadratureDegree
        ridge = c.ridge
        blasThreads = BLAS.threadCount
        blasCore = BLAS.coreName
        command = CommandLine.arguments
    }

    enum CodingKeys: String, CodingKey {
        case tool, subcommand, version, width, widths, depth, activation, weightStd = "weight_std", biasStd = "bias_std"
        case bias, parameterization, inputDim = "input_dim", outputs, parameterCount = "parameter_count", seed, seeds
        case dataset, samples, testSamples = "test_samples", noise, kernelMaps = "kernel_maps"
        case quadratureDegree = "quadrature_degree", ridge, blasThreads = "blas_threads", blasCore = "blas_core", command
    }
}

/// `summary.json` of a kernel run. Every key is present; a value that does not apply (or is not finite) is null.
struct KernelSummary: Encodable {
    struct WidthRow: Encodable {
        var width: Int
        var seeds: Int
        /// ‖K₀ − Θ‖_F/‖Θ‖_F over the seeds.
        var error: KernelComparison.Spread
        /// ‖mean K₀ − Θ‖_F/‖Θ‖_F.
        var seedAveragedError: Double
        var ridgeLoss: KernelComparison.Spread?
        var largestJitter: Double?
        var seconds: Double

        init(width: Int, seeds: Int, errors: [Double], seedAveragedError: Double, ridgeLosses: [Double],
             largestJitter: Double?, seconds: Double) {
            self.width = width
            self.seeds = seeds
            error = KernelComparison.Spread(errors)
            self.seedAveragedError = seedAveragedError
            ridgeLoss = ridgeLosses.isEmpty ? nil : KernelComparison.Spread(ridgeLosses)
            self.largestJitter = largestJitter
            self.seconds = seconds
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(width, forKey: .width)
            try c.encode(seeds, forKey: .seeds)
            try c.encode(finiteOrNull(error.mean), forKey: .errorMean)
            try c.encode(finiteOrNull(error.std), forKey: .errorStd)
            try c.encode(finiteOrNull(error.min), forKey: .errorMin)
            try c.encode(finiteOrNull(error.max), forKey: .errorMax)
            try c.encode(finiteOrNull(seedAveragedError), forKey: .seedAveraged)
            try c.encode(finiteOrNull(ridgeLoss?.mean), forKey: .ridgeMean)
            try c.encode(finiteOrNull(ridgeLoss?.std), forKey: .ridgeStd)
            try c.encode(finiteOrNull(largestJitter), forKey: .jitter)
            try c.encode(seconds, forKey: .seconds)
        }

        enum CodingKeys: String, CodingKey {
            case width, seeds, errorMean = "relative_error_mean", errorStd = "relative_error_std"
            case errorMin = "relative_error_min", errorMax = "relative_error_max"
            case seedAveraged = "seed_averaged_relative_error", ridgeMean = "ridge_test_loss_empirical_mean"
            case ridgeStd = "ridge_test_loss_empirical_std", jitter = "ridge_jitter_empirical_max", seconds = "empirical_seconds"
        }
    }

    var status: String
    var rows: [WidthRow]
    var analyticSeconds: Double
    var thetaNorm: Double
    var nngpNorm: Double
    var quadratureErrorEstimate: Double?
    var ridge: Double?
    var ridgeAnalytic: KernelRidgeRegression?
    var ridgeAnalyticLoss: Double?
    var zeroPredictorTestLoss: Double?

    /// Slope of log(mean error) against log(width); nil with fewer than two widths.
    var slope: Double? {
        KernelComparison.logLogSlope(x: rows.map { Double($0.width) }, y: rows.map(\.error.mean))
    }

    var slopeSeedAveraged: Double? {
        KernelComparison.logLogSlope(x: rows.map { Double($0.width) }, y: rows.map(\.seedAveragedError))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(rows, forKey: .widths)
        try c.encode(finiteOrNull(slope), forKey: .slope)
        try c.encode(finiteOrNull(slopeSeedAveraged), forKey: .slopeSeedAveraged)
        try c.encode(analyticSeconds, forKey: .analyticSeconds)
        try c.encode(finiteOrNull(thetaNorm), forKey: .thetaNorm)
        try c.encode(finiteOrNull(nngpNorm), forKey: .nngpNorm)
        try c.encode(finiteOrNull(quadratureErrorEstimate), forKey: .quadrature)
        try c.encode(ridge, forKey: .ridge)
        try c.encode(finiteOrNull(ridgeAnalyticLoss), forKey: .ridgeLoss)
        try c.encode(ridgeAnalytic.map(\.jitter), forKey: .ridgeJitter)
        try c.encode(finiteOrNull(zeroPredictorTestLoss), forKey: .zeroLoss)
    }

    enum CodingKeys: String, CodingKey {
        case status, widths, slope, slopeSeedAveraged = "slope_seed_averaged", analyticSeconds = "analytic_seconds"
        case thetaNorm = "ntk_analytic_frobenius_norm", nngpNorm = "nngp_analytic_frobenius_norm"
        case quadrature = "quadrature_error_estimate", ridge, ridgeLoss = "ridge_test_loss_analytic"
        case ridgeJitter = "ridge_jitter_analytic", zeroLoss = "test_loss_zero_predictor"
    }
}

/// x when finite, nil otherwise (JSON has no NaN or ∞).
private func finiteOrNull(_ x: Double?) -> Double? {
    guard let x, x.isFinite else { return nil }
    return x
}

private extension Duration {
    var kernelCommandSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
