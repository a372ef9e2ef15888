/// The figures of a run's summary that the tables with one row per run carry, `widths.csv` and `sweep.csv`
/// (Docs/LogFormat.md): one projection of ``RunSummary``, each column named by its summary.json key.
///
/// A new figure in both tables is a column here and its name in ``WidthColumn/table`` and ``SweepColumn/all``.
public enum SummaryColumn {
    typealias Key = RunSummary.CodingKeys
    public static let status = Key.status.rawValue, lr = Key.learningRate.rawValue, lrCrit = Key.criticalLearningRate.rawValue
    public static let lrOverLrCrit = Key.learningRateRatio.rawValue
    public static let lambdaMin = Key.lambdaMin.rawValue, lambdaMax = Key.lambdaMax.rawValue
    public static let finalTrainLossGD = Key.finalTrainLossGD.rawValue, finalTrainLossNTKDiscrete = Key.finalTrainLossNTKDiscrete.rawValue
    public static let finalTestLossGD = Key.finalTestLossGD.rawValue, finalTestLossNTKDiscrete = Key.finalTestLossNTKDiscrete.rawValue
    public static let maxGap = Key.maxGap.rawValue, maxGapFlow = Key.maxGapFlow.rawValue, maxTestGap = Key.maxTestGap.rawValue
    public static let finalKernelDrift = Key.finalKernelDrift.rawValue, maxKernelDrift = Key.maxKernelDrift.rawValue
    public static let finalWeightChange = Key.finalWeightChange.rawValue, trainingSeconds = Key.trainingSeconds.rawValue
    public static let kernelDistanceAnalytic = Key.kernelDistanceAnalytic.rawValue, maxGapAnalytic = Key.maxGapAnalytic.rawValue
    public static let finalTrainLossAnalytic = Key.finalTrainLossAnalytic.rawValue, finalTestLossAnalytic = Key.finalTestLossAnalytic.rawValue
    public static let maxGapNonlinearity = Key.maxGapNonlinearity.rawValue, maxGapMinibatch = Key.maxGapMinibatch.rawValue
    public static let finalKernelLambdaMax = Key.finalKernelLambdaMax.rawValue
    public static let finalLrKernelLambdaMax = Key.finalLearningRateKernelLambdaMax.rawValue
    public static let finalKernelTargetAlignment = Key.finalKernelTargetAlignment.rawValue, finalKernelCKA = Key.finalKernelCKA.rawValue
    public static let finalEigenvectorAngleMax = Key.finalEigenvectorAngleMax.rawValue, phase = Key.phase.rawValue
    public static let finalSharpness = Key.finalSharpness.rawValue, maxSharpness = Key.maxSharpness.rawValue

    /// Every column of the projection: `status` and `phase` as text (a summary without a phase, written before it
    /// existed, gets the ``GDPhase`` its losses give), the rest numbers (nil for a figure the run did not measure).
    public static let all: [Column<RunSummary>] = [
        .init(status, text: { $0.status.rawValue }),
        .init(lr, number: { $0.learningRate }), .init(lrCrit, number: { $0.criticalLearningRate }),
        .init(lrOverLrCrit, number: { $0.learningRateRatio }),
        .init(lambdaMin, number: { $0.lambdaMin }), .init(lambdaMax, number: { $0.lambdaMax }),
        .init(finalTrainLossGD, number: { $0.finalTrainLossGD }), .init(finalTrainLossNTKDiscrete, number: { $0.finalTrainLossNTKDiscrete }),
        .init(finalTestLossGD, number: { $0.finalTestLossGD }), .init(finalTestLossNTKDiscrete, number: { $0.finalTestLossNTKDiscrete }),
        .init(maxGap, number: { $0.maxGap }), .init(maxGapFlow, number: { $0.maxGapFlow }), .init(maxTestGap, number: { $0.maxTestGap }),
        .init(finalKernelDrift, number: { $0.finalKernelDrift }), .init(maxKernelDrift, number: { $0.maxKernelDrift }),
        .init(finalWeightChange, number: { $0.finalWeightChange }), .init(trainingSeconds, number: { $0.trainingSeconds }),
        .init(kernelDistanceAnalytic, number: { $0.kernelDistanceAnalytic }), .init(maxGapAnalytic, number: { $0.maxGapAnalytic }),
        .init(finalTrainLossAnalytic, number: { $0.finalTrainLossAnalytic }), .init(finalTestLossAnalytic, number: { $0.finalTestLossAnalytic }),
        .init(maxGapNonlinearity, number: { $0.maxGapNonlinearity }), .init(maxGapMinibatch, number: { $0.maxGapMinibatch }),
        .init(finalKernelLambdaMax, number: { $0.finalKernelLambdaMax }),
        .init(finalLrKernelLambdaMax, number: { $0.finalLearningRateKernelLambdaMax }),
        .init(finalKernelTargetAlignment, number: { $0.finalKernelTargetAlignment }), .init(finalKernelCKA, number: { $0.finalKernelCKA }),
        .init(finalEigenvectorAngleMax, number: { $0.finalEigenvectorAngleMax }),
        .init(phase, text: { ($0.phase ?? GDPhase($0)).rawValue }),
        .init(finalSharpness, number: { $0.finalSharpness }), .init(maxSharpness, number: { $0.maxSharpness }),
    ]

    /// The columns named, in the order given.
    public static func columns(_ names: [String]) -> [Column<RunSummary>] {
        let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
        return names.map { name in
            guard let column = byName[name] else { preconditionFailure("\(name) is not a column of SummaryColumn.all") }
            return column
        }
    }

    /// The numbers of the named columns of `summary`, by name (for a row kept as numbers, as `SweepRow` does).
    public static func numbers(_ summary: RunSummary, _ names: [String]) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: columns(names).compactMap { c in c.number.map { (c.name, $0(summary)) } })
    }
}

/// The columns of `widths.csv` (Docs/LogFormat.md#widthscsv): one row per width of a `--width` list.
public enum WidthColumn {
    public static let width = "width", directory = "directory", architecture = "architecture"
    /// A width, its run's summary and the run's directory name (`w<width>`).
    public typealias Row = (width: Int, summary: RunSummary, directory: String, architecture: String)

    /// The width, the summary's figures, the directory, then the figures added later (appended, so that a reader
    /// taking columns by position keeps working).
    public static let table: ColumnTable<Row> = {
        typealias S = SummaryColumn
        let first = [S.status, S.lr, S.lrCrit, S.lambdaMin, S.lambdaMax, S.finalTrainLossGD, S.finalTrainLossNTKDiscrete,
                     S.finalTestLossGD, S.finalTestLossNTKDiscrete, S.maxGap, S.maxGapFlow, S.finalKernelDrift, S.maxKernelDrift,
                     S.finalWeightChange, S.trainingSeconds]
        let added = [S.maxTestGap, S.kernelDistanceAnalytic, S.maxGapAnalytic, S.finalTrainLossAnalytic, S.finalTestLossAnalytic,
                     S.maxGapNonlinearity, S.maxGapMinibatch] + SweepColumn.kernelFigures + [S.phase, S.finalSharpness, S.maxSharpness]
        let summary = { (names: [String]) in S.columns(names).map { $0.pulledBack { (row: Row) in row.summary } } }
        return ColumnTable([Column(width, integer: { $0.width })] + summary(first) + [Column(directory, text: { $0.directory })]
                           + summary(added) + [Column(architecture, text: { $0.architecture })])
    }()
}

/// The names of the columns of `sweep.csv` (Docs/LogFormat.md#sweepcsv): the cell, the summary's figures
/// (``SummaryColumn``), the run's wall time and its axes. NTKSweep's `SweepRow` writes and reads them.
public enum SweepColumn {
    public static let width = "width", seed = "seed", wallTime = "wall_time", parameterization = "parameterization"
    public static let outputScale = "output_scale", depth = "depth", lrFactor = "lr_factor", architecture = "architecture"
    typealias S = SummaryColumn

    /// The header of format 1 before the axes (a `sweep.csv` written before the parameterization and output-scale
    /// columns).
    public static let legacy = [width, seed, S.status] + legacyNumbers
    /// Its numbers (after width, seed and status).
    public static let legacyNumbers = [
        S.lr, S.lrCrit, S.lrOverLrCrit, S.finalKernelDrift, S.maxKernelDrift, S.finalWeightChange, S.maxGap, S.maxGapFlow,
        S.finalTrainLossGD, S.finalTrainLossNTKDiscrete, S.finalTestLossGD, S.finalTestLossNTKDiscrete, wallTime,
    ]
    /// The summary's figures added with the axes (issues 16 and 18).
    public static let addedNumbers = [
        S.maxTestGap, S.kernelDistanceAnalytic, S.maxGapAnalytic, S.finalTrainLossAnalytic, S.finalTestLossAnalytic,
        S.maxGapNonlinearity, S.maxGapMinibatch,
    ]
    /// The header written with the axes, before the kernel figures.
    public static let axes = legacy + [parameterization, outputScale, depth] + addedNumbers
    /// The measured kernel's figures at the end of the run (also in widths.csv).
    public static let kernelFigures = [S.finalKernelLambdaMax, S.finalLrKernelLambdaMax, S.finalKernelTargetAlignment, S.finalKernelCKA,
                                       S.finalEigenvectorAngleMax]
    /// The header written with the kernel figures, the cell's η/η_crit and the phase, before the architecture.
    public static let phases = axes + kernelFigures + [lrFactor, S.phase]
    /// The header of this version: the network's architecture appended (issue 24).
    public static let all = phases + [architecture]
    /// The headers this and earlier versions wrote, oldest first: each a prefix of the next.
    public static let headers = [legacy, axes, phases, all]
    /// Every column holding a number, in the order of ``all``.
    public static let numbers = legacyNumbers + addedNumbers + kernelFigures + [lrFactor]
}
