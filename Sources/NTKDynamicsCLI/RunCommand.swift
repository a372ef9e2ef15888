import ArgumentParser
import Foundation
import NTKDynamics

/// `ntk-dynamics run` (the default): train, predict, measure drift, write the run directory.
public struct RunCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train an MLP by full-batch GD beside its NTK prediction and write a run directory.",
        discussion: """
            With --width a comma list, each width runs with the same data and seed into OUT/w<width>, \
            and OUT/widths.csv compares them.
            """
    )

    @OptionGroup(title: "Model") public var model: ModelOptions
    @OptionGroup(title: "Data") public var data: DataOptions
    @OptionGroup(title: "Training") public var training: TrainingOptions
    @OptionGroup(title: "Output") public var output: OutputOptions

    public init() {}

    /// Set by a width whose rates fail `--check-rates`.
    private var rateCheckFailed = false

    public func validate() throws {
        try specification.refuse()
        if training.ridge != nil && !data.isRealData && data.testSamples == 0 {
            throw ValidationError("--ridge needs test points to predict: give --test-samples 1 or more.")
        }
        try Self.validateLoss(training, output, data)
    }

    /// Cross-entropy has no spectral closed form: what needs one is refused (Docs/Optimizers.md#the-options).
    static func validateLoss(_ training: TrainingOptions, _ output: OutputOptions?, _ data: DataOptions) throws {
        guard training.settings.lossFunction == .crossEntropy else { return }
        if output?.checkRates != nil {
            throw ValidationError("""
                --check-rates compares per-mode rates with their closed form, which cross-entropy does not have; drop --check-rates \
                or use --loss mse.
                """)
        }
        if training.kernel == .analytic {
            throw ValidationError("""
                --kernel analytic predicts squared-loss GD in closed form; with --loss cross-entropy use --kernel empirical (the \
                linearized counterpart is iterated instead).
                """)
        }
        if training.ridge != nil {
            throw ValidationError("--ridge is the t → ∞ limit of squared-loss training; it has no cross-entropy counterpart: "
                                  + "drop --ridge or use --loss mse.")
        }
        if !data.isRealData {
            throw ValidationError("""
                --loss cross-entropy needs class targets, and the synthetic datasets are regression: use --dataset digits, or --data \
                with a class column (Docs/RealData.md).
                """)
        }
    }

    public mutating func run() throws {
        SignalTrap.install()
        try BLASCoreNotice.announce(quiet: output.quiet)
        if let capped = output.applyThreads() { warn(capped) }
        let widths = model.width.values
        // Held until the command ends, so no other command writes or replaces the directory meanwhile.
        let (root, claim) = try OutputClaim.take(
            out: output.out, defaultBase: OutputOptions.defaultName(suffix: widths.count == 1 ? "w\(widths[0])" : "widths"))
        try claim.writing { try write(root, claim) }
    }

    private mutating func write(_ root: URL, _ claim: OutputClaim) throws {
        let widths = model.width.values
        let dataset = try loadData()
        try specification.refuse(dataset: dataset)
        for w in widths {
            let a = model.architecture(width: w, inputDim: dataset.inputDim, outputs: dataset.outputs, imageShape: dataset.imageShape)
            let need = MemoryEstimate(architecture: a, samples: dataset.trainCount, testSamples: dataset.testCount,
                                      kernel: training.kernel, precision: training.precision,
                                      quadratureDegree: training.quadratureDegree, steps: training.steps,
                                      outputHistoryEvery: training.keepOutputsEvery, keptKernels: training.settings.keptKernelCount,
                                      sharpness: training.sharpnessEvery != nil, threads: BLAS.threadCount)
            guard need.fits() else {
                let cnn = a.family.convolution.map { c in
                    c.pooling == .gap && training.kernel == .analytic ? ", fewer --threads (the cnn-gap Θ holds a block per thread)"
                        : ", a smaller --kernel-size"
                } ?? ""
                let advice = training.keepOutputsEvery == nil ? "use a smaller --width, --depth or --samples\(cnn)."
                    : "keep the outputs less often (a larger --keep-outputs-every), or use fewer --steps or --samples."
                throw Console.memoryRefusal(need, subject: "width \(w) needs", advice: advice)
            }
        }
        if training.ridge != nil && dataset.testCount == 0 {
            throw ValidationError("""
                --ridge needs test points to predict, and this data leaves none: give a test set (--test-data, --test-fraction, or \
                fewer --samples).
                """)
        }
        let dataSettings = data.settings(for: dataset)
        var results: [(width: Int, summary: RunSummary, directory: URL)] = []
        rateCheckFailed = false

        if widths.count > 1 {
            try claim.prepare(force: output.force)
            say("""
                widths \(model.width.defaultValueDescription): each runs with the same data and seed; η = \
                \(training.lr.map { "\($0)" } ?? "\(training.settings.learningRateFactor)·η_crit of each width")
                """)
        }
        for w in widths {
            let dirURL = widths.count == 1 ? root : root.appendingPathComponent("w\(w)")
            let summary = try runOne(width: w, dataset: dataset, dataSettings: dataSettings, into: dirURL,
                                     claim: widths.count == 1 ? claim : nil)
            results.append((w, summary, dirURL))
            if widths.count > 1 {
                // Rewritten after every width, so an interrupted list keeps the table of what finished.
                try WidthsTable.write(results.map { ($0.width, $0.summary, $0.directory.lastPathComponent) },
                                      architecture: model.architectureKind, to: RunDirectory(url: root))
            }
            if summary.status == .interrupted { break }
        }
        if widths.count > 1 {
            writeReport(root)
            Console.out(WidthsTable.render(results.map { ($0.width, $0.summary) }))
            Console.out("widths table: \(Console.shown(root.appendingPathComponent(RunFormat.widths).path))")
        }
        if let signal = SignalTrap.received {
            throw ExitCode(NTKExitStatus.afterSignal(signal))
        }
        if results.contains(where: { $0.summary.status == .diverged }) {
            throw ExitCode(NTKExitStatus.diverged)
        }
        if rateCheckFailed {
            throw ExitCode(NTKExitStatus.rateCheckFailed)
        }
    }

    /// - Parameter claim: the claim to prepare the directory with (a single width's run is the whole `--out`).
    private mutating func runOne(width: Int, dataset: Dataset, dataSettings: DataSettings, into dirURL: URL,
                                 claim: OutputClaim?) throws -> RunSummary {
        let architecture = model.architecture(width: width, inputDim: dataset.inputDim, outputs: dataset.outputs,
                                              imageShape: dataset.imageShape)
        let settings = training.settings
        let experiment = try Self.refusingOverflow { try NTKExperiment(architecture: architecture, dataset: dataset, settings: settings) }
        // Created only once K₀ and its eigendecomposition succeeded: a failure leaves no half directory.
        try claim?.prepare(force: output.force)
        let dir = try RunDirectory.create(at: dirURL)
        let eta = experiment.learningRate, crit = experiment.predictor.criticalLearningRate
        say("""
            \(architecture.family == .mlp ? "" : architecture.family.kind.rawValue + " · ")width \(width) · depth \(architecture.depth) · \
            \(architecture.activation.rawValue) · \
            \(architecture.parameterization.rawValue) parameterization · P = \(architecture.parameterCount) · N = \
            \(dataset.trainCount) · k = \(dataset.outputs)
            """ + (settings.precision == .float32 ? " · float32 network (kernel and prediction float64)" : "")
            + (settings.outputScale.map { " · centred model F = α·(f − f₀), α = \(ProgressTable.number($0))" } ?? ""))
        say("""
            η = \(ProgressTable.number(eta)) = \(String(format: "%.4g", eta / crit))·η_crit  (η_crit = \
            \(settings.heavyBall == nil ? "2" : "2(1 + β)")/λ_max(K̃₀) = \(ProgressTable.number(crit)));  K₀ in \
            \(String(format: "%.3f", experiment.initialKernelSeconds)) s
            """)
        if settings.optimizer != .gd || settings.lossFunction != .mse {
            say(Self.optimizerLine(settings, samples: dataset.trainCount))
        }
        if eta > crit {
            warn("""
                η = \(ProgressTable.number(eta)) is above η_crit = \(ProgressTable.number(crit)): the linearized model diverges \
                along its top mode (catapult regime); GD may spike, converge elsewhere, or diverge.
                """)
        }
        let printEvery = output.printEvery ?? max(1, settings.steps / 20)
        var table = ProgressTable()
        say(ProgressTable.header)
        let summary = try RunRecorder.record(
            experiment, data: dataSettings, command: CommandLine.arguments, into: dir,
            shouldContinue: { SignalTrap.received == nil },
            onRecord: { record in
                // Formatted only when printed: String(format:) for every step of a short run cost more than its logs.
                table.observe(record)
                if record.step % printEvery == 0 || record.step == settings.steps { say(table.line(record)) }
            })
        switch summary.status {
        case .completed: break
        case .diverged:
            warn(Self.divergenceMessage(summary, eta: eta, crit: crit, targets: dataset.trainTargets.data))
        case .interrupted:
            warn("interrupted after step \(summary.lastStep); logs closed and summary.json written (status \"interrupted\").")
        }
        writeReport(dir.url)
        Console.out(ProgressTable.summary(summary, width: width, directory: Console.shown(dir.url.path), momentum: settings.heavyBall))
        Console.out(ProgressTable.rates(summary, experiment.modeRates))
        if let tolerance = output.checkRates {
            let (passed, text) = RateCheck(tolerance: tolerance, topModes: output.checkModes)
                .report(experiment.modeRates, width: width)
            if passed { Console.out(text) } else {
                Console.note(text)
                rateCheckFailed = true
            }
        }
        fflush(nil)
        return summary
    }

    /// The cross-option rules of this run (``RunSpecification``): the network's, `--kernel analytic`'s, η's, and with
    /// the data loaded a batch no larger than the data and cross-entropy on class targets only.
    var specification: RunSpecification {
        var spec = model.specification(kernelLimitNeededBy: training.kernel == .analytic ? "--kernel analytic" : nil)
        (spec.learningRate, spec.learningRateFactor, spec.training) = (training.lr, training.lrFactor, training.settings)
        spec.inputsAreImages = data.inputsAreImages
        return spec
    }

    /// `body`, with an initialization that overflows the precision turned into a refusal naming the options (exit 64):
    /// the cause is --weight-std/--bias-std, not a failure of the tool.
    static func refusingOverflow<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExperimentError {
            if case .notFiniteAtInitialization = error { throw Console.refusal(error.description + ".") }
            throw error
        }
    }

    /// What to tell the user about a diverged run: what diverged, and the likely cause. At η ≤ η_crit the
    /// linearized dynamics are stable, so a divergence there comes from the scale of the data (a loss that
    /// overflows within a step or two), not from the step size.
    static func divergenceMessage(_ summary: RunSummary, eta: Double, crit: Double, targets: [Double]) -> String {
        let step = summary.divergedAtStep ?? summary.lastStep
        let what = summary.divergedBecause ?? "the loss is no longer finite"
        let ratio = String(format: "%.4g", eta / crit)
        let kept = summary.divergedAtStep == 0 ? "No step was finite, so steps.csv has no rows."
            : "Rows up to step \(summary.lastStep) are kept in steps.csv."
        if eta <= crit {
            let largest = targets.map(abs).max() ?? 0
            let loss = summary.initialTrainLoss.map { ProgressTable.number($0) } ?? "not finite"
            return """
                training diverged at step \(step): \(what). η = \(ProgressTable.number(eta)) is \(ratio)·η_crit, where the \
                linearized dynamics are stable, so the step size is not the cause: the scale of the data is (initial training loss \
                \(loss), largest |target| \(String(format: "%.4g", largest))). Rescale the targets (and inputs) to order 1. \(kept)
                """
        }
        return """
            training diverged at step \(step): \(what). η = \(ProgressTable.number(eta)) is \(ratio)·η_crit; try --lr-factor \
            below 1 or a smaller --lr (η_crit = \(ProgressTable.number(crit))). \(kept)
            """
    }

    /// One line naming the optimizer, batches and loss, and the linearized counterpart beside them.
    static func optimizerLine(_ s: TrainingSettings, samples: Int) -> String {
        var parts = ["optimizer \(s.optimizer.kind.rawValue)"]
        if let beta = s.heavyBall { parts.append("β = \(ProgressTable.number(beta))") }
        if let b = s.minibatchSize { parts.append("batches of \(b) (\((samples + b - 1) / b) per epoch, seed \(s.seed))") }
        parts.append("loss \(s.lossFunction.rawValue) (\(s.loss.rawValue))")
        return parts.joined(separator: " · ") + "; the linearized counterpart trains with the same optimizer and batches"
    }

    /// The run's data; a data file that cannot be used ends the command before anything is written.
    private func loadData() throws -> Dataset {
        let d = try data.loadOrExit(seed: training.seed, describe: say)
        if training.kernelLayout == .trace {
            say("kernel layout \(training.kernelLayout.explanation)" + (d.outputs == 1 ? " — with k = 1 this is the full kernel" : ""))
        }
        return d
    }

    /// `report.html` for a run or a width list; a failure to draw is a warning, never a failed run.
    private func writeReport(_ url: URL) {
        do {
            _ = try RunReport.write(runDirectory: url)
        } catch {
            warn("""
                could not write report.html in \(Console.shown(url.path)): \(error); the logs are complete, `ntk-dynamics report \
                \(Console.shown(url.path))` can retry.
                """)
        }
    }

    private func say(_ line: String) { Console(quiet: output.quiet).say(line) }

    private func warn(_ line: String) { Console.warn(line) }
}
