import Foundation

/// `sweep_summary.json`: per-width statistics and fitted power laws of drift, weight change and gap.
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

    enum CodingKeys: String, CodingKey {
        case runs, completedRuns = "completed_runs", widths, seeds, metrics
    }

    public var runs: Int
    public var completedRuns: Int
    public var widths: [Int]
    public var seeds: [UInt64]
    public var metrics: [Metric]

    /// The columns whose scaling with width is fitted.
    public static let scalingColumns = ["final_kernel_drift", "max_kernel_drift", "final_weight_change", "max_gap"]

    /// Summarizes completed runs (diverged and interrupted runs are counted but not fitted).
    public init(rows: [SweepRow]) {
        runs = rows.count
        let done = rows.filter { $0.status == .completed }
        completedRuns = done.count
        widths = Array(Set(rows.map(\.cell.width))).sorted()
        seeds = Array(Set(rows.map(\.cell.seed))).sorted()
        let ws = widths
        metrics = Self.scalingColumns.map { column in
            let points = done.compactMap { r in r.value(column).map { (width: r.cell.width, seed: r.cell.seed, value: $0) } }
            let perWidth = ws.map { w -> WidthStatistics in
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
