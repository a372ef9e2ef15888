import Foundation

/// The phase diagram of a sweep with an `--lr-factors` axis (Docs/Sweep.md#the-learning-rate-axis): the phase of
/// each run (lazy, catapult, divergent; ``GDPhase``) over η/η_crit × width, and the final η·λ_max(K̃_T) against
/// η/η_crit with the stability line 2. Drawn from the `lr_factor`, `phase` and `final_lr_kernel_lambda_max` columns
/// of `sweep.csv`; a sweep without the axis has none.
enum PhaseDiagramFigures {
    static let section = "Learning-rate phases"

    static func figures(for logs: WidthListLogs) -> [RunReport.Figure] {
        let rows = logs.rows.filter { $0[SweepColumn.lrFactor] != nil }
        guard !rows.isEmpty else { return [] }
        let factors = Array(Set(rows.compactMap { $0[SweepColumn.lrFactor] })).sorted()
        let widths = Array(Set(rows.map(\.width))).sorted()
        let colors: [GDPhase: String] = [.lazy: Palette.blue, .catapult: Palette.orange, .divergent: Palette.vermillion]
        let phaseSeries = GDPhase.allCases.compactMap { phase -> PlotSeries? in
            let members = rows.filter { $0.phase == phase.rawValue }
            guard !members.isEmpty else { return nil }
            return PlotSeries(id: "phase-\(phase.rawValue)", label: phase.rawValue,
                              points: members.map { DataPoint($0[SweepColumn.lrFactor]!, Double($0.width)) },
                              style: SeriesStyle(mark: .markers, color: colors[phase]!, markerRadius: 6))
        }
        let xAxis = Axis("η/η_crit (--lr-factors)", domain: (0, (factors.last ?? 1) * 1.1), ticks: factors)
        let yAxis = Axis("width n (log scale)", kind: .log, ticks: widths.map(Double.init))
        let diagram = LinePlot(id: "phase-diagram", title: "Phase of GD over η/η_crit × width", x: xAxis, y: yAxis,
                               series: phaseSeries + [criticalLine(over: widths)])
        let caption = "Each run's phase from its training loss (Docs/Sweep.md#the-learning-rate-axis): lazy (the loss never rose "
            + "above its initial value), catapult (it rose, then ended below it), divergent (the run diverged, or ended above "
            + "its initial loss). Runs of several seeds share a point; where they disagree their markers overlap. Lewkowycz "
            + "et al. (2020): lazy below η_crit, catapult between η_crit and η_max (≈ 2η_crit for a linear-readout tanh "
            + "network; larger for relu), divergent above."
        var figures = [RunReport.Figure(section: section, plot: diagram, caption: caption)]
        let styles = [Palette.blue, Palette.green, Palette.purple, Palette.orange, Palette.sky, Palette.black]
        var series = widths.enumerated().map { i, w -> PlotSeries in
            let points = factors.map { f -> DataPoint in
                let v = rows.filter { $0.width == w && $0[SweepColumn.lrFactor] == f && $0.runStatus != .diverged }
                    .compactMap { $0[SummaryColumn.finalLrKernelLambdaMax] }
                return DataPoint(f, v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count))
            }
            return PlotSeries(id: "lr-lambda-w\(w)", label: "width \(w)", points: points,
                              style: SeriesStyle(mark: .lineAndMarkers, color: styles[i % styles.count], markerRadius: 3))
        }
        series.append(PlotSeries(id: "lazy-reference", label: "2·η/η_crit (kernel unchanged)",
                                 points: factors.map { DataPoint($0, 2 * $0) },
                                 style: SeriesStyle(color: Palette.grey, dash: "2 3", lineWidth: 1.2)))
        series.append(PlotSeries(id: "two", label: "2 (stability edge)", points: [DataPoint(0, 2), DataPoint(factors.last ?? 1, 2)],
                                 style: SeriesStyle(color: Palette.vermillion, dash: "7 4", lineWidth: 1.2)))
        figures.append(RunReport.Figure(section: section, plot: LinePlot(
            id: "phase-lr-lambda", title: "Final η·λ_max(K̃_T) vs η/η_crit", x: xAxis,
            y: Axis("η·λ_max(K̃_T) (mean over seeds)", includeZero: true), series: series),
            caption: "η times the largest eigenvalue of the last measured kernel, over the runs that did not diverge (a "
                + "diverged run's last kernel is from before it blew up). Without kernel change it would be 2·η/η_crit "
                + "(grey); a catapult brings it below 2, the edge where linearized GD becomes stable."))
        return figures
    }

    /// The vertical line η = η_crit across the widths, drawn as a series.
    private static func criticalLine(over widths: [Int]) -> PlotSeries {
        PlotSeries(id: "lr-crit", label: "η = η_crit", points: [DataPoint(1, Double(widths.first ?? 1)), DataPoint(1, Double(widths.last ?? 1))],
                   style: SeriesStyle(color: Palette.grey, dash: "7 4", lineWidth: 1.2))
    }
}
