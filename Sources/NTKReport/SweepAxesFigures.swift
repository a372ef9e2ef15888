import Foundation

/// The figures of a sweep with a parameterization, output-scale or depth axis (Docs/Report.md#sweep-axes): the
/// lazy-to-rich crossover against α√n, one curve per width (Geiger et al. 2020); drift against L/n, one curve
/// per depth (Hanin & Nica 2019); and the scaling with width of each (parameterization, α, depth), NTK against μP
/// side by side. One run is one marker; lines join the means over seeds.
enum SweepAxesFigures {
    /// The runs of one (parameterization, α, depth).
    struct Group: Equatable {
        var parameterization: String
        var outputScale: Double?
        var depth: Int?

        /// "mup, α = 0.1", with the depth when the sweep varies it.
        func label(showDepth: Bool) -> String {
            parameterization + (outputScale.map { ", α = \(Ticks.text($0, digits: 3))" } ?? "")
                + (showDepth ? depth.map { ", depth \($0)" } ?? "" : "")
        }
    }

    /// Colours in order, for widths and for α.
    static let colors = [Palette.blue, Palette.vermillion, Palette.green, Palette.purple, Palette.orange, Palette.sky,
                         Palette.black, Palette.grey, Palette.yellow]
    /// Dashes by parameterization, in the order the groups come.
    static let dashes: [String?] = [nil, "7 4", "2 3", "10 3 2 3", "4 2", "1 3"]

    static func group(_ r: WidthListRow) -> Group {
        Group(parameterization: network(r), outputScale: r.outputScale, depth: r[SweepColumn.depth].map { Int($0) })
    }

    /// The run's parameterization, after its architecture when that is not the MLP ("resnet, ntk"): groups of an
    /// `--architectures` axis are told apart, and their curves named, by it.
    static func network(_ r: WidthListRow) -> String {
        (r.architecture.map { $0 == ArchitectureKind.mlp.rawValue ? "" : $0 + ", " } ?? "") + (r.parameterization ?? "")
    }

    /// The groups of the sweep in table order, or nil when it has only one (the width-list figures apply).
    static func groups(_ logs: WidthListLogs) -> [Group]? {
        var out: [Group] = []
        for r in logs.rows where !out.contains(group(r)) { out.append(group(r)) }
        return out.count > 1 ? out : nil
    }

    /// The figures, or nil for a sweep without axes.
    static func figures(for logs: WidthListLogs) -> [RunReport.Figure]? {
        guard let groups = groups(logs) else { return nil }
        let done = logs.rows.filter { $0.runStatus == .completed }
        var figures: [RunReport.Figure] = []
        let parameterizations = groups.map(\.parameterization).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for p in parameterizations {
            let rows = done.filter { network($0) == p && $0.outputScale != nil }
            for depth in Set(rows.compactMap { $0[SweepColumn.depth] }).sorted() {
                let mine = rows.filter { $0[SweepColumn.depth] == depth }
                guard Set(mine.compactMap(\.outputScale)).count >= 2 else { continue }
                let setting = p + (Set(rows.compactMap { $0[SweepColumn.depth] }).count > 1 ? ", depth \(Int(depth))" : "")
                for (column, name) in [(SummaryColumn.maxKernelDrift, "Max kernel drift"), (SummaryColumn.maxGap, "Max gap")] {
                    figures.append(crossover(mine, column: column, name: name, setting: setting))
                }
            }
            // One L/n figure per α (nil: the plain network), as sweep_summary.json fits them.
            let byDepth = done.filter { network($0) == p }
            // Keyed by the optional α itself: a NaN stand-in for "no α" is unequal to itself, so a Set of them held one
            // entry per run and drew the figure once per run.
            let alphas = Set(byDepth.map(\.outputScale)).sorted { ($0 ?? -.infinity) < ($1 ?? -.infinity) }
            for alpha in alphas {
                let mine = byDepth.filter { $0.outputScale == alpha }
                guard Set(mine.compactMap { $0[SweepColumn.depth] }).count >= 2 else { continue }
                figures.append(depthRatio(mine, setting: p + (alpha.map { ", α = \(Ticks.text($0, digits: 3))" } ?? "")))
            }
        }
        for (column, name) in [(SummaryColumn.maxKernelDrift, "Max kernel drift"), (SummaryColumn.maxGap, "Max gap")] {
            figures.append(againstWidth(done, groups: groups, column: column, name: name))
        }
        return figures
    }

    /// `column` against α√n, one curve per width.
    static func crossover(_ rows: [WidthListRow], column: String, name: String, setting: String) -> RunReport.Figure {
        let widths = Array(Set(rows.map(\.width))).sorted()
        var series: [PlotSeries] = []
        for (i, w) in widths.enumerated() {
            let color = colors[i % colors.count]
            let mine = rows.filter { $0.width == w }
            series += curve(mine, column: column, id: "\(column)-w\(w)", label: "width \(w)", color: color) {
                $0.outputScale! * Double(w).squareRoot()
            }
        }
        let all = rows.map { ($0.outputScale! * Double($0.width).squareRoot(), $0[column] ?? .nan) }
            .filter { $0.0 > 0 && $0.1 > 0 && $0.1.isFinite }
        if let reference = referenceLine(all, slope: -1) {
            series.append(PlotSeries(id: "\(column)-reference", label: "slope −1", points: reference,
                                     style: SeriesStyle(color: Palette.grey, dash: "2 4", lineWidth: 1.4)))
        }
        return logLog(id: slug("crossover-\(column)-\(setting)"), title: "\(name) vs α√n (\(setting))",
                      x: "α·√n, output scale × √width", y: name.lowercased(), series: series,
                      section: "The lazy-to-rich crossover", caption: "\(name) of each run (rings) and its mean over seeds (lines) against α√n, one "
                          + "curve per width, under \(setting). "
            + "Where the curves of the widths lie on one another, α√n is the variable that decides how lazy training is, "
            + "as Geiger et al. (2020) find for the NTK parameterization; large α√n is lazy, small α√n feature learning. "
            + "Dotted grey: slope −1, what the lazy regime gives at a fixed width (the parameters move ∝ 1/α). "
            + "The fits are in sweep_summary.json (`collapse`) and in the notes above.")
    }

    /// The maximum drift against L/n, one curve per depth (each over its widths): Hanin & Nica's finite-width
    /// corrections grow with depth/width, so the curves of the depths lie on one another if L/n is the variable.
    static func depthRatio(_ rows: [WidthListRow], setting: String) -> RunReport.Figure {
        let column = SummaryColumn.maxKernelDrift
        let depths = Set(rows.compactMap { $0[SweepColumn.depth] }).sorted()
        var series: [PlotSeries] = []
        for (i, d) in depths.enumerated() {
            let color = colors[i % colors.count]
            let mine = rows.filter { $0[SweepColumn.depth] == d }
            series += curve(mine, column: column, id: "\(column)-d\(Int(d))", label: "depth \(Int(d))", color: color) {
                d / Double($0.width)
            }
        }
        return logLog(id: slug("depth-ratio-\(setting)"), title: "Max kernel drift vs L/n (\(setting))",
                      x: "L/n, hidden layers / width", y: "max kernel drift", series: series,
                      section: "Depth and width", caption: "Maximum kernel drift of each run (rings) and its mean over seeds (lines) against the "
                          + "depth-to-width ratio L/n, "
            + "one curve per depth, under \(setting). Hanin & Nica (2019) find the finite-width corrections to the NTK "
            + "growing with L/n; where the curves of the depths lie on one another, L/n is the variable. "
            + "The fits are in sweep_summary.json (`collapse`, axis depth) and in the notes above.")
    }

    /// `column` against width, one curve per (parameterization, α, depth), with its fitted slope in the legend.
    static func againstWidth(_ rows: [WidthListRow], groups: [Group], column: String, name: String) -> RunReport.Figure {
        let widths = rows.map { Double($0.width) }
        let plot = LinePlot(id: "width-\(column)-by-group", title: "\(name) vs width, one curve per setting",
                            x: WidthListReport.widthAxis(widths), y: Axis("\(name.lowercased()) (log scale)", kind: .log),
                            series: groupSeries(rows, groups: groups, column: column))
        return RunReport.Figure(section: "Scaling with the width", plot: plot, caption:
            "\(name) against the width n, mean over seeds, one curve per parameterization (dash) and α or depth (colour). "
            + "The legend gives the slope of log value on log n, fitted as in sweep_summary.json: the mean of the per-seed slopes with two seeds or "
            + "more, least squares over the runs with one. "
            + "Under NTK and standard the kernel freezes as n grows (slopes between −1 and −1/2); "
            + "under μP and mean-field it keeps moving at every width (slope near 0). Docs/Parameterizations.md.")
    }

    /// `column`'s mean over seeds against width, one line per (parameterization, α, depth): the parameterization
    /// by dash, α or depth by colour (and depth by dash too when α takes the colour), each with its slope fitted as
    /// the page fits every slope (``WidthScalingFigures/fit(_:column:)``) in its legend.
    static func groupSeries(_ rows: [WidthListRow], groups: [Group], column: String) -> [PlotSeries] {
        let scales = Array(Set(groups.compactMap(\.outputScale))).sorted()
        let depths = Array(Set(groups.compactMap(\.depth))).sorted()
        let parameterizations = groups.map(\.parameterization).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var series: [PlotSeries] = []
        for g in groups {
            let mine = rows.filter { group($0) == g }
            guard !mine.isEmpty else { continue }
            let shade = scales.count > 1 ? g.outputScale.flatMap { scales.firstIndex(of: $0) }
                : depths.count > 1 ? g.depth.flatMap { depths.firstIndex(of: $0) } : nil
            let color = colors[(shade ?? parameterizations.firstIndex(of: g.parameterization)!) % colors.count]
            // Dash by parameterization, and by depth too when α takes the colour.
            let depthIndex = scales.count > 1 && depths.count > 1 ? g.depth.flatMap { depths.firstIndex(of: $0) } ?? 0 : 0
            let dash = dashes[(parameterizations.firstIndex(of: g.parameterization)! * max(depths.count, 1) + depthIndex) % dashes.count]
            // The page's one fit (WidthScalingFigures): across seeds with two or more, least squares with one.
            let fit = WidthScalingFigures.fit(mine, column: column)
            let slope = fit.slope.map { ": slope \(Ticks.text($0, digits: 2)) (\(fit.seedSlopes.isEmpty ? "least squares" : "across seeds"))" } ?? ""
            let label = g.label(showDepth: depths.count > 1)
            series.append(PlotSeries(id: slug("\(column)-\(label)"), label: label + slope,
                                     points: meanCurve(mine, column: column, x: { Double($0.width) }),
                                     style: SeriesStyle(mark: .lineAndMarkers, color: color, dash: dash, lineWidth: 1.6,
                                                        markerRadius: 3)))
        }
        return series
    }

    /// `text` as an HTML id and SVG reference: letters, digits, `-`, `_` and `.`; anything else becomes `-`.
    static func slug(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" })
    }

    /// A figure on log-log axes.
    static func logLog(id: String, title: String, x: String, y: String, series: [PlotSeries], section: String,
                       caption: String) -> RunReport.Figure {
        let plot = LinePlot(id: id, title: title, x: Axis("\(x) (log scale)", kind: .log), y: Axis("\(y) (log scale)", kind: .log),
                            series: series)
        return RunReport.Figure(section: section, plot: plot, caption: caption)
    }

    /// A line through the means over seeds at each x, and a ring per run (not in the legend).
    static func curve(_ rows: [WidthListRow], column: String, id: String, label: String, color: String,
                      x: (WidthListRow) -> Double) -> [PlotSeries] {
        [PlotSeries(id: id, label: label, points: meanCurve(rows, column: column, x: x),
                    style: SeriesStyle(mark: .line, color: color, lineWidth: 1.6)),
         PlotSeries(id: id + "-runs", label: label + " runs", points: rows.map { DataPoint(x($0), $0[column] ?? .nan) },
                    style: SeriesStyle(mark: .markers, color: color, markerRadius: 2.6, hollow: true), inLegend: false)]
    }

    /// The mean of `column` over the runs at each x, in increasing x.
    static func meanCurve(_ rows: [WidthListRow], column: String, x: (WidthListRow) -> Double) -> [DataPoint] {
        let byX = Dictionary(grouping: rows.compactMap { r -> (Double, Double)? in
            guard let y = r[column], y.isFinite else { return nil }
            return (x(r), y)
        }, by: \.0)
        return byX.keys.sorted().map { k in
            let ys = byX[k]!.map(\.1)
            return DataPoint(k, ys.reduce(0, +) / Double(ys.count))
        }
    }

    /// A line of the given log-log slope through the geometric mean of `points`, across their x range.
    static func referenceLine(_ points: [(Double, Double)], slope: Double) -> [DataPoint]? {
        guard let x0 = points.map(\.0).min(), let x1 = points.map(\.0).max(), x1 > x0 else { return nil }
        let mx = points.map { Foundation.log10($0.0) }.reduce(0, +) / Double(points.count)
        let my = points.map { Foundation.log10($0.1) }.reduce(0, +) / Double(points.count)
        let y = { (x: Double) in Foundation.pow(10, my + slope * (Foundation.log10(x) - mx)) }
        return [DataPoint(x0, y(x0)), DataPoint(x1, y(x1))]
    }
}
