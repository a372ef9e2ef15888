import Foundation

/// ‖K₀ − Θ‖_F/‖Θ‖_F against the width, for a width list or sweep whose runs computed it (`--kernel analytic`):
/// the empirical kernel at initialization approaches the infinite-width Θ as n^(−1/2) (Docs/InfiniteWidth.md).
enum KernelDistanceFigure {
    static let column = "kernel_distance_analytic"

    /// The figure, or nil when no run has the column. A sweep with axes gets one curve per group, each with its
    /// own fit (one fit over every run would mix the groups).
    static func figure(for logs: WidthListLogs) -> RunReport.Figure? {
        let rows = logs.rows.filter { $0.status == "completed" && ($0[column].map(\.isFinite) ?? false) }
        guard !rows.isEmpty else { return nil }
        if let groups = SweepAxesFigures.groups(logs) { return perGroup(rows, groups: groups) }
        let widths = rows.map { Double($0.width) }
        let y = rows.map { $0[column]! }
        var series = [PlotSeries(id: column, label: "‖K₀ − Θ‖/‖Θ‖", points: zip(widths, y).map { DataPoint($0, $1) },
                                 style: SeriesStyle(mark: .markers, color: Palette.blue, markerRadius: 3.5))]
        var notes: [String] = []
        // The page's one fit (WidthScalingFigures): across seeds with two or more, least squares with one.
        let fit = WidthScalingFigures.fit(rows, column: column)
        let points = zip(widths, y).map { ($0, $1) }.filter { $0.1 > 0 }
        if let slope = fit.slope, let line = SweepAxesFigures.referenceLine(points, slope: slope) {
            let interval = WidthScalingFigures.intervalText(fit)
            series.append(PlotSeries(id: "fit-\(column)", label: "fit: slope \(Ticks.text(slope, digits: 3)), \(interval)",
                                     points: line, style: SeriesStyle(color: Palette.blue, dash: "6 3", lineWidth: 1.4)))
            notes.append("Slope \(Ticks.text(slope, digits: 3)), \(interval).")
        }
        if let reference = SweepAxesFigures.referenceLine(points, slope: -0.5) {
            series.append(PlotSeries(id: "reference-\(column)", label: "slope −1/2", points: reference,
                                     style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4)))
        }
        let plot = LinePlot(id: "width-kernel-distance", title: "Distance of K₀ from Θ vs width",
                            x: WidthListReport.widthAxis(widths), y: Axis("‖K₀ − Θ‖_F/‖Θ‖_F (log scale)", kind: .log),
                            series: series, notes: notes)
        return RunReport.Figure(section: "Infinite width", plot: plot, caption:
            "Relative Frobenius distance of each run's empirical NTK at initialization from the analytic infinite-width "
            + "kernel Θ (`kernel_distance_analytic`), one point per run. K₀ is an average over n hidden units, so its "
            + "fluctuation about Θ falls as n^(−1/2) (dotted grey). The sweep summary fits it per seed "
            + "(sweep_summary.json, `kernel_distance_analytic`).")
    }

    /// One curve per (parameterization, α, depth): the mean over seeds, each run a ring, the group's fit in the legend.
    static func perGroup(_ rows: [WidthListRow], groups: [SweepAxesFigures.Group]) -> RunReport.Figure {
        let showDepth = Set(groups.compactMap(\.depth)).count > 1
        var series: [PlotSeries] = []
        for (i, g) in groups.enumerated() {
            let mine = rows.filter { SweepAxesFigures.group($0) == g }
            guard !mine.isEmpty else { continue }
            let fit = WidthScalingFigures.fit(mine, column: column)
            let label = g.label(showDepth: showDepth)
                + (fit.slope.map { ": slope \(Ticks.text($0, digits: 2)) (\(fit.seedSlopes.isEmpty ? "least squares" : "across seeds"))" } ?? "")
            series += SweepAxesFigures.curve(mine, column: column, id: SweepAxesFigures.slug("\(column)-\(label)"), label: label,
                                             color: SweepAxesFigures.colors[i % SweepAxesFigures.colors.count]) { Double($0.width) }
        }
        let points = rows.map { (Double($0.width), $0[column]!) }.filter { $0.1 > 0 }
        if let reference = SweepAxesFigures.referenceLine(points, slope: -0.5) {
            series.append(PlotSeries(id: "reference-\(column)", label: "slope −1/2", points: reference,
                                     style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4)))
        }
        let plot = LinePlot(id: "width-kernel-distance", title: "Distance of K₀ from Θ vs width, one curve per setting",
                            x: WidthListReport.widthAxis(rows.map { Double($0.width) }),
                            y: Axis("‖K₀ − Θ‖_F/‖Θ‖_F (log scale)", kind: .log), series: series)
        return RunReport.Figure(section: "Infinite width", plot: plot, caption:
            "Relative Frobenius distance of each run's empirical NTK at initialization from the analytic Θ (rings), and its "
            + "mean over seeds (lines), one curve per parameterization, α and depth; the legend gives each curve's slope, "
            + "fitted as in sweep_summary.json. Dotted grey: slope −1/2 (Docs/InfiniteWidth.md).")
    }
}
