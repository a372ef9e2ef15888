/// Builds the `d` attribute of SVG paths from pixel points.
///
/// A `nil` point is a gap: the line stops and starts again after it (M instead of L), so a NaN in the
/// data shows as a break in the curve, never as a "nan" coordinate. A point with no neighbour on either
/// side would draw nothing as a line, so it is drawn as a small circle instead.
public enum PathBuilder {
    /// A polyline through the points, broken at gaps; isolated points become circles of radius `dot`.
    public static func line(_ points: [PixelPoint?], dot: Double = 1.5) -> String {
        var parts: [String] = []
        var run: [PixelPoint] = []
        func flush() {
            if run.count == 1 {
                parts.append(circle(run[0], radius: dot))
            } else if run.count > 1 {
                var s = "M\(c(run[0].x)) \(c(run[0].y))"
                for p in run.dropFirst() { s += "L\(c(p.x)) \(c(p.y))" }
                parts.append(s)
            }
            run.removeAll(keepingCapacity: true)
        }
        for p in points {
            if let p, p.x.isFinite, p.y.isFinite { run.append(p) } else { flush() }
        }
        flush()
        return parts.joined()
    }

    /// Markers: one circle (two arcs) per point, all in one path; gaps are skipped.
    public static func markers(_ points: [PixelPoint?], radius: Double = 2.5) -> String {
        points.compactMap { p in
            guard let p, p.x.isFinite, p.y.isFinite else { return nil }
            return circle(p, radius: radius)
        }.joined()
    }

    /// A closed circle as a path: move to its left edge, two half-circle arcs.
    public static func circle(_ p: PixelPoint, radius r: Double) -> String {
        "M\(c(p.x - r)) \(c(p.y))a\(c(r)) \(c(r)) 0 1 0 \(c(2 * r)) 0a\(c(r)) \(c(r)) 0 1 0 \(c(-2 * r)) 0"
    }

    /// Number of drawing commands (M, L, a) in a path, for tests and size checks.
    public static func commandCount(_ d: String) -> Int {
        d.reduce(0) { $0 + ("MLa".contains($1) ? 1 : 0) }
    }

    private static func c(_ v: Double) -> String { Markup.coordinate(v) }
}
