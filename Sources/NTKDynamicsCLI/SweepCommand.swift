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
            Writes OUT/sweep.csv (one row per cell of the grid), OUT/sweep_summary.json (per-width mean and spread, \
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

    @Option(name: .customLong("parameterizations"), parsing: .unconditional, help: """
        A parameterization axis, e.g. ntk,mup (from \(Parameterization.allCases.map(\.rawValue).joined(separator: ", "))): \
        every width and seed runs under each, with its own η when η comes from --lr-factor. Replaces --parameterization. \
        Docs/Sweep.md#sweep-axes.
        """)
    var parameterizations: CommaList<Parameterization>?

    @Option(name: .customLong("architectures"), parsing: .unconditional, help: """
        An architecture axis, e.g. mlp,resnet (from mlp, resnet, cnn): every width and seed runs as each, with its own η when \
        η comes from --lr-factor; --branch-scale, --kernel-size and --pool apply to the architecture they belong to. Replaces \
        --architecture. Docs/Sweep.md#sweep-axes.
        """)
    var architectures: CommaList<ArchitectureKind>?

    @Option(name: .customLong("output-scales"), parsing: .unconditional, help: """
        An axis of laziness scales α > 0, e.g. 0.01,0.1,1,10,100: every width and seed runs the centred model F = α·(f − f₀) \
        at each α (see --output-scale). The summary fits drift and gap against α√n. Docs/Sweep.md#sweep-axes.
        """)
    var outputScales: CommaList<Double>?

    @Option(name: .customLong("depths"), parsing: .unconditional, help: """
        A depth axis, e.g. 1,2,4,8 hidden layers: every width and seed runs at each depth, with its own η when η comes from \
        --lr-factor. The summary fits drift against depth/width (Hanin & Nica 2019). Replaces --depth. \
        Docs/Sweep.md#sweep-axes.
        """)
    var depths: IntList?

    @Option(name: .customLong("lr-factors"), parsing: .unconditional, help: """
        A learning-rate axis of η/η_crit, e.g. 0.5,1,1.5,1.9,2.5: every width and seed runs at each factor, η = factor \
        × the run's own η_crit (not one η across widths). Each row gets its phase (lazy, catapult, divergent) and \
        η·λ_max(K̃_T); the report draws the phase diagram. Replaces --lr-factor and --lr. \
        Docs/Sweep.md#the-learning-rate-axis.
        """)
    var lrFactors: CommaList<Double>?

    @Option(help: "Sweep directory (default runs/<timestamp>-sweep). An existing sweep with the same settings is resumed.")
    var out: String?

    @Option(parsing: .unconditional, help: """
        Run only this share of the grid (architecture × parameterization × α × depth × width × seed): I/N takes every N-th cell starting at \
        I (0-based).
        """)
    var shard: String?

    @Option(parsing: .unconditional, help: "Runs at once, each with one BLAS thread (default: the number of cores); with 1, the run uses every core.")
    var jobs: Int?

    @Flag(name: .customLong("keep-arrays"), help: "Keep arrays/ in every run directory (weights and kernels; large at big widths).")
    var keepArrays = false

    @Flag(help: "No progress display on stderr.")
    var quiet = false

    public init() {}

    public func validate() throws {
        try validateAxes()
        try specification.refuse()
        // Cross-entropy: the same refusals as `run` (no closed form, class targets only).
        try RunCommand.validateLoss(training, nil, data)
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
    }

    /// The parameterization and output-scale axes: valid values, each once, and not given twice.
    private func validateAxes() throws {
        if let list = architectures {
            guard !list.hasDuplicates else {
                throw ValidationError("--architectures \(list.defaultValueDescription) lists an architecture twice; give each once.")
            }
            if model.givenArchitecture != nil {
                throw ValidationError("--architecture and --architectures conflict: the axis replaces the single value; give one of the two.")
            }
        }
        if let list = parameterizations {
            guard !list.hasDuplicates else {
                throw ValidationError("--parameterizations \(list.defaultValueDescription) lists a parameterization twice; give each once.")
            }
            if model.parameterization != .ntk {
                throw ValidationError("--parameterization and --parameterizations conflict: the axis replaces the single value; give one of the two.")
            }
        }
        try validateDepths()
        if let list = lrFactors {
            for f in list.values where !(f.isFinite && f > 0) {
                throw ValidationError("--lr-factors: \(f) is invalid; each η/η_crit must be a finite number > 0.")
            }
            guard !list.hasDuplicates else {
                throw ValidationError("--lr-factors \(list.defaultValueDescription) lists a factor twice; give each once.")
            }
        }
        if let list = outputScales {
            for a in list.values where !(a.isFinite && a > 0) {
                throw ValidationError("--output-scales: \(a) is invalid; each α must be a finite number > 0.")
            }
            for a in list.values {
                if let problem = TrainingOptions.outputScaleProblem(a, training.precision) { throw ValidationError("--output-scales: " + problem) }
            }
            guard !list.hasDuplicates else {
                throw ValidationError("--output-scales \(list.defaultValueDescription) lists a scale twice; give each α once.")
            }
            if training.outputScale != nil {
                throw ValidationError("--output-scale and --output-scales conflict: the axis replaces the single α; give one of the two.")
            }
        }
    }

    /// The depth axis: depths in range, each once (the rules it shares with other options are in ``specification``).
    private func validateDepths() throws {
        guard let list = depths else { return }
        for d in list.values where d < 1 || d > ModelOptions.maxDepth {
            throw ValidationError("""
                --depths: \(d) is out of range; each depth must be 1 to \(ModelOptions.maxDepth) hidden layers (the fit against \
                depth/width needs L ≥ 1).
                """)
        }
        guard !list.hasDuplicates else {
            throw ValidationError("--depths \(list.defaultValueDescription) lists a depth twice; give each depth once.")
        }
    }

    /// The cross-option rules of this sweep (``RunSpecification``): every (parameterization, depth) of its axes, Θ under
    /// every parameterization with `--kernel analytic`, η set once, a depth axis without `--depth`.
    var specification: RunSpecification {
        var spec = model.specification(kernelLimitNeededBy: training.kernel == .analytic ? "--kernel analytic" : nil)
        if let list = parameterizations { (spec.parameterizations, spec.parameterizationSource) = (list.values, .axis(option: "--parameterizations")) }
        if let list = depths { (spec.depths, spec.depthSource) = (list.values, .axis(option: "--depths")) }
        if let list = architectures { (spec.architectures, spec.architectureSource) = (list.values, .axis(option: "--architectures")) }
        (spec.learningRate, spec.learningRateFactor, spec.learningRateFactors) = (training.lr, training.lrFactor, lrFactors?.values)
        spec.inputsAreImages = data.inputsAreImages
        spec.training = training.settings
        return spec
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
        let (plan, config) = try makePlan(shard: shardSpec)
        // A resumed sweep keeps the η its finished runs used (a derived η may differ in its last bits).
        let recorded = try prepare(root, config: config, claim: claim).sweep

        let cells = plan.grid.cells(in: shardSpec)
        let resumedCells = Set(cells.filter { SweepRunner.finishedSummary(of: $0, in: root) != nil })
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let showProgress = !quiet && isatty(2) == 1
        note("sweep: " + plan.gridDescription
             + (shardSpec == .whole ? "" : ", shard \(shardSpec) runs \(cells.count) of them")
             + "; η = \(plan.rateText(recorded))" + (plan.grid.learningRateFactors == nil ? " fixed across widths (\(recorded.lrSource))" : "")
             + "; \(workers) at once")
        let clock = ContinuousClock()
        let start = clock.now
        let runner = SweepRunner(dataset: plan.dataset, data: config.sweep.data, dataSeed: training.seed,
                                 setup: plan.cellSetup(recorded), command: CommandLine.arguments,
                                 writeArrays: keepArrays, workers: workers)
        let rows = try runner.run(cells, into: root, shouldContinue: { SignalTrap.received == nil }) { p in
            if showProgress { Self.showProgress(p, elapsed: (clock.now - start).seconds) }
        }
        if showProgress { Console.toStandardError("\n") }
        let wallSeconds = (clock.now - start).seconds

        let summary = try SweepReport.write(rows: rows, config: config, to: root)
        Console.out(SweepReport.render(summary, rows: rows))
        let fresh = rows.filter { r in !resumedCells.contains(r.cell) }
        let runTime = fresh.map { $0.value(SweepColumn.wallTime) ?? 0 }.reduce(0, +)
        Console.out(String(format: "wall time %.2f s for %d runs (sum of their run times %.2f s, %d at once)", wallSeconds, fresh.count, runTime, workers)
              + (resumedCells.isEmpty ? "" : "; \(resumedCells.count) runs resumed from disk"))
        Console.out("sweep table: \(Console.shown(root.appendingPathComponent(RunFormat.sweep).path)) (report.html to view)")
        SweepReport.writeHTML(root)
        if let signal = SignalTrap.received {
            note("interrupted: \(rows.count) of \(cells.count) runs finished; rerun the same command to complete the rest.")
            throw ExitCode(NTKExitStatus.afterSignal(signal))
        }
        if rows.contains(where: { $0.status == .diverged }) {
            note("some runs diverged at η = \(plan.rateText(recorded)) (sweep.csv status column); they are left out of the fits.")
            throw ExitCode(NTKExitStatus.diverged)  // as `run` does when a width diverges
        }
    }

    /// The grid, the data, the networks and their η, and the configuration that identifies the sweep; refuses a
    /// sweep that would not fit in memory before building any network.
    private func makePlan(shard: ShardSpec) throws -> (SweepPlan, SweepConfiguration) {
        let grid = SweepGrid(widths: model.width.values, seedCount: seeds, baseSeed: training.seed,
                             parameterizations: parameterizations?.values, outputScales: outputScales?.values,
                             depths: depths?.values, learningRateFactors: lrFactors?.values, architectures: architectures?.values)
        let dataset = try data.loadOrExit(seed: training.seed, describe: note)
        try specification.refuse(dataset: dataset)
        var template = model.architecture(width: 1, inputDim: dataset.inputDim, outputs: dataset.outputs, imageShape: dataset.imageShape)
        if let p = grid.parameterizations?.first { template.parameterization = p }
        if let d = grid.depths?.first { template.depth = d }
        if let kind = grid.architectures?.first { template.family = model.family(kind, imageShape: dataset.imageShape) }
        var plan = SweepPlan(grid: grid, dataset: dataset, template: template, settings: training.settings)
        for kind in grid.architectures ?? [] { plan.families[kind] = model.family(kind, imageShape: dataset.imageShape) }
        // Before η_crit, which builds the widest network's kernel.
        try checkMemory(plan, cells: grid.cells(in: shard).count)
        var (rates, lrSource) = try RunCommand.refusingOverflow { try plan.learningRates(lr: training.lr, seed: training.seed) }
        if grid.learningRateFactors != nil {
            lrSource = "--lr-factors: each run's factor × its own η_crit (lr is the 0.5·η_crit of width \(grid.widths.last!), for reference)"
        }
        plan.settings.learningRate = rates[0].lr
        let axes = grid.parameterizations != nil || grid.depths != nil || grid.architectures != nil
        let config = SweepConfiguration(
            network: NetworkRecord(template), training: TrainingRecord(plan.settings),
            sweep: .init(widths: grid.widths, seeds: grid.seeds, data: data.settings(for: dataset), dataSeed: training.seed,
                         lr: rates[0].lr, lrSource: lrSource, shard: shard.description,
                         parameterizations: grid.parameterizations, outputScales: grid.outputScales, depths: grid.depths,
                         lrFactors: grid.learningRateFactors, lrPerNetwork: axes && training.lr == nil ? rates : nil,
                         dataSource: dataset.source, dataFingerprint: DataFingerprint.of(dataset)).with(architectures: grid.architectures))
        return (plan, config)
    }

    /// Refuses a sweep whose largest runs, `--jobs` at a time, would not fit in memory.
    private func checkMemory(_ plan: SweepPlan, cells: Int) throws {
        let estimates = plan.largest.map { a in
            (a, MemoryEstimate(architecture: a, samples: plan.dataset.trainCount,
                               testSamples: plan.dataset.testCount, kernel: training.kernel,
                               precision: training.precision, steps: training.steps,
                               outputHistoryEvery: training.keepOutputsEvery, keptKernels: training.settings.keptKernelCount,
                               sharpness: training.sharpnessEvery != nil, threads: BLAS.threadCount))
        }
        let (largest, need) = estimates.max { $0.1.bytes < $1.1.bytes }!
        let concurrent = Double(min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, max(cells, 1)))
        let together = MemoryEstimate(bytes: need.bytes * concurrent)
        guard together.fits() else {
            throw Console.memoryRefusal(together, subject: "\(Int(concurrent)) runs of width \(largest.width) at once need",
                                        advice: "use --jobs 1, a smaller width or fewer --samples.")
        }
    }

    /// One line of progress on stderr, rewritten in place: runs finished, the last cell, an estimate of the time left.
    private static func showProgress(_ p: SweepRunner.Progress, elapsed: Double) {
        let fresh = p.finished - p.resumed
        let eta = fresh > 0 ? elapsed.rounded(.down) / Double(fresh) * Double(p.total - p.finished) : .nan
        let line = "\r[\(p.finished)/\(p.total)] \(p.cell.directoryName) \(p.status.rawValue)"
            + (p.resumed > 0 ? " (\(p.resumed) resumed)" : "")
            + (eta.isFinite ? " · ETA \(Int(eta.rounded())) s" : "") + "   "
        Console.toStandardError(line, escaping: false)  // a cell name and numbers, and the \r that rewrites the line
    }

    /// Creates the sweep directory, or checks that an existing one holds the same sweep (resume).
    /// - Returns: the sweep's configuration: the one on disk for a resumed sweep.
    private func prepare(_ root: URL, config: SweepConfiguration, claim: OutputClaim) throws -> SweepConfiguration {
        let configURL = root.appendingPathComponent(RunFormat.sweepConfig)
        if FileManager.default.fileExists(atPath: configURL.path) {
            let existing = try SweepConfiguration.read(configURL)
            // The cause alone, without the usage text (which says nothing about it); exit 64 as a usage error.
            if let difference = existing.sameSweep(as: config) {
                throw refusal("""
                    --out \(Console.shown(root.path)) holds a different sweep (\(difference)); choose another --out, or repeat that \
                    sweep's options to resume it.
                    """)
            }
            if existing.sweep.shard != config.sweep.shard {
                throw refusal("""
                    --out \(Console.shown(root.path)) holds shard \(existing.sweep.shard) of this sweep, not \(config.sweep.shard); give \
                    each shard its own --out.
                    """)
            }
            note("resuming the sweep in \(Console.shown(root.path)): finished runs are kept")
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
            try RunDirectory(url: root).writeJSON(config, to: RunFormat.sweepConfig)
            return config
        }
    }

    private func refusal(_ message: String) -> ExitCode { Console.refusal(message) }

    private func note(_ line: String) { Console.note(line) }
}
