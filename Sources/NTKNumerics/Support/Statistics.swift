import Foundation

/// The statistics the summaries and the report share, once: the sample mean and standard deviation and the
/// log-log slope. With ``LinearFit`` (a least-squares line with its slope's standard error) and ``StudentT``
/// (quantiles for 95 % intervals) they are the library's statistics module.
public enum Statistics {
    /// The mean x̄ = Σx/n, summed in order; NaN for no values.
    public static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation s = √(Σ(x − x̄)²/(n − 1)), summed in order; nil for fewer than two values.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1 else { return nil }
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// The least-squares slope of log y against log x, Σ(u − ū)(v − v̄)/Σ(u − ū)² with u = log x, v = log y
    /// (two passes: the means, then the sums); nil with fewer than two distinct x or any x, y not positive and
    /// finite. Against the width, ‖K₀ − Θ‖/‖Θ‖ has about −1/2 (Docs/InfiniteWidth.md).
    public static func logLogSlope(x: [Double], y: [Double]) -> Double? {
        precondition(x.count == y.count)
        guard x.count >= 2, zip(x, y).allSatisfy({ $0 > 0 && $1 > 0 && $0.isFinite && $1.isFinite }) else { return nil }
        let lx = x.map { Foundation.log($0) }, ly = y.map { Foundation.log($0) }
        let mx = mean(lx), my = mean(ly)
        var sxy = 0.0, sxx = 0.0
        for i in lx.indices {
            sxy += (lx[i] - mx) * (ly[i] - my)
            sxx += (lx[i] - mx) * (lx[i] - mx)
        }
        return sxx > 0 ? sxy / sxx : nil
    }
}
