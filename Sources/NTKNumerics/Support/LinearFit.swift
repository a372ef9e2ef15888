/// Least-squares line y ≈ a + b·x accumulated one point at a time (Welford-style centered sums,
/// so long series of large x keep full precision).
public struct LinearFit: Sendable, Equatable {
    public private(set) var count = 0
    private var meanX = 0.0, meanY = 0.0
    private var cxx = 0.0, cxy = 0.0, cyy = 0.0

    public init() {}

    /// A fit of the points (x_i, y_i).
    public init<S: Sequence>(_ points: S) where S.Element == (Double, Double) {
        for (x, y) in points { add(x, y) }
    }

    /// Adds a point; for ``span`` the points come in increasing x.
    public mutating func add(_ x: Double, _ y: Double) {
        if firstX == nil { firstX = x }
        lastX = x
        count += 1
        let n = Double(count)
        let dx = x - meanX, dy = y - meanY
        meanX += dx / n
        meanY += dy / n
        cxx += dx * (x - meanX)
        cxy += dx * (y - meanY)
        cyy += dy * (y - meanY)
    }

    /// The slope b (NaN with fewer than 2 distinct x).
    public var slope: Double { cxx > 0 ? cxy / cxx : .nan }

    /// The intercept a.
    public var intercept: Double { meanY - slope * meanX }

    /// The standard error of the slope, sqrt(SSR/(n − 2)/Sxx) (NaN with fewer than 3 points).
    public var slopeStandardError: Double {
        guard count > 2, cxx > 0 else { return .nan }
        let ssr = max(cyy - cxy * cxy / cxx, 0)
        return (ssr / Double(count - 2) / cxx).squareRoot()
    }

    public private(set) var firstX: Double?
    public private(set) var lastX: Double?

    /// The range of x covered, lastX − firstX.
    public var span: Double { (lastX ?? 0) - (firstX ?? 0) }
}
