import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import NTKDynamics
@testable import NTKReport

/// An SVG parsed with Foundation's XMLParser: its elements in document order (test helper).
final class ReportXML: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []
    private(set) var parseError: String?

    /// Parses `text`; `parseError` is set when it is not well-formed XML.
    init(_ text: String) {
        super.init()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = self
        if !parser.parse() { parseError = parser.parserError.map { "\($0)" } ?? "parse failed" }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: name, attributes: attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = open.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        _ = open.popLast()
    }

    func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) {
        parseError = "\(error)"
    }

    var isWellFormed: Bool { parseError == nil && !elements.isEmpty }

    func all(_ name: String, class cssClass: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (cssClass == nil || $0.attributes["class"] == cssClass) }
    }

    /// Paths drawing series, by `data-series`.
    func seriesPaths(_ kind: String = "series-line") -> [String: Element] {
        var out: [String: Element] = [:]
        for e in all("path", class: "series \(kind)") { out[e.attributes["data-series"] ?? ""] = e }
        return out
    }

    /// Text of the elements of a class (notes, tick labels).
    func texts(class cssClass: String) -> [String] {
        all("text", class: cssClass).map(\.text)
    }

    static let geometry: Set<String> = ["d", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height",
                                        "viewBox", "transform", "stroke-width"]

    /// Geometry attributes holding "nan", "inf" or a number that does not parse as a finite Double.
    var nonFiniteGeometry: [String] {
        var bad: [String] = []
        for e in elements {
            for (key, value) in e.attributes where Self.geometry.contains(key) {
                let lower = value.lowercased()
                if lower.contains("nan") || lower.contains("inf") {
                    bad.append("\(e.name) \(key)=\(value.prefix(60))")
                    continue
                }
                let numbers = value.split { !"0123456789.-e".contains($0) }.filter { $0 != "-" && $0 != "e" }
                for n in numbers where !(Double(n)?.isFinite ?? false) {
                    bad.append("\(e.name) \(key): \(n)")
                }
            }
        }
        return bad
    }

    /// The `<svg>…</svg>` blocks of an HTML page.
    static func svgBlocks(in html: String) -> [String] {
        var blocks: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest[start.lowerBound...].range(of: "</svg>") {
            blocks.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return blocks
    }
}

/// SVG building blocks and `LinePlot`: well-formed XML, the expected series, finite coordinates on edge cases.
struct SVGTests {
    private func plot(_ series: [PlotSeries], y: Axis = Axis("y"), x: Axis = Axis("step t"), notes: [PlotNote] = [],
                      markers: [VerticalMarker] = []) -> ReportXML {
        let svg = LinePlot(id: "p", title: "Test plot", x: x, y: y, series: series, notes: notes, markers: markers).svg()
        return ReportXML(svg)
    }

    private func steps(_ ys: [Double]) -> [DataPoint] { ys.enumerated().map { DataPoint(Double($0.offset), $0.element) } }

    @Test func plotIsWellFormedAndHasEachSeries() {
        let doc = plot([
            PlotSeries(id: "a", label: "line A", points: steps([1, 2, 3]), style: SeriesStyle(color: Palette.blue)),
            PlotSeries(id: "b", label: "markers <B> & 'b'", points: steps([3, 2, 1]), style: SeriesStyle(mark: .markers, color: Palette.green)),
            PlotSeries(id: "c", label: "both", points: steps([2, 2, 2]), style: SeriesStyle(mark: .lineAndMarkers, color: Palette.purple, dash: "4 2")),
        ])
        #expect(doc.isWellFormed, "\(doc.parseError ?? "")")
        #expect(doc.elements.first?.name == "svg")
        #expect(doc.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(Set(doc.seriesPaths("series-line").keys) == ["a", "c"])
        #expect(Set(doc.seriesPaths("series-markers").keys) == ["b", "c"])
        #expect(doc.seriesPaths()["c"]?.attributes["stroke-dasharray"] == "4 2")
        // One legend entry per series, with the escaped label read back intact.
        let entries = doc.all("g", class: "legend-entry")
        #expect(entries.map { $0.attributes["data-series"] ?? "" } == ["a", "b", "c"])
        #expect(doc.all("text").contains { $0.text == "markers <B> & 'b'" })
        #expect(doc.texts(class: "title") == ["Test plot"])
        #expect(doc.texts(class: "axis-label") == ["step t", "y"])
        #expect(!doc.texts(class: "tick-label").isEmpty)
        #expect(doc.nonFiniteGeometry.isEmpty)
        // Every series path is clipped to the plotting area.
        #expect(doc.all("g", class: "series-group").first?.attributes["clip-path"] == "url(#clip-p)")
    }

    @Test func aSingleStepIsDrawnAsADot() {
        let doc = plot([
            PlotSeries(id: "loss", label: "loss", points: [DataPoint(0, 0.7)], style: SeriesStyle(color: Palette.blue)),
            PlotSeries(id: "drift", label: "drift", points: [DataPoint(0, 0)], style: SeriesStyle(mark: .lineAndMarkers, color: Palette.green)),
        ], y: Axis("loss", kind: .log))
        #expect(doc.isWellFormed)
        #expect(doc.nonFiniteGeometry.isEmpty, "\(doc.nonFiniteGeometry)")
        // One point cannot make a line: it is drawn as a small circle (two arcs).
        let d = doc.seriesPaths()["loss"]?.attributes["d"] ?? ""
        #expect(d.hasPrefix("M") && d.filter { $0 == "a" }.count == 2)
        // The zero drift cannot be on the log axis: left out, and said so.
        #expect(doc.seriesPaths()["drift"]?.attributes["d"] == "")
        #expect(doc.texts(class: "note").contains { $0.contains("drift: 1 value ≤ 0 not drawn") })
    }

    @Test func nanAndInfinityBecomeGapsAndANote() {
        let ys: [Double] = [1, 0.5, .nan, 0.25, 0.2, .infinity, 0.1, 0.05]
        let doc = plot([PlotSeries(id: "gd", label: "GD", points: steps(ys), style: SeriesStyle(color: Palette.blue))],
                       y: Axis("loss", kind: .log), notes: ["Diverged at step 8."],
                       markers: [VerticalMarker(x: 8, label: "diverged")])
        #expect(doc.isWellFormed)
        #expect(doc.nonFiniteGeometry.isEmpty, "\(doc.nonFiniteGeometry)")
        let d = doc.seriesPaths()["gd"]?.attributes["d"] ?? ""
        // Three runs between the two gaps: [1, 0.5], [0.25, 0.2], [0.1, 0.05] → three subpaths, each one segment.
        #expect(d.filter { $0 == "M" }.count == 3)
        #expect(d.filter { $0 == "L" }.count == 3)
        let notes = doc.texts(class: "note")
        #expect(notes.contains("Diverged at step 8."))
        #expect(notes.contains { $0.contains("GD: 2 NaN/∞ values not drawn") })
        #expect(doc.all("line", class: "marker").count == 1)
        #expect(doc.texts(class: "marker-label") == ["diverged"])
    }

    /// A note's colour comes from its kind, not from its words: a remark that mentions divergence stays grey, a
    /// warning is red whatever it says, and the plot's own notes about values not drawn are warnings.
    @Test func noteColourFollowsItsKind() {
        let doc = plot([PlotSeries(id: "gd", label: "GD", points: steps([1, .nan, 0.5]), style: SeriesStyle(color: Palette.blue))],
                       notes: ["A remark about diverged and interrupted runs.", .warning("A warning in plain words.")])
        let fill = Dictionary(doc.all("text", class: "note").map { ($0.text, $0.attributes["fill"] ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(fill["A remark about diverged and interrupted runs."] == "#444", "\(fill)")
        #expect(fill["A warning in plain words."] == "#a33000", "\(fill)")
        #expect(fill.first { $0.key.contains("not drawn") }?.value == "#a33000", "\(fill)")
    }

    @Test func constantSeriesGetARealAxis() {
        for value in [0.5, 0, -3, 1e-9] {
            let doc = plot([PlotSeries(id: "c", label: "constant", points: steps(Array(repeating: value, count: 50)),
                                       style: SeriesStyle(color: Palette.blue))])
            #expect(doc.isWellFormed)
            #expect(doc.nonFiniteGeometry.isEmpty, "value \(value): \(doc.nonFiniteGeometry)")
            #expect(doc.texts(class: "tick-label").count >= 4, "value \(value)")
            let d = doc.seriesPaths()["c"]?.attributes["d"] ?? ""
            #expect(d.hasPrefix("M"), "value \(value)")
        }
        // A constant on a log axis.
        let log = plot([PlotSeries(id: "c", label: "constant", points: steps([0.01, 0.01, 0.01]), style: SeriesStyle(color: Palette.blue))],
                       y: Axis("y", kind: .log))
        #expect(log.nonFiniteGeometry.isEmpty)
        #expect(log.texts(class: "tick-label").contains("0.01"))
    }

    @Test func logAxisWithZerosAndNegatives() {
        let doc = plot([PlotSeries(id: "r", label: "rate", points: steps([0, -1, 1e-3, 0.1, 10, -0.0]), style: SeriesStyle(mark: .markers, color: Palette.blue))],
                       y: Axis("rate", kind: .log))
        #expect(doc.isWellFormed)
        #expect(doc.nonFiniteGeometry.isEmpty)
        #expect(doc.texts(class: "note").contains { $0.contains("rate: 3 values ≤ 0 not drawn on the log axis") })
        // Three circles (two arcs each) for the three positive values.
        #expect(doc.seriesPaths("series-markers")["r"]?.attributes["d"]?.filter { $0 == "a" }.count == 6)
        // Decades 10⁻³ … 10¹ labelled.
        #expect(doc.texts(class: "tick-label").contains("0.001"))
        #expect(doc.texts(class: "tick-label").contains("10"))
    }

    @Test func nothingDrawableStillMakesAValidPlot() {
        for series in [[], [PlotSeries(id: "z", label: "zeros", points: steps([0, 0, -2, .nan]), style: SeriesStyle(color: Palette.blue))]] {
            let doc = plot(series, y: Axis("y", kind: .log))
            #expect(doc.isWellFormed)
            #expect(doc.nonFiniteGeometry.isEmpty)
            #expect(doc.texts(class: "no-data") == ["no data that can be drawn"])
        }
    }

    @Test func hugeValuesStayFinite() {
        let ys: [Double] = [1, 1e100, 1e306, 1.7e308, -1.7e308]
        for kind in [ScaleKind.linear, .log] {
            let doc = plot([PlotSeries(id: "h", label: "huge", points: steps(ys), style: SeriesStyle(mark: .lineAndMarkers, color: Palette.blue))],
                           y: Axis("y", kind: kind))
            #expect(doc.isWellFormed)
            #expect(doc.nonFiniteGeometry.isEmpty, "\(kind): \(doc.nonFiniteGeometry)")
        }
    }

    @Test func longSeriesAreThinnedForDrawing() {
        // 20 000 steps of a noisy decay with one spike: the path stays small and keeps the spike.
        var ys = (0..<20_000).map { t in Foundation.exp(-Double(t) / 5000) * (1 + 0.1 * Foundation.sin(Double(t))) }
        ys[12_345] = 5
        let p = LinePlot(id: "long", title: "long", x: Axis("t"), y: Axis("y"),
                         series: [PlotSeries(id: "s", label: "s", points: steps(ys), style: SeriesStyle(color: Palette.blue))])
        let doc = ReportXML(p.svg())
        let d = doc.seriesPaths()["s"]?.attributes["d"] ?? ""
        let commands = PathBuilder.commandCount(d)
        #expect(commands <= 4 * Int(p.width) + 8, "\(commands) drawing commands")
        #expect(commands > 500)
        // The spike is the highest point drawn: its y is the smallest pixel coordinate in the path.
        let yValues = d.split(separator: "L").compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        let frame = doc.all("rect", class: "frame").first!
        let top = Double(frame.attributes["y"]!)!
        #expect(Swift.abs(yValues.min()! - top) < 1, "spike drawn at the top of the plotting area")
    }

    @Test func minMaxDownsamplingKeepsExtremesAndGaps() {
        // 100 points in one pixel column, then a gap, then 3 points: the column keeps first, min, max, last.
        var pts: [PixelPoint?] = (0..<100).map { PixelPoint(x: 10 + Double($0) / 1000, y: Double(($0 * 37 + 50) % 100)) }
        pts.append(nil)
        pts += [PixelPoint(x: 20, y: 1), PixelPoint(x: 21, y: 2), PixelPoint(x: 22, y: 3)]
        let thin = Downsample.minMax(pts, bucketWidth: 1)
        let firstRun = Array(thin.prefix { $0 != nil }).compactMap { $0 }
        #expect(firstRun.count == 4)
        #expect(firstRun.first == pts[0] && firstRun.last == pts[99])
        #expect(firstRun.map(\.y).min() == 0 && firstRun.map(\.y).max() == 99)
        #expect(thin.filter { $0 == nil }.count == 1)
        #expect(Array(thin.suffix(3)) == Array(pts.suffix(3)))
        // Short runs are kept as they are; leading and repeated gaps collapse.
        #expect(Downsample.minMax([nil, nil, PixelPoint(x: 1, y: 1), nil, nil]) == [PixelPoint(x: 1, y: 1), nil])
    }

    @Test func pathBuilderBreaksAtGaps() {
        let d = PathBuilder.line([PixelPoint(x: 0, y: 0), PixelPoint(x: 10, y: 5.25), nil, PixelPoint(x: 20, y: 1)], dot: 1)
        #expect(d == "M0 0L10 5.3M19 1a1 1 0 1 0 2 0a1 1 0 1 0 -2 0")
        #expect(PathBuilder.line([PixelPoint(x: .nan, y: 1), PixelPoint(x: 1, y: .infinity)]) == "")
        #expect(PathBuilder.markers([PixelPoint(x: 5, y: 5), nil], radius: 2) == "M3 5a2 2 0 1 0 4 0a2 2 0 1 0 -4 0")
    }

    @Test func markupEscapesAndFormatsCoordinates() {
        #expect(Markup.escape("<a & \"b\" 'c'>") == "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;")
        #expect(Markup.coordinate(12.345) == "12.3")
        #expect(Markup.coordinate(-1.25) == "-1.3")
        #expect(Markup.coordinate(-0.5) == "-0.5")
        #expect(Markup.coordinate(-0.04) == "0")
        #expect(Markup.coordinate(300) == "300")
        #expect(Markup.coordinate(.nan) == "0")
        #expect(Markup.coordinate(.infinity) == "0")
        #expect(Markup.coordinate(1e300) == "1000000")
    }

    @Test func legendWrapsIntoRows() {
        let entries = (0..<6).map { Legend.Entry(label: "a fairly long legend label \($0)", style: SeriesStyle(color: Palette.blue), series: "s\($0)") }
        let legend = Legend(entries: entries)
        let rows = Set(legend.layout(width: 400).map(\.row))
        #expect(rows.count >= 3)
        #expect(legend.height(width: 400) == Double(rows.count) * Legend.rowHeight)
        #expect(Legend(entries: []).height(width: 400) == 0)
        var svg = SVGWriter()
        legend.render(into: &svg, x: 0, y: 0, width: 400)
        let doc = ReportXML("<svg xmlns=\"http://www.w3.org/2000/svg\">" + svg.lines.joined() + "</svg>")
        #expect(doc.isWellFormed)
        #expect(doc.all("g", class: "legend-entry").count == 6)
    }

    @Test func htmlPageIsSelfContained() {
        var page = HTMLPage(title: "run <1> & co")
        page.append(.heading("Loss", level: 2))
        page.append(.paragraph("a < b", cssClass: "warning"))
        page.append(.definitions([("η", "0.5", "learning rate")]))
        page.append(.table(header: ["width"], rows: [["64"]], links: [0: [0: "w64/report.html"]]))
        let svg = LinePlot(id: "one", title: "one", x: Axis("x"), y: Axis("y"),
                           series: [PlotSeries(id: "s", label: "s", points: steps([1, 2]), style: SeriesStyle(color: Palette.blue))]).svg()
        page.append(.figure(svg: svg, caption: "Figure 1 <caption>", id: "one"))
        let html = page.render()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>run &lt;1&gt; &amp; co</title>"))
        #expect(html.contains("<p class=\"warning\">a &lt; b</p>"))
        #expect(html.contains("<a href=\"w64/report.html\">64</a>"))
        #expect(html.contains("<figcaption>Figure 1 &lt;caption&gt;</figcaption>"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("@import") && !html.contains("@font-face"))
        #expect(ReportXML.svgBlocks(in: html).count == 1)
        #expect(ReportXML(ReportXML.svgBlocks(in: html)[0]).isWellFormed)
    }
}
