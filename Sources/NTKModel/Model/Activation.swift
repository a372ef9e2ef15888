import Foundation

/// A pointwise nonlinearity φ with its derivatives φ′ and φ″.
///
/// Every activation keeps everything it needs in this one type, so adding one touches this file:
/// `value` (φ), `derivative` (φ′), `secondDerivative` (φ″, for Hessian-vector products), the raw value (the command-line
/// spelling), and its infinite-width kernel maps T and Ṫ (``kernelMaps(q1:c:q2:rule:)``: a closed form, or Gauss–Hermite quadrature of
/// ``valueAndDerivative(_:)``).
public enum Activation: String, CaseIterable, Codable, Sendable {
    /// φ(z) = max(0, z), φ′(z) = 1 for z > 0 and 0 otherwise, φ″(z) = 0 (almost everywhere).
    case relu
    /// φ(z) = tanh z, φ′(z) = 1 − tanh² z, φ″(z) = −2·tanh z·(1 − tanh² z).
    case tanh
    /// φ(z) = erf z, φ′(z) = (2/√π)·e^{−z²}, φ″(z) = −2z·φ′(z)  (neural-tangents' `stax.Erf()`).
    case erf
    /// φ(z) = z·Φ(z) with Φ the standard normal CDF (exact GELU, `stax.Gelu(approximate=False)`),
    /// φ′(z) = Φ(z) + z·ϕ(z) with ϕ the standard normal density, φ″(z) = (2 − z²)·ϕ(z).
    case gelu
    /// φ(z) = z, φ′(z) = 1, φ″(z) = 0: the network is linear in its input, and its NTK is constant in training
    /// only when depth is 0 (with hidden layers it is multilinear in the weights).
    case linear

    /// φ(z), in the precision of `z`.
    @inlinable @inline(__always)
    public func value<S: NetworkScalar>(_ z: S) -> S {
        switch self {
        case .relu: return z > 0 ? z : 0
        case .tanh: return S.tanh(z)
        case .erf: return S.erf(z)
        case .gelu: return 0.5 * z * (1 + S.erf(z * 0.7071067811865476))
        case .linear: return z
        }
    }

    /// φ′(z), in the precision of `z`.
    @inlinable @inline(__always)
    public func derivative<S: NetworkScalar>(_ z: S) -> S {
        switch self {
        case .relu: return z > 0 ? 1 : 0
        case .tanh:
            let t = S.tanh(z)
            return 1 - t * t
        case .erf: return 1.1283791670955126 * S.exp(-z * z)
        case .gelu:
            return 0.5 * (1 + S.erf(z * 0.7071067811865476)) + z * 0.3989422804014327 * S.exp(-0.5 * z * z)
        case .linear: return 1
        }
    }

    /// φ″(z) in float64, for the exact Hessian-vector products of ``HessianSharpness`` (0 for relu, whose φ′ jumps
    /// at 0: the Hessian exists almost everywhere and has no φ″ term there).
    @inlinable
    public func secondDerivative(_ z: Double) -> Double {
        switch self {
        case .relu, .linear: return 0
        case .tanh:
            let t = Foundation.tanh(z)
            return -2 * t * (1 - t * t)
        case .erf: return -2 * z * 1.1283791670955126 * Foundation.exp(-z * z)
        case .gelu: return (2 - z * z) * 0.3989422804014327 * Foundation.exp(-0.5 * z * z)
        }
    }

    /// Applies φ to every entry of `z` in place and returns φ′ at the original entries, in the matrix's precision.
    ///
    /// Generic code reaches it through ``NetworkScalar/activate(_:_:)``, whose two conformances call it with a
    /// concrete precision inside this module, where the loop is specialized and vectorized.
    ///
    /// - Complexity: O(rows·cols), one pass.
    public func apply<S: NetworkScalar>(_ z: inout DenseMatrix<S>) -> DenseMatrix<S> {
        if self == .relu { return S.relu(&z) }
        var d = DenseMatrix<S>(rows: z.rows, cols: z.cols)
        let n = z.data.count
        z.data.withUnsafeMutableBufferPointer { pz in
            d.data.withUnsafeMutableBufferPointer { pd in
                switch self {
                case .relu, .linear:  // relu: S.relu above
                    for i in 0..<n { pd[i] = 1 }
                case .tanh:
                    for i in 0..<n {
                        let t = S.tanh(pz[i])
                        pz[i] = t
                        pd[i] = 1 - t * t
                    }
                default:
                    for i in 0..<n {
                        let v = pz[i]
                        pd[i] = derivative(v)
                        pz[i] = value(v)
                    }
                }
            }
        }
        return d
    }
}

// MARK: - Infinite-width kernel maps (Docs/InfiniteWidth.md)

extension Activation {
    /// φ(z) and φ′(z) in one evaluation (tanh and gelu share work between them), for the quadrature sums.
    ///
    /// tanh is evaluated as 1 − 2/(1 + e^{2z}): one `exp` instead of libm's `tanh` (which calls `expm1`), twice
    /// as fast in the quadrature's inner loop; its error is ≤ 2e-16 absolute (not relative near 0), which is what a
    /// weighted sum of values bounded by 1 needs.
    @inline(__always)
    public func valueAndDerivative(_ z: Double) -> (Double, Double) {
        switch self {
        case .relu: return z > 0 ? (z, 1) : (0, 0)
        case .tanh:
            let t = 1 - 2 / (1 + Foundation.exp(2 * z))
            return (t, 1 - t * t)
        case .erf: return (Foundation.erf(z), 1.1283791670955126 * Foundation.exp(-z * z))
        case .gelu:
            let cdf = 0.5 * Foundation.erfc(-z * 0.7071067811865476)
            return (z * cdf, cdf + z * 0.3989422804014327 * Foundation.exp(-0.5 * z * z))
        case .linear: return (z, 1)
        }
    }

    /// E[φ(m + sZ)] and E[φ′(m + sZ)] for Z ~ N(0, 1) (φ and φ′ smoothed by a Gaussian of standard deviation s),
    /// in closed form; nil for tanh, which has none. With r = √(1 + s²) and Φ, ϕ the standard normal CDF and density:
    ///
    /// - gelu: E φ = m·Φ(m/r) + s²·ϕ(m/r)/r,  E φ′ = Φ(m/r) + m·ϕ(m/r)/r³  (Stein's lemma)
    /// - erf: E φ = erf(m/√(1+2s²)),  E φ′ = (2/√π)·e^{−m²/(1+2s²)}/√(1+2s²)
    /// - relu: E φ = m·Φ(m/s) + s·ϕ(m/s),  E φ′ = Φ(m/s)  (s > 0)
    /// - linear: E φ = m,  E φ′ = 1
    @inline(__always)
    public func gaussianSmoothed(mean m: Double, std s: Double) -> (Double, Double)? {
        switch self {
        case .gelu:
            let r2 = 1 + s * s, r = r2.squareRoot(), a = m / r
            let cdf = 0.5 * Foundation.erfc(-a * 0.7071067811865476)
            let pdf = 0.3989422804014327 * Foundation.exp(-0.5 * a * a)
            return (m * cdf + s * s * pdf / r, cdf + m * pdf / (r * r2))
        case .erf:
            let r2 = 1 + 2 * s * s
            return (Foundation.erf(m / r2.squareRoot()), 1.1283791670955126 * Foundation.exp(-m * m / r2) / r2.squareRoot())
        case .relu:
            guard s > 0 else { return valueAndDerivative(m) }
            let a = m / s
            let cdf = 0.5 * Foundation.erfc(-a * 0.7071067811865476)
            return (m * cdf + s * 0.3989422804014327 * Foundation.exp(-0.5 * a * a), cdf)
        case .linear:
            return (m, 1)
        case .tanh:
            return nil
        }
    }

    /// Whether φ and φ′ are smooth (analytic) everywhere; false for relu, whose kink at 0 (and the jump of φ′)
    /// needs quadrature rules split at 0 (``PolarGaussRule``), and which Mehler's series (``HermiteExpansion``)
    /// would approximate only algebraically.
    public var isSmooth: Bool {
        switch self {
        case .relu: return false
        case .tanh, .erf, .gelu, .linear: return true
        }
    }

    /// Whether ``kernelMaps(q1:c:q2:rule:)`` uses a closed form (relu, erf, linear) rather than quadrature
    /// (tanh, gelu).
    public var hasClosedFormKernelMaps: Bool {
        switch self {
        case .relu, .erf, .linear: return true
        case .tanh, .gelu: return false
        }
    }

    /// The kernel maps of infinite-width layers,
    ///
    ///     T = E[φ(u)·φ(v)],   Ṫ = E[φ′(u)·φ′(v)],   (u, v) ~ N(0, [[q1, c], [c, q2]]),
    ///
    /// from the closed form when there is one, else by ``quadratureKernelMaps(q1:c:q2:rule:)``.
    ///
    /// - relu (Cho & Saul 2009, arc-cosine kernels of degree 1 and 0): with cos θ = c/√(q1q2),
    ///   T = √(q1q2)·(sin θ + (π − θ)·cos θ)/(2π),  Ṫ = (π − θ)/(2π);  T = Ṫ = 0 when q1·q2 = 0.
    /// - erf (Williams 1997):  T = (2/π)·arcsin(2c/√((1+2q1)(1+2q2))),
    ///   Ṫ = (4/π)/√((1+2q1)(1+2q2) − 4c²).
    /// - linear: T = c, Ṫ = 1.
    /// - tanh: bivariate Gauss–Hermite quadrature with `rule` (``quadratureKernelMaps(q1:c:q2:rule:)``).
    /// - gelu: Gauss–Hermite quadrature with `rule` over u and the expectation over v given u in closed form
    ///   (``semiAnalyticKernelMaps(q1:c:q2:rule:)``): n instead of n² evaluations, and more accurate.
    ///
    /// `rule` is only read for tanh and gelu.
    @inline(__always)
    public func kernelMaps(q1: Double, c: Double, q2: Double, rule: GaussHermiteRule) -> (t: Double, tDot: Double) {
        switch self {
        case .relu:
            let s = (q1 * q2).squareRoot()
            guard s > 0 else { return (0, 0) }
            // θ ∝ √(1 − |cos θ|) near ±1 amplifies round-off in c (coincident or opposite inputs reached by
            // different arithmetic); within a few ulps of ±1 the angle is taken as exactly 0 or π.
            var cosine = Swift.min(Swift.max(c / s, -1), 1)
            if 1 - Swift.abs(cosine) <= 4 * Double.ulpOfOne { cosine = cosine > 0 ? 1 : -1 }
            let theta = Foundation.acos(cosine)
            let sine = Swift.max(1 - cosine * cosine, 0).squareRoot()
            return (s * (sine + (Double.pi - theta) * cosine) / (2 * Double.pi), (Double.pi - theta) / (2 * Double.pi))
        case .erf:
            let a = 1 + 2 * q1, b = 1 + 2 * q2
            let ratio = Swift.min(Swift.max(2 * c / (a * b).squareRoot(), -1), 1)
            let det = Swift.max(a * b - 4 * c * c, 0)
            return (2 / Double.pi * Foundation.asin(ratio), 4 / Double.pi / det.squareRoot())
        case .linear:
            return (c, 1)
        case .tanh:
            return quadratureKernelMaps(q1: q1, c: c, q2: q2, rule: rule)
        case .gelu:
            return semiAnalyticKernelMaps(q1: q1, c: c, q2: q2, rule: rule)!
        }
    }

    /// T and Ṫ by a one-dimensional Gauss–Hermite rule over u = √q1·z with the conditional expectation over
    /// v | u ~ N((c/q1)·u, q2 − c²/q1) in closed form (``gaussianSmoothed(mean:std:)``); nil for tanh.
    ///
    /// - Complexity: n evaluations of φ, φ′ and of the smoothed pair for an n-point rule.
    public func semiAnalyticKernelMaps(q1: Double, c: Double, q2: Double, rule: GaussHermiteRule) -> (t: Double, tDot: Double)? {
        guard gaussianSmoothed(mean: 0, std: 1) != nil else { return nil }
        let (a, b) = q1 <= q2 ? (q1, q2) : (q2, q1)
        let r = rule.conditionalExpectations(q1: a, c: c, q2: b,
                                             outer: { z in self.valueAndDerivative(z) },
                                             inner: { m, s in self.gaussianSmoothed(mean: m, std: s)! })
        return (r.0, r.1)
    }

    /// T and Ṫ by quadrature, for any activation (tests run it on the closed-form ones to measure its accuracy;
    /// Docs/InfiniteWidth.md has the figures): for a smooth φ the bivariate Gauss–Hermite product rule on the
    /// Cholesky factor of the covariance (``GaussHermiteRule/productExpectations(q1:c:q2:_:)``); for one with a
    /// kink at 0 (relu) the polar rule split at the kinks (``GaussHermiteRule/polarRule``), which converges
    /// exponentially where the product rule would converge like 1/n.
    ///
    /// - Complexity: about 0.4·n² evaluations of φ and φ′ for an n-point rule (1600 for n = 64), fewer for
    ///   correlated pairs; with the polar rule 8·max(n/4, 16)·min(max(n/4, 2), 100) (2048 for n = 64).
    public func quadratureKernelMaps(q1: Double, c: Double, q2: Double, rule: GaussHermiteRule) -> (t: Double, tDot: Double) {
        if !isSmooth, let polar = rule.polarRule {
            // Ordered like the product rule below, so that T(q1, c, q2) = T(q2, c, q1) exactly.
            let (a, b) = q1 <= q2 ? (q1, q2) : (q2, q1)
            let r = polar.expectations(q1: a, c: c, q2: b) { z in self.valueAndDerivative(z) }
            return (r.0, r.1)
        }
        // The product rule is not symmetric in (u, v): ordering the variances makes T(q1, c, q2) = T(q2, c, q1)
        // exactly, so Θ(X*, X) is the transpose of Θ(X, X*) to round-off, not to the quadrature error.
        let (a, b) = q1 <= q2 ? (q1, q2) : (q2, q1)
        // valueAndDerivative is inlined; the switch on self is loop-invariant.
        let r = rule.productExpectations(q1: a, c: c, q2: b) { z in self.valueAndDerivative(z) }
        return (r.0, r.1)
    }
}
