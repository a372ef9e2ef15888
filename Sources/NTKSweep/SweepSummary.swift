import Foundation

/// `sweep_summary.json` (Docs/LogFormat.md#sweep_summaryjson): per-width statistics and fitted power laws of
/// drift, weight change and gap, for each (parameterization, α, depth) of the grid, and, across α and across
/// depths, the collapse onto α√n and onto L/n (``CollapseFit``).
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

    /// The runs of one parameterization, one α and one depth, and their scaling with width.
    public struct Group: Codable, Equatable, Sendable {
        public var parameterization: Parameterization
        /// α, or nil for the plain model (no `--output-scale`).
        @NullEncoded public var outputScale: Double?
        public var depth: Int
        public var runs: Int
        public var completedRuns: Int
        public var metrics: [Metric]
        /// η/η_crit on an `--lr-factors` axis, nil without it.
        @NullEncoded public var lrFactor: Double? = nil
        /// The architecture of the group's runs; null in summaries written before architectures existed (mlp).
        @NullEncoded public var architecture: ArchitectureKind? = nil

        enum CodingKeys: String, CodingKey {
            case parameterization, outputScale = "output_scale", depth, runs, completedRuns = "completed_runs", metrics
            case lrFactor = "lr_factor", architecture
        }
    }

    enum CodingKeys: String, CodingKey {
        case runs, completedRuns = "completed_runs", widths, seeds, metrics, groups, collapse
    }

    public var runs: Int
    public var completedRuns: Int
    public var widths: [Int]
    public var seeds: [UInt64]
    /// The fits of the whole sweep when it has one (parameterization, α, depth) group; empty when it has
    /// several (each group carries its own).
    public var metrics: [Metric]
    /// One entry per (parameterization, α, depth) of the grid, in the order of sweep.csv. Nil only in a summary
    /// written before the sweep axes.
    public var groups: [Group]?
    /// Drift and gap against α√n for each (parameterization, depth) with two α or more, and against L/n for
    /// each (parameterization, α) with two depths or more (``CollapseFit``).
    public var collapse: [CollapseFit]?

    /// The columns whose scaling with width is fitted; `kernel_distance_analytic` (‖K₀ − Θ‖/‖Θ‖, theory:
    /// slope −1/2) too when the runs computed it (`--kernel analytic`).
    public static let scalingColumns = [SummaryColumn.finalKernelDrift, SummaryColumn.maxKernelDrift, SummaryColumn.finalWeightChange, SummaryColumn.maxGap]
    /// The columns whose collapse onto α√n or L/n is fitted.
    public static let collapseColumns = [SummaryColumn.maxKernelDrift, SummaryColumn.maxGap]

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
        let columns = Self.scalingColumns
            + (rows.contains { $0.value(SummaryColumn.kernelDistanceAnalytic) != nil } ? [SummaryColumn.kernelDistanceAnalytic] : [])
        let groups = keys.map { key -> Group in
            let members = ordered.filter { GroupKey($0) == key }
            return Group(parameterization: key.parameterization, outputScale: key.outputScale, depth: key.depth,
                         runs: members.count, completedRuns: members.filter { $0.status == .completed }.count,
                         metrics: Self.metrics(of: members, columns: columns, widths: ws), lrFactor: key.lrFactor,
                         architecture: key.architecture)
        }
        self.groups = groups
        metrics = groups.count == 1 ? groups[0].metrics : []
        let done = ordered.filter { $0.status == .completed }
        collapse = Self.collapseFits(done, axis: .outputScale) + Self.collapseFits(done, axis: .depth)
    }

    /// The ``CollapseFit``s along `axis`: one per value of the other settings under which the axis takes two
    /// values or more, for each of ``collapseColumns``.
    static func collapseFits(_ done: [SweepRow], axis: CollapseFit.SweptAxis) -> [CollapseFit] {
        // The rows that differ only in the axis and the width (and seed) share a key.
        func key(_ r: SweepRow) -> GroupKey {
            var k = GroupKey(r)
            if axis == .outputScale { k.outputScale = nil } else { k.depth = 0 }
            return k
        }
        var keys: [GroupKey] = []
        for r in done where !keys.contains(key(r)) { keys.append(key(r)) }
        return keys.flatMap { k -> [CollapseFit] in
            let members = done.filter { key($0) == k && axis.value($0) != nil }
            guard Set(members.compactMap(axis.value)).count >= 2 else { return [] }
            return collapseColumns.map { CollapseFit(axis: axis, column: $0, rows: members) }
        }
    }

    /// Identifies a group: the rows of one parameterization, one α, one depth and one η/η_crit of the axis.
    struct GroupKey: Equatable {
        var parameterization: Parameterization
        var outputScale: Double?
        var depth: Int
        var lrFactor: Double?
        var architecture: ArchitectureKind
        init(_ row: SweepRow) {
            architecture = row.architecture
            parameterization = row.parameterization
            outputScale = row.outputScale
            depth = row.depth
            lrFactor = row.cell.learningRateFactor
        }
    }

    /// The per-width statistics and the fit against width of each of `columns` over `rows`' completed runs.
    static func metrics(of rows: [SweepRow], columns: [String], widths: [Int]) -> [Metric] {
        let done = rows.filter { $0.status == .completed }
        return columns.map { column in
            let points = done.compactMap { r in r.value(column).map { (width: r.cell.width, seed: r.cell.seed, value: $0) } }
            let perWidth = widths.map { w -> WidthStatistics in
                let v = points.filter { $0.width == w }.map(\.value).filter(\.isFinite)
                guard !v.isEmpty else { return WidthStatistics(width: w, n: 0) }
                return WidthStatistics(width: w, n: v.count, mean: Statistics.mean(v), std: Statistics.sampleStandardDeviation(v),
                                       min: v.min(), max: v.max())
            }
            return Metric(column: column, fit: ScalingFit(points), perWidth: perWidth)
        }
    }
}
