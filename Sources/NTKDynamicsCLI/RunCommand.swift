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
        if training.kernel == .analytic { try model.requireKernelLimit(for: "--kernel analytic") }
        if training.ridge != nil && !data.isRealData && data.testSamples == 0 {
            throw ValidationError("--ridge needs test points to predict: give --test-samples 1 or more.")
        }
    }

    public mutating func run() throws {
        SignalTrap.install()
        BLAS.threadCount = output.threads ?? OutputOptions.defaultThreads
        let widths = model.width.values
        let dataset = try loadData()
        for w in widths {
            let a = model.architecture(width: w, inputDim: dataset.inputDim, outputs: dataset.outputs)
            let need = MemoryEstimate(architecture: a, samples: dataset.trainCount, testSamples: dataset.testCount,
                                      analyticKernel: training.kernel == .analytic, precision: training.precision,
                                      quadratureDegree: training.quadratureDegree)
            guard need.fits() else {
                throw ValidationError("width \(w) needs about \(MemoryEstimate.describe(need.bytes)) of memory and this machine has \(MemoryEstimate.describe(MemoryEstimate.physicalMemory)) (runs are limited to \(Int(MemoryEstimate.allowedShare * 100))%); use a smaller --width, --depth or --samples.")
            }
        }
        if training.ridge != nil && dataset.testCount == 0 {
            throw ValidationError("--ridge needs test points to predict, and this data leaves none: give a test set (--test-data, --test-fraction, or fewer --samples).")
        }
        let dataSettings = data.settings(for: dataset)
        let root = output.directory(suffix: widths.count == 1 ? "w\(widths[0])" : "widths")
        var results: [(width: Int, summary: RunSummary, directory: URL)] = []
        rateCheckFailed = false

        if widths.count > 1 {
            try RunDirectory.prepare(root, force: output.force)
            say("widths \(model.width.defaultValueDescription): each runs with the same data and seed; η = \(training.lr.map { "\($0)" } ?? "\(training.settings.learningRateFactor)·η_crit of each width")")
        }
        for w in widths {
            let dirURL = widths.count == 1 ? root : root.appendingPathComponent("w\(w)")
            let summary = try runOne(width: w, dataset: dataset, dataSettings: dataSettings, into: dirURL)
            results.append((w, summary, dirURL))
            if widths.count > 1 {
                // Rewritten after every width, so an interrupted list keeps the table of what finished.
                try WidthsTable.write(results.map { ($0.width, $0.summary, $0.directory.lastPathComponent) },
                                      to: RunDirectory(url: root))
            }
            if summary.status == .interrupted { break }
        }
        if widths.count > 1 {
            writeReport(root)
            print(WidthsTable.render(results.map { ($0.width, $0.summary) }))
            print("widths table: \(root.appendingPathComponent("widths.csv").path)")
        }
        if let signal = SignalTrap.received {
            throw ExitCode(signal == SIGTERM ? NTKExitStatus.terminated : NTKExitStatus.interrupted)
        }
        if results.contains(where: { $0.summary.status == .diverged }) {
            throw ExitCode(NTKExitStatus.diverged)
        }
        if rateCheckFailed {
            throw ExitCode(NTKExitStatus.rateCheckFailed)
        }
    }

    private mutating func runOne(width: Int, dataset: Dataset, dataSettings: DataSettings, into dirURL: URL) throws -> RunSummary {
        let architecture = model.architecture(width: width, inputDim: dataset.inputDim, outputs: dataset.outputs)
        let settings = training.settings
        let experiment = try NTKExperiment(architecture: architecture, dataset: dataset, settings: settings)
        // Created only once K₀ and its eigendecomposition succeeded: a failure leaves no half directory.
        let dir = try RunDirectory.create(at: dirURL, force: output.force)
        let eta = experiment.learningRate, crit = experiment.predictor.criticalLearningRate
        say("width \(width) · depth \(architecture.depth) · \(architecture.activation.rawValue) · \(architecture.parameterization.rawValue) parameterization · P = \(architecture.parameterCount) · N = \(dataset.trainCount) · k = \(dataset.outputs)" + (settings.precision == .float32 ? " · float32 network (kernel and prediction float64)" : ""))
        say("η = \(ProgressTable.number(eta)) = \(String(format: "%.3f", eta / crit))·η_crit  (η_crit = 2/λ_max(K̃₀) = \(ProgressTable.number(crit)));  K₀ in \(String(format: "%.3f", experiment.initialKernelSeconds)) s")
        if eta > crit {
            warn("η = \(ProgressTable.number(eta)) is above η_crit = \(ProgressTable.number(crit)): the linearized model diverges along its top mode (catapult regime); GD may spike, converge elsewhere, or diverge.")
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
            warn("training diverged at step \(summary.divergedAtStep ?? summary.lastStep): the loss is no longer finite. η = \(ProgressTable.number(eta)) is \(String(format: "%.2f", eta / crit))·η_crit; try --lr-factor below 1 (η_crit = \(ProgressTable.number(crit))). Rows up to step \(summary.lastStep) are kept in steps.csv.")
        case .interrupted:
            warn("interrupted after step \(summary.lastStep); logs closed and summary.json written (status \"interrupted\").")
        }
        writeReport(dir.url)
        print(ProgressTable.summary(summary, width: width, directory: dir.url.path))
        print(ProgressTable.rates(summary, experiment.modeRates))
        if let tolerance = output.checkRates {
            let (passed, text) = RateCheck(tolerance: tolerance, topModes: output.checkModes)
                .report(experiment.modeRates, width: width)
            if passed { print(text) } else {
                FileHandle.standardError.write(Data((text + "\n").utf8))
                rateCheckFailed = true
            }
        }
        fflush(nil)
        return summary
    }

    /// The run's data; a data file that cannot be used ends the command before anything is written.
    private func loadData() throws -> Dataset {
        let loaded: LoadedDataset
        do {
            loaded = try data.load(seed: training.seed)
        } catch let error as CSVDataError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(NTKExitStatus.dataError)
        }
        for w in loaded.warnings { warn(w.description) }
        let d = loaded.dataset
        if let s = d.source {
            say("data: \(s.file)\(s.testFile.map { " + \($0)" } ?? "") · \(d.trainCount) train, \(d.testCount) test · d = \(d.inputDim) (\(s.inputScaling)) · targets \(s.targetEncoding ?? s.targetColumns.joined(separator: ", "))")
        }
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
            warn("could not write report.html in \(url.path): \(error); the logs are complete, `ntk-dynamics report \(url.path)` can retry.")
        }
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
