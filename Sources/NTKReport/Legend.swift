/// A legend: a swatch (line and/or marker in the series' style) and a label per entry, laid out in rows
/// that wrap at the available width.
public struct Legend: Sendable {
    public struct Entry: Equatable, Sendable {
        public var label: String
        public var style: SeriesStyle
        /// The `data-series` id of the series it describes.
        public var series: String
    }

    public var entries: [Entry]
    public var fontSize: Double = 11
    public static let swatchWidth: Double = 26
    public static let rowHeight: Double = 17

    public init(entries: [Entry], fontSize: Double = 11) {
        self.entries = entries
        self.fontSize = fontSize
    }

    /// Approximate width of `text` in a sans-serif font of `size` px (no font metrics are available).
    public static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.58
    }

    /// Top-left x offset and row of each entry when wrapped at `width` pixels.
    public func layout(width: Double) -> [(x: Double, row: Int)] {
        var x = 0.0, row = 0
        var result: [(x: Double, row: Int)] = []
        for e in entries {
            let w = Self.swatchWidth + 6 + Self.textWidth(e.label, size: fontSize) + 18
            if x > 0, x + w > width {
                x = 0
                row += 1
            }
            result.append((x, row))
            x += w
        }
        return result
    }

    /// Height the legend needs at `width`.
    public func height(width: Double) -> Double {
        entries.isEmpty ? 0 : Double((layout(width: width).map(\.row).max() ?? 0) + 1) * Self.rowHeight
    }

    /// Draws the legend with its top-left corner at (x, y).
    public func render(into svg: inout SVGWriter, x: Double, y: Double, width: Double) {
        let positions = layout(width: width)
        let c = Markup.coordinate
        svg.group("g", ["class": "legend"]) { g in
            for (e, pos) in zip(entries, positions) {
                let x0 = x + pos.x, yMid = y + Double(pos.row) * Self.rowHeight + Self.rowHeight / 2
                g.group("g", ["class": "legend-entry", "data-series": e.series]) { item in
                    if e.style.hasLine {
                        var attrs: [(String, String)] = [
                            ("x1", c(x0)), ("y1", c(yMid)), ("x2", c(x0 + Self.swatchWidth)), ("y2", c(yMid)),
                            ("stroke", e.style.color), ("stroke-width", c(e.style.lineWidth)),
                        ]
                        if let dash = e.style.dash { attrs.append(("stroke-dasharray", dash)) }
                        item.element("line", attributes: attrs)
                    }
                    if e.style.mark == .cells {
                        item.element("rect", attributes: [
                            ("x", c(x0 + Self.swatchWidth / 2 - 5)), ("y", c(yMid - 5)), ("width", "10"), ("height", "10"),
                            ("fill", e.style.color), ("stroke", "#999"), ("stroke-width", "0.5"),
                        ])
                    }
                    if e.style.hasMarkers {
                        item.element("circle", attributes: [
                            ("cx", c(x0 + Self.swatchWidth / 2)), ("cy", c(yMid)), ("r", c(e.style.markerRadius)),
                            ("fill", e.style.hollow ? "white" : e.style.color), ("stroke", e.style.color),
                        ])
                    }
                    item.text("text", ["x": c(x0 + Self.swatchWidth + 6), "y": c(yMid + fontSize * 0.35),
                                       "font-size": c(fontSize)], e.label)
                }
            }
        }
    }
}
