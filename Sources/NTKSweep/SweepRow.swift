import Foundation

/// One row of `sweep.csv`: the figures of one run of the grid (Docs/LogFormat.md#sweepcsv).
public struct SweepRow: Equatable, Sendable {
    public var cell: SweepCell
    public var status: RunStatus
    public var values: [String: Double?]
    /// The run's parameterization: the cell's on a `--parameterizations` axis, else the sweep's one.
    public var parameterization: Parameterization
    /// The run's output scale α, or nil for the plain (uncentred) model: the cell's on an `--output-scales`
    /// axis, else the sweep's `--output-scale`.
    public var outputScale: Double?
    /// The run's number of hidden layers: the cell's on a `--depths` axis, else the sweep's `--depth`.
    public var depth: Int
    /// ``GDPhase`` of the run; nil for a row read from a file written before the column.
    public var phase: GDPhase? = nil
    /// The run's architecture: the cell's on an `--architectures` axis, else the sweep's one (mlp in files written
    /// before the column).
    public var architecture: ArchitectureKind = .mlp

    /// Columns of `sweep.csv`, in order. Those after `wall_time` came with the sweep axes and the Θ figures
    /// (issues 16 and 18) and are written after the older ones, so that a reader that takes columns by position
    /// keeps working.
    public static let columns = phaseColumns + ["architecture"]
    /// The columns of a `sweep.csv` written before `architecture` (issue 24).
    static let phaseColumns = axesColumns + kernelColumns + ["phase"]
    /// The columns of a `sweep.csv` written with the axes, before ``kernelColumns``.
    static let axesColumns = legacyColumns + ["parameterization", "output_scale", "depth"] + addedNumericColumns
    /// Figures of the measured kernel at the end of the run (Docs/LogFormat.md#summaryjson), and the cell's η/η_crit on
    /// an `--lr-factors` axis (empty without it); written after the older columns, then `phase`.
    static let kernelColumns = [
        "final_kernel_lambda_max", "final_lr_kernel_lambda_max", "final_kernel_target_alignment", "final_kernel_cka",
        "final_eigenvector_angle_max", "lr_factor",
    ]
    /// Figures of the run's summary.json added after the axes: the test gap; with `--kernel analytic`, the
    /// infinite-width Θ's distance from K₀, gap and final losses (empty without it); and the split of the gap
    /// into nonlinearity and minibatch noise (Docs/Optimizers.md).
    static let addedNumericColumns = [
        "max_test_gap", "kernel_distance_analytic", "max_gap_analytic", "final_train_loss_ntk_analytic",
        "final_test_loss_ntk_analytic", "max_gap_nonlinearity", "max_gap_minibatch",
    ]
    /// The columns of a `sweep.csv` written before the parameterization and output-scale columns.
    static let legacyColumns = [
        "width", "seed", "status", "lr", "lr_crit", "lr_over_lr_crit", "final_kernel_drift", "max_kernel_drift",
        "final_weight_change", "max_gap", "max_gap_flow", "final_train_loss_gd", "final_train_loss_ntk_discrete",
        "final_test_loss_gd", "final_test_loss_ntk_discrete", "wall_time",
    ]
    static let numericColumns = Array(legacyColumns.dropFirst(3))

    /// - Parameters:
    ///   - architecture: the network the run trained (its parameterization and depth are recorded).
    ///   - outputScale: the α the run used (nil: the plain model).
    public init(cell: SweepCell, summary s: RunSummary, wallTime: Double, architecture: NetworkArchitecture,
                outputScale: Double?) {
        self.cell = cell
        status = s.status
        parameterization = architecture.parameterization
        depth = architecture.depth
        self.architecture = architecture.family.kind
        self.outputScale = outputScale
        values = [
            "lr": s.learningRate, "lr_crit": s.criticalLearningRate, "lr_over_lr_crit": s.learningRateRatio,
            "final_kernel_drift": s.finalKernelDrift, "max_kernel_drift": s.maxKernelDrift,
            "final_weight_change": s.finalWeightChange, "max_gap": s.maxGap, "max_gap_flow": s.maxGapFlow,
            "final_train_loss_gd": s.finalTrainLossGD, "final_train_loss_ntk_discrete": s.finalTrainLossNTKDiscrete,
            "final_test_loss_gd": s.finalTestLossGD, "final_test_loss_ntk_discrete": s.finalTestLossNTKDiscrete,
            "wall_time": wallTime, "max_test_gap": s.maxTestGap, "kernel_distance_analytic": s.kernelDistanceAnalytic,
            "max_gap_analytic": s.maxGapAnalytic, "final_train_loss_ntk_analytic": s.finalTrainLossAnalytic,
            "final_test_loss_ntk_analytic": s.finalTestLossAnalytic, "max_gap_nonlinearity": s.maxGapNonlinearity,
            "max_gap_minibatch": s.maxGapMinibatch,
            "final_kernel_lambda_max": s.finalKernelLambdaMax, "final_lr_kernel_lambda_max": s.finalLearningRateKernelLambdaMax,
            "final_kernel_target_alignment": s.finalKernelTargetAlignment, "final_kernel_cka": s.finalKernelCKA,
            "final_eigenvector_angle_max": s.finalEigenvectorAngleMax, "lr_factor": cell.learningRateFactor,
        ]
        phase = s.phase ?? GDPhase(s)
    }

    public func value(_ column: String) -> Double? { values[column] ?? nil }

    /// The CSV line (no newline).
    public var line: String {
        ([String(cell.width), String(cell.seed), status.rawValue]
            + Self.numericColumns.map { value($0).map(CSVLogWriter.format) ?? "" }
            + [parameterization.rawValue, outputScale.map(CSVLogWriter.format) ?? "", String(depth)]
            + (Self.addedNumericColumns + Self.kernelColumns).map { value($0).map(CSVLogWriter.format) ?? "" }
            + [phase?.rawValue ?? "", architecture.rawValue]).joined(separator: ",")
    }

    /// The sweep's one parameterization, depth and α (`--output-scale`, nil for the plain network), which a
    /// legacy line does not name.
    public struct Defaults: Sendable {
        public var parameterization: Parameterization
        public var depth: Int
        public var outputScale: Double?
        public var architecture: ArchitectureKind

        public init(parameterization: Parameterization, depth: Int, outputScale: Double? = nil, architecture: ArchitectureKind = .mlp) {
            self.parameterization = parameterization
            self.depth = depth
            self.outputScale = outputScale
            self.architecture = architecture
        }
    }

    /// Parses a line written by ``line``, or by a version without the columns after `wall_time` (`legacy`) or
    /// without those after the axes (``axesColumns``).
    ///
    /// - Parameters:
    ///   - grid: the sweep's grid: which axes the cell has.
    ///   - defaults: the sweep's parameterization and depth, for a legacy line.
    init?(line: Substring, legacy: Bool, grid: SweepGrid, defaults: Defaults) {
        self.init(line: line, header: legacy ? Self.legacyColumns : Self.axesColumns, grid: grid, defaults: defaults)
    }

    /// Parses a line under `header`, one of the headers this and earlier versions wrote (a prefix of ``columns``).
    init?(line: Substring, header: [String], grid: SweepGrid, defaults: Defaults) {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard cells.count == header.count else { return nil }
        let text = Dictionary(zip(header, cells), uniquingKeysWith: { a, _ in a })
        guard let w = text["width"].flatMap({ Int($0) }), let s = text["seed"].flatMap({ UInt64($0) }),
              let status = text["status"].flatMap(RunStatus.init(rawValue:)) else { return nil }
        self.status = status
        var v: [String: Double?] = [:]
        for name in Self.numericColumns + Self.addedNumericColumns + Self.kernelColumns {
            // A column this file does not have is empty, as in a file that has it.
            guard let cell = text[name], !cell.isEmpty else { v[name] = .some(nil); continue }
            guard let x = Double(cell) else { return nil }
            v[name] = x
        }
        values = v
        if let p = text["parameterization"] {
            guard let p = Parameterization(rawValue: p), let a = text["output_scale"], a.isEmpty || Double(a) != nil,
                  let d = text["depth"].flatMap({ Int($0) }) else { return nil }
            (parameterization, outputScale, depth) = (p, Double(a), d)
        } else {
            (parameterization, outputScale, depth) = (defaults.parameterization, defaults.outputScale, defaults.depth)
        }
        if let p = text["phase"], !p.isEmpty {
            guard let phase = GDPhase(rawValue: p) else { return nil }
            self.phase = phase
        }
        if let a = text["architecture"], !a.isEmpty {
            guard let kind = ArchitectureKind(rawValue: a) else { return nil }
            architecture = kind
        } else {
            architecture = defaults.architecture
        }
        cell = SweepCell(width: w, seed: s, parameterization: grid.parameterizations == nil ? nil : parameterization,
                         outputScale: grid.outputScales == nil ? nil : outputScale, depth: grid.depths == nil ? nil : depth,
                         learningRateFactor: grid.learningRateFactors == nil ? nil : v["lr_factor"] ?? nil,
                         architecture: grid.architectures == nil ? nil : architecture)
    }

    /// `sweep.csv` text for rows sorted by cell (parameterization, α, depth, width, seed).
    public static func csv(_ rows: [SweepRow]) -> String {
        ([columns.joined(separator: ",")] + rows.sorted { $0.cell < $1.cell }.map(\.line)).joined(separator: "\n") + "\n"
    }

    /// Rows of a `sweep.csv` file of the sweep with this grid and defaults; a file written by an earlier version
    /// (before the columns after `wall_time`, or before ``kernelColumns``) is read too.
    ///
    /// - Throws: ``SweepError/malformed(path:reason:)`` for a file that cannot be read, is not UTF-8 text, or holds
    ///   something other than the rows of this sweep.
    public static func read(_ url: URL, grid: SweepGrid, defaults: Defaults) throws -> [SweepRow] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SweepError.malformed(path: url.path, reason: "cannot be read (\(RunDirectory.reason(error)))")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let offset = firstInvalidByte(data)
            throw SweepError.malformed(path: url.path, reason: "is not UTF-8 text\(offset.map { " (byte \($0) is not)" } ?? ""), "
                                       + "so it is not a sweep.csv that ntk-dynamics wrote; rerun that shard's sweep command to write it again")
        }
        var lines = text.split(separator: "\n")
        let known = [legacyColumns, axesColumns, phaseColumns, columns]
        guard let first = lines.first, let header = known.first(where: { $0.joined(separator: ",") == first }) else {
            throw SweepError.malformed(path: url.path, reason: "the header is not the sweep.csv header of this version")
        }
        lines.removeFirst()
        return try lines.enumerated().map { i, l in
            guard let row = SweepRow(line: l, header: header, grid: grid, defaults: defaults) else {
                throw SweepError.malformed(path: url.path, reason: "line \(i + 2) is not a sweep row")
            }
            return row
        }
    }
}

extension SweepRow {
    /// The offset of the first byte of `data` that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidByte(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }
}

/// A sweep that cannot go on.
public enum SweepError: Error, Equatable, CustomStringConvertible, Sendable {
    case malformed(path: String, reason: String)
    case inconsistent(path: String, reason: String)
    case duplicateCell(run: String, paths: [String])

    /// The message, its paths' control characters escaped (``TerminalText``).
    public var description: String { TerminalText.escaped(text) }

    private var text: String {
        switch self {
        case let .malformed(path, reason): return "'\(path)': \(reason)"
        case let .inconsistent(path, reason): return "'\(path)' does not belong to the same sweep: \(reason)"
        case let .duplicateCell(run, paths):
            return "run \(run) appears in more than one shard with different results: \(paths.joined(separator: ", "))"
        }
    }
}
