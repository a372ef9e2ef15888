import Foundation

/// One axis of a plot.
public struct Axis: Sendable {
    /// The label, with units or a definition ("step t (GD updates)").
    public var label: String
    public var kind: ScaleKind
    /// A fixed domain; nil to fit the data.
    public var domain: (lo: Double, hi: Double)?
    /// Extend a fitted linear domain outward to the nearest ticks (a log domain always covers whole decades).
    public var nice: Bool
    /// Make a fitted linear domain include 0.
    public var includeZero: Bool
    /// Labelled ticks at these values instead of the generated ones (e.g. the widths of a width list).
    public var ticks: [Double]?

    /// - Parameter nice: for a linear axis, extend the domain to the enclosing ticks; for a log axis,
    ///   extend it to whole decades (without, the data range padded by a tenth of a decade or more).
    public init(_ label: String, kind: ScaleKind = .linear, domain: (Double, Double)? = nil,
                nice: Bool = true, includeZero: Bool = false, ticks: [Double]? = nil) {
        self.label = label
        self.kind = kind
        self.domain = domain.map { (lo: $0.0, hi: $0.1) }
        self.nice = nice
        self.includeZero = includeZero
        self.ticks = ticks
    }
}

/// A data point. Either coordinate may be NaN or ±∞: it is then drawn as a gap.
public struct DataPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// A named series of points drawn in one style.
public struct PlotSeries: Sendable {
    /// Identifies the series in the SVG (`data-series`), e.g. the CSV column it comes from.
    public var id: String
    /// The legend text.
    public var label: String
    public var points: [DataPoint]
    public var style: SeriesStyle
    /// Leave the series out of the legend (e.g. a second half of a series already listed).
    public var inLegend: Bool

    public init(id: String, label: String, points: [DataPoint], style: SeriesStyle, inLegend: Bool = true) {
        self.id = id
        self.label = label
        self.points = points
        self.style = style
        self.inLegend = inLegend
    }

    /// Points from parallel arrays; pairs where either value is nil (an empty CSV cell: not measured)
    /// are skipped, so the line joins the measured points. NaN and ∞ are kept and become gaps.
    public init(id: String, label: String, x: [Double?], y: [Double?], style: SeriesStyle, inLegend: Bool = true) {
        let pts = zip(x, y).compactMap { a, b -> DataPoint? in
            guard let a, let b else { return nil }
            return DataPoint(a, b)
        }
        self.init(id: id, label: label, points: pts, style: style, inLegend: inLegend)
    }
}

/// A vertical line across the plot at x, with a short label (e.g. "diverged").
public struct VerticalMarker: Sendable {
    public var x: Double
    public var label: String
    public var color: String = Palette.vermillion
}

/// A note printed under a plot's title. A warning (drawn in red) says that part of what the plot should show is
/// missing: values not drawn, a run that diverged or was interrupted, an array that could not be read; a remark
/// explains what is drawn. A string literal is a remark.
public struct PlotNote: Sendable, Equatable, ExpressibleByStringInterpolation {
    public enum Kind: Sendable, Equatable {
        case remark
        case warning
    }

    public var text: String
    public var kind: Kind

    public init(_ text: String, kind: Kind = .remark) {
        self.text = text
        self.kind = kind
    }

    public init(stringLiteral value: String) { self.init(value) }

    /// A warning with this text.
    public static func warning(_ text: String) -> PlotNote { PlotNote(text, kind: .warning) }
}

/// A 2-D chart of line and/or scatter series (a scatter plot is a `LinePlot` whose series use
/// `.markers`), with ticks, grid, axis labels, a legend, notes and vertical markers, rendered as a
/// standalone SVG.
///
/// Values a scale cannot place (NaN, ±∞, and zero or negative values on a log axis) are left out and
/// show as gaps; the plot adds a note saying how many were left out, so nothing is hidden silently.
/// Long series are thinned for drawing with ``Downsample/minMax(_:bucketWidth:)``.
public struct LinePlot: Sendable {
    /// Unique within a page: used for the clip-path id and `data-plot`.
    public var id: String
    public var title: String
    public var xAxis: Axis
    public var yAxis: Axis
    public var series: [PlotSeries]
    /// Notes printed under the title (remarks, and warnings in red).
    public var notes: [PlotNote]
    public var markers: [VerticalMarker]
    /// Total width in pixels, and the height of the plotting area.
    public var width: Double
    public var plotHeight: Double
    /// Pixel width of a downsampling column.
    public var bucketWidth: Double

    public init(id: String, title: String, x: Axis, y: Axis, series: [PlotSeries] = [], notes: [PlotNote] = [],
                markers: [VerticalMarker] = [], width: Double = 600, plotHeight: Double = 250, bucketWidth: Double = 1) {
        self.id = id
        self.title = title
        self.xAxis = x
        self.yAxis = y
        self.series = series
        self.notes = notes
        self.markers = markers
        self.width = width
        self.plotHeight = plotHeight
        self.bucketWidth = bucketWidth
    }

    static let font = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
    static let tickFont = 10.5
    static let labelFont = 12.0
    static let titleFont = 14.0
    static let noteFont = 11.0

    /// The resolved domain and ticks of an axis.
    struct ResolvedAxis {
        var lo: Double
        var hi: Double
        var major: [(value: Double, label: String)]
        var minor: [Double]
    }

    static func resolve(_ axis: Axis, data: [Double]) -> ResolvedAxis {
        switch axis.kind {
        case .linear:
            var lo: Double, hi: Double
            if let d = axis.domain {
                (lo, hi) = (d.lo, d.hi)
            } else if let a = data.min(), let b = data.max() {
                (lo, hi) = (a, b)
                if axis.includeZero { (lo, hi) = (Swift.min(lo, 0), Swift.max(hi, 0)) }
            } else {
                (lo, hi) = (0, 1)
            }
            let t = Ticks.linear(lo: lo, hi: hi, count: 6)
            if axis.domain == nil, axis.nice || lo == hi {
                (lo, hi) = (t.lo, t.hi)
            }
            let eps = Swift.abs(t.step) * 1e-9
            let inside = (axis.ticks ?? t.values).filter { $0 >= lo - eps && $0 <= hi + eps }
            return ResolvedAxis(lo: lo, hi: hi, major: inside.map { ($0, axis.ticks == nil ? Ticks.label($0, step: t.step) : Ticks.text($0)) }, minor: [])
        case .log:
            var lo: Double, hi: Double
            if let d = axis.domain, d.lo > 0, d.hi > d.lo {
                (lo, hi) = (d.lo, d.hi)
            } else if let a = data.min(), let b = data.max() {
                (lo, hi) = (a, b)
            } else {
                (lo, hi) = (0.1, 10)
            }
            let fitted = axis.domain == nil || !(axis.domain!.lo > 0)
            if fitted, !axis.nice {
                let pad = Swift.max(0.1, 0.08 * Foundation.log10(hi / lo))
                (lo, hi) = (lo / Foundation.pow(10, pad), hi * Foundation.pow(10, pad))
            }
            let t = Ticks.log(lo: lo, hi: hi)
            if fitted, axis.nice { (lo, hi) = (t.lo, t.hi) }
            let inside = { (v: Double) in v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) }
            var major = t.major.filter(inside), minor = t.minor.filter(inside)
            if let explicit = axis.ticks {
                minor = (major + minor).sorted()
                major = explicit.filter { $0 > 0 && inside($0) }
            } else if major.count < 2 {
                // A padded range inside one decade: label the 2× and 5× ticks too.
                let mantissa = { (v: Double) in v / Ticks.power10(Int(Foundation.floor(Foundation.log10(v) + 1e-9))) }
                major = (major + minor.filter { v in [2.0, 5.0].contains { Swift.abs(mantissa(v) - $0) < 1e-6 } }).sorted()
                minor = minor.filter { !major.contains($0) }
            }
            return ResolvedAxis(lo: lo, hi: hi, major: major.map { ($0, Ticks.logLabel($0)) }, minor: minor)
        }
    }

    /// Counts of values a series had that could not be drawn.
    struct Omissions {
        var nonFinite = 0
        var nonPositive = 0
    }

    static func omissions(_ s: PlotSeries, x: Axis, y: Axis) -> Omissions {
        var o = Omissions()
        for p in s.points {
            if !p.x.isFinite || !p.y.isFinite {
                o.nonFinite += 1
            } else if (x.kind == .log && p.x <= 0) || (y.kind == .log && p.y <= 0) {
                o.nonPositive += 1
            }
        }
        return o
    }

    /// The notes the plot adds about values it could not draw, all warnings.
    public var automaticNotes: [PlotNote] {
        var out: [PlotNote] = []
        for s in series {
            let o = Self.omissions(s, x: xAxis, y: yAxis)
            if o.nonFinite > 0 {
                out.append(.warning("\(s.label): \(o.nonFinite) NaN/∞ value\(o.nonFinite == 1 ? "" : "s") not drawn (gap in the curve)."))
            }
            if o.nonPositive > 0 {
                out.append(.warning("\(s.label): \(o.nonPositive) value\(o.nonPositive == 1 ? "" : "s") ≤ 0 not drawn on the log axis."))
            }
        }
        if out.count > 4 {
            let more = out.count - 3
            out = Array(out.prefix(3)) + [.warning("… and \(more) more series with values not drawn.")]
        }
        return out
    }

    /// Where everything goes: the resolved axes, the notes as wrapped lines, the margins, the plotting area
    /// and the scales that map data to pixels.
    struct Layout {
        var xr: ResolvedAxis
        var yr: ResolvedAxis
        var allNotes: [PlotNote]
        var noteLines: [[String]]
        var left: Double
        var top: Double
        var plotWidth: Double
        var plotHeight: Double
        var bottomAxis: Double
        var height: Double
        var legend: Legend
        var xs: Scale
        var ys: Scale

        var right: Double { left + plotWidth }
        var bottom: Double { top + plotHeight }
    }

    func layout() -> Layout {
        let xData = series.flatMap { s in s.points.filter { yAxis.kind == .linear || ($0.y > 0 && $0.y.isFinite) }.map(\.x) }
        let yData = series.flatMap { s in s.points.filter { xAxis.kind == .linear || ($0.x > 0 && $0.x.isFinite) }.map(\.y) }
        let xr = Self.resolve(xAxis, data: Scale.placeable(xData + markers.map(\.x), kind: xAxis.kind))
        let yr = Self.resolve(yAxis, data: Scale.placeable(yData, kind: yAxis.kind))

        let allNotes = notes + automaticNotes
        let noteLines = allNotes.map { Self.wrap($0.text, width: width - 20, size: Self.noteFont) }
        let noteLineCount = noteLines.reduce(0) { $0 + $1.count }
        let yTickWidth = yr.major.map { Legend.textWidth($0.label, size: Self.tickFont) }.max() ?? 10
        let left = Swift.max(52, 26 + yTickWidth + 8)
        let right = 18.0
        let top = 10 + Self.titleFont + 8 + Double(noteLineCount) * (Self.noteFont + 3) + (noteLineCount > 0 ? 4 : 0)
        let plotWidth = width - left - right
        let legend = Legend(entries: series.filter(\.inLegend).map { Legend.Entry(label: $0.label, style: $0.style, series: $0.id) })
        let legendHeight = legend.height(width: plotWidth)
        let bottomAxis = 18 + Self.labelFont + 10
        let height = top + plotHeight + bottomAxis + (legendHeight > 0 ? legendHeight + 6 : 0) + 6

        let xs = Scale(kind: xAxis.kind, domain: (xr.lo, xr.hi), range: (left, left + plotWidth))
        let ys = Scale(kind: yAxis.kind, domain: (yr.lo, yr.hi), range: (top + plotHeight, top))
        return Layout(xr: xr, yr: yr, allNotes: allNotes, noteLines: noteLines, left: left, top: top, plotWidth: plotWidth,
                      plotHeight: plotHeight, bottomAxis: bottomAxis, height: height, legend: legend, xs: xs, ys: ys)
    }

    /// The SVG document.
    public func svg() -> String {
        let c = Markup.coordinate
        let l = layout()
        let clipID = "clip-\(id)"

        return SVGWriter.document(width: width, height: l.height, attributes: [
            ("class", "plot"), ("data-plot", id), ("font-family", Self.font), ("role", "img"),
        ]) { svg in
            drawTitleAndNotes(&svg, l)
            svg.group("defs", [:]) { d in
                d.group("clipPath", ["id": clipID]) { cp in
                    cp.element("rect", ["x": c(l.left), "y": c(l.top), "width": c(l.plotWidth), "height": c(l.plotHeight)])
                }
            }
            drawGrid(&svg, l)
            drawXAxis(&svg, l)
            drawYAxis(&svg, l)
            svg.group("g", ["class": "series-group", "clip-path": "url(#\(clipID))"]) { g in
                drawMarkerLines(&g, l)
                for s in series { drawSeries(s, &g, l) }
            }
            drawMarkerLabels(&svg, l)
            if series.allSatisfy({ $0.points.allSatisfy { l.xs.map($0.x) == nil || l.ys.map($0.y) == nil } }) {
                svg.text("text", ["class": "no-data", "x": c(l.left + l.plotWidth / 2), "y": c(l.top + l.plotHeight / 2),
                                  "text-anchor": "middle", "font-size": c(Self.labelFont), "fill": "#888"], "no data that can be drawn")
            }
            svg.element("rect", ["class": "frame", "x": c(l.left), "y": c(l.top), "width": c(l.plotWidth), "height": c(l.plotHeight),
                                 "fill": "none", "stroke": "#333", "stroke-width": "1"])
            l.legend.render(into: &svg, x: l.left, y: l.bottom + l.bottomAxis + 4, width: l.plotWidth)
        }
    }

    /// The title element, the white background, the title text and the notes under it (warnings in red).
    private func drawTitleAndNotes(_ svg: inout SVGWriter, _ l: Layout) {
        let c = Markup.coordinate
        svg.text("title", [:], title)
        svg.element("rect", ["class": "background", "x": "0", "y": "0", "width": c(width), "height": c(l.height), "fill": "white"])
        svg.text("text", ["class": "title", "x": c(l.left), "y": c(10 + Self.titleFont), "font-size": c(Self.titleFont),
                          "font-weight": "bold", "fill": "#222"], title)
        var lineY = 10 + Self.titleFont + 8 + Self.noteFont
        for (note, lines) in zip(l.allNotes, l.noteLines) {
            let warning = note.kind == .warning
            for line in lines {
                svg.text("text", ["class": "note", "x": c(l.left), "y": c(lineY), "font-size": c(Self.noteFont),
                                  "fill": warning ? "#a33000" : "#444", "font-style": "italic"], line)
                lineY += Self.noteFont + 3
            }
        }
    }

    /// Grid lines at the minor (lighter) and major ticks of both axes.
    private func drawGrid(_ svg: inout SVGWriter, _ l: Layout) {
        let c = Markup.coordinate
        let (left, top, right, bottom) = (l.left, l.top, l.right, l.bottom)
        svg.group("g", ["class": "grid", "stroke": "#e4e4e4", "stroke-width": "1"]) { g in
            for v in l.yr.minor { if let p = l.ys.map(v) { g.element("line", ["x1": c(left), "x2": c(right), "y1": c(p), "y2": c(p), "stroke": "#f2f2f2"]) } }
            for v in l.xr.minor { if let p = l.xs.map(v) { g.element("line", ["x1": c(p), "x2": c(p), "y1": c(top), "y2": c(bottom), "stroke": "#f2f2f2"]) } }
            for t in l.yr.major { if let p = l.ys.map(t.value) { g.element("line", ["x1": c(left), "x2": c(right), "y1": c(p), "y2": c(p)]) } }
            for t in l.xr.major { if let p = l.xs.map(t.value) { g.element("line", ["x1": c(p), "x2": c(p), "y1": c(top), "y2": c(bottom)]) } }
        }
    }

    /// The x axis line, its ticks and tick labels, and the axis label under them.
    private func drawXAxis(_ svg: inout SVGWriter, _ l: Layout) {
        let c = Markup.coordinate
        let (left, right, bottom) = (l.left, l.right, l.bottom)
        svg.group("g", ["class": "axis x-axis", "font-size": c(Self.tickFont), "fill": "#333"]) { g in
            g.element("line", ["x1": c(left), "x2": c(right), "y1": c(bottom), "y2": c(bottom), "stroke": "#333"])
            for v in l.xr.minor { if let p = l.xs.map(v) { g.element("line", ["x1": c(p), "x2": c(p), "y1": c(bottom), "y2": c(bottom + 3), """
                stroke
                """: "#333"]) } }
            for t in l.xr.major {
                guard let p = l.xs.map(t.value) else { continue }
                g.element("line", ["x1": c(p), "x2": c(p), "y1": c(bottom), "y2": c(bottom + 5), "stroke": "#333"])
                g.text("text", ["class": "tick-label", "x": c(p), "y": c(bottom + 17), "text-anchor": "middle"], t.label)
            }
            g.text("text", ["class": "axis-label", "x": c(left + l.plotWidth / 2), "y": c(bottom + 18 + Self.labelFont + 4),
                            "text-anchor": "middle", "font-size": c(Self.labelFont)], xAxis.label)
        }
    }

    /// The y axis line, its ticks and tick labels, and the rotated axis label left of them.
    private func drawYAxis(_ svg: inout SVGWriter, _ l: Layout) {
        let c = Markup.coordinate
        let (left, top, bottom) = (l.left, l.top, l.bottom)
        svg.group("g", ["class": "axis y-axis", "font-size": c(Self.tickFont), "fill": "#333"]) { g in
            g.element("line", ["x1": c(left), "x2": c(left), "y1": c(top), "y2": c(bottom), "stroke": "#333"])
            for v in l.yr.minor { if let p = l.ys.map(v) { g.element("line", ["x1": c(left - 3), "x2": c(left), "y1": c(p), "y2": c(p), "stroke": "#333"]) } }
            for t in l.yr.major {
                guard let p = l.ys.map(t.value) else { continue }
                g.element("line", ["x1": c(left - 5), "x2": c(left), "y1": c(p), "y2": c(p), "stroke": "#333"])
                g.text("text", ["class": "tick-label", "x": c(left - 7), "y": c(p + Self.tickFont * 0.35), "text-anchor": "end"], t.label)
            }
            let ly = top + l.plotHeight / 2, lx = 4 + Self.labelFont
            g.text("text", ["class": "axis-label", "x": c(lx), "y": c(ly), "text-anchor": "middle",
                            "font-size": c(Self.labelFont), "transform": "rotate(-90 \(c(lx)) \(c(ly)))"], yAxis.label)
        }
    }

    /// The dotted vertical lines of the markers (inside the clipped series group).
    private func drawMarkerLines(_ g: inout SVGWriter, _ l: Layout) {
        let c = Markup.coordinate
        for m in markers {
            guard let p = l.xs.map(m.x) else { continue }
            g.element("line", ["class": "marker", "x1": c(p), "x2": c(p), "y1": c(l.top), "y2": c(l.bottom),
                               "stroke": m.color, "stroke-width": "1.2", "stroke-dasharray": "2 3"])
        }
    }

    /// One series: its line and/or its markers, each thinned to the pixel grid (Downsample).
    private func drawSeries(_ s: PlotSeries, _ g: inout SVGWriter, _ l: Layout) {
        let c = Markup.coordinate
        let pixels: [PixelPoint?] = s.points.map { pt in
            guard let px = l.xs.map(pt.x), let py = l.ys.map(pt.y) else { return nil }
            return PixelPoint(x: px, y: py)
        }
        if s.style.mark == .band || s.style.mark == .errorBars { return drawBandOrBars(s, pixels, &g) }
        if s.style.mark == .cells {
            // One data unit in pixels along each axis: the size of a cell.
            let size = ((l.xs.map(1) ?? 0) - (l.xs.map(0) ?? 0), (l.ys.map(0) ?? 0) - (l.ys.map(1) ?? 0))
            return drawCells(s, pixels, size: (Swift.abs(size.0), Swift.abs(size.1)), &g)
        }
        if s.style.hasLine {
            let d = PathBuilder.line(Downsample.minMax(pixels, bucketWidth: bucketWidth), dot: s.style.lineWidth)
            var attrs: [(String, String)] = [
                ("class", "series series-line"), ("data-series", s.id), ("d", d), ("fill", "none"),
                ("stroke", s.style.color), ("stroke-width", c(s.style.lineWidth)),
                ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
            ]
            if let dash = s.style.dash { attrs.append(("stroke-dasharray", dash)) }
            g.element("path", attributes: attrs)
        }
        if s.style.hasMarkers {
            let thinned = Downsample.minMax(pixels, bucketWidth: Swift.max(bucketWidth, s.style.markerRadius))
            g.element("path", attributes: [
                ("class", "series series-markers"), ("data-series", s.id),
                ("d", PathBuilder.markers(thinned, radius: s.style.markerRadius)),
                ("fill", s.style.hollow ? "none" : s.style.color), ("fill-opacity", s.style.hollow ? "1" : "0.85"),
                ("stroke", s.style.color), ("stroke-width", "1"),
            ])
        }
    }

    /// The markers' labels at the top of the plot, left of the line in the right 30 % of the plot.
    private func drawMarkerLabels(_ svg: inout SVGWriter, _ l: Layout) {
        let c = Markup.coordinate
        for m in markers {
            guard let p = l.xs.map(m.x) else { continue }
            let anchorEnd = p > l.left + l.plotWidth * 0.7
            svg.text("text", ["class": "marker-label", "x": c(anchorEnd ? p - 4 : p + 4), "y": c(l.top + 12),
                              "font-size": c(Self.noteFont), "fill": m.color, "text-anchor": anchorEnd ? "end" : "start"], m.label)
        }
    }

    /// Splits text into lines of at most about `width` pixels.
    static func wrap(_ text: String, width: Double, size: Double) -> [String] {
        let maxChars = Swift.max(20, Int(width / (size * 0.56)))
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= maxChars {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }
}
