import Foundation

/// The scalars of a width list or a sweep against the width (Docs/Report.md#width-list-report): each run as a
/// ring, the mean over seeds at each width with ± 1 sd error bars, the fitted power law with its 95 % interval,
/// and the reference slope the docs justify. The page has one interval definition, ``ScalingFit``'s — the same
/// fit as `sweep_summary.json`: the across-seed t-interval with two seeds or more, least squares with one — and
/// every legend and table names which one it is.
enum WidthScalingFigures {
    struct Quantity {
        var column: String
        var label: String
        var color: String
    }

    /// One fitted quantity, for the plot legend and the table of slopes.
    struct Slope {
        var column: String
        var fit: ScalingFit
        /// nil where the docs justify none (the gap to the flow, which keeps the O(η) discretization error).
        var reference: Double?
    }

    static let plots: [(id: String, title: String, yLabel: String, quantities: [Quantity], caption: String)] = [
        ("width-drift", "Kernel drift vs width", "kernel drift (log scale)",
         [Quantity(column: SummaryColumn.finalKernelDrift, label: "final drift", color: Palette.vermillion),
          Quantity(column: SummaryColumn.maxKernelDrift, label: "max drift", color: Palette.orange)],
         "Kernel drift ‖K_t − K₀‖_F/‖K₀‖_F at the last measurement and its maximum over the run."),
        ("width-weights", "Weight change vs width", "weight change (log scale)",
         [Quantity(column: SummaryColumn.finalWeightChange, label: "weight change", color: Palette.blue)],
         "Relative weight change ‖θ_T − θ₀‖/‖θ₀‖ at the last step."),
        ("width-gap", "Gap to the NTK prediction vs width", "max gap (log scale)",
         [Quantity(column: SummaryColumn.maxGap, label: "max gap (discrete)", color: Palette.green),
          Quantity(column: SummaryColumn.maxGapFlow, label: "max gap (flow)", color: Palette.purple)],
         "Maximum over the steps of ‖f_t^GD − f_t^NTK‖/‖f₀ − y‖ on the training points, against the discrete and the flow prediction."),
    ]

    /// The two parts of the gap against the width, drawn for lists and sweeps of minibatch runs
    /// (Docs/Optimizers.md#the-two-gaps): the nonlinearity should fall with the width, the minibatch noise should not.
    static let gapSplitPlot: (id: String, title: String, yLabel: String, quantities: [Quantity], caption: String) = (
        "width-gap-split", "Nonlinearity and minibatch noise vs width", "max gap part (log scale)",
        [Quantity(column: SummaryColumn.maxGapNonlinearity, label: "nonlinearity (network vs linearized, same batches)", color: Palette.vermillion),
         Quantity(column: SummaryColumn.maxGapMinibatch, label: "minibatch noise (linearized vs full-batch)", color: Palette.sky)],
        """
            Maximum over the steps of ‖f_t^GD − f_t^lin‖/‖f₀ − y‖ (the linearized network trained on the same minibatches) and \
            of ‖f_t^lin − f_t^full-batch‖/‖f₀ − y‖. The first is finite width; the second is the minibatches' own effect, and \
            does not shrink with the width.
            """)

    /// The plots of a list: ``plots``, and ``gapSplitPlot`` when its runs used minibatches.
    static func plots(for logs: WidthListLogs) -> [(id: String, title: String, yLabel: String, quantities: [Quantity], caption: String)] {
        plots + (logs.rows.contains { ($0[SummaryColumn.maxGapMinibatch] ?? 0) > 0 } ? [gapSplitPlot] : [])
    }

    /// The network depth (hidden layers): sweep_config.json, else the first run's config.json.
    static func depth(_ logs: WidthListLogs) -> Int? {
        if let d = (try? JSONObject(contentsOf: logs.directory.appendingPathComponent(RunFormat.sweepConfig)))?.int(NetworkRecord.CodingKeys.depth) { return d }
        for r in logs.rows {
            guard let dir = r.directory else { continue }
            let config = logs.directory.appendingPathComponent(dir).appendingPathComponent(RunFormat.config)
            if let d = (try? JSONObject(contentsOf: config))?.int(NetworkRecord.CodingKeys.depth) { return d }
        }
        return nil
    }

    /// The reference slope of a column and why (Docs/Sweep.md): −1/2 for drift and gap (Lee et al.'s bound);
    /// for ‖θ_T − θ₀‖/‖θ₀‖, −1 with two hidden layers or more (‖θ₀‖ is dominated by the n² hidden weights and
    /// grows as n while ‖θ_T − θ₀‖ stays O(1)), −1/2 with one (‖θ₀‖ grows as √n).
    static func reference(_ column: String, depth: Int?) -> (slope: Double, text: String) {
        guard column == SummaryColumn.finalWeightChange else { return (-0.5, "−1/2") }
        return (depth ?? 2) >= 2 ? (-1, "−1") : (-0.5, "−1/2")
    }

    /// "[−0.83, −0.70], 95 %, across seeds" or "least squares" without an interval.
    static func intervalText(_ fit: ScalingFit) -> String {
        let how = fit.seedSlopes.isEmpty ? "least squares" : "across seeds"
        guard let ci = fit.ci95 else { return "no interval (\(how), \(fit.points) point\(fit.points == 1 ? "" : "s"))" }
        return "95 % CI [\(Ticks.text(ci[0], digits: 3)), \(Ticks.text(ci[1], digits: 3))], \(how)"
    }

    /// The fit of `column` over the completed runs, as sweep_summary.json fits it.
    static func fit(_ rows: [WidthListRow], column: String) -> ScalingFit {
        ScalingFit(rows.filter { $0.runStatus == .completed }.compactMap { r in
            r[column].map { (width: r.width, seed: UInt64(exactly: r[SweepColumn.seed] ?? 0) ?? 0, value: $0) }
        })
    }

    /// The slopes of every plotted quantity, for the table.
    static func slopes(_ logs: WidthListLogs) -> [Slope] {
        let depth = depth(logs)
        return plots.flatMap(\.quantities).map { q in
            Slope(column: q.column, fit: fit(logs.rows, column: q.column),
                  reference: q.column == SummaryColumn.maxGapFlow ? nil : reference(q.column, depth: depth).slope)
        }
    }

    /// The three plots against width.
    static func figures(for logs: WidthListLogs) -> [RunReport.Figure] {
        let depth = depth(logs)
        let widths = logs.rows.map { Double($0.width) }
        return plots(for: logs).map { spec in
            var series: [PlotSeries] = []
            for q in spec.quantities { series += quantitySeries(logs.rows, q) }
            let ref = reference(spec.quantities[0].column, depth: depth)
            let done = logs.rows.filter { $0.runStatus == .completed }
            let pts = done.compactMap { r in r[spec.quantities[0].column].map { (Double(r.width), $0) } }.filter { $0.1 > 0 && $0.1.isFinite }
            if let line = SweepAxesFigures.referenceLine(pts, slope: ref.slope) {
                series.append(PlotSeries(id: "reference-slope", label: "reference slope \(ref.text)", points: line,
                                         style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4)))
            }
            var notes: [PlotNote] = []
            if series.isEmpty { notes.append("No finite values for this quantity.") }
            if Set(widths).count < 2 { notes.append("A single width: no slope can be fitted.") }
            let plot = LinePlot(id: spec.id, title: spec.title, x: WidthListReport.widthAxis(widths),
                                y: Axis(spec.yLabel, kind: .log), series: series, notes: notes)
            return RunReport.Figure(section: "Scaling with the width", plot: plot, caption: spec.caption + caption(ref.text, column: spec.quantities[0].column))
        }
    }

    static func caption(_ reference: String, column: String) -> String {
        " Rings: each completed run. Filled markers: the mean over the seeds at each width, with error bars of ± 1 sd over the seeds (none with one seed)."
            + """
                 Dashed: the fitted power law; its legend gives the slope and its 95 % interval — across seeds (the slope fitted per \
                seed, mean ± t·sd/√S over the S seeds) with two seeds or more,
                """
            + " least squares (slope ± t·SE, n − 2 degrees of freedom) with one — the same fit as sweep_summary.json."
            + (column == SummaryColumn.finalWeightChange
                ? """
                     Dotted grey: slope \(reference): each raw parameter moves by O(n^−1/2), so ‖θ_T − θ₀‖ stays O(1), while ‖θ₀‖ grows \
                    as n with two hidden layers or more (as √n with one); Docs/Sweep.md.
                    """
                : " Dotted grey: slope −1/2, the NTK-regime bound (Lee et al. 2019, Theorem 2.1); "
                    + "Lee et al. observe the drift closer to −1. Docs/Sweep.md.")
            + (column == SummaryColumn.maxGap ? """
                 The reference is for the gap to the discrete prediction; the gap to the flow keeps the O(η) discretization error \
                and need not fall with n.
                """ : "")
            + " Reference lines pass through the geometric mean of the first quantity's runs."
    }

    /// The rings, the mean ± sd bars and the fit of one quantity.
    static func quantitySeries(_ rows: [WidthListRow], _ q: Quantity) -> [PlotSeries] {
        let done = rows.filter { $0.runStatus == .completed }
        let values = done.compactMap { r in r[q.column].flatMap { $0.isFinite ? (Double(r.width), $0) : nil } }
        guard !values.isEmpty else { return [] }
        let widths = Array(Set(values.map(\.0))).sorted()
        let stats = widths.map { w -> (mean: Double, sd: Double?) in
            let v = values.filter { $0.0 == w }.map(\.1)
            return (Statistics.mean(v), Statistics.sampleStandardDeviation(v))
        }
        let several = stats.contains { $0.sd != nil }
        var out = [PlotSeries(id: "\(q.column)-runs", label: several ? "\(q.label), runs" : q.label, points: values.map { DataPoint($0.0, $0.1) },
                              style: SeriesStyle(mark: .markers, color: q.color, markerRadius: several ? 2.4 : 3.5, hollow: several))]
        if several {
            let bars = LinePlot.errorBarPoints(x: widths, low: stats.map { $0.mean - ($0.sd ?? 0) }, high: stats.map { $0.mean + ($0.sd ?? 0) })
            out.append(PlotSeries(id: "\(q.column)-sd", label: "\(q.label) ± sd", points: bars,
                                  style: SeriesStyle(mark: .errorBars, color: q.color, lineWidth: 1.2), inLegend: false))
            out.append(PlotSeries(id: q.column, label: "\(q.label), mean ± sd over seeds", points: zip(widths, stats).map { DataPoint($0, $1.mean) },
                                  style: SeriesStyle(mark: .markers, color: q.color, markerRadius: 3.5)))
        }
        let fit = fit(rows, column: q.column)
        let positive = values.filter { $0.1 > 0 }
        if let slope = fit.slope, let line = SweepAxesFigures.referenceLine(positive, slope: slope) {
            out.append(PlotSeries(id: "fit-\(q.column)", label: "fit: slope \(Ticks.text(slope, digits: 3)), \(intervalText(fit))",
                                  points: line, style: SeriesStyle(color: q.color, dash: "6 3", lineWidth: 1.4)))
        }
        return out
    }
}

extension WidthScalingFigures {
    /// The rows of the page's table of slopes: quantity, slope, interval, how it was computed, runs, reference.
    static func slopeRows(_ logs: WidthListLogs) -> [[String]] {
        slopes(logs).map { s in
            let ci = s.fit.ci95.map { "[\(Ticks.text($0[0], digits: 3)), \(Ticks.text($0[1], digits: 3))]" } ?? "none"
            let how = s.fit.seedSlopes.isEmpty
                ? "least squares (one seed): slope ± t(0.975, n−2)·SE"
                : "across \(s.fit.seedSlopes.count) seeds: mean ± t(0.975, S−1)·sd/√S"
            return [s.column, Ticks.text(s.fit.slope ?? .nan, digits: 3), ci, how, String(s.fit.points), s.reference.map { Ticks.text($0) } ?? "—"]
        }
    }
}
