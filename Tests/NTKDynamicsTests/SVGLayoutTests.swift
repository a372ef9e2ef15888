import Foundation
import Testing
@testable import NTKDynamics
@testable import NTKReport

/// The geometry of a `LinePlot`'s SVG, checked from the document alone: the parts come in drawing order and
/// line up with the plotting area (the frame), whatever the numbers of the layout are.
struct SVGLayoutTests {
    private func number(_ e: ReportXML.Element, _ name: String) -> Double { Double(e.attributes[name] ?? "") ?? .nan }

    /// Equal up to the rounding of coordinates to 0.1 px (Markup.coordinate), which a sum of two can double.
    private func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 0.1 + 1e-9 }
    }

    @Test func partsLineUpWithThePlottingArea() throws {
        let points = (0...50).map { DataPoint(Double($0), Foundation.pow(0.8, Double($0))) }
        let plot = LinePlot(id: "g", title: "Geometry", x: Axis("step"), y: Axis("loss", kind: .log),
                            series: [
                                PlotSeries(id: "a", label: "line", points: points, style: SeriesStyle(color: Palette.blue)),
                                PlotSeries(id: "b", label: "markers", points: points + [DataPoint(51, -1)],
                                           style: SeriesStyle(mark: .markers, color: Palette.green)),
                            ],
                            notes: ["A note long enough to be wrapped onto a second line of the plot, so that the top margin grows with it."],
                            markers: [VerticalMarker(x: 10, label: "early"), VerticalMarker(x: 45, label: "late")])
        let doc = ReportXML(plot.svg())
        #expect(doc.isWellFormed, "\(doc.parseError ?? "")")

        // Drawing order: title, background, title text, notes, clip, grid, axes, series, marker labels, frame, legend.
        let order = doc.elements.compactMap { e -> String? in
            guard let c = e.attributes["class"] else { return e.name == "clipPath" || e.name == "title" ? e.name : nil }
            return ["background", "title", "note", "grid", "axis x-axis", "axis y-axis", "series-group", "marker-label", "frame"]
                .contains(c) || c.hasPrefix("legend") ? (c.hasPrefix("legend") ? "legend" : c) : nil
        }
        var collapsed: [String] = []
        for o in order where collapsed.last != o { collapsed.append(o) }
        #expect(collapsed == ["title", "background", "title", "note", "clipPath", "grid", "axis x-axis", "axis y-axis",
                              "series-group", "marker-label", "frame", "legend"], "\(collapsed)")
        #expect(doc.texts(class: "note").count >= 3, "the long note wraps, and the plot adds one about the value ≤ 0")

        // The clip rectangle is the frame; the axes run along its bottom and left edges.
        let frame = try #require(doc.all("rect", class: "frame").first)
        let (left, top, w, h) = (number(frame, "x"), number(frame, "y"), number(frame, "width"), number(frame, "height"))
        let clip = try #require(doc.elements.first { $0.name == "rect" && $0.attributes["class"] == nil })
        #expect(same([number(clip, "x"), number(clip, "y"), number(clip, "width"), number(clip, "height")], [left, top, w, h]))
        let axisIndex = { (cls: String) in doc.elements.firstIndex { $0.attributes["class"] == cls }! }
        let xAxisLine = doc.elements[axisIndex("axis x-axis") + 1], yAxisLine = doc.elements[axisIndex("axis y-axis") + 1]
        #expect(same([number(xAxisLine, "x1"), number(xAxisLine, "x2"), number(xAxisLine, "y1"), number(xAxisLine, "y2")],
                     [left, left + w, top + h, top + h]))
        #expect(same([number(yAxisLine, "x1"), number(yAxisLine, "x2"), number(yAxisLine, "y1"), number(yAxisLine, "y2")],
                     [left, left, top, top + h]))
        // The title and notes sit above the frame, the tick labels and the legend below or left of it.
        for note in doc.all("text", class: "note") + doc.all("text", class: "title") { #expect(number(note, "y") < top) }
        let tickLabels = doc.all("text", class: "tick-label")
        #expect(tickLabels.allSatisfy { number($0, "y") > top + h || number($0, "x") < left })
        // Marker lines inside the frame at their x; the right-hand label is anchored at its end.
        let markerLines = doc.all("line", class: "marker")
        #expect(markerLines.count == 2)
        #expect(markerLines.allSatisfy { number($0, "x1") > left && number($0, "x1") < left + w
                && same([number($0, "y1"), number($0, "y2")], [top, top + h]) })
        #expect(doc.all("text", class: "marker-label").map { $0.attributes["text-anchor"] ?? "" } == ["start", "end"])
        // The document is tall enough for the frame, the x-axis label and the legend.
        let svg = try #require(doc.elements.first)
        let axisLabel = try #require(doc.all("text", class: "axis-label").first)
        #expect(number(svg, "height") > number(axisLabel, "y") && number(axisLabel, "y") > top + h)
    }
}
