import Foundation

/// The report of a `kernel` directory (Docs/Report.md#kernel-report): ‖K₀ − Θ‖/‖Θ‖ against the width with
/// each seed, the mean ± sd per width and the fitted power law (reference −1/2), and the eigenvalues of the
/// seed-averaged K₀ of each width against those of Θ.
public enum KernelReport {
    /// The figures of the page.
    public static func figures(for logs: KernelLogs) -> [RunReport.Figure] {
        var out: [RunReport.Figure] = []
        if let f = errorFigure(logs) { out.append(f) }
        if let f = spectrumFigure(logs) { out.append(f) }
        return out
    }

    /// The relative error against the width: rings per seed, mean ± sd bars, the fit and the −1/2 reference.
    static func errorFigure(_ logs: KernelLogs) -> RunReport.Figure? {
        guard !logs.measurements.isEmpty else { return nil }
        let rows = logs.widthListRows
        var series = WidthScalingFigures.quantitySeries(rows, .init(column: KernelStudyColumn.relativeError, label: "‖K₀ − Θ‖/‖Θ‖",
                                                                    color: Palette.blue))
        let pts = logs.measurements.map { (Double($0.width), $0.relativeError) }.filter { $0.1 > 0 && $0.1.isFinite }
        if let line = SweepAxesFigures.referenceLine(pts, slope: -0.5) {
            series.append(PlotSeries(id: "reference-slope", label: "reference slope −1/2", points: line,
                                     style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4)))
        }
        let widths = logs.widths.map(Double.init)
        let notes: [PlotNote] = widths.count < 2 ? ["A single width: no slope can be fitted."] : []
        let plot = LinePlot(id: "kernel-error", title: "Distance of K₀ from Θ vs width", x: WidthListReport.widthAxis(widths),
                            y: Axis("‖K₀ − Θ‖_F / ‖Θ‖_F (log scale)", kind: .log), series: series, notes: notes)
        return RunReport.Figure(section: "The empirical kernel against its infinite-width limit", plot: plot, caption:
            "Relative Frobenius distance of the empirical NTK at initialization from the analytic Θ on the training inputs (kernel.csv). "
            + "Rings: each seed. Filled markers: the mean over seeds at each width, with error bars of ± 1 sd. "
            + "Dashed: the fitted power law; its legend gives the slope with its 95 % interval, across seeds (the slope fitted per seed, mean ± "
            + "t·sd/√S) with two seeds or more, least squares with one. "
            + "Dotted grey: slope −1/2, the fluctuations of K₀ about Θ at finite width (Docs/InfiniteWidth.md), through the geometric mean of the points.")
    }

    /// The eigenvalues of the seed-averaged K₀ of each width (sequential colours) and of Θ (black, dashed).
    static func spectrumFigure(_ logs: KernelLogs) -> RunReport.Figure? {
        var series: [PlotSeries] = []
        var notes: [PlotNote] = []
        let widths = logs.widths
        for (i, w) in widths.enumerated() {
            guard let k = logs.meanKernel(width: w), let ev = KernelLogs.eigenvalues(k) else {
                notes.append(.warning("Width \(w): no seed-averaged K₀ in arrays/ (the study stopped before it, or it is not square)."))
                continue
            }
            series.append(PlotSeries(id: "eigenvalues-w\(w)", label: "K₀, n = \(w)", points: ev.enumerated().map { DataPoint(Double($0), $1) },
                                     style: SeriesStyle(mark: ev.count > 60 ? .line : .lineAndMarkers,
                                                        color: WidthOverlayFigures.color(i, of: widths.count), lineWidth: 1.4, markerRadius: 2)))
        }
        if let theta = logs.array("ntk_analytic"), let ev = KernelLogs.eigenvalues(theta) {
            series.append(PlotSeries(id: "eigenvalues-theta", label: "Θ (infinite width)", points: ev.enumerated().map { DataPoint(Double($0), $1) },
                                     style: SeriesStyle(color: Palette.black, dash: "5 3", lineWidth: 1.6)))
            if logs.array("ntk_analytic_w\(widths.last ?? 0)") != nil {
                notes.append("Under the standard parameterization Θ grows with the width; the Θ drawn is that of the largest width.")
            }
        } else {
            notes.append(.warning("arrays/ntk_analytic.npy is missing or unreadable: Θ is not drawn."))
        }
        guard !series.isEmpty else { return nil }
        let plot = LinePlot(id: "kernel-spectra", title: "Eigenvalues of K₀ per width and of Θ", x: Axis("mode i (0 = largest eigenvalue)", nice: false),
                            y: Axis("eigenvalue (log scale)", kind: .log), series: series, notes: notes)
        return RunReport.Figure(section: "The empirical kernel against its infinite-width limit", plot: plot, caption: spectrumCaption)
    }

    static let spectrumCaption =
        "Eigenvalues, largest first, of the seed-averaged empirical K₀ of each width (arrays/ntk_empirical_mean_w<width>.npy; colour: dark = narrow, "
        + "light = wide) "
        + "and of the analytic Θ ⊗ I_k (arrays/ntk_analytic.npy), both on the training inputs and not divided by ν. "
        + "Where the widths' curves lie on Θ's, K₀ has reached its limit mode by mode; the relative error of Figure 1 sums over every entry. "
        + "Round-off negative eigenvalues cannot be drawn on the log axis (the plot counts them)."
}
