import Foundation

/// ‖K₀ − Θ‖_F/‖Θ‖_F against the width, for a width list or sweep whose runs computed it (`--kernel analytic`):
/// the empirical kernel at initialization approaches the infinite-width Θ as n^(−1/2) (Docs/InfiniteWidth.md).
enum KernelDistanceFigure {
    static let column = SummaryColumn.kernelDistanceAnalytic

    /// The figure, or nil when no run has the column. A sweep with axes gets one curve per group, each with its
    /// own fit (one fit over every run would mix the groups).
    static func figure(for logs: WidthListLogs) -> RunReport.Figure? {
        let rows = logs.rows.filter { $0.runStatus == .completed && ($0[column].map(\.isFinite) ?? false) }
        guard !rows.isEmpty else { return nil }
        if let groups = SweepAxesFigures.groups(logs) { return perGroup(rows, groups: groups) }
        let points = rows.map { (Double($0.width), $0[column]!) }.filter { $0.1 > 0 }
        let series = WidthScalingFigures.quantitySeries(rows, .init(column: column, label: "‖K₀ − Θ‖/‖Θ‖", color: Palette.blue))
        let plot = LinePlot(id: "width-kernel-distance", title: "Distance of K₀ from Θ vs width",
                            x: WidthListReport.widthAxis(rows.map { Double($0.width) }),
                            y: Axis("‖K₀ − Θ‖_F/‖Θ‖_F (log scale)", kind: .log), series: series + reference(points))
        return RunReport.Figure(section: "Infinite width", plot: plot, caption:
            "Relative Frobenius distance of each run's empirical NTK at initialization from the analytic infinite-width "
            + "kernel Θ (`kernel_distance_analytic`), each run a point, with the mean ± sd over seeds and the fitted power "
            + "law as in the plots above. K₀ is an average over n hidden units, so its fluctuation about Θ falls as "
            + "n^(−1/2) (dotted grey). The sweep summary fits it per seed (sweep_summary.json, `kernel_distance_analytic`).")
    }

    /// One line per (parameterization, α, depth), styled and fitted as the sweep's other plots against width.
    static func perGroup(_ rows: [WidthListRow], groups: [SweepAxesFigures.Group]) -> RunReport.Figure {
        let points = rows.map { (Double($0.width), $0[column]!) }.filter { $0.1 > 0 }
        let plot = LinePlot(id: "width-kernel-distance", title: "Distance of K₀ from Θ vs width, one curve per setting",
                            x: WidthListReport.widthAxis(rows.map { Double($0.width) }),
                            y: Axis("‖K₀ − Θ‖_F/‖Θ‖_F (log scale)", kind: .log),
                            series: SweepAxesFigures.groupSeries(rows, groups: groups, column: column) + reference(points))
        return RunReport.Figure(section: "Infinite width", plot: plot, caption:
            "Relative Frobenius distance of each run's empirical NTK at initialization from the analytic Θ, mean over "
            + "seeds, one curve per parameterization (dash) and α or depth (colour); the legend gives each curve's slope, "
            + "fitted as in sweep_summary.json. Dotted grey: slope −1/2 (Docs/InfiniteWidth.md).")
    }

    /// The dotted slope −1/2 through the geometric mean of `points`.
    static func reference(_ points: [(Double, Double)]) -> [PlotSeries] {
        SweepAxesFigures.referenceLine(points, slope: -0.5).map {
            [PlotSeries(id: "reference-\(column)", label: "slope −1/2", points: $0,
                        style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4))]
        } ?? []
    }
}
