import Foundation
import NTKDynamics

/// The table printed at the end of a sweep or merge, and the two files it leaves.
enum SweepReport {
    static func write(rows: [SweepRow], config: SweepConfiguration, to root: URL) throws -> SweepSummary {
        let dir = RunDirectory(url: root)
        try dir.write(Data(SweepRow.csv(rows).utf8), to: RunFormat.sweep)
        let summary = SweepSummary(rows: rows)
        try dir.writeJSON(summary, to: RunFormat.sweepSummary)
        return summary
    }

    /// `report.html` of a sweep or a kernel study; a failure to draw is a warning.
    static func writeHTML(_ root: URL) {
        do {
            _ = try RunReport.write(runDirectory: root)
        } catch {
            Console.warn("could not write report.html in \(Console.shown(root.path)): \(error)")
        }
    }

    /// The table of a sweep: per width, and with axes per (parameterization, α), then the collapse fits.
    static func render(_ summary: SweepSummary, rows: [SweepRow]) -> String {
        // No rows: a shard of a grid with fewer cells than shards (a job array larger than the grid), or a sweep
        // stopped (a preempted array task) before its first run finished. The per-width table needs rows.
        guard !rows.isEmpty else { return "no finished runs (an empty shard, or stopped before the first run finished)" }
        guard let groups = summary.groups, groups.count > 1 else {
            return renderGroup(summary.metrics, widths: summary.widths, rows: rows,
                               theory: theory(rows[0].parameterization, depth: rows[0].depth))
        }
        var parts = groups.map { g in
            "\(g.label)" + (g.lrFactor.map { ", η = \(SweepCell.text($0))·η_crit" } ?? "") + ":\n"
                + renderGroup(g.metrics, widths: summary.widths, rows: rows.filter {
                    $0.parameterization == g.parameterization && $0.outputScale == g.outputScale && $0.depth == g.depth
                        && (g.architecture == nil || $0.architecture == g.architecture)
                        && $0.cell.learningRateFactor == g.lrFactor
                }, theory: theory(g.parameterization, depth: g.depth))
        }
        for c in summary.collapse ?? [] { parts += c.sentences(ProgressTable.number) }
        return parts.joined(separator: "\n")
    }

    /// What theory says of the slopes against width under `p` (Docs/Parameterizations.md#how-far-the-weights-move).
    static func theory(_ p: Parameterization, depth: Int) -> String {
        switch p {
        case .ntk, .standard: return "theory: O(width^-1/2) bounds, drift often closer to -1"
        case .mup, .meanField:
            return "theory (μP): drift O(1), slope 0; Δθ/θ " + (depth == 1 ? "O(1) at depth 1" : "O(width^-1/2) at depth \(depth)")
                + " (a hidden n×n layer moves by n^-1/2 in Frobenius norm, O(1) in spectral norm)"
        }
    }

    /// Per width: runs, means ± sd of drift, weight change and gap, final losses; then the slopes against width.
    private static func renderGroup(_ metrics: [SweepSummary.Metric], widths: [Int], rows: [SweepRow], theory: String) -> String {
        let n = ProgressTable.number
        func meanSD(_ m: SweepSummary.Metric, _ w: Int) -> String {
            guard let s = m.perWidth.first(where: { $0.width == w }), let mean = s.mean else { return "n/a" }
            return n(mean) + (s.std.map { "±" + n($0) } ?? "")
        }
        let drift = metrics.first { $0.column == SummaryColumn.finalKernelDrift }!
        let weights = metrics.first { $0.column == SummaryColumn.finalWeightChange }!
        let gap = metrics.first { $0.column == SummaryColumn.maxGap }!
        let pad = Console.pad
        var lines = [["width", "runs", "drift", "Δθ/θ", "max gap", "loss GD", "loss NTK"].enumerated()
            .map { pad($1, $0 < 2 ? 7 : 20) }.joined()]
        for w in widths {
            let r = rows.filter { $0.cell.width == w && $0.status == .completed }
            func mean(_ c: String) -> String {
                let v = r.compactMap { $0.value(c) }
                return v.isEmpty ? "n/a" : n(v.reduce(0, +) / Double(v.count))
            }
            lines.append([pad(String(w), 7), pad("\(r.count)", 7), pad(meanSD(drift, w), 20), pad(meanSD(weights, w), 20),
                          pad(meanSD(gap, w), 20), pad(mean(SummaryColumn.finalTrainLossGD), 20), pad(mean(SummaryColumn.finalTrainLossNTKDiscrete), 20)]
                .joined())
        }
        // Say which interval: across seeds needs two seeds or more; a shard or a sweep of one seed fits least squares.
        let methods = Set(metrics.map { $0.fit.seedSlopes.isEmpty ? "least squares, one seed" : "across seeds" })
        let interval = methods.count == 1 ? methods.first! : "across seeds where two or more, else least squares"
        lines.append("log-log slope against width (95% CI \(interval); \(theory)):")
        for m in metrics {
            let ci = m.fit.ci95.map { "[\(n($0[0])), \(n($0[1]))]" } ?? "n/a"
            lines.append("  \(m.column.padding(toLength: 20, withPad: " ", startingAt: 0)) \(n(m.fit.slope))  CI \(ci)  (\(m.fit.points) runs)")
        }
        return lines.joined(separator: "\n")
    }
}
