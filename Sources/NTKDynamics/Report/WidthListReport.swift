import Foundation

/// The report of a width list (`OUT/report.html`): how drift, weight change and the gap to the NTK
/// prediction scale with the width n (log-log, least-squares slope with its 95 % interval, reference
/// slope −1/2), and the final losses of GD and the NTK prediction against n.
public enum WidthListReport {
    /// A quantity plotted against width.
    struct Quantity {
        var column: String
        var label: String
        var color: String
    }

    static let scalingPlots: [(id: String, title: String, yLabel: String, quantities: [Quantity], caption: String)] = [
        ("width-drift", "Kernel drift vs width", "kernel drift (log scale)",
         [Quantity(column: "final_kernel_drift", label: "final drift", color: Palette.vermillion),
          Quantity(column: "max_kernel_drift", label: "max drift", color: Palette.orange)],
         "Kernel drift ‖K_t − K₀‖_F/‖K₀‖_F at the last measurement and its maximum over the run, one point per run."),
        ("width-weights", "Weight change vs width", "weight change (log scale)",
         [Quantity(column: "final_weight_change", label: "weight change", color: Palette.blue)],
         "Relative weight change ‖θ_T − θ₀‖/‖θ₀‖ at the last step, one point per run."),
        ("width-gap", "Gap to the NTK prediction vs width", "max gap (log scale)",
         [Quantity(column: "max_gap", label: "max gap (discrete)", color: Palette.green),
          Quantity(column: "max_gap_flow", label: "max gap (flow)", color: Palette.purple)],
         "Maximum over the steps of ‖f_t^GD − f_t^NTK‖/‖f₀ − y‖ on the training points, against the discrete and the flow prediction."),
    ]

    /// The two parts of the gap against the width, for width lists of minibatch runs.
    static let gapSplitPlot: (id: String, title: String, yLabel: String, quantities: [Quantity], caption: String) = (
        "width-gap-split", "Nonlinearity and minibatch noise vs width", "max gap part (log scale)",
        [Quantity(column: "max_gap_nonlinearity", label: "nonlinearity (network vs linearized, same batches)", color: Palette.vermillion),
         Quantity(column: "max_gap_minibatch", label: "minibatch noise (linearized vs full-batch)", color: Palette.sky)],
        "Maximum over the steps of ‖f_t^GD − f_t^lin‖/‖f₀ − y‖ (the linearized network trained on the same minibatches) and of ‖f_t^lin − f_t^full-batch‖/‖f₀ − y‖, one point per run. The first is finite width; the second is the minibatches' own effect, and does not shrink with the width.")

    /// Log axis of the widths, padded around them and labelled at each width.
    static func widthAxis(_ widths: [Double]) -> Axis {
        Axis("hidden width n (log scale)", kind: .log, nice: false, ticks: Array(Set(widths)).sorted())
    }

    /// The figures of the width-list report.
    public static func figures(for logs: WidthListLogs) -> [RunReport.Figure] {
        // A sweep over parameterizations, α or depth: each point of the plots below would mix the groups.
        if let axes = SweepAxesFigures.figures(for: logs) { return axes + [KernelDistanceFigure.figure(for: logs)].compactMap { $0 } }
        let widths = logs.rows.map { Double($0.width) }
        var figures: [RunReport.Figure] = []
        // Minibatch runs (Docs/Optimizers.md#the-two-gaps): the nonlinearity gap should fall with the width, the
        // minibatch noise should not. Full-batch lists have no split to show (gap_minibatch is 0).
        let split = logs.rows.contains { ($0["max_gap_minibatch"] ?? 0) > 0 }
        for spec in scalingPlots + (split ? [gapSplitPlot] : []) {
            var series: [PlotSeries] = []
            var fitTexts: [String] = []
            var references: [(Double, Double)] = []
            for q in spec.quantities {
                let y = logs.rows.map { $0[q.column] ?? .nan }
                guard y.contains(where: { $0.isFinite }) else { continue }
                series.append(PlotSeries(id: q.column, label: q.label, points: zip(widths, y).map { DataPoint($0, $1) },
                                         style: SeriesStyle(mark: .markers, color: q.color, markerRadius: 3.5)))
                guard let fit = PowerLawFit(x: widths, y: y) else { continue }
                let ci = fit.slopeHalfWidth95.map { " ± \(Ticks.text($0, digits: 2))" } ?? ""
                let slope = Ticks.text(fit.slope, digits: 3)
                let ws = zip(widths, y).filter { $0.0 > 0 && $0.1 > 0 && $0.1.isFinite }.map(\.0)
                let (w0, w1) = (ws.min()!, ws.max()!)
                series.append(PlotSeries(id: "fit-\(q.column)", label: "fit: slope \(slope)\(ci)",
                                         points: [DataPoint(w0, fit.value(at: w0)), DataPoint(w1, fit.value(at: w1))],
                                         style: SeriesStyle(color: q.color, dash: "6 3", lineWidth: 1.4)))
                fitTexts.append("\(q.label): slope \(slope)\(ci.isEmpty ? " (no interval with 2 points)" : "\(ci) (95 %)")")
                // The reference passes through the geometric mean of the points.
                let logs10 = zip(widths, y).filter { $0.0 > 0 && $0.1 > 0 && $0.1.isFinite }
                let mx = logs10.map { Foundation.log10($0.0) }.reduce(0, +) / Double(logs10.count)
                let my = logs10.map { Foundation.log10($0.1) }.reduce(0, +) / Double(logs10.count)
                references.append((mx, my))
            }
            if let (mx, my) = references.first, let w0 = widths.filter({ $0 > 0 }).min(), let w1 = widths.max(), w1 > w0 {
                let ref = { (w: Double) in Foundation.pow(10, my - 0.5 * (Foundation.log10(w) - mx)) }
                series.append(PlotSeries(id: "reference-slope", label: "reference slope −1/2",
                                         points: [DataPoint(w0, ref(w0)), DataPoint(w1, ref(w1))],
                                         style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4)))
            }
            var notes = fitTexts
            if series.isEmpty { notes.append("No finite values in widths.csv for this quantity.") }
            if widths.count < 2 { notes.append("A single width: no slope can be fitted.") }
            let plot = LinePlot(id: spec.id, title: spec.title, x: widthAxis(widths),
                                y: Axis(spec.yLabel, kind: .log), series: series, notes: notes)
            figures.append(RunReport.Figure(section: "Scaling with the width", plot: plot, caption: spec.caption
                + " Dashed: least-squares line through (log n, log value) with its slope and 95 % confidence interval (Student t, n − 2 degrees of freedom; none with two widths). Dotted grey: slope −1/2, the NTK-regime prediction (drift, weight change and gap ∝ 1/√n), drawn through the mean of the first quantity's points."))
        }

        var lossSeries: [PlotSeries] = []
        let losses: [(String, String, SeriesStyle)] = [
            ("final_train_loss_gd", "train, GD", SeriesStyle(mark: .lineAndMarkers, color: Palette.blue, lineWidth: 1.6, markerRadius: 3.5)),
            ("final_train_loss_ntk_discrete", "train, NTK discrete", SeriesStyle(mark: .lineAndMarkers, color: Palette.green, dash: "6 3", lineWidth: 1.6, markerRadius: 3, hollow: true)),
            ("final_test_loss_gd", "test, GD", SeriesStyle(mark: .lineAndMarkers, color: Palette.vermillion, lineWidth: 1.6, markerRadius: 3.5)),
            ("final_test_loss_ntk_discrete", "test, NTK discrete", SeriesStyle(mark: .lineAndMarkers, color: Palette.purple, dash: "6 3", lineWidth: 1.6, markerRadius: 3, hollow: true)),
        ]
        let order = logs.rows.indices.sorted { logs.rows[$0].width < logs.rows[$1].width }
        for (column, label, style) in losses {
            let pts = order.map { DataPoint(widths[$0], logs.rows[$0][column] ?? .nan) }
            guard pts.contains(where: { $0.y.isFinite }) else { continue }
            // A sweep has several seeds per width: points only, a line through them would zigzag.
            var st = style
            if logs.label == "sweep" { st.mark = .markers }
            lossSeries.append(PlotSeries(id: column, label: label, points: pts, style: st))
        }
        figures.append(RunReport.Figure(section: "Final loss", plot: LinePlot(
            id: "width-loss", title: "Final loss vs width: GD against the NTK prediction",
            x: widthAxis(widths), y: Axis("final loss (log scale)", kind: .log), series: lossSeries),
            caption: "Training and test loss at the last step of each run, of the trained network (GD) and of the discrete NTK prediction (exact GD on the linearized model). They meet as n grows when training is lazy."))
        if let distance = KernelDistanceFigure.figure(for: logs) { figures.append(distance) }
        return figures
    }

    /// The report page of a width list.
    public static func html(for logs: WidthListLogs) -> String {
        let name = logs.directory.lastPathComponent
        var page = HTMLPage(title: "ntk-dynamics \(logs.label) \(name)")
        page.append(.heading("ntk-dynamics \(logs.label): \(name)", level: 1))
        let widths = logs.rows.map(\.width)
        let distinctWidths = Array(Set(widths)).sorted().map(String.init).joined(separator: ", ")
        page.append(.paragraph(logs.label == "sweep"
            ? "\(logs.rows.count) run\(logs.rows.count == 1 ? "" : "s") on the same data with one η\(Set(logs.rows.map(\.parameterization)).count > 1 ? " per parameterization" : ""), widths \(distinctWidths), one row per \(SweepAxesFigures.groups(logs) == nil ? "(width, seed)" : "(parameterization, α, depth, width, seed)"); each point in the plots is one run."
            : "\(logs.rows.count) run\(logs.rows.count == 1 ? "" : "s") with the same data and seed, widths \(distinctWidths). Each run has its own report (links in the table).", cssClass: "status"))
        let notOK = logs.rows.filter { $0.status != "completed" }
        if !notOK.isEmpty {
            // With axes, a width alone does not say which run: name its folder.
            let axes = SweepAxesFigures.groups(logs) != nil
            page.append(.paragraph("Not completed: " + notOK.map { r in
                (axes ? (r.directory.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "width \(r.width)") : "width \(r.width)")
                    + " (\(r.status))"
            }.joined(separator: ", ")
                + ". Their missing figures are left out of the plots.", cssClass: "warning"))
        }
        if !logs.problems.isEmpty { page.append(.paragraph(logs.problems.joined(separator: "; ") + ".", cssClass: "note")) }
        for line in logs.notes { page.append(.paragraph(line, cssClass: "note")) }

        let columns: [(String, String)] = [
            ("lr", "η"), ("lambda_max", "λ_max"), ("final_train_loss_gd", "train loss GD"),
            ("final_train_loss_ntk_discrete", "train loss NTK-d"), ("final_test_loss_gd", "test loss GD"),
            ("final_test_loss_ntk_discrete", "test loss NTK-d"), ("max_gap", "max gap"), ("max_gap_flow", "max gap (flow)"),
            ("final_kernel_drift", "drift"), ("max_kernel_drift", "max drift"), ("final_weight_change", "Δθ/θ"),
            ("training_seconds", "time (s)"),
        ]
        var links: [Int: [Int: String]] = [:]
        let hasAxes = SweepAxesFigures.groups(logs) != nil
        let rows = logs.rows.enumerated().map { i, r -> [String] in
            if let d = r.directory,
               FileManager.default.fileExists(atPath: logs.directory.appendingPathComponent(d).appendingPathComponent(RunReport.fileName).path) {
                links[i] = [hasAxes ? 2 : 0: "\(d)/\(RunReport.fileName)"]
            }
            let axes = hasAxes ? [r.parameterization ?? "", r.outputScale.map { Ticks.text($0) } ?? "none"] : []
            return axes + [String(r.width), r.status] + columns.map { Ticks.text(r[$0.0]) }
        }
        page.append(.heading("Runs", level: 2))
        page.append(.table(header: (hasAxes ? ["parameterization", "α"] : []) + ["width n", "status"] + columns.map(\.1),
                           rows: rows, links: links))

        var index = 0
        var sections: [(String, [RunReport.Figure])] = []
        for f in figures(for: logs) {
            if let i = sections.firstIndex(where: { $0.0 == f.section }) { sections[i].1.append(f) } else { sections.append((f.section, [f])) }
        }
        for (heading, figs) in sections {
            page.append(.heading(heading, level: 2))
            page.append(.figureRow(figs.map { f in
                index += 1
                return (f.plot.svg(), "Figure \(index). " + f.caption, f.plot.id)
            }))
        }
        page.append(.paragraph("Generated by ntk-dynamics \(NTKDynamicsVersion.current) from widths.csv and the w<width>/ run directories; regenerate with `ntk-dynamics report \(name)`.", cssClass: "note"))
        return page.render()
    }
}
