import Foundation

/// Student's t distribution: CDF through the regularized incomplete beta function and quantiles by
/// bisection, for confidence intervals of fitted slopes.
public enum StudentT {
    /// P(T ≤ t) for `dof` degrees of freedom.
    public static func cdf(_ t: Double, dof: Double) -> Double {
        let x = dof / (dof + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: dof / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile (0 < p < 1): the t with P(T ≤ t) = p, to 1e-12.
    public static func quantile(_ p: Double, dof: Double) -> Double {
        precondition(p > 0 && p < 1 && dof > 0)
        var lo = -1e3, hi = 1e3
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if cdf(mid, dof: dof) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return 0.5 * (lo + hi)
    }

    /// I_x(a, b) by its continued fraction (modified Lentz), using the symmetry for x > (a+1)/(a+b+2).
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = Foundation.lgamma(a + b) - Foundation.lgamma(a) - Foundation.lgamma(b)
        let lnPowers: Double = a * Foundation.log(x) + b * Foundation.log(1 - x)
        let lnFront = lnBeta + lnPowers
        if x > (a + 1) / (a + b + 2) {
            return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a)
        }
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m)
            var aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return Foundation.exp(lnFront) * h / a
    }
}
