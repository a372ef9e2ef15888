import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKNumerics

/// The Gauss–Hermite rule (Golub–Welsch through LAPACKE dstev) and the kernel maps T, Ṫ of every activation.
@Suite("Gauss–Hermite and kernel maps")
struct GaussHermiteTests {
    /// (2m − 1)!! = E[Z^{2m}], exact in Double for m ≤ 15.
    static func doubleFactorialMoment(_ p: Int) -> Double {
        guard p % 2 == 0 else { return 0 }
        var r = 1.0
        var k = p - 1
        while k > 1 { r *= Double(k); k -= 2 }
        return r
    }

    @Test("small rules equal the textbook nodes and weights")
    func textbookRules() throws {
        let one = try GaussHermiteRule(degree: 1)
        #expect(one.nodes == [0] && one.weights == [1])
        let two = try GaussHermiteRule(degree: 2)
        #expect(abs(two.nodes[1] - 1) < 1e-15 && two.nodes[0] == -two.nodes[1])
        #expect(abs(two.weights[0] - 0.5) < 1e-15 && abs(two.weights[1] - 0.5) < 1e-15)
        let three = try GaussHermiteRule(degree: 3)
        #expect(three.nodes[1] == 0)
        #expect(abs(three.nodes[2] - 3.0.squareRoot()) < 1e-14)
        #expect(abs(three.weights[1] - 2.0 / 3) < 1e-15 && abs(three.weights[2] - 1.0 / 6) < 1e-15)
    }

    @Test("an n-point rule integrates every polynomial of degree ≤ 2n − 1 exactly, and not degree 2n",
          arguments: [1, 2, 3, 4, 5, 8, 15, 16, 32, 64, 100])
    func polynomialExactness(n: Int) throws {
        let rule = try GaussHermiteRule(degree: n)
        #expect(rule.nodes.count == n && rule.weights.count == n)
        #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-14)
        #expect(rule.weights.allSatisfy { $0 > 0 })
        #expect(zip(rule.nodes, rule.nodes.dropFirst()).allSatisfy { $0 < $1 })
        for p in 0...min(2 * n - 1, 30) {
            let exact = Self.doubleFactorialMoment(p)
            let got = rule.expectation { pow($0, Double(p)) }
            // Round-off is relative to the terms summed: Σ w_i·|z_i|^p (odd moments cancel between them).
            let scale = rule.expectation { pow(abs($0), Double(p)) }
            #expect(abs(got - exact) <= 1e-13 * scale, "n = \(n), E[Z^\(p)] = \(got), exact \(exact)")
        }
        if 2 * n <= 30 {
            // Degree 2n is the first the rule gets wrong: the test above could fail.
            let exact = Self.doubleFactorialMoment(2 * n)
            let got = rule.expectation { pow($0, Double(2 * n)) }
            #expect(abs(got - exact) > 1e-6 * exact, "n = \(n): degree \(2 * n) should not be exact")
        }
    }

    @Test("nodes and weights alone (Christoffel numbers) equal the Golub–Welsch rule, and integrate moments exactly at 1024 nodes",
          arguments: [1, 2, 7, 64, 300])
    func christoffelWeights(n: Int) throws {
        let full = try GaussHermiteRule(degree: n), light = try GaussHermiteRule.nodesAndWeights(degree: n)
        #expect(light.orthonormalBasis.rows == 0 && light.coarserRules.isEmpty && light.polarRule == nil)
        for i in 0..<n {
            #expect(abs(light.nodes[i] - full.nodes[i]) <= 1e-13 * max(1, abs(full.nodes[i])), "n = \(n), node \(i)")
            // Golub–Welsch weights are accurate to about 1e-16 absolute only (the tiny outer ones have few correct
            // digits), so the two agree to round-off in absolute terms.
            #expect(abs(light.weights[i] - full.weights[i]) <= 1e-13 * full.weights[i] + 1e-15, "n = \(n), weight \(i)")
        }
        // The large rule AnalyticNTK uses for one-dimensional integrals: even moments E[Z^{2p}] = (2p − 1)!!.
        if n == 300 {
            let big = try GaussHermiteRule.nodesAndWeights(degree: 1024)
            #expect(abs(big.weights.reduce(0, +) - 1) < 1e-14)
            for p in [1, 2, 5, 10] {
                let got = big.expectation { pow($0, Double(2 * p)) }
                #expect(abs(got - Self.doubleFactorialMoment(2 * p)) <= 1e-12 * Self.doubleFactorialMoment(2 * p), "E[Z^\(2 * p)] = \(got)")
            }
        }
    }

    /// Isserlis' theorem for (u, v) ~ N(0, [[q1, c], [c, q2]]).
    @Test("the bivariate product rule reproduces Gaussian moments (Isserlis)", arguments: [4, 8, 64, 200])
    func bivariateMoments(n: Int) throws {
        let rule = try GaussHermiteRule(degree: n)
        for (q1, c, q2) in [(1.3, 0.4, 0.7), (2.0, -1.1, 0.9), (0.5, 0.5, 0.5), (0.0, 0.0, 1.7), (1.0, 1.0, 1.0)] {
            let cases: [(String, (Double, Double) -> Double, Double)] = [
                ("1", { _, _ in 1 }, 1),
                ("u²", { u, _ in u * u }, q1),
                ("v²", { _, v in v * v }, q2),
                ("uv", { u, v in u * v }, c),
                ("u²v²", { u, v in u * u * v * v }, q1 * q2 + 2 * c * c),
                ("u³v", { u, v in u * u * u * v }, 3 * q1 * c),
                ("u⁴v²", { u, v in u * u * u * u * v * v }, 3 * q1 * q1 * q2 + 12 * q1 * c * c),
            ]
            for (name, f, exact) in cases {
                let got = rule.expectation(q1: q1, c: c, q2: q2, f)
                #expect(abs(got - exact) <= 1e-12 * max(abs(exact), 1), "n = \(n), q1 \(q1), c \(c), q2 \(q2): E[\(name)] = \(got), exact \(exact)")
            }
        }
    }

    static let grid: [(Double, Double, Double)] = {
        var g: [(Double, Double, Double)] = []
        for (q1, q2) in [(0.1, 0.1), (0.5, 1.0), (1.0, 1.0), (0.1, 1.0), (1.0, 0.5)] {
            for rho in [-1, -0.99, -0.9, -0.5, 0, 0.3, 0.7, 0.9, 0.99, 0.999, 1] {
                g.append((q1, rho * (q1 * q2).squareRoot(), q2))
            }
        }
        return g
    }()

    /// Errors are relative to the natural scale √(T(q1,q1,q1)·T(q2,q2,q2)) (Cauchy–Schwarz bounds |T| by it).
    static func scaledErrors(_ act: Activation, rule: GaussHermiteRule, grid: [(Double, Double, Double)],
                             semiAnalytic: Bool = false) -> (Double, Double) {
        var et = 0.0, ed = 0.0
        for (q1, c, q2) in grid {
            let got = semiAnalytic ? act.semiAnalyticKernelMaps(q1: q1, c: c, q2: q2, rule: rule)!
                : act.quadratureKernelMaps(q1: q1, c: c, q2: q2, rule: rule)
            let ref = KernelMapReference.maps(act, q1: q1, c: c, q2: q2)
            let s1 = KernelMapReference.maps(act, q1: q1, c: q1, q2: q1), s2 = KernelMapReference.maps(act, q1: q2, c: q2, q2: q2)
            et = max(et, abs(got.t - ref.t) / (s1.t * s2.t).squareRoot())
            ed = max(ed, abs(got.tDot - ref.tDot) / (s1.tDot * s2.tDot).squareRoot())
        }
        return (et, ed)
    }

    @Test("quadrature on erf matches its closed form to 1e-8 at 64 nodes (variances ≤ 1), 1e-12 at the default degree, and 1e-8 at 256 nodes (variances up to 3)")
    func quadratureMatchesErfClosedForm() throws {
        let (et, ed) = Self.scaledErrors(.erf, rule: try GaussHermiteRule(degree: 64), grid: Self.grid)
        #expect(et < 1e-8 && ed < 1e-8, "erf, 64 nodes, q ≤ 1: T error \(et), Ṫ error \(ed)")
        let (dt, dd) = Self.scaledErrors(.erf, rule: try GaussHermiteRule(degree: GaussHermiteRule.defaultDegree), grid: Self.grid)
        #expect(dt < 1e-12 && dd < 1e-12, "erf, \(GaussHermiteRule.defaultDegree) nodes, q ≤ 1: T error \(dt), Ṫ error \(dd)")
        let wide = Self.grid.map { ($0.0 * 3, $0.1 * 3, $0.2 * 3) }
        let (wt, wd) = Self.scaledErrors(.erf, rule: try GaussHermiteRule(degree: 256), grid: wide)
        #expect(wt < 1e-8 && wd < 1e-8, "erf, 256 nodes, q ≤ 3: T error \(wt), Ṫ error \(wd)")
        // The library's erf maps are its closed form, not the quadrature: they agree with the reference to round-off.
        for (q1, c, q2) in Self.grid {
            let lib = Activation.erf.kernelMaps(q1: q1, c: c, q2: q2, rule: try GaussHermiteRule(degree: 2))
            let ref = KernelMapReference.closedForm(.erf, q1: q1, c: c, q2: q2)!
            #expect(abs(lib.t - ref.t) < 1e-14 && abs(lib.tDot - ref.tDot) < 1e-14)
        }
    }

    /// ReLU's kink limits a Cartesian Gauss–Hermite rule to algebraic convergence (about 0.26/n for T); the
    /// quadrature path splits a polar rule at the kinks instead and reaches the closed form to round-off.
    @Test("quadrature on relu matches the arc-cosine closed form to 1e-8 (polar rule split at the kinks)",
          arguments: [16, 64])
    func quadratureMatchesReluClosedForm(degree: Int) throws {
        let rule = try GaussHermiteRule(degree: degree)
        let wide = Self.grid + Self.grid.map { ($0.0 * 3, $0.1 * 3, $0.2 * 3) }
        let e = Self.scaledErrors(.relu, rule: rule, grid: wide)
        #expect(e.0 < 1e-8 && e.1 < 1e-8, "relu, degree \(degree): T \(e.0), Ṫ \(e.1)")
        // The Cartesian product rule on the same grid, for contrast: the kink leaves about 1e-3 at 64 nodes.
        var cartesian = 0.0
        for (q1, c, q2) in Self.grid {
            let got = rule.productExpectations(q1: min(q1, q2), c: c, q2: max(q1, q2)) { Activation.relu.valueAndDerivative($0) }
            let ref = KernelMapReference.closedForm(.relu, q1: q1, c: c, q2: q2)!
            cartesian = max(cartesian, abs(got.0 - ref.t) / (q1 * q2).squareRoot())
        }
        #expect(cartesian > 1e-5, "the Cartesian rule on relu: \(cartesian)")
        for (q1, c, q2) in Self.grid {
            let lib = Activation.relu.kernelMaps(q1: q1, c: c, q2: q2, rule: try GaussHermiteRule(degree: 2))
            let ref = KernelMapReference.closedForm(.relu, q1: q1, c: c, q2: q2)!
            #expect(abs(lib.t - ref.t) < 1e-14 && abs(lib.tDot - ref.tDot) < 1e-14, "relu closed form at \(q1), \(c), \(q2)")
        }
    }

    /// The polar rule is a general bivariate rule: on smooth activations it agrees with the closed form too.
    @Test("the polar rule on erf matches its closed form to 1e-8 at variances ≤ 1")
    func polarRuleOnErf() throws {
        let polar = try PolarGaussRule(angular: 24, radial: 48)
        var worst = 0.0
        for (q1, c, q2) in Self.grid {
            let got = polar.expectations(q1: q1, c: c, q2: q2) { Activation.erf.valueAndDerivative($0) }
            let ref = KernelMapReference.closedForm(.erf, q1: q1, c: c, q2: q2)!
            worst = max(worst, abs(got.0 - ref.t), abs(got.1 - ref.tDot))
        }
        #expect(worst < 1e-8, "polar rule on erf: \(worst)")
    }

    @Test("the Rayleigh rule integrates r^k against r·e^{−r²/2} exactly: 2^{k/2}·Γ(k/2 + 1)", arguments: [1, 2, 5, 20, 32, 100])
    func rayleighMoments(n: Int) throws {
        let rule = try PolarGaussRule(angular: 1, radial: n)
        for k in 0..<(2 * n) {
            let got = zip(rule.radialNodes, rule.radialWeights).reduce(0.0) { $0 + $1.1 * pow($1.0, Double(k)) }
            let exact = pow(2, Double(k) / 2) * tgamma(Double(k) / 2 + 1)
            #expect(abs(got - exact) <= 1e-11 * exact, "n = \(n), k = \(k): \(got) vs \(exact)")
        }
    }

    /// The coarser inner rule for correlated pairs must not cost accuracy, also when the variances differ a lot
    /// (q1 = 0.5, q2 = 9: scaling the inner degree by the larger variance once lost two digits there).
    @Test("the product rule's coarser inner rule stays within 3× of the full inner rule", arguments: [64, 128])
    func coarserInnerRule(n: Int) throws {
        let rule = try GaussHermiteRule(degree: n)
        let tanh = { (z: Double) in Foundation.tanh(z) }
        for (q1, q2, rho) in [(0.5, 9.0, 0.95), (0.5, 9.0, 0.999), (1.0, 4.0, 0.99), (2.0, 2.0, 0.999), (0.2, 3.0, -0.97)] {
            let c = rho * (q1 * q2).squareRoot()
            let ref = KernelMapReference.trapezoid(.tanh, q1: q1, c: c, q2: q2).t
            let adaptive = rule.productExpectations(q1: q1, c: c, q2: q2) { Activation.tanh.valueAndDerivative($0) }.0
            let full = rule.expectation(q1: q1, c: c, q2: q2) { u, v in tanh(u) * tanh(v) }
            #expect(abs(adaptive - ref) <= 3 * abs(full - ref) + 1e-14,
                    "n = \(n), q1 \(q1), q2 \(q2), ρ \(rho): coarser inner \(adaptive - ref), full inner \(full - ref)")
        }
    }

    @Test("quadrature on linear is exact")
    func quadratureExactOnLinear() throws {
        let e = Self.scaledErrors(.linear, rule: try GaussHermiteRule(degree: 8), grid: Self.grid)
        #expect(e.0 < 1e-14 && e.1 < 1e-14)
    }

    /// tanh and gelu have no closed form: the library's quadrature against an independent 2-D trapezoid rule.
    @Test("tanh and gelu quadrature agrees with an independent trapezoid rule", .tags(.slow), .endToEndEnabled, arguments: [Activation.tanh, .gelu])
    func quadratureMatchesTrapezoid(act: Activation) throws {
        let grid = Self.grid.filter { abs($0.1) != 0.999 }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let (et, ed) = Self.scaledErrors(act, rule: try GaussHermiteRule(degree: 64), grid: grid)
        #expect(et < 1e-6 && ed < 1e-6, "\(act), 64 nodes, q ≤ 1: T error \(et), Ṫ error \(ed)")
        let (dt, dd) = Self.scaledErrors(act, rule: try GaussHermiteRule(degree: GaussHermiteRule.defaultDegree), grid: grid)
        #expect(dt < 1e-9 && dd < 1e-9, "\(act), \(GaussHermiteRule.defaultDegree) nodes, q ≤ 1: T error \(dt), Ṫ error \(dd)")
        if act == .tanh {
            #expect(act.kernelMaps(q1: 0.7, c: 0.2, q2: 0.4, rule: try GaussHermiteRule(degree: 64))
                    == act.quadratureKernelMaps(q1: 0.7, c: 0.2, q2: 0.4, rule: try GaussHermiteRule(degree: 64)))
        }
        // The product rule is symmetric in (u, v) by construction (the variances are ordered).
        let rule = try GaussHermiteRule(degree: 16)
        #expect(act.quadratureKernelMaps(q1: 0.7, c: 0.2, q2: 2.4, rule: rule) == act.quadratureKernelMaps(q1: 2.4, c: 0.2, q2: 0.7, rule: rule))
    }

    @Test("Gaussian smoothing E[φ(m + sZ)], E[φ′(m + sZ)] in closed form equals a fine trapezoid rule",
          arguments: [Activation.relu, .erf, .gelu, .linear])
    func gaussianSmoothing(act: Activation) throws {
        for (m, s) in [(0.0, 1.0), (0.7, 0.3), (-1.2, 2.0), (2.5, 0.05), (-0.4, 1.5)] {
            let got = try #require(act.gaussianSmoothed(mean: m, std: s))
            let h = 0.002
            var e0 = 0.0, e1 = 0.0
            for i in -4500...4500 {
                let z = Double(i) * h
                let w = h * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
                e0 += w * Reference.phi(act, m + s * z)
                e1 += w * Reference.phiPrime(act, m + s * z)
            }
            // The trapezoid rule is spectrally accurate on smooth integrands, O(h²) across relu's kink and O(h)
            // across the jump of its derivative.
            let (t0, t1) = act == .relu ? (1e-5, 1e-3) : (1e-12, 1e-12)
            #expect(abs(got.0 - e0) < t0 && abs(got.1 - e1) < t1, "\(act) at m \(m), s \(s): \(got) vs \((e0, e1))")
        }
        let zero = try #require(act.gaussianSmoothed(mean: 0.8, std: 0))
        #expect(abs(zero.0 - Reference.phi(act, 0.8)) < 1e-15 && abs(zero.1 - Reference.phiPrime(act, 0.8)) < 1e-15)
        #expect(Activation.tanh.gaussianSmoothed(mean: 0, std: 1) == nil)
        #expect(Activation.tanh.semiAnalyticKernelMaps(q1: 1, c: 0, q2: 1, rule: try GaussHermiteRule(degree: 4)) == nil)
    }

    /// gelu's kernel maps are a 1-D Gauss–Hermite rule with the inner expectation in closed form: as accurate as
    /// the 2-D product rule (the error of both is the outer dimension's), n times cheaper.
    @Test("the semi-analytic route equals the 2-D product rule and the closed forms")
    func semiAnalyticRoute() throws {
        let rule = try GaussHermiteRule(degree: GaussHermiteRule.defaultDegree)
        for (q1, c, q2) in Self.grid {
            let semi = try #require(Activation.gelu.semiAnalyticKernelMaps(q1: q1, c: c, q2: q2, rule: rule))
            let product = Activation.gelu.quadratureKernelMaps(q1: q1, c: c, q2: q2, rule: rule)
            #expect(abs(semi.t - product.t) < 1e-12 && abs(semi.tDot - product.tDot) < 1e-12, "gelu at \(q1), \(c), \(q2)")
            #expect(Activation.gelu.kernelMaps(q1: q1, c: c, q2: q2, rule: rule) == semi)
            let erf = try #require(Activation.erf.semiAnalyticKernelMaps(q1: q1, c: c, q2: q2, rule: rule))
            let closed = KernelMapReference.closedForm(.erf, q1: q1, c: c, q2: q2)!
            #expect(abs(erf.t - closed.t) < 1e-10 && abs(erf.tDot - closed.tDot) < 1e-10, "erf at \(q1), \(c), \(q2)")
        }
        let grid = Self.grid.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        let (et, ed) = Self.scaledErrors(.gelu, rule: rule, grid: grid, semiAnalytic: true)
        #expect(et < 1e-10 && ed < 1e-10, "gelu semi-analytic against the trapezoid reference: \(et), \(ed)")
    }

    /// The independent check: closed forms (and the quadrature path) against Monte Carlo estimates of
    /// E[φ(u)φ(v)] and E[φ′(u)φ′(v)], within 5 standard errors of 200 000 draws.
    @Test("kernel maps agree with Monte Carlo", arguments: Activation.allCases)
    func kernelMapsMatchMonteCarlo(act: Activation) throws {
        let rule = try GaussHermiteRule(degree: GaussHermiteRule.defaultDegree)
        for (i, (q1, rho, q2)) in [(1.0, 0.5, 1.0), (2.25, -0.3, 0.8), (0.6, 0.9, 1.9)].enumerated() {
            let c = rho * (q1 * q2).squareRoot()
            let mc = KernelMapReference.monteCarlo(act, q1: q1, rho: rho, q2: q2, samples: 200_000, seed: UInt64(i))
            let got = act.kernelMaps(q1: q1, c: c, q2: q2, rule: rule)
            #expect(abs(got.t - mc.t) < 5 * mc.tError + 1e-12, "\(act) T at (\(q1), \(rho), \(q2)): \(got.t) vs MC \(mc.t) ± \(mc.tError)")
            #expect(abs(got.tDot - mc.tDot) < 5 * mc.tDotError + 1e-12, "\(act) Ṫ at (\(q1), \(rho), \(q2)): \(got.tDot) vs MC \(mc.tDot) ± \(mc.tDotError)")
        }
    }

    @Test("valueAndDerivative equals value and derivative", arguments: Activation.allCases)
    func valueAndDerivative(act: Activation) {
        for z in stride(from: -6.0, through: 6.0, by: 0.37) {
            let (v, d) = act.valueAndDerivative(z)
            #expect(abs(v - act.value(z)) <= 4e-16 * max(1, abs(v)) && abs(d - act.derivative(z)) <= 1e-15 * max(1, abs(d)),
                    "\(act) at \(z): \((v, d)) vs \((act.value(z), act.derivative(z)))")
        }
    }
}
