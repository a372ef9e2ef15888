import Foundation

/// Bivariate Gaussian expectations of functions with kinks at 0, by a product rule in polar coordinates that
/// splits the angle at the kinks.
///
/// For (u, v) ~ N(0, [[q1, c], [c, q2]]) write (u, v) = L·z with L the Cholesky factor [[l11, 0], [l21, l22]] and
/// z = r·(cos θ, sin θ), where r has the Rayleigh density r·e^{−r²/2} on [0, ∞) and θ is uniform on [0, 2π):
///
///     E[f(u)·g(v)] = (1/2π) ∫₀^{2π} E_r[f(r·α(θ))·g(r·β(θ))] dθ,   α = l11·cos θ,  β = l21·cos θ + l22·sin θ.
///
/// If f and g are smooth except at 0 (relu and its step derivative; any piecewise-smooth φ with its breakpoint
/// at 0), then along a ray the signs of r·α and r·β do not change, so the radial integrand is smooth; and the
/// angular integrand is smooth except where α or β vanishes: at most four angles, known in closed form. A
/// Gauss–Legendre rule on each of the arcs between them and a Gauss rule for the Rayleigh weight on r then
/// converge exponentially, where a Gauss–Hermite product rule in Cartesian coordinates converges only
/// algebraically (error ∝ 1/n for relu, because the kink cuts through its node grid). For relu itself
/// f(r·α)·g(r·β) = r²·relu(α)·relu(β) is a polynomial in r and a trigonometric polynomial on each arc: the rule
/// is exact to round-off with a few nodes.
///
/// The Rayleigh rule comes from the Stieltjes procedure on a discretization of its weight (composite
/// Gauss–Legendre on [0, R], R = max(12, √(8n) + 8), beyond the largest node and where the weight times any
/// polynomial of degree < 2n is below round-off), then Golub–Welsch (Gautschi 2004, §2.2).
public struct PolarGaussRule: Equatable, Sendable {
    /// Nodes per arc (Gauss–Legendre on [−1, 1]) and their weights, summing to 2.
    public let angularNodes: [Double]
    public let angularWeights: [Double]
    /// Radial nodes and weights for the Rayleigh weight r·e^{−r²/2} on [0, ∞), weights summing to 1.
    public let radialNodes: [Double]
    public let radialWeights: [Double]

    /// A rule with `angular` Gauss–Legendre nodes per arc (at most four arcs) and `radial` Rayleigh nodes: at most
    /// 8·angular·radial evaluations of f and g per expectation.
    ///
    /// - Throws: ``LAPACKError`` if a Golub–Welsch eigenproblem fails.
    public init(angular: Int, radial: Int) throws {
        precondition(angular >= 1 && radial >= 1 && radial <= 100, "polar rule sizes \(angular), \(radial)")
        (angularNodes, angularWeights) = try Self.gaussLegendre(angular)
        (radialNodes, radialWeights) = try Self.rayleigh(radial)
    }

    /// E[g(u)·g(v)] and E[h(u)·h(v)] together, where `gh(z)` returns (g(z), h(z)), for (u, v) ~ N(0, [[q1, c], [c, q2]]).
    ///
    /// - Complexity: 2·(arcs)·angular·radial evaluations of `gh`, arcs ≤ 4.
    @inline(__always)
    public func expectations(q1: Double, c: Double, q2: Double, _ gh: (Double) -> (Double, Double)) -> (Double, Double) {
        let (l11, l21, l22) = GaussHermiteRule.cholesky(q1: q1, c: c, q2: q2)
        // Angles in [0, 2π) where α = l11·cos θ or β = R·cos(θ − ψ) vanishes (R = √(l21² + l22²), ψ = atan2(l22, l21)).
        var cuts: [Double] = [0.5 * Double.pi, 1.5 * Double.pi]
        if l21 != 0 || l22 != 0 {
            let psi = Foundation.atan2(l22, l21)
            for angle in [psi + 0.5 * Double.pi, psi - 0.5 * Double.pi] {
                cuts.append(angle - 2 * Double.pi * (angle / (2 * Double.pi)).rounded(.down))
            }
        }
        cuts.sort()
        var sg = 0.0, sh = 0.0
        for (index, start) in cuts.enumerated() {
            let end = index + 1 < cuts.count ? cuts[index + 1] : cuts[0] + 2 * Double.pi
            let half = 0.5 * (end - start), mid = 0.5 * (end + start)
            guard half > 0 else { continue }
            for (x, wx) in zip(angularNodes, angularWeights) {
                let theta = mid + half * x
                let cosine = Foundation.cos(theta), sine = Foundation.sin(theta)
                let alpha = l11 * cosine, beta = l21 * cosine + l22 * sine
                var rg = 0.0, rh = 0.0
                for (r, wr) in zip(radialNodes, radialWeights) {
                    let (gu, hu) = gh(r * alpha), (gv, hv) = gh(r * beta)
                    rg += wr * gu * gv
                    rh += wr * hu * hv
                }
                // dθ/(2π) on the arc: half·wx/(2π).
                let w = half * wx / (2 * Double.pi)
                sg += w * rg
                sh += w * rh
            }
        }
        return (sg, sh)
    }

    // MARK: Rules from three-term recurrences (Golub–Welsch).

    /// Nodes and weights (normalized to the total mass `mass`) of the Gauss rule whose monic orthogonal polynomials
    /// satisfy p_{k+1} = (x − a_k)·p_k − b_k·p_{k−1}.
    static func golubWelsch(a: [Double], b: [Double], mass: Double) throws -> ([Double], [Double]) {
        let n = a.count
        let eigen = try SymmetricEigendecomposition(tridiagonal: a, offDiagonal: (1..<max(n, 1)).map { b[$0].squareRoot() })
        let weights = (0..<n).map { mass * eigen.vectors[0, $0] * eigen.vectors[0, $0] }
        return (eigen.values, weights)
    }

    /// The n-point Gauss–Legendre rule on [−1, 1]: a_k = 0, b_k = k²/(4k² − 1); weights sum to 2.
    static func gaussLegendre(_ n: Int) throws -> ([Double], [Double]) {
        let b = (0..<n).map { k -> Double in
            let kk = Double(k * k)
            return k == 0 ? 2 : kk / (4 * kk - 1)
        }
        return try golubWelsch(a: [Double](repeating: 0, count: n), b: b, mass: 2)
    }

    /// The n-point Gauss rule for the Rayleigh weight r·e^{−r²/2} on [0, ∞) (total mass 1), by the Stieltjes
    /// procedure on a discretization: panels of width 1/4 with 24 Gauss–Legendre nodes each on [0, R],
    /// R = max(12, √(8n) + 8). The moments of degree k < 2n peak near r = √(k + 1) < √(2n), so the mass they
    /// leave beyond R is below e^{−32}·(their size), and on each panel the integrand is a polynomial times an
    /// entire weight that 24 nodes integrate to round-off.
    static func rayleigh(_ n: Int) throws -> ([Double], [Double]) {
        let (gx, gw) = try gaussLegendre(24)
        let limit = Swift.max(12, (8 * Double(n)).squareRoot() + 8)
        let panels = Int((limit * 4).rounded(.up)), width = limit / Double(panels)
        var x: [Double] = [], w: [Double] = []
        for p in 0..<panels {
            let left = Double(p) * width
            for (t, wt) in zip(gx, gw) {
                let r = left + 0.5 * width * (t + 1)
                x.append(r)
                w.append(0.5 * width * wt * r * Foundation.exp(-0.5 * r * r))
            }
        }
        // Stieltjes: p_{k+1} = (x − a_k)·p_k − b_k·p_{k−1} on the discrete measure, a_k = ⟨x p_k, p_k⟩/⟨p_k, p_k⟩,
        // b_k = ⟨p_k, p_k⟩/⟨p_{k−1}, p_{k−1}⟩; the polynomials are rescaled each step to avoid overflow.
        var a = [Double](repeating: 0, count: n), b = [Double](repeating: 0, count: n)
        var previous = [Double](repeating: 0, count: x.count), current = [Double](repeating: 1, count: x.count)
        var previousNorm = 1.0
        for k in 0..<n {
            var norm = 0.0, moment = 0.0
            for i in x.indices {
                norm += w[i] * current[i] * current[i]
                moment += w[i] * x[i] * current[i] * current[i]
            }
            a[k] = moment / norm
            b[k] = k == 0 ? norm : norm / previousNorm
            var next = [Double](repeating: 0, count: x.count)
            for i in x.indices { next[i] = (x[i] - a[k]) * current[i] - (k == 0 ? 0 : b[k]) * previous[i] }
            // Rescale p_k and p_{k+1} together by 1/√norm: the ratios a and b are unchanged.
            let s = 1 / norm.squareRoot()
            previous = current.map { $0 * s }
            current = next.map { $0 * s }
            previousNorm = norm * s * s
        }
        return try golubWelsch(a: a, b: b, mass: 1)
    }
}
