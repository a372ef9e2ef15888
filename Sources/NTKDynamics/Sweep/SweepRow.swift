import Foundation

/// One row of `sweep.csv`: the figures of one (width, seed) run.
public struct SweepRow: Equatable, Sendable {
    public var cell: SweepCell
    public var status: RunStatus
    public var values: [String: Double?]

    /// Columns of `sweep.csv`, in order.
    public static let columns = [
        "width", "seed", "status", "lr", "lr_crit", "lr_over_lr_crit", "final_kernel_drift", "max_kernel_drift",
        "final_weight_change", "max_gap", "max_gap_flow", "final_train_loss_gd", "final_train_loss_ntk_discrete",
        "final_test_loss_gd", "final_test_loss_ntk_discrete", "wall_time",
    ]
    static let numericColumns = Array(columns.dropFirst(3))

    public init(cell: SweepCell, summary s: RunSummary, wallTime: Double) {
        self.cell = cell
        status = s.status
        values = [
            "lr": s.learningRate, "lr_crit": s.criticalLearningRate, "lr_over_lr_crit": s.learningRateRatio,
            "final_kernel_drift": s.finalKernelDrift, "max_kernel_drift": s.maxKernelDrift,
            "final_weight_change": s.finalWeightChange, "max_gap": s.maxGap, "max_gap_flow": s.maxGapFlow,
            "final_train_loss_gd": s.finalTrainLossGD, "final_train_loss_ntk_discrete": s.finalTrainLossNTKDiscrete,
            "final_test_loss_gd": s.finalTestLossGD, "final_test_loss_ntk_discrete": s.finalTestLossNTKDiscrete,
            "wall_time": wallTime,
        ]
    }

    public func value(_ column: String) -> Double? { values[column] ?? nil }

    /// The CSV line (no newline).
    public var line: String {
        ([String(cell.width), String(cell.seed), status.rawValue]
            + Self.numericColumns.map { value($0).map(CSVLogWriter.format) ?? "" }).joined(separator: ",")
    }

    /// Parses a line written by ``line``.
    public init?(line: Substring) {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard cells.count == Self.columns.count, let w = Int(cells[0]), let s = UInt64(cells[1]),
              let status = RunStatus(rawValue: cells[2]) else { return nil }
        cell = SweepCell(width: w, seed: s)
        self.status = status
        var v: [String: Double?] = [:]
        for (name, text) in zip(Self.numericColumns, cells.dropFirst(3)) {
            if text.isEmpty { v[name] = .some(nil); continue }
            guard let x = Double(text) else { return nil }
            v[name] = x
        }
        values = v
    }

    /// `sweep.csv` text for rows sorted by (width, seed).
    public static func csv(_ rows: [SweepRow]) -> String {
        ([columns.joined(separator: ",")] + rows.sorted { $0.cell < $1.cell }.map(\.line)).joined(separator: "\n") + "\n"
    }

    /// Rows of a `sweep.csv` file.
    public static func read(_ url: URL) throws -> [SweepRow] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n")
        guard let header = lines.first, header == columns.joined(separator: ",") else {
            throw SweepError.malformed(path: url.path, reason: "the header is not the sweep.csv header of this version")
        }
        lines.removeFirst()
        return try lines.enumerated().map { i, l in
            guard let row = SweepRow(line: l) else {
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
    case duplicateCell(width: Int, seed: UInt64, paths: [String])

    public var description: String {
        switch self {
        case let .malformed(path, reason): return "'\(path)': \(reason)"
        case let .inconsistent(path, reason): return "'\(path)' does not belong to the same sweep: \(reason)"
        case let .duplicateCell(w, s, paths):
            return "width \(w), seed \(s) appears in more than one shard with different results: \(paths.joined(separator: ", "))"
        }
    }
}
