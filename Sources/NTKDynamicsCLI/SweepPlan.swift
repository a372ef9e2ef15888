import Foundation
import NTKDynamics

/// What a `sweep` will run: its grid, its data, and its networks and their η (Docs/Sweep.md).
struct SweepPlan: Sendable {
    /// The grid, the data, and the network of the first parameterization and depth at width 1.
    var grid: SweepGrid, dataset: Dataset, template: NetworkArchitecture
    /// The training settings (η set to the first network's once ``learningRates(lr:seed:)`` has chosen it).
    var settings: TrainingSettings
    /// The family of each architecture of an `--architectures` axis (its branch scale, its convolutions).
    var families: [ArchitectureKind: ArchitectureFamily] = [:]

    /// One network of the grid: its architecture on an `--architectures` axis (nil without it), parameterization and depth.
    typealias Network = (architecture: ArchitectureKind?, parameterization: Parameterization, depth: Int)

    /// The network of one (architecture, parameterization, depth, width).
    func architecture(width: Int, parameterization: Parameterization? = nil, depth: Int? = nil,
                      architecture kind: ArchitectureKind? = nil) -> NetworkArchitecture {
        var a = template
        a.width = width
        if let parameterization { a.parameterization = parameterization }
        if let depth { a.depth = depth }
        if let kind, let family = families[kind] { a.family = family }
        return a
    }

    /// Every (architecture, parameterization, depth) the grid trains, first the template's.
    var networks: [Network] {
        let kinds: [ArchitectureKind?] = grid.architectures ?? [nil]
        return kinds.flatMap { kind in
            (grid.parameterizations ?? [template.parameterization]).flatMap { p in
                (grid.depths ?? [template.depth]).map { (kind, p, $0) }
            }
        }
    }

    /// The largest network of each architecture of the grid: the widest at the greatest depth.
    var largest: [NetworkArchitecture] {
        let kinds: [ArchitectureKind?] = grid.architectures ?? [nil]
        return kinds.map {
            architecture(width: grid.widths.last!, depth: (grid.depths ?? [template.depth]).max(), architecture: $0)
        }
    }

    /// The network `n` at `width`.
    func architecture(width: Int, _ n: Network) -> NetworkArchitecture {
        architecture(width: width, parameterization: n.parameterization, depth: n.depth, architecture: n.architecture)
    }

    /// One η for all widths and output scales, per network: `lr`, or `factor` times η_crit of the widest network
    /// (closest to the limit) with that parameterization and depth. α does not change η_crit: the kernel of
    /// F = α(f − f₀) is α²K and its loss L(F)/α² (Docs/Parameterizations.md#the-output-scale-α).
    /// - Returns: η per network in ``networks`` order, and how it was chosen (`lr_source` of sweep_config.json).
    func learningRates(lr: Double?, seed: UInt64) throws -> ([SweepConfiguration.NetworkRate], String) {
        let widest = grid.widths.last!
        if let lr {
            // η is given, but a network that overflows at initialization is still refused before anything is written.
            for n in networks {
                try NTKExperiment.finiteInitialKernel(architecture: architecture(width: widest, n), dataset: dataset, settings: settings)
            }
            return (networks.map { .init(parameterization: $0.parameterization, depth: $0.depth, lr: lr, architecture: $0.architecture) },
                    "--lr")
        }
        let crits = try networks.map { n in
            (n, try NTKExperiment.criticalLearningRate(architecture: architecture(width: widest, n), dataset: dataset, settings: settings))
        }
        let factor = settings.learningRateFactor
        let printed = crits.count == 1 ? ProgressTable.number(crits[0].1)
            : crits.map { "\(ProgressTable.number($0.1)) (\(name($0.0)))" }.joined(separator: ", ")
        return (crits.map { .init(parameterization: $0.0.parameterization, depth: $0.0.depth, lr: factor * $0.1, architecture: $0.0.architecture) },
                "\(factor)·η_crit of width \(widest), seed \(seed)" + (crits.count == 1 ? "" : ", per network")
                + " (η_crit = \(printed))")
    }

    /// "ntk", "depth 2", "mup, depth 4" or "resnet, depth 8": what tells the grid's networks apart.
    func name(_ n: Network) -> String {
        [n.architecture?.rawValue, grid.parameterizations != nil ? n.parameterization.rawValue : nil,
         grid.depths != nil ? "depth \(n.depth)" : nil].compactMap { $0 }.joined(separator: ", ")
    }

    /// The network and settings of a cell: its width, seed, parameterization, α and depth, and the η recorded
    /// for its network.
    func cellSetup(_ recorded: SweepConfiguration.SweepRecord) -> @Sendable (SweepCell) -> SweepRunner.CellSetup {
        let plan = self
        return { cell in
            let a = plan.architecture(width: cell.width, parameterization: cell.parameterization, depth: cell.depth,
                                      architecture: cell.architecture)
            var s = plan.settings
            s.seed = cell.seed
            if let alpha = cell.outputScale { s.outputScale = alpha }
            s.learningRate = recorded.learningRate(a.parameterization, depth: a.depth, architecture: cell.architecture)
            if let f = cell.learningRateFactor {  // --lr-factors: η = f·η_crit of this run's own network
                s.learningRate = nil
                s.learningRateFactor = f
            }
            return (architecture: a, settings: s)
        }
    }

    /// η as the progress note prints it: one number, or one per network.
    func rateText(_ recorded: SweepConfiguration.SweepRecord) -> String {
        if let factors = grid.learningRateFactors {
            return "{\(factors.map(SweepCell.text).joined(separator: ", "))}·η_crit of each run"
        }
        guard recorded.lrPerNetwork != nil else { return ProgressTable.number(recorded.lr) }
        return networks.map {
            "\(ProgressTable.number(recorded.learningRate($0.parameterization, depth: $0.depth, architecture: $0.architecture))) (\(name($0)))"
        }
            .joined(separator: ", ")
    }

    /// "5 widths × 3 seeds = 15 runs", with the axes in front when the sweep has them.
    var gridDescription: String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let axes = [grid.architectures.map { count($0.count, "architecture") }, grid.parameterizations.map { count($0.count, "parameterization") },
                    grid.outputScales.map { count($0.count, "output scale") },
                    grid.depths.map { count($0.count, "depth") },
                    grid.learningRateFactors.map { count($0.count, "learning-rate factor") }].compactMap { $0 }
        return (axes + ["\(grid.widths.count) widths", "\(grid.seeds.count) seeds"]).joined(separator: " × ")
            + " = \(grid.cells.count) runs"
    }
}
