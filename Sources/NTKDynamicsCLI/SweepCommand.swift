import ArgumentParser
import Foundation
import NTKDynamics

/// `ntk-dynamics sweep`: every (width, seed) with the same data and a fixed η; drift, weight change and gap
/// against width with fitted exponents.
public struct SweepCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run every (width, seed) with the same data and a fixed η; fit how drift, weight change and gap scale with width.",
        discussion: """
            Writes OUT/sweep.csv (one row per width × seed), OUT/sweep_summary.json (per-width mean and spread, \
            log-log slopes with 95% confidence intervals across seeds), OUT/sweep_config.json and one run \
            directory per cell under OUT/runs/. Rerun with the same --out to resume: finished runs are kept. \
            --shard I/N runs every N-th cell starting at I; `ntk-dynamics merge` joins the shards.
            """
    )

    @OptionGroup(title: "Model (--widths is the list of widths)") var model: ModelOptions
    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Training") var training: TrainingOptions

    @Option(parsing: .unconditional, help: "Number of seeds per width: network seeds --seed, --seed+1, …; the data always comes from --seed.")
    var seeds: Int = 3

    @Option(help: "Sweep directory (default runs/<timestamp>-sweep). An existing sweep with the same settings is resumed.")
    var out: String?

    @Option(help: "Run only this share of the (width, seed) grid: I/N takes every N-th cell starting at I (0-based).")
    var shard: String?

    @Option(parsing: .unconditional, help: "Runs at once, each with one BLAS thread (default: the number of cores); with 1, the run uses every core.")
    var jobs: Int?

    @Flag(name: .customLong("keep-arrays"), help: "Keep arrays/ in every run directory (weights and kernels; large at big widths).")
    var keepArrays = false

    @Flag(help: "No progress display on stderr.")
    var quiet = false

    public init() {}

    public func validate() throws {
        try data.requireSynthetic(command: "sweep")
        if training.kernel == .analytic { try model.requireKernelLimit(for: "--kernel analytic") }
        if training.settings.lossFunction == .crossEntropy {
            throw ValidationError("--loss cross-entropy needs class targets, and sweep runs only the synthetic regression datasets; run cross-entropy with `ntk-dynamics run --dataset digits --width W1,W2,…` (a width list) instead.")
        }
        guard model.width.values.count >= 1 else { throw ValidationError("--widths needs at least one width.") }
        guard seeds >= 1 && seeds <= 10_000 else {
            throw ValidationError("--seeds \(seeds) is out of range; use 1 to 10000 seeds per width.")
        }
        if let shard, ShardSpec(shard) == nil {
            throw ValidationError("--shard \(shard) is invalid; write I/N with 0 ≤ I < N, e.g. 0/4 for the first of four shards.")
        }
        if let jobs, jobs < 1 || jobs > 256 {
            throw ValidationError("--jobs \(jobs) is out of range; use 1 to 256 runs at once.")
        }
        if let out, out.isEmpty { throw ValidationError("--out is empty; give a directory path.") }
        if let out {
            do {
                _ = try OutputClaim.resolve(URL(fileURLWithPath: out))
            } catch let error as OutputError {
                throw ValidationError("--out: \(error.description)")
            }
        }
        if training.lrFactor != nil && training.lr != nil {
            throw ValidationError("--lr and --lr-factor conflict: give one.")
        }
    }

    public func run() throws {
        SignalTrap.install()
        try BLASCoreNotice.announce(quiet: quiet)
        // Held until the command ends (a resume too), so two sweeps never write one directory at once.
        let (root, claim) = try OutputClaim.take(out: out, defaultBase: OutputOptions.defaultName(suffix: "sweep"))
        try claim.writing { try write(root, claim) }
    }

    private func write(_ root: URL, _ claim: OutputClaim) throws {
        // Several runs at once take one BLAS thread each (SweepRunner); one at a time takes every core.
        BLAS.threadCount = (jobs ?? ProcessInfo.processInfo.activeProcessorCount) > 1 ? 1 : OutputOptions.defaultThreads
        let shardSpec = shard.flatMap(ShardSpec.init) ?? .whole
        let grid = SweepGrid(widths: model.width.values, seedCount: seeds, baseSeed: training.seed)
        let dataSettings = data.settings
        let dataset = dataSettings.generate(seed: training.seed)
        let template = model.architecture(width: 1, inputDim: dataSettings.inputDim, outputs: dataSettings.outputs)
        let architecture: @Sendable (Int) -> MLPArchitecture = { width in
            var a = template
            a.width = width
            return a
        }

        // The widest runs may go `jobs` at a time.
        let need = MemoryEstimate(architecture: architecture(grid.widths.last!), samples: dataset.trainCount,
                                  testSamples: dataset.testCount, kernel: training.kernel,
                                  precision: training.precision)
        let concurrent = Double(min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, max(grid.cells(in: shardSpec).count, 1)))
        let together = MemoryEstimate(bytes: need.bytes * concurrent)
        guard together.fits() else {
            throw Console.memoryRefusal(together, subject: "\(Int(concurrent)) runs of width \(grid.widths.last!) at once need",
                                        advice: "use --jobs 1, a smaller width or fewer --samples.")
        }
        var settings = training.settings
        let (lr, lrSource) = try learningRate(settings, widest: architecture(grid.widths.last!), dataset: dataset)
        settings.learningRate = lr
        let a = architecture(grid.widths[0])
        let config = SweepConfiguration(
            network: NetworkRecord(a), training: TrainingRecord(settings),
            sweep: .init(widths: grid.widths, seeds: grid.seeds, data: dataSettings, dataSeed: training.seed,
                         lr: settings.learningRate!, lrSource: lrSource, shard: shardSpec.description))
        // A resumed sweep keeps the η its finished runs used (a derived η may differ in its last bits).
        settings.learningRate = try prepare(root, config: config, claim: claim).sweep.lr

        let cells = grid.cells(in: shardSpec)
        let resumedCells = Set(cells.filter { SweepRunner.finishedSummary(of: $0, in: root) != nil })
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let showProgress = !quiet && isatty(2) == 1
        note("sweep: \(grid.widths.count) widths × \(grid.seeds.count) seeds = \(grid.cells.count) runs"
             + (shardSpec == .whole ? "" : ", shard \(shardSpec) runs \(cells.count) of them")
             + "; η = \(ProgressTable.number(settings.learningRate!)) fixed across widths (\(lrSource)); \(workers) at once")
        let clock = ContinuousClock()
        let start = clock.now
        let runner = SweepRunner(dataset: dataset, data: dataSettings, settings: settings, architecture: architecture,
                                 command: CommandLine.arguments, writeArrays: keepArrays, workers: workers)
        let rows = try runner.run(cells, into: root, shouldContinue: { SignalTrap.received == nil }) { p in
            if showProgress { Self.showProgress(p, elapsed: (clock.now - start).seconds) }
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let wallSeconds = (clock.now - start).seconds

        let summary = try SweepReport.write(rows: rows, config: config, to: root)
        print(SweepReport.render(summary, rows: rows))
        let fresh = rows.filter { r in !resumedCells.contains(r.cell) }
        let runTime = fresh.map { $0.value("wall_time") ?? 0 }.reduce(0, +)
        print(String(format: "wall time %.2f s for %d runs (sum of their run times %.2f s, %d at once)", wallSeconds, fresh.count, runTime, workers)
              + (resumedCells.isEmpty ? "" : "; \(resumedCells.count) runs resumed from disk"))
        print("sweep table: \(root.appendingPathComponent("sweep.csv").path) (report.html to view)")
        SweepReport.writeHTML(root)
        if let signal = SignalTrap.received {
            note("interrupted: \(rows.count) of \(cells.count) runs finished; rerun the same command to complete the rest.")
            throw ExitCode(NTKExitStatus.afterSignal(signal))
        }
        if rows.contains(where: { $0.status == .diverged }) {
            note("some runs diverged at η = \(ProgressTable.number(settings.learningRate!)) (sweep.csv status column); they are left out of the fits.")
            throw ExitCode(NTKExitStatus.diverged)  // as `run` does when a width diverges
        }
    }

    /// One η for all widths: `--lr`, or `--lr-factor` times η_crit of the widest network (closest to the limit).
    /// - Returns: η and how it was chosen (`lr_source` of sweep_config.json).
    private func learningRate(_ settings: TrainingSettings, widest: MLPArchitecture, dataset: Dataset) throws -> (Double, String) {
        if let lr = training.lr { return (lr, "--lr") }
        let crit = try NTKExperiment.criticalLearningRate(architecture: widest, dataset: dataset, settings: settings)
        return (settings.learningRateFactor * crit,
                "\(settings.learningRateFactor)·η_crit of width \(widest.width), seed \(training.seed) (η_crit = \(ProgressTable.number(crit)))")
    }

    /// One line of progress on stderr, rewritten in place: runs finished, the last cell, an estimate of the time left.
    private static func showProgress(_ p: SweepRunner.Progress, elapsed: Double) {
        let fresh = p.finished - p.resumed
        let eta = fresh > 0 ? elapsed.rounded(.down) / Double(fresh) * Double(p.total - p.finished) : .nan
        let line = "\r[\(p.finished)/\(p.total)] w\(p.cell.width) s\(p.cell.seed) \(p.status.rawValue)"
            + (p.resumed > 0 ? " (\(p.resumed) resumed)" : "")
            + (eta.isFinite ? " · ETA \(Int(eta.rounded())) s" : "") + "   "
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Creates the sweep directory, or checks that an existing one holds the same sweep (resume).
    /// - Returns: the sweep's configuration: the one on disk for a resumed sweep.
    private func prepare(_ root: URL, config: SweepConfiguration, claim: OutputClaim) throws -> SweepConfiguration {
        let configURL = root.appendingPathComponent("sweep_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            let existing = try SweepConfiguration.read(configURL)
            // The cause alone, without the usage text (which says nothing about it); exit 64 as a usage error.
            if let difference = existing.sameSweep(as: config) {
                throw refusal("--out \(root.path) holds a different sweep (\(difference)); choose another --out, or repeat that sweep's options to resume it.")
            }
            if existing.sweep.shard != config.sweep.shard {
                throw refusal("--out \(root.path) holds shard \(existing.sweep.shard) of this sweep, not \(config.sweep.shard); give each shard its own --out.")
            }
            note("resuming the sweep in \(root.path): finished runs are kept")
            return existing
        } else {
            do {
                try RunDirectory.checkWritable(root, force: false)
            } catch OutputError.directoryNotEmpty(let path) {
                throw ValidationError("--out \(path) exists, is not empty and holds no sweep; choose another --out (a sweep only resumes its own directory).")
            } catch let error as OutputError {
                throw ValidationError("--out: \(error.description)")
            }
            try claim.prepare(force: false)
            try RunDirectory(url: root).writeJSON(config, to: "sweep_config.json")
            return config
        }
    }

    private func refusal(_ message: String) -> ExitCode { Console.refusal(message) }

    private func note(_ line: String) { Console.note(line) }
}
