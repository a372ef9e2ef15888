import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKModel

/// Mehler's series for the kernel maps (``HermiteExpansion``) against closed forms written out in the tests
/// and an independent trapezoid rule (KernelTestSupport.swift), and its truncation bound against the error
/// it actually leaves.
@Suite("Hermite expansion of the kernel maps")
struct HermiteExpansionTests {
    /// Variances and correlations: small to large variances, correlations up to ±0.999.
    static let variances = [0.05, 0.4, 1.0, 2.3, 4.0]
    static let correlations = [-0.999, -0.95, -0.7, -0.3, 0.0, 0.2, 0.6, 0.9, 0.97, 0.999]

    /// Runs the expansion on every (q1, ρ, q2) of the grid and returns the entries it kept, with the reference.
    static func compare(_ act: Activation, degree: Int, variances: [Double] = variances,
                        reference: (Double, Double, Double) -> (t: Double, tDot: Double),
                        check: (Double, Double, Double, (t: Double, tDot: Double), (t: Double, tDot: Double), (t: Double, tDot: Double)) -> Void = { _, _, _, _, _, _ in })
        throws -> (kept: Int, total: Int, worstT: Double, worstD: Double) {
        let rule = try GaussHermiteRule(degree: degree)
        let expansion = HermiteExpansion(variances: variances, rule: rule, act.valueAndDerivative)
        var kept = 0, total = 0, worstT = 0.0, worstD = 0.0
        let diagonal = variances.map { reference($0, $0, $0) }
        for (i, q1) in variances.enumerated() {
            for (j, q2) in variances.enumerated() {
                for rho in correlations {
                    total += 1
                    guard let got = expansion.maps(i, expansion, j, correlation: rho) else { continue }
                    kept += 1
                    let c = rho * (q1 * q2).squareRoot()
                    let ref = reference(q1, c, q2)
                    // Errors relative to the natural scales √(T(q1,q1,q1)·T(q2,q2,q2)) and likewise for Ṫ.
                    let r1 = diagonal[i], r2 = diagonal[j]
                    let scales = (t: (r1.t * r2.t).squareRoot(), tDot: (r1.tDot * r2.tDot).squareRoot())
                    check(q1, c, q2, got, ref, scales)
                    worstT = max(worstT, abs(got.t - ref.t) / scales.t)
                    worstD = max(worstD, abs(got.tDot - ref.tDot) / scales.tDot)
                }
            }
        }
        return (kept, total, worstT, worstD)
    }

    @Test("erf: the series agrees with Williams' closed form to 1e-11 wherever it is used")
    func erfAgainstClosedForm() throws {
        let r = try Self.compare(.erf, degree: 128) { KernelMapReference.closedForm(.erf, q1: $0, c: $1, q2: $2)! }
        #expect(r.worstT < 1e-11 && r.worstD < 1e-11, "T \(r.worstT), Ṫ \(r.worstD)")
        // It covers most of the grid; the declined entries have |ρ| near 1 at large variances.
        #expect(r.kept > r.total / 2, "\(r.kept) of \(r.total)")
    }

    @Test("tanh and gelu: the series agrees with a 2-D trapezoid rule to 1e-10 at variances up to 2.3", .tags(.slow), .endToEndEnabled,
          arguments: [Activation.tanh, .gelu])
    func smoothAgainstTrapezoid(act: Activation) throws {
        let r = try Self.compare(act, degree: 256, variances: [0.05, 0.4, 1.0, 2.3]) {
            KernelMapReference.trapezoid(act, q1: $0, c: $1, q2: $2)
        }
        #expect(r.worstT < 1e-10 && r.worstD < 1e-10, "\(act): T \(r.worstT), Ṫ \(r.worstD)")
        #expect(r.kept > r.total / 2, "\(act): \(r.kept) of \(r.total)")
    }

    /// The recursion replaces the n-point product rule by the series from a 2n-point rule. Over the grid (variances
    /// up to 4), the series' worst error where it is used must not exceed the product rule's worst error.
    @Test("tanh: the series' worst error is below the worst error of the product rule it replaces", .tags(.slow), .endToEndEnabled,
          arguments: [32, 64])
    func tanhNoWorseThanProductRule(degree: Int) throws {
        let product = try GaussHermiteRule(degree: degree)
        var productT = 0.0, productD = 0.0
        let r = try Self.compare(.tanh, degree: 2 * degree) { q1, c, q2 in
            KernelMapReference.trapezoid(.tanh, q1: q1, c: c, q2: q2)
        } check: { q1, c, q2, _, ref, scales in
            let old = Activation.tanh.quadratureKernelMaps(q1: q1, c: c, q2: q2, rule: product)
            productT = max(productT, abs(old.t - ref.t) / scales.t)
            productD = max(productD, abs(old.tDot - ref.tDot) / scales.tDot)
        }
        #expect(r.worstT <= productT && r.worstD <= productD,
                "series \(r.worstT) / \(r.worstD), product rule \(productT) / \(productD) (T / Ṫ)")
    }

    @Test("the series is symmetric to the last bit, and exact for the linear activation")
    func symmetricAndLinear() throws {
        let rule = try GaussHermiteRule(degree: 64)
        let tanh = HermiteExpansion(variances: Self.variances, rule: rule, Activation.tanh.valueAndDerivative)
        for i in Self.variances.indices {
            for j in Self.variances.indices {
                #expect(tanh.maps(i, tanh, j, correlation: 0.4).map { [$0.t, $0.tDot] }
                        == tanh.maps(j, tanh, i, correlation: 0.4).map { [$0.t, $0.tDot] })
            }
        }
        // φ(z) = z: a_1 = √q is the only coefficient, so T = √(q1q2)·ρ = c and Ṫ = 1 at every ρ, even ±1.
        let linear = HermiteExpansion(variances: Self.variances, rule: rule, Activation.linear.valueAndDerivative)
        for (i, q1) in Self.variances.enumerated() {
            for (j, q2) in Self.variances.enumerated() {
                for rho in [-1.0, -0.5, 0, 0.8, 1] {
                    let m = try #require(linear.maps(i, linear, j, correlation: rho))
                    #expect(abs(m.t - rho * (q1 * q2).squareRoot()) < 1e-14 && abs(m.tDot - 1) < 1e-14)
                }
            }
        }
    }

    @Test("a zero variance gives T = φ(0)·E[φ(v)] (independent u ≡ 0)")
    func zeroVariance() throws {
        let rule = try GaussHermiteRule(degree: 64)
        let e = HermiteExpansion(variances: [0, 1.5], rule: rule, Activation.gelu.valueAndDerivative)
        let m = try #require(e.maps(0, e, 1, correlation: 0))
        // gelu(0) = 0 and gelu′(0) = 1/2: T = 0, Ṫ = E[gelu′(v)]/2 with E[gelu′(√q Z)] = 1/2 by symmetry
        // (gelu′(z) + gelu′(−z) = 1).
        #expect(abs(m.t) < 1e-15 && abs(m.tDot - 0.25) < 1e-13)
    }
}
