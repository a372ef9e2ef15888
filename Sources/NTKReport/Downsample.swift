/// A point in pixel coordinates.
public struct PixelPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// Thins a polyline for drawing while keeping its shape: min/max-preserving bucketing.
///
/// Points are grouped into columns `bucketWidth` pixels wide. Each column keeps its first and last point
/// and the points with the smallest and largest y, in their original order, so every spike and the
/// envelope of a noisy curve survive while 10⁴ or 10⁶ steps shrink to at most four points per column.
/// `nil` entries are gaps (a NaN, an ∞, a non-positive value on a log axis); they are kept as gaps and
/// each run of points between gaps is thinned on its own. The data files are never touched: this works
/// on the copy that is drawn.
public enum Downsample {
    public static func minMax(_ points: [PixelPoint?], bucketWidth: Double = 1) -> [PixelPoint?] {
        var out: [PixelPoint?] = []
        out.reserveCapacity(Swift.min(points.count, 4096))
        var segment: [PixelPoint] = []
        func flush() {
            out.append(contentsOf: thin(segment, bucketWidth: bucketWidth).map { Optional($0) })
            segment.removeAll(keepingCapacity: true)
        }
        for p in points {
            if let p {
                segment.append(p)
            } else {
                flush()
                if let last = out.last, last != nil { out.append(nil) }
            }
        }
        flush()
        return out
    }

    /// One run without gaps, x in drawing order.
    static func thin(_ points: [PixelPoint], bucketWidth: Double) -> [PixelPoint] {
        guard points.count > 4, bucketWidth > 0 else { return points }
        var out: [PixelPoint] = []
        var start = 0
        while start < points.count {
            let column = (points[start].x / bucketWidth).rounded(.down)
            var end = start + 1
            while end < points.count, (points[end].x / bucketWidth).rounded(.down) == column { end += 1 }
            if end - start <= 4 {
                out.append(contentsOf: points[start..<end])
            } else {
                var lo = start, hi = start
                for i in start..<end {
                    if points[i].y < points[lo].y { lo = i }
                    if points[i].y > points[hi].y { hi = i }
                }
                for i in Set([start, lo, hi, end - 1]).sorted() { out.append(points[i]) }
            }
            start = end
        }
        return out
    }
}
