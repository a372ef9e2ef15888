import Foundation

/// ‖K₀ − Θ‖_F/‖Θ‖_F against the width, for a width list or sweep whose runs computed it (`--kernel analytic`):
/// the empirical kernel at initialization approaches the infinite-width Θ as n^(−1/2) (Docs/InfiniteWidth.md).
enum KernelDistanceFigure {
    static let column = "kernel_distance_analytic"

    /// The figure, or nil when no run has the column.
    static func figure(for logs: WidthListLogs) -> RunReport.Figure? {
        let rows = logs.rows.filter { $0.status == "completed" && ($0[column].map(\.isFinite) ?? false) }
        guard !rows.isEmpty else { return nil }
        let widths = rows.map { Double($0.width) }
        let y = rows.map { $0[column]! }
        var series = [PlotSeries(id: column, label: "‖K₀ − Θ‖/‖Θ‖", points: zip(widths, y).map { DataPoint($0, $1) },
                                 style: SeriesStyle(mark: .markers, color: Palette.blue, markerRadius: 3.5))]
        var notes: [String] = []
        if let fit = PowerLawFit(x: widths, y: y), let w0 = widths.min(), let w1 = widths.max() {
            let ci = fit.slopeHalfWidth95.map { " ± \(Ticks.text($0, digits: 2))" } ?? ""
            series.append(PlotSeries(id: "fit-\(column)", label: "least squares: slope \(Ticks.text(fit.slope, digits: 3))\(ci)",
                                     points: [DataPoint(w0, fit.value(at: w0)), DataPoint(w1, fit.value(at: w1))],
                                     style: SeriesStyle(color: Palette.blue, dash: "6 3", lineWidth: 1.4)))
            let points = zip(widths, y).map { ($0, $1) }
            if let reference = SweepAxesFigures.referenceLine(points, slope: -0.5) {
                series.append(PlotSeries(id: "reference-\(column)", label: "slope −1/2", points: reference,
                                         style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4)))
            }
            notes.append("Least-squares slope over every run \(Ticks.text(fit.slope, digits: 3))\(ci.isEmpty ? "" : "\(ci) (95 %, Student t, n − 2 degrees of freedom)").")
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
}
