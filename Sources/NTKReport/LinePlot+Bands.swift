/// Bands (mean ± sd or min–max over seeds), error bars and heatmap cells for ``LinePlot``: the series marks that are
/// neither lines nor markers. Both are drawn from points already thinned by their producer, not downsampled.
extension LinePlot {
    /// A band as one filled polygon, or error bars as one path of vertical segments.
    func drawBandOrBars(_ s: PlotSeries, _ pixels: [PixelPoint?], _ g: inout SVGWriter) {
        let c = Markup.coordinate
        if s.style.mark == .band {
            let drawn = pixels.compactMap { $0 }
            guard drawn.count >= 3 else { return }
            g.element("path", attributes: [
                ("class", "series series-band"), ("data-series", s.id), ("d", PathBuilder.line(drawn) + "Z"),
                ("fill", s.style.color), ("fill-opacity", "0.16"), ("stroke", "none"),
            ])
            return
        }
        var d = ""
        for i in stride(from: 0, to: pixels.count - 1, by: 2) {
            guard let a = pixels[i], let b = pixels[i + 1] else { continue }
            d += "M\(c(a.x)) \(c(a.y))L\(c(b.x)) \(c(b.y))"
            // Caps, 6 px wide.
            d += "M\(c(a.x - 3)) \(c(a.y))L\(c(a.x + 3)) \(c(a.y))M\(c(b.x - 3)) \(c(b.y))L\(c(b.x + 3)) \(c(b.y))"
        }
        var attrs: [(String, String)] = [
            ("class", "series series-errorbars"), ("data-series", s.id), ("d", d), ("fill", "none"),
            ("stroke", s.style.color), ("stroke-width", c(s.style.lineWidth)),
        ]
        if let dash = s.style.dash { attrs.append(("stroke-dasharray", dash)) }
        g.element("path", attributes: attrs)
    }

    /// Heatmap cells: one filled path of squares of `size` pixels centred on the points (a cell touches the next, with
    /// a tenth of a pixel of overlap so that no seam shows).
    func drawCells(_ s: PlotSeries, _ pixels: [PixelPoint?], size: (Double, Double), _ g: inout SVGWriter) {
        let c = Markup.coordinate
        let (w, h) = (size.0 + 0.1, size.1 + 0.1)
        var d = ""
        for p in pixels.compactMap({ $0 }) {
            d += "M\(c(p.x - w / 2)) \(c(p.y - h / 2))h\(c(w))v\(c(h))h\(c(-w))Z"
        }
        guard !d.isEmpty else { return }
        g.element("path", attributes: [
            ("class", "series series-cells"), ("data-series", s.id), ("d", d), ("fill", s.style.color), ("stroke", "none"),
        ])
    }

    /// The points of a band series: along `upper` in x order, then back along `lower`. Points where either edge
    /// is not finite are left out, so a band never carries a NaN.
    public static func bandPoints(x: [Double], lower: [Double], upper: [Double]) -> [DataPoint] {
        let keep = x.indices.filter { x[$0].isFinite && lower[$0].isFinite && upper[$0].isFinite }
        return keep.map { DataPoint(x[$0], upper[$0]) } + keep.reversed().map { DataPoint(x[$0], lower[$0]) }
    }

    /// The points of an error-bar series: (x, low), (x, high) for each bar with finite ends.
    public static func errorBarPoints(x: [Double], low: [Double], high: [Double]) -> [DataPoint] {
        x.indices.filter { x[$0].isFinite && low[$0].isFinite && high[$0].isFinite }
            .flatMap { [DataPoint(x[$0], low[$0]), DataPoint(x[$0], high[$0])] }
    }
}
