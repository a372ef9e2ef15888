import Foundation
import NTKDynamics

/// Independent references for the infinite-width kernel maps T = E[φ(u)φ(v)], Ṫ = E[φ′(u)φ′(v)],
/// (u, v) ~ N(0, [[q1, c], [c, q2]]), used to test ``Activation/kernelMaps(q1:c:q2:rule:)`` and ``AnalyticNTK``.
///
/// Nothing here calls the library's kernel maps, its Gauss–Hermite rule or ``Activation/value(_:)``: φ and φ′ are
/// `Reference.phi` / `Reference.phiPrime` (ReferenceJacobian.swift), and the formulas are written out again.
package enum KernelMapReference {
    /// A Monte Carlo estimate with its standard error.
    package struct Estimate {
        package var t: Double
        package var tDot: Double
        package var tError: Double
        package var tDotError: Double
    }

    /// Monte Carlo over `samples` draws of (u, v) = (√q1·z1, ρ√q2·z1 + √(1−ρ²)·√q2·z2).
    package static func monteCarlo(_ act: Activation, q1: Double, rho: Double, q2: Double, samples: Int, seed: UInt64) -> Estimate {
        var rng = RandomSource(seed: seed, stream: 77)
        let a = q1.squareRoot(), b = rho * q2.squareRoot(), c = (1 - rho * rho).squareRoot() * q2.squareRoot()
        var s1 = 0.0, s2 = 0.0, d1 = 0.0, d2 = 0.0
        for _ in 0..<samples {
            let z1 = rng.normal(), z2 = rng.normal()
            let u = a * z1, v = b * z1 + c * z2
            let p = Reference.phi(act, u) * Reference.phi(act, v)
            let d = Reference.phiPrime(act, u) * Reference.phiPrime(act, v)
            s1 += p; s2 += p * p
            d1 += d; d2 += d * d
        }
        let n = Double(samples)
        let mt = s1 / n, md = d1 / n
        return Estimate(t: mt, tDot: md,
                        tError: (max(s2 / n - mt * mt, 0) / n).squareRoot(),
                        tDotError: (max(d2 / n - md * md, 0) / n).squareRoot())
    }

    /// T and Ṫ by the composite trapezoid rule on z ∈ [−L, L]² with step h, for the Gaussian-weighted integrand
    /// in (z1, z2). For φ analytic in a strip the trapezoid rule converges geometrically in 1/h (error about
    /// e^{−2πa/h} for a strip of half-width a in z), so h = 0.06 leaves about e^{−90} for tanh at q ≤ 3 (and less for gelu, which is entire): round-off, ~1e-15, is all;
    /// the truncation at L = 8.5 costs about e^{−L²/2} ≈ 2e-16.
    package static func trapezoid(_ act: Activation, q1: Double, c: Double, q2: Double, h: Double = 0.06, limit: Double = 8.5) -> (t: Double, tDot: Double) {
        let m = Int((limit / h).rounded())
        let zs = (-m...m).map { Double($0) * h }
        let ws = zs.map { h * exp(-$0 * $0 / 2) / (2 * Double.pi).squareRoot() }
        let l11 = q1.squareRoot()
        let l21 = l11 > 0 ? c / l11 : 0
        let l22 = max(q2 - l21 * l21, 0).squareRoot()
        var t = 0.0, td = 0.0
        for (za, wa) in zip(zs, ws) {
            let u = l11 * za
            let pu = Reference.phi(act, u), du = Reference.phiPrime(act, u)
            var it = 0.0, id = 0.0
            for (zb, wb) in zip(zs, ws) {
                let v = l21 * za + l22 * zb
                it += wb * Reference.phi(act, v)
                id += wb * Reference.phiPrime(act, v)
            }
            t += wa * pu * it
            td += wa * du * id
        }
        return (t, td)
    }

    /// The closed forms, written out independently of the library (relu: Cho & Saul 2009; erf: Williams 1997).
    package static func closedForm(_ act: Activation, q1: Double, c: Double, q2: Double) -> (t: Double, tDot: Double)? {
        switch act {
        case .relu:
            let norm = (q1 * q2).squareRoot()
            if norm == 0 { return (0, 0) }
            let theta = acos(min(1, max(-1, c / norm)))
            return (norm / (2 * Double.pi) * (sin(theta) + (Double.pi - theta) * cos(theta)), (Double.pi - theta) / (2 * Double.pi))
        case .erf:
            let a = 1 + 2 * q1, b = 1 + 2 * q2
            return (2 / Double.pi * asin(2 * c / (a * b).squareRoot()), 4 / Double.pi / (a * b - 4 * c * c).squareRoot())
        case .linear:
            return (c, 1)
        case .tanh, .gelu:
            return nil
        }
    }

    /// T and Ṫ for any activation: the closed form, or the trapezoid rule.
    package static func maps(_ act: Activation, q1: Double, c: Double, q2: Double) -> (t: Double, tDot: Double) {
        closedForm(act, q1: q1, c: c, q2: q2) ?? trapezoid(act, q1: q1, c: c, q2: q2)
    }

    /// Σ and Θ for one pair of inputs by the recursion of Docs/Conventions.md written out for scalars, with the
    /// standard-parameterization terms (fan-in·T, 1 per bias) from Docs/InfiniteWidth.md.
    package static func kernels(_ x: [Double], _ y: [Double], _ a: NetworkArchitecture) -> (nngp: Double, ntk: Double) {
        let d = Double(x.count)
        var xy = 0.0, xx = 0.0, yy = 0.0
        for i in x.indices { xy += x[i] * y[i]; xx += x[i] * x[i]; yy += y[i] * y[i] }
        let w2 = a.weightStd * a.weightStd
        let b2 = a.hasBias ? a.biasStd * a.biasStd : 0
        let standard = a.parameterization == .standard
        let biasNTK = a.hasBias ? (standard ? 1 : b2) : 0
        var s12 = w2 * xy / d + b2, s11 = w2 * xx / d + b2, s22 = w2 * yy / d + b2
        var theta = (standard ? xy : w2 * xy / d) + biasNTK
        for _ in 0..<a.depth {
            let m12 = maps(a.activation, q1: s11, c: s12, q2: s22)
            let m11 = maps(a.activation, q1: s11, c: s11, q2: s11)
            let m22 = maps(a.activation, q1: s22, c: s22, q2: s22)
            theta = (standard ? Double(a.width) : w2) * m12.t + biasNTK + w2 * m12.tDot * theta
            s12 = w2 * m12.t + b2
            s11 = w2 * m11.t + b2
            s22 = w2 * m22.t + b2
        }
        return (s12, theta)
    }
}

extension Matrix {
    /// The largest |entry|.
    package var maxAbs: Double { data.reduce(0) { max($0, abs($1)) } }
}

/// ‖a − b‖_F/‖b‖_F with plain loops.
package func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
    precondition(a.rows == b.rows && a.cols == b.cols)
    return naiveDistance(a.data, b.data) / naiveNorm(b.data)
}
