import Foundation

/// A least-squares line through (log₁₀ x, log₁₀ y): y ≈ 10^intercept · x^slope.
///
/// Points with a non-positive or non-finite coordinate are left out. The 95 % confidence interval of the
/// slope uses Student's t with n − 2 degrees of freedom; it needs at least three points.
public struct PowerLawFit: Equatable, Sendable {
    public var slope: Double
    public var intercept: Double
    /// Standard error of the slope; nil with fewer than three points.
    public var slopeStandardError: Double?
    /// Half-width of the 95 % confidence interval of the slope; nil with fewer than three points.
    public var slopeHalfWidth95: Double?
    public var pointCount: Int

    public init?(x: [Double], y: [Double]) {
        let pts = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
            .map { (Foundation.log10($0.0), Foundation.log10($0.1)) }
        let n = pts.count
        guard n >= 2 else { return nil }
        let mx = pts.map(\.0).reduce(0, +) / Double(n), my = pts.map(\.1).reduce(0, +) / Double(n)
        let sxx = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        let sxy = pts.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        guard sxx > 0 else { return nil }
        slope = sxy / sxx
        intercept = my - slope * mx
        pointCount = n
        if n >= 3 {
            let rss = pts.reduce(0) { acc, p in
                let r = p.1 - (intercept + slope * p.0)
                return acc + r * r
            }
            let se = (rss / Double(n - 2) / sxx).squareRoot()
            slopeStandardError = se
            slopeHalfWidth95 = Self.studentT975(degreesOfFreedom: n - 2) * se
        } else {
            slopeStandardError = nil
            slopeHalfWidth95 = nil
        }
    }

    /// y on the fitted line at x.
    public func value(at x: Double) -> Double {
        Foundation.pow(10, intercept + slope * Foundation.log10(x))
    }

    /// The 97.5 % quantile of Student's t (two-sided 95 %): tabulated to 30 degrees of freedom,
    /// 1.96 + 2.44/ν beyond (within 0.001 of the exact value).
    public static func studentT975(degreesOfFreedom nu: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        guard nu >= 1 else { return .infinity }
        return nu <= table.count ? table[nu - 1] : 1.96 + 2.44 / Double(nu)
    }
}
