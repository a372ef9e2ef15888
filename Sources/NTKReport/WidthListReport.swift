import Foundation

/// The report of a width list or a sweep (`OUT/report.html`): how drift, weight change and the gap to the NTK
/// prediction scale with the width n (``WidthScalingFigures``), the final losses of GD and the NTK prediction
/// against n, and loss, gap and drift over training, one curve per width (``WidthOverlayFigures``).
public enum WidthListReport {
    /// Log axis of the widths, padded around them and labelled at each width.
    static func widthAxis(_ widths: [Double]) -> Axis {
        Axis("hidden width n (log scale)", kind: .log, nice: false, ticks: Array(Set(widths)).sorted())
    }

    /// The figures of the width-list report.
    public static func figures(for logs: WidthListLogs) -> [RunReport.Figure] {
        // A sweep over parameterizations, α or depth: each point of the plots below would mix the groups.
        if let axes = SweepAxesFigures.figures(for: logs) {
            return PhaseDiagramFigures.figures(for: logs) + axes + [KernelDistanceFigure.figure(for: logs)].compactMap { $0 }
                + WidthOverlayFigures.figures(for: logs)
        }
        let widths = logs.rows.map { Double($0.width) }
        var figures = PhaseDiagramFigures.figures(for: logs) + WidthScalingFigures.figures(for: logs)

        var lossSeries: [PlotSeries] = []
        let losses: [(String, String, SeriesStyle)] = [
            (SummaryColumn.finalTrainLossGD, "train, GD", SeriesStyle(mark: .lineAndMarkers, color: Palette.blue, lineWidth: 1.6, markerRadius: 3.5)),
            (SummaryColumn.finalTrainLossNTKDiscrete, "train, NTK discrete",
             SeriesStyle(mark: .lineAndMarkers, color: Palette.green, dash: "6 3", lineWidth: 1.6, markerRadius: 3, hollow: true)),
            (SummaryColumn.finalTestLossGD, "test, GD", SeriesStyle(mark: .lineAndMarkers, color: Palette.vermillion, lineWidth: 1.6, markerRadius: 3.5)),
            (SummaryColumn.finalTestLossNTKDiscrete, "test, NTK discrete",
             SeriesStyle(mark: .lineAndMarkers, color: Palette.purple, dash: "6 3", lineWidth: 1.6, markerRadius: 3, hollow: true)),
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
            caption: """
                Training and test loss at the last step of each run, of the trained network (GD) and of the discrete NTK prediction \
                (exact GD on the linearized model). They meet as n grows when training is lazy.
                """))
        if let distance = KernelDistanceFigure.figure(for: logs) { figures.append(distance) }
        return figures + WidthOverlayFigures.figures(for: logs)
    }

    /// The report page of a width list.
    public static func html(for logs: WidthListLogs) -> String {
        let name = logs.directory.lastPathComponent
        var page = HTMLPage(title: "ntk-dynamics \(logs.label) \(name)")
        page.append(.heading("ntk-dynamics \(logs.label): \(name)", level: 1))
        let widths = logs.rows.map(\.width)
        let distinctWidths = Array(Set(widths)).sorted().map(String.init).joined(separator: ", ")
        page.append(.paragraph(logs.label == "sweep"
            ? """
                \(logs.rows.count) run\(logs.rows.count == 1 ? "" : "s") on the same data with one \
                η\(Set(logs.rows.compactMap { $0[SummaryColumn.lr] }).count > 1 ? " per network" : ""), widths \(distinctWidths), one row per \
                \(SweepAxesFigures.groups(logs) == nil ? "(width, seed)" : "(parameterization, α, depth, width, seed)"); each ring \
                in the plots is one run, a filled marker the mean over seeds.
                """
            : """
                \(logs.rows.count) run\(logs.rows.count == 1 ? "" : "s") with the same data and seed, widths \(distinctWidths). Each \
                run has its own report (links in the table).
                """, cssClass: "status"))
        let notOK = logs.rows.filter { $0.runStatus != .completed }
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
            (SummaryColumn.lr, "η"), (SummaryColumn.lambdaMax, "λ_max"), (SummaryColumn.finalTrainLossGD, "train loss GD"),
            (SummaryColumn.finalTrainLossNTKDiscrete, "train loss NTK-d"), (SummaryColumn.finalTestLossGD, "test loss GD"),
            (SummaryColumn.finalTestLossNTKDiscrete, "test loss NTK-d"), (SummaryColumn.maxGap, "max gap"), (SummaryColumn.maxGapFlow, "max gap (flow)"),
            (SummaryColumn.finalKernelDrift, "drift"), (SummaryColumn.maxKernelDrift, "max drift"), (SummaryColumn.finalWeightChange, "Δθ/θ"),
            (SummaryColumn.trainingSeconds, "time (s)"),
        ]
        var links: [Int: [Int: String]] = [:]
        let hasAxes = SweepAxesFigures.groups(logs) != nil
        let rows = logs.rows.enumerated().map { i, r -> [String] in
            if let d = r.directory,
               FileManager.default.fileExists(atPath: logs.directory.appendingPathComponent(d).appendingPathComponent(RunReport.fileName).path) {
                links[i] = [hasAxes ? 3 : 0: "\(d)/\(RunReport.fileName)"]
            }
            let axes = hasAxes ? [SweepAxesFigures.network(r), r.outputScale.map { Ticks.text($0) } ?? "none",
                                  r[SweepColumn.depth].map { String(Int($0)) } ?? ""] : []
            return axes + [String(r.width), r.status] + columns.map { Ticks.text(r[$0.0]) }
        }
        page.append(.heading("Runs", level: 2))
        page.append(.table(header: (hasAxes ? ["parameterization", "α", "depth"] : []) + ["width n", "status"] + columns.map(\.1),
                           rows: rows, links: links))

        if !hasAxes {  // with axes a slope over every run would mix the groups; their fits are in the notes
            page.append(.heading("Fitted slopes against width", level: 2))
            page.append(.table(header: ["quantity", "slope", "95 % interval", "interval", "runs", "reference slope"],
                               rows: WidthScalingFigures.slopeRows(logs), links: [:]))
        }
        var index = 0
        for (heading, figs) in RunReport.figureSections(figures(for: logs)) {
            page.append(.heading(heading, level: 2))
            page.append(.figureRow(figs.map { f in
                index += 1
                return (f.plot.svg(), "Figure \(index). " + f.caption, f.plot.id)
            }))
        }
        let sources = logs.label == "sweep" ? "sweep.csv, sweep_summary.json and the runs/<cell>/ run directories"
            : "widths.csv and the w<width>/ run directories"
        page.append(.paragraph("Generated by ntk-dynamics \(NTKDynamicsVersion.current) from \(sources); "
                               + "regenerate with `ntk-dynamics report \(name)`.", cssClass: "note"))
        return page.render()
    }
}
