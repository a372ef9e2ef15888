import Foundation

/// The data of the overlays of a width list or a sweep (Docs/Report.md#overlays-over-training): one curve over
/// the steps per width, read from each run's `steps.csv`. With several seeds at a width the curve is the mean
/// over the seeds with the min–max band; with one, the run's own values (a band of zero width).
///
/// Long runs are thinned here, in data space, to at most ``maxPoints`` steps per curve, evenly spaced in row
/// index among the rows where the column is filled (the first and last always kept), so that a page of ten widths
/// stays light; the plot then thins once more per pixel. The values at the kept steps are the logged values,
/// never interpolated.
public enum WidthOverlay {
    /// The runs' logs at one width.
    public struct Runs: Sendable {
        public var width: Int
        /// One `steps.csv` per seed.
        public var tables: [CSVTable]

        public init(width: Int, tables: [CSVTable]) {
            self.width = width
            self.tables = tables
        }
    }

    /// One width's curve of one column.
    public struct Curve: Equatable, Sendable {
        public var width: Int
        /// The drawn steps.
        public var steps: [Double]
        /// Mean over the runs that logged the step (NaN when none has a finite value).
        public var mean: [Double]
        public var min: [Double]
        public var max: [Double]
        /// How many runs went into the curve.
        public var runs: Int
    }

    /// The most steps drawn per curve.
    public static let maxPoints = 160

    /// The runs of a width list (`w<width>/steps.csv`) or of a sweep (`runs/<cell>/steps.csv`), grouped by width;
    /// only the rows' own directories are read, and a run without steps.csv is left out.
    public static func runs(of logs: WidthListLogs, rows: [WidthListRow]? = nil) -> [Runs] {
        var byWidth: [Int: [CSVTable]] = [:]
        for r in rows ?? logs.rows {
            guard let d = r.directory,
                  let t = try? CSVTable(log: logs.directory.appendingPathComponent(d).appendingPathComponent(RunFormat.steps))
            else { continue }
            byWidth[r.width, default: []].append(t)
        }
        return byWidth.keys.sorted().map { Runs(width: $0, tables: byWidth[$0]!) }
    }

    /// The curve of `column` at each width; widths where no run has the column are left out.
    public static func curves(_ column: String, of runs: [Runs], maxPoints: Int = maxPoints) -> [Curve] {
        runs.compactMap { curve(column, of: $0, maxPoints: maxPoints) }
    }

    static func curve(_ column: String, of runs: Runs, maxPoints: Int) -> Curve? {
        // step → the value of each run that logged it.
        var perRun: [[Double: Double]] = []
        var allSteps = Set<Double>()
        for t in runs.tables {
            guard let steps = t.numbers(StepColumn.step), let ys = t.numbers(column) else { continue }
            var values: [Double: Double] = [:]
            for (s, y) in zip(steps, ys) {
                guard let s, let y else { continue }
                values[s] = y
                allSteps.insert(s)
            }
            if !values.isEmpty { perRun.append(values) }
        }
        guard !perRun.isEmpty else { return nil }
        let kept = thin(allSteps.sorted(), to: maxPoints)
        var mean: [Double] = [], lo: [Double] = [], hi: [Double] = []
        for s in kept {
            let v = perRun.compactMap { $0[s] }.filter(\.isFinite)
            mean.append(v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count))
            lo.append(v.min() ?? .nan)
            hi.append(v.max() ?? .nan)
        }
        return Curve(width: runs.width, steps: kept, mean: mean, min: lo, max: hi, runs: perRun.count)
    }

    /// At most `count` of `values`, evenly spaced in index, the first and the last always among them.
    public static func thin(_ values: [Double], to count: Int) -> [Double] {
        guard values.count > count, count >= 2 else { return values }
        let last = values.count - 1
        var indices: [Int] = []
        for i in 0..<count {
            let j = Int((Double(i) * Double(last) / Double(count - 1)).rounded())
            if indices.last != j { indices.append(j) }
        }
        return indices.map { values[$0] }
    }
}
