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

    /// Columns of `sweep.csv`, in order. Those after `wall_time` came with the sweep axes and the Θ figures
    /// (issues 16 and 18) and are written after the older ones, so that a reader that takes columns by position
    /// keeps working.
    public static let columns = legacyColumns + ["parameterization", "output_scale", "depth"] + addedNumericColumns
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
    public init(cell: SweepCell, summary s: RunSummary, wallTime: Double, architecture: MLPArchitecture,
                outputScale: Double?) {
        self.cell = cell
        status = s.status
        parameterization = architecture.parameterization
        depth = architecture.depth
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
        ]
    }

    public func value(_ column: String) -> Double? { values[column] ?? nil }

    /// The CSV line (no newline).
    public var line: String {
        ([String(cell.width), String(cell.seed), status.rawValue]
            + Self.numericColumns.map { value($0).map(CSVLogWriter.format) ?? "" }
            + [parameterization.rawValue, outputScale.map(CSVLogWriter.format) ?? "", String(depth)]
            + Self.addedNumericColumns.map { value($0).map(CSVLogWriter.format) ?? "" }).joined(separator: ",")
    }

    /// The sweep's one parameterization, depth and α (`--output-scale`, nil for the plain network), which a
    /// legacy line does not name.
    public struct Defaults: Sendable {
        public var parameterization: Parameterization
        public var depth: Int
        public var outputScale: Double?

        public init(parameterization: Parameterization, depth: Int, outputScale: Double? = nil) {
            self.parameterization = parameterization
            self.depth = depth
            self.outputScale = outputScale
        }
    }

    /// Parses a line written by ``line``, or by a version without the columns after `wall_time` (`legacy`).
    ///
    /// - Parameters:
    ///   - grid: the sweep's grid: which axes the cell has.
    ///   - defaults: the sweep's parameterization and depth, for a legacy line.
    init?(line: Substring, legacy: Bool, grid: SweepGrid, defaults: Defaults) {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let columns = legacy ? Self.legacyColumns : Self.columns
        guard cells.count == columns.count, let w = Int(cells[0]), let s = UInt64(cells[1]),
              let status = RunStatus(rawValue: cells[2]) else { return nil }
        self.status = status
        var v: [String: Double?] = [:]
        let numeric = legacy ? Self.numericColumns : Self.numericColumns + Self.addedNumericColumns
        let numericText = legacy ? Array(cells.dropFirst(3)) : Array(cells[3..<Self.legacyColumns.count] + cells.suffix(Self.addedNumericColumns.count))
        for (name, text) in zip(numeric, numericText) {
            if text.isEmpty { v[name] = .some(nil); continue }
            guard let x = Double(text) else { return nil }
            v[name] = x
        }
        values = v
        if legacy {
            parameterization = defaults.parameterization
            outputScale = defaults.outputScale
            depth = defaults.depth
        } else {
            let i = Self.legacyColumns.count
            guard let p = Parameterization(rawValue: cells[i]), cells[i + 1].isEmpty || Double(cells[i + 1]) != nil,
                  let d = Int(cells[i + 2]) else { return nil }
            parameterization = p
            outputScale = Double(cells[i + 1])
            depth = d
        }
        cell = SweepCell(width: w, seed: s, parameterization: grid.parameterizations == nil ? nil : parameterization,
                         outputScale: grid.outputScales == nil ? nil : outputScale, depth: grid.depths == nil ? nil : depth)
    }

    /// `sweep.csv` text for rows sorted by cell (parameterization, α, depth, width, seed).
    public static func csv(_ rows: [SweepRow]) -> String {
        ([columns.joined(separator: ",")] + rows.sorted { $0.cell < $1.cell }.map(\.line)).joined(separator: "\n") + "\n"
    }

    /// Rows of a `sweep.csv` file of the sweep with this grid and defaults; a file written before the columns
    /// after `wall_time` is read too.
    public static func read(_ url: URL, grid: SweepGrid, defaults: Defaults) throws -> [SweepRow] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n")
        let legacy = lines.first == legacyColumns.joined(separator: ",")[...]
        guard let header = lines.first, legacy || header == columns.joined(separator: ",") else {
            throw SweepError.malformed(path: url.path, reason: "the header is not the sweep.csv header of this version")
        }
        lines.removeFirst()
        return try lines.enumerated().map { i, l in
            guard let row = SweepRow(line: l, legacy: legacy, grid: grid, defaults: defaults) else {
                throw SweepError.malformed(path: url.path, reason: "line \(i + 2) is not a sweep row")
            }
            return row
        }
    }
}

/// A sweep that cannot go on.
public enum SweepError: Error, Equatable, CustomStringConvertible, Sendable {
    case malformed(path: String, reason: String)
    case inconsistent(path: String, reason: String)
    case duplicateCell(run: String, paths: [String])

    public var description: String {
        switch self {
        case let .malformed(path, reason): return "'\(path)': \(reason)"
        case let .inconsistent(path, reason): return "'\(path)' does not belong to the same sweep: \(reason)"
        case let .duplicateCell(run, paths):
            return "run \(run) appears in more than one shard with different results: \(paths.joined(separator: ", "))"
        }
    }
}
