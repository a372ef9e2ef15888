import Foundation

/// The overlays of a width list or a sweep (Docs/Report.md#overlays-over-training): training loss of GD and of
/// its NTK prediction, gap, kernel drift and test loss over the steps, one curve per width on a sequential colour
/// scale (Lee et al. 2019, Figs. 1–2). A sweep draws the mean over seeds with the min–max band of GD; a sweep
/// with parameterization, α or depth axes draws them once per (parameterization, α, depth) group, each group in
/// its own section that names it.
enum WidthOverlayFigures {
    /// Viridis, cut before its lightest yellows so that every width shows on white: narrow = dark, wide = light.
    static let ramp: [(Double, Double, Double)] = [
        (0x44, 0x01, 0x54), (0x41, 0x44, 0x87), (0x2A, 0x78, 0x8E), (0x22, 0xA8, 0x84), (0x7A, 0xD1, 0x51), (0xB5, 0xDE, 0x2B),
    ]

    /// The colour of the i-th of `count` widths, narrowest first.
    static func color(_ i: Int, of count: Int) -> String {
        let t = count > 1 ? Double(i) / Double(count - 1) : 0
        let pos = t * Double(ramp.count - 1)
        let k = Swift.min(Int(pos), ramp.count - 2)
        let f = pos - Double(k)
        let (a, b) = (ramp[k], ramp[k + 1])
        let mix = { (u: Double, v: Double) in Int((u + (v - u) * f).rounded()) }
        return String(format: "#%02X%02X%02X", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// What is drawn: the runs (completed ones for a sweep), per (parameterization, α, depth) group when the sweep has
    /// several, each with its label (nil for a single group).
    static func selections(_ logs: WidthListLogs) -> [(rows: [WidthListRow], group: String?)] {
        let rows = logs.label == "sweep" ? logs.rows.filter { $0.runStatus == .completed } : logs.rows
        guard let groups = SweepAxesFigures.groups(logs) else { return [(rows, nil)] }
        let showDepth = Set(groups.compactMap(\.depth)).count > 1
        return groups.map { g in (rows.filter { SweepAxesFigures.group($0) == g }, g.label(showDepth: showDepth)) }
    }

    /// The four overlay figures, once per group of a sweep with axes (ids and section suffixed by the group), or
    /// none when no run has a readable steps.csv.
    static func figures(for logs: WidthListLogs) -> [RunReport.Figure] {
        selections(logs).flatMap { figures(for: logs, rows: $0.rows, group: $0.group) }
    }

    static func figures(for logs: WidthListLogs, rows: [WidthListRow], group: String?) -> [RunReport.Figure] {
        let runs = WidthOverlay.runs(of: logs, rows: rows)
        guard !runs.isEmpty else { return [] }
        let seeds = runs.map(\.tables.count).max() ?? 1
        let spread = seeds > 1
            ? " Each curve is the mean over the seeds of its width (up to \(seeds)); the shaded band spans their minimum to maximum (GD only)."
            : " One run per width."
        let thinned = " At most \(WidthOverlay.maxPoints) logged steps per curve are drawn, evenly spaced (the values are the logged ones)."
        let notes: [PlotNote] = group.map { ["Group \($0): the runs of this (parameterization, α, depth) only."] } ?? []
        let config = logs.rows.first?.directory.flatMap { try? JSONObject(contentsOf: logs.directory.appendingPathComponent("\($0)/config.json")) }
        let specs: [(id: String, title: String, y: String, gd: String, ntk: String?, what: String)] = [
            ("overlay-train-loss", "Training loss over training, per width", "training loss (log scale)",
             StepColumn.train.gd, StepColumn.train.discrete, "Training loss of GD (solid) and of its discrete NTK prediction (dashed)."),
            ("overlay-gap", "Gap to the NTK prediction over training, per width", "gap (log scale)",
             StepColumn.gap, nil, "Gap ‖f_t^GD − f_t^NTK‖/‖f₀ − y‖ on the training points (t = 0, where it is 0 up to round-off, is not drawn)."),
            ("overlay-drift", "Kernel drift over training, per width", "kernel drift (log scale)",
             StepColumn.kernelDrift, nil, "Kernel drift ‖K_t − K₀‖_F/‖K₀‖_F at the steps where K_t was measured (t = 0 not drawn)."),
            ("overlay-test-loss", "Test loss over training, per width", "test loss (log scale)",
             StepColumn.test.gd, StepColumn.test.discrete, """
                 Test loss of GD (solid, at the steps where it was measured) and of the discrete NTK prediction (dashed).
                 """),
        ]
        return specs.compactMap { spec in
            let id = group.map { SweepAxesFigures.slug("\(spec.id)-\($0)") } ?? spec.id
            let title = spec.title + (group.map { " (\($0))" } ?? "")
            let plot = overlay(runs, spec: (id, title, spec.y, spec.gd, spec.ntk), notes: notes, x: RunReport.stepAxis(config))
            guard let plot else { return nil }
            return RunReport.Figure(section: "Over training, one curve per width" + (group.map { ": \($0)" } ?? ""), plot: plot,
                                    caption: spec.what + " Colour: the width, dark = narrow, light = wide." + spread + thinned)
        }
    }

    /// One overlay plot, nil when no width has the column.
    static func overlay(_ runs: [WidthOverlay.Runs], spec: (id: String, title: String, y: String, gd: String, ntk: String?),
                        notes: [PlotNote], x: String) -> LinePlot? {
        let gd = WidthOverlay.curves(spec.gd, of: runs)
        guard !gd.isEmpty else { return nil }
        let ntk = spec.ntk.map { WidthOverlay.curves($0, of: runs) } ?? []
        let widths = runs.map(\.width)
        var bands: [PlotSeries] = [], lines: [PlotSeries] = []
        for c in gd {
            let color = color(widths.firstIndex(of: c.width)!, of: widths.count)
            // Gap and drift start at 0 (round-off at t = 0): step 0 would only stretch the log axis.
            let keep = c.steps.indices.filter { c.mean[$0] > 0 && (spec.ntk != nil || c.steps[$0] > 0) }
            if c.runs > 1 {
                bands.append(PlotSeries(id: "\(spec.gd)-w\(c.width)-band", label: "width \(c.width) min–max",
                                        points: LinePlot.bandPoints(x: keep.map { c.steps[$0] }, lower: keep.map { c.min[$0] },
                                                                    upper: keep.map { c.max[$0] }),
                                        style: SeriesStyle(mark: .band, color: color), inLegend: false))
            }
            let measuredOnly = spec.gd == StepColumn.kernelDrift || spec.gd == StepColumn.test.gd
            lines.append(PlotSeries(id: "\(spec.gd)-w\(c.width)", label: "n = \(c.width)",
                                    points: keep.map { DataPoint(c.steps[$0], c.mean[$0]) },
                                    style: SeriesStyle(mark: measuredOnly && keep.count <= 40 ? .lineAndMarkers : .line,
                                                       color: color, lineWidth: 1.5, markerRadius: 2)))
        }
        for c in ntk {
            let color = color(widths.firstIndex(of: c.width)!, of: widths.count)
            let keep = c.steps.indices.filter { c.mean[$0] > 0 }
            lines.append(PlotSeries(id: "\(spec.ntk!)-w\(c.width)", label: "n = \(c.width), NTK",
                                    points: keep.map { DataPoint(c.steps[$0], c.mean[$0]) },
                                    style: SeriesStyle(color: color, dash: "5 3", lineWidth: 1.3), inLegend: false))
        }
        if !ntk.isEmpty {
            lines.append(PlotSeries(id: "legend-gd", label: "solid: GD", points: [], style: SeriesStyle(color: Palette.grey, lineWidth: 1.5)))
            lines.append(PlotSeries(id: "legend-ntk", label: "dashed: NTK prediction", points: [],
                                    style: SeriesStyle(color: Palette.grey, dash: "5 3", lineWidth: 1.3)))
        }
        return LinePlot(id: spec.id, title: spec.title, x: Axis(x), y: Axis(spec.y, kind: .log),
                        series: bands + lines, notes: notes)
    }
}
