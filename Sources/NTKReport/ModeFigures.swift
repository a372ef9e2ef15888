import Foundation

/// The per-mode view of a run report (Docs/Report.md#run-report): the residual along the top eigenmodes of K̃₀
/// against the step, GD against the discrete NTK prediction (modes.csv), and the measured decay rates with their
/// standard errors against the predicted ones (spectrum.csv).
enum ModeFigures {
    /// The most modes drawn in the residual plot.
    static let maxModes = 6
    static let colors = [Palette.blue, Palette.vermillion, Palette.green, Palette.purple, Palette.orange, Palette.sky]

    static func figures(_ logs: RunLogs) -> [RunReport.Figure] {
        [residualFigure(logs), rateFigure(logs)].compactMap { $0 }
    }

    /// The residual |rᵢ(t)| of the top modes, GD solid and the NTK prediction dashed; nil without modes.csv rows.
    static func residualFigure(_ logs: RunLogs) -> RunReport.Figure? {
        guard let csv = try? CSVTable(log: logs.directory.appendingPathComponent(RunFormat.modes), groupBy: ModeColumn.mode, maxGroups: maxModes,
                                       tracked: [ModeColumn.residualGD, ModeColumn.residualNTK]),
              let step = csv.numbers(ModeColumn.step), let mode = csv.numbers(ModeColumn.mode),
              let gd = csv.numbers(ModeColumn.residualGD), let ntk = csv.numbers(ModeColumn.residualNTK), !step.isEmpty else { return nil }
        // Mode ranks are small integers; anything else (a damaged file) is not a mode.
        let modes = Array(Set(mode.compactMap { $0 }.filter { $0 >= 0 && $0 < 1e9 && $0 == $0.rounded() })).sorted().prefix(maxModes)
        var series: [PlotSeries] = []
        var zeros = 0
        for (k, m) in modes.enumerated() {
            let rows = mode.indices.filter { mode[$0] == m }
            func points(_ r: [Double?]) -> [DataPoint] {
                rows.compactMap { i in
                    guard let t = step[i], let v = r[i] else { return nil }
                    if v == 0 { zeros += 1; return nil }
                    return DataPoint(t, Swift.abs(v))
                }
            }
            let color = colors[k % colors.count]
            series.append(PlotSeries(id: "\(ModeColumn.residualGD)-mode\(Int(m))", label: "mode \(Int(m))", points: points(gd),
                                     style: SeriesStyle(color: color, lineWidth: 1.5)))
            series.append(PlotSeries(id: "\(ModeColumn.residualNTK)-mode\(Int(m))", label: "mode \(Int(m)), NTK", points: points(ntk),
                                     style: SeriesStyle(color: color, dash: "5 3", lineWidth: 1.3), inLegend: false))
        }
        series.append(PlotSeries(id: "legend-gd", label: "solid: GD", points: [], style: SeriesStyle(color: Palette.grey, lineWidth: 1.5)))
        series.append(PlotSeries(id: "legend-ntk", label: "dashed: NTK discrete", points: [],
                                 style: SeriesStyle(color: Palette.grey, dash: "5 3", lineWidth: 1.3)))
        var notes = RunReport.divergenceNotesAndMarkers(logs).0
        // The prediction (1 − ηλᵢ)^t·rᵢ(0) of a fast mode falls hundreds of decades; the axis follows GD, down to
        // four decades below its smallest residual, so that the GD curves are not squashed against the top.
        let gdValues = series.filter { $0.id.hasPrefix(ModeColumn.residualGD) }.flatMap(\.points).map(\.y).filter { $0 > 0 && $0.isFinite }
        let all = series.flatMap(\.points).map(\.y).filter { $0 > 0 && $0.isFinite }
        var domain: (Double, Double)?
        if let gdLow = gdValues.min(), let gdHigh = gdValues.max(), let low = all.min(), let high = all.max() {
            // Above η_crit the prediction of the modes with ηλᵢ > 2 grows without bound: cut it 100× above GD.
            let (bottom, top) = (Swift.max(low, gdLow * 1e-4), high > gdHigh * 1e3 ? gdHigh * 1e2 : high)
            if bottom > low || top < high { domain = (bottom, top) }
            if bottom > low {
                notes.append("The NTK prediction of the fast modes falls below the axis (to \(Ticks.text(low, digits: 2))); the axis follows GD.")
            }
            if top < high {
                notes.append(PlotNote("The NTK prediction of the modes with ηλᵢ > 2 rises above the axis (to \(Ticks.text(high, digits: 2))); "
                                      + "the axis stops 100× above GD."))
            }
        }
        if zeros > 0 { notes.append("""
            \(zeros) residual\(zeros == 1 ? "" : "s") exactly 0 (the prediction (1 − ηλᵢ)^t·rᵢ(0) underflowed) left out of the \
            log axis.
            """) }
        notes += [RunReport.fullBatchNote(logs.config)].compactMap { $0 }
        let plot = LinePlot(id: "mode-residuals", title: "Residual along the top eigenmodes", x: Axis(RunReport.stepAxis(logs.config)),
                            y: Axis("|rᵢ(t)| = |vᵢᵀ(f_t − y)| (log scale)", kind: .log, domain: domain), series: series, notes: notes,
                            markers: RunReport.divergenceNotesAndMarkers(logs).1,
                            bucketWidth: 3)  // twelve noisy curves: thinned per 3-pixel column to keep the page light
        return RunReport.Figure(section: "Per mode", plot: plot, caption:
            "The residual of the training outputs along eigenvector vᵢ of K̃₀, for the \(modes.count) largest eigenvalues (modes.csv): GD (solid) "
            + "against the discrete NTK prediction (1 − ηλᵢ)^t·rᵢ(0) (dashed), one colour per mode. "
            + """
                In the NTK regime each GD curve follows its straight dashed line on this log axis; a mode whose residual has reached \
                the noise floor flattens. Docs/ConvergenceRates.md.
                """)
    }

    /// The measured rates with ± 1 standard error bars against the predicted discrete rates; nil without any.
    static func rateFigure(_ logs: RunLogs) -> RunReport.Figure? {
        guard let sp = logs.spectrum, let rate = sp.numbers(SpectrumColumn.measuredRate),
              let se = sp.numbers(SpectrumColumn.measuredRateStderr) else { return nil }
        let modes = sp.numbers(SpectrumColumn.mode) ?? (0..<sp.rowCount).map { Double($0) }
        let measured = rate.indices.filter { i in
            guard i < se.count, i < modes.count, rate[i] != nil, se[i] != nil, let m = modes[i] else { return false }
            return m.isFinite
        }
        guard !measured.isEmpty else { return nil }
        let x = measured.map { modes[$0]! }, r = measured.map { rate[$0]! }, s = measured.map { se[$0]! }
        var series = [
            PlotSeries(id: """
                measured_rate-se
                """, label: "± 1 SE", points: LinePlot.errorBarPoints(x: x, low: zip(r, s).map { $0 - $1 }, high: zip(r, s).map { $0 + $1 }),
                       style: SeriesStyle(mark: .errorBars, color: Palette.blue, lineWidth: 1.1), inLegend: false),
            PlotSeries(id: SpectrumColumn.measuredRate, label: "measured (GD) ± 1 standard error", points: zip(x, r).map { DataPoint($0, $1) },
                       style: SeriesStyle(mark: .markers, color: Palette.blue, markerRadius: 2.6)),
        ]
        if let p = sp.numbers(SpectrumColumn.predictedRateDiscrete) {
            series.append(PlotSeries(id: SpectrumColumn.predictedRateDiscrete, label: "predicted, discrete −ln|1 − ηλᵢ|",
                                     points: measured.compactMap { i in p[i].map { DataPoint(modes[i]!, $0) } },
                                     style: SeriesStyle(mark: .markers, color: Palette.vermillion, markerRadius: 3.2, hollow: true)))
        }
        // Bars reaching 0 or below, and negative rates (a mode that grew), are counted by the plot's own notes.
        let notes = [RunReport.fullBatchNote(logs.config)].compactMap { $0 }
        let plot = LinePlot(id: "mode-rates", title: "Measured decay rate per mode, with its standard error",
                            x: Axis("mode i (0 = largest eigenvalue)", domain: (x.min()! - 0.5, x.max()! + 0.5), nice: false),
                            y: Axis("rate per GD step (log scale)", kind: .log),
                            series: series, notes: notes)
        return RunReport.Figure(section: "Per mode", plot: plot, caption:
            "For each mode with a measured rate (fit_status = measured in spectrum.csv): −(slope of log|rᵢ(t)| against t) over the mode's fit "
            + "window, with error bars of ± 1 standard error of that slope (measured_rate_stderr), "
            + """
                and the rate the discrete NTK prediction gives, −ln|1 − ηλᵢ| (rings). Where a ring lies inside the bar, GD decays \
                the mode at the predicted rate.
                """)
    }
}
