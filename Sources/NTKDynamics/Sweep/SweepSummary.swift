import Foundation

/// `sweep_summary.json` (Docs/LogFormat.md#sweep_summaryjson): per-width statistics and fitted power laws of
/// drift, weight change and gap, for each (parameterization, α) of the grid, and, across α, the collapse
/// onto α√n.
public struct SweepSummary: Codable, Equatable, Sendable {
    /// Mean, sample standard deviation, min and max of one metric over the seeds of one width.
    public struct WidthStatistics: Codable, Equatable, Sendable {
        public var width: Int
        public var n: Int
        @NullEncoded public var mean: Double?
        @NullEncoded public var std: Double?
        @NullEncoded public var min: Double?
        @NullEncoded public var max: Double?

    }

    public struct Metric: Codable, Equatable, Sendable {
        /// The sweep.csv column.
        public var column: String
        public var fit: ScalingFit
        public var perWidth: [WidthStatistics]

        enum CodingKeys: String, CodingKey { case column, fit, perWidth = "per_width" }
    }

    /// The runs of one parameterization and one α, and their scaling with width.
    public struct Group: Codable, Equatable, Sendable {
        public var parameterization: Parameterization
        /// α, or nil for the plain model (no `--output-scale`).
        @NullEncoded public var outputScale: Double?
        public var runs: Int
        public var completedRuns: Int
        public var metrics: [Metric]

        enum CodingKeys: String, CodingKey {
            case parameterization, outputScale = "output_scale", runs, completedRuns = "completed_runs", metrics
        }
    }

    enum CodingKeys: String, CodingKey {
        case runs, completedRuns = "completed_runs", widths, seeds, metrics, groups, collapse
    }

    public var runs: Int
    public var completedRuns: Int
    public var widths: [Int]
    public var seeds: [UInt64]
    /// The fits of the whole sweep when it has one (parameterization, α) group; empty when it has several
    /// (each group carries its own).
    public var metrics: [Metric]
    /// One entry per (parameterization, α) of the grid, in the order of sweep.csv. Nil only in a summary written
    /// before the sweep axes.
    public var groups: [Group]?
    /// For each parameterization with two α or more: drift and gap against α√n (``CollapseFit``).
    public var collapse: [CollapseFit]?

    /// The columns whose scaling with width is fitted.
    public static let scalingColumns = ["final_kernel_drift", "max_kernel_drift", "final_weight_change", "max_gap"]
    /// The columns whose collapse onto α√n is fitted.
    public static let collapseColumns = ["max_kernel_drift", "max_gap"]

    /// Summarizes completed runs (diverged and interrupted runs are counted but not fitted).
    public init(rows: [SweepRow]) {
        runs = rows.count
        completedRuns = rows.filter { $0.status == .completed }.count
        widths = Array(Set(rows.map(\.cell.width))).sorted()
        seeds = Array(Set(rows.map(\.cell.seed))).sorted()
        let ordered = rows.sorted { $0.cell < $1.cell }
        var keys: [GroupKey] = []
        for r in ordered where !keys.contains(GroupKey(r)) { keys.append(GroupKey(r)) }
        let ws = widths
        let groups = keys.map { key -> Group in
            let members = ordered.filter { GroupKey($0) == key }
            return Group(parameterization: key.parameterization, outputScale: key.outputScale, runs: members.count,
                         completedRuns: members.filter { $0.status == .completed }.count,
                         metrics: Self.metrics(of: members, widths: ws))
        }
        self.groups = groups
        metrics = groups.count == 1 ? groups[0].metrics : []
        let parameterizations = keys.map(\.parameterization).reduce(into: [Parameterization]()) { list, p in
            if !list.contains(p) { list.append(p) }
        }
        collapse = parameterizations.flatMap { p -> [CollapseFit] in
            let members = ordered.filter { $0.parameterization == p && $0.status == .completed && $0.outputScale != nil }
            guard Set(members.compactMap(\.outputScale)).count >= 2 else { return [] }
            return Self.collapseColumns.map { CollapseFit(parameterization: p, column: $0, rows: members) }
        }
    }

    /// Identifies a group: the rows of one parameterization and one α.
    private struct GroupKey: Equatable {
        var parameterization: Parameterization
        var outputScale: Double?
        init(_ row: SweepRow) {
            parameterization = row.parameterization
            outputScale = row.outputScale
        }
    }

    /// The per-width statistics and the fit against width of each of ``scalingColumns`` over `rows`' completed runs.
    static func metrics(of rows: [SweepRow], widths: [Int]) -> [Metric] {
        let done = rows.filter { $0.status == .completed }
        return scalingColumns.map { column in
            let points = done.compactMap { r in r.value(column).map { (width: r.cell.width, seed: r.cell.seed, value: $0) } }
            let perWidth = widths.map { w -> WidthStatistics in
                let v = points.filter { $0.width == w }.map(\.value).filter(\.isFinite)
                guard !v.isEmpty else { return WidthStatistics(width: w, n: 0) }
                let mean = v.reduce(0, +) / Double(v.count)
                let std = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : nil
                return WidthStatistics(width: w, n: v.count, mean: mean, std: std, min: v.min(), max: v.max())
            }
            return Metric(column: column, fit: ScalingFit(points), perWidth: perWidth)
        }
    }
}
