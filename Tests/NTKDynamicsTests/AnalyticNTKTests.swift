import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The infinite-width NNGP Σ and NTK Θ (``AnalyticNTK``) against formulas written out in the test, against
/// themselves (layout, cross kernels, threads), and against the empirical K₀ of wide networks.
@Suite("Analytic NTK")
struct AnalyticNTKTests {
    struct Config: CustomTestStringConvertible, Sendable {
        var activation: Activation
        var parameterization: Parameterization
        var hasBias = true
        var testDescription: String { "\(activation.rawValue) \(parameterization.rawValue)\(hasBias ? "" : " no-bias")" }
    }

    static let allConfigs: [Config] = Activation.allCases.flatMap { a in
        Parameterization.allCases.filter(\.hasKernelLimit).map { Config(activation: a, parameterization: $0) }
    }

    static func architecture(_ c: Config, depth: Int, width: Int = 512, inputDim: Int = 4, outputs: Int = 1,
                             weightStd: Double = 1.5, biasStd: Double = 0.3) -> NetworkArchitecture {
        NetworkArchitecture(inputDim: inputDim, width: width, depth: depth, outputs: outputs, activation: c.activation,
                        parameterization: c.parameterization, weightStd: weightStd,
                        biasStd: c.hasBias ? biasStd : 0, hasBias: c.hasBias)
    }

    static func inputs(_ n: Int, _ d: Int, seed: UInt64) -> Matrix {
        var rng = RandomSource(seed: seed, stream: 40)
        return Matrix(gaussianInputs(n, d, rng: &rng))
    }

    // MARK: Against formulas written out here.

    @Test("depth 0: Θ = σ_w²·x·x′/d + σ_b² (ntk), x·x′ + 1 (standard); Σ = σ_w²·x·x′/d + σ_b²",
          arguments: [true, false])
    func depthZeroClosedForm(hasBias: Bool) throws {
        let x = Self.inputs(5, 3, seed: 1)
        let (sw, sb) = (1.3, 0.4)
        for p in Parameterization.allCases where p.hasKernelLimit {
            let a = NetworkArchitecture(inputDim: 3, width: 7, depth: 0, outputs: 1, activation: .tanh, parameterization: p,
                                    weightStd: sw, biasStd: hasBias ? sb : 0, hasBias: hasBias)
            let k = try AnalyticNTK(architecture: a).scalarKernels(x)
            for i in 0..<5 {
                for j in 0..<5 {
                    var dot = 0.0
                    for m in 0..<3 { dot += x[i, m] * x[j, m] }
                    let nngp = sw * sw * dot / 3 + (hasBias ? sb * sb : 0)
                    let ntk = p == .ntk ? nngp : dot + (hasBias ? 1 : 0)
                    #expect(abs(k.nngp[i, j] - nngp) < 1e-14 && abs(k.ntk[i, j] - ntk) < 1e-14, "\(p) (\(i), \(j))")
                }
            }
        }
    }

    /// The whole recursion against `KernelMapReference.kernels`, which writes it out per pair of inputs with the
    /// closed forms typed again and an independent trapezoid rule for tanh and gelu.
    @Test("Σ and Θ equal the recursion written out per pair of inputs", .tags(.slow), .endToEndEnabled, arguments: allConfigs + [
        Config(activation: .relu, parameterization: .ntk, hasBias: false),
        Config(activation: .tanh, parameterization: .standard, hasBias: false),
    ])
    func recursionMatchesReference(config: Config) throws {
        let a = Self.architecture(config, depth: 2, width: 300)
        // σ_w = 1.5 puts the variances near 2.3, where 64 Gauss–Hermite nodes leave ~1e-4 on tanh: use 256.
        let ntk = try AnalyticNTK(architecture: a, quadratureDegree: 256)
        // Inputs on the sphere |x|² = d: the first-layer variance is σ_w² + σ_b² = 2.34 for every point.
        let x = Matrix(Self.inputs(4, 4, seed: 2).nested.map { row in
            let r = (row.reduce(0) { $0 + $1 * $1 } / 4).squareRoot()
            return row.map { $0 / r }
        })
        let k = ntk.scalarKernels(x)
        let tolerance = a.activation.hasClosedFormKernelMaps ? 1e-12 : 1e-8
        for i in 0..<4 {
            for j in i..<4 {
                let ref = KernelMapReference.kernels(x.row(i), x.row(j), a)
                #expect(abs(k.nngp[i, j] - ref.nngp) <= tolerance * abs(ref.nngp), "Σ(\(i), \(j)): \(k.nngp[i, j]) vs \(ref.nngp)")
                #expect(abs(k.ntk[i, j] - ref.ntk) <= tolerance * abs(ref.ntk), "Θ(\(i), \(j)): \(k.ntk[i, j]) vs \(ref.ntk)")
            }
        }
        if !a.activation.hasClosedFormKernelMaps {
            // Fewer nodes on the same inputs (variances near 2.3; Docs/InfiniteWidth.md has the accuracy table).
            let coarse = try AnalyticNTK(architecture: a, quadratureDegree: 64).scalarKernels(x)
            let err = relativeDifference(coarse.ntk, k.ntk)
            #expect(err < 1e-3, "\(config): 64 against 256 nodes: \(err)")
            let standard = try AnalyticNTK(architecture: a).scalarKernels(x)
            let errDefault = relativeDifference(standard.ntk, k.ntk)
            #expect(errDefault < 1e-6, "\(config): \(GaussHermiteRule.defaultDegree) against 256 nodes: \(errDefault)")
        }
    }

    @Test("Θ ⊗ I_k: entry (i·k + a, j·k + b) is Θ(i, j)·δ_ab, for X and for a cross kernel")
    func outputLayout() throws {
        let a = Self.architecture(Config(activation: .erf, parameterization: .ntk), depth: 2, outputs: 3)
        let analytic = try AnalyticNTK(architecture: a)
        let x = Self.inputs(4, 4, seed: 3), xs = Self.inputs(2, 4, seed: 4)
        let scalar = analytic.scalarKernels(x), full = analytic.kernels(x)
        let crossScalar = analytic.scalarKernels(xs, x), cross = analytic.ntk(xs, x)
        #expect(full.ntk.rows == 12 && full.ntk.cols == 12 && cross.rows == 6 && cross.cols == 12)
        #expect(analytic.ntk(x) == full.ntk)
        for i in 0..<4 {
            for j in 0..<4 {
                for p in 0..<3 {
                    for q in 0..<3 {
                        #expect(full.ntk[i * 3 + p, j * 3 + q] == (p == q ? scalar.ntk[i, j] : 0))
                        #expect(full.nngp[i * 3 + p, j * 3 + q] == (p == q ? scalar.nngp[i, j] : 0))
                        if i < 2 { #expect(cross[i * 3 + p, j * 3 + q] == (p == q ? crossScalar.ntk[i, j] : 0)) }
                    }
                }
            }
        }
    }

    @Test("Θ(X₁, X₂) is the off-diagonal block of Θ on X₁ ∪ X₂, and Θ(X, X) by the cross path is Θ(X)",
          arguments: allConfigs)
    func crossKernelIsBlock(config: Config) throws {
        let a = Self.architecture(config, depth: 3)
        let analytic = try AnalyticNTK(architecture: a)
        let x1 = Self.inputs(3, 4, seed: 5), x2 = Self.inputs(4, 4, seed: 6)
        let joint = analytic.scalarKernels(Matrix(x1.nested + x2.nested))
        let cross = analytic.scalarKernels(x1, x2)
        for i in 0..<3 {
            for j in 0..<4 {
                #expect(abs(cross.ntk[i, j] - joint.ntk[i, 3 + j]) <= 1e-12 * abs(joint.ntk[i, 3 + j]) + 1e-14)
                #expect(abs(cross.nngp[i, j] - joint.nngp[i, 3 + j]) <= 1e-12 * abs(joint.nngp[i, 3 + j]) + 1e-14)
            }
        }
        let viaCross = analytic.scalarKernels(x2, x2), direct = analytic.scalarKernels(x2)
        #expect(relativeDifference(viaCross.ntk, direct.ntk) < 1e-13)
        #expect(relativeDifference(viaCross.ntk, viaCross.ntk.transposed) < 1e-13)
    }

    @Test("Θ and Σ are symmetric positive semi-definite on random inputs", arguments: allConfigs + [
        Config(activation: .gelu, parameterization: .ntk, hasBias: false),
    ])
    func positiveSemiDefinite(config: Config) throws {
        let a = Self.architecture(config, depth: 3, inputDim: 5)
        let x = Self.inputs(40, 5, seed: 7)
        let k = try AnalyticNTK(architecture: a).scalarKernels(x)
        for m in [k.ntk, k.nngp] {
            #expect(m == m.transposed)
            let e = try SymmetricEigendecomposition(m)
            let top = e.values.last!
            #expect(top > 0)
            #expect(e.values.first! >= -1e-12 * top, "\(config): λ_min \(e.values.first!), λ_max \(top)")
        }
    }

    /// The variances and the diagonal of Θ are one-dimensional integrals on a larger rule (Docs/InfiniteWidth.md):
    /// at the default degree they stay accurate at variances where 64 nodes alone leave about 1e-2 (q ≈ 9).
    @Test("at the default degree, the diagonal of Θ is accurate at large variances", arguments: [Activation.tanh, .gelu])
    func diagonalAtLargeVariance(act: Activation) throws {
        let a = Self.architecture(Config(activation: act, parameterization: .ntk), depth: 2, inputDim: 2,
                                  weightStd: 1.5, biasStd: 0.1)
        // |x|²/d = 4, 1 and 0.25: first-layer variances 9.01, 2.26 and 0.57.
        let x = Matrix([[2, -2], [1, 1], [0.5, -0.5]])
        let k = try AnalyticNTK(architecture: a).scalarKernels(x)
        for i in 0..<3 {
            let ref = KernelMapReference.kernels(x.row(i), x.row(i), a)
            #expect(abs(k.ntk[i, i] - ref.ntk) <= 1e-8 * ref.ntk, "\(act) Θ(\(i), \(i)): \(k.ntk[i, i]) vs \(ref.ntk)")
            #expect(abs(k.nngp[i, i] - ref.nngp) <= 1e-8 * ref.nngp, "\(act) Σ(\(i), \(i)): \(k.nngp[i, i]) vs \(ref.nngp)")
        }
    }

    /// Regression: the diagonal once went through the series, drifted from the variances by ~1e-12, and at a later
    /// layer fell to the n-point rule (3.5e-4 at depth 8 for tanh, σ_w = 2). It must follow the 1024-node rule.
    @Test("through 8 layers of growing variances the diagonal of Θ stays on the 1-D rule", .tags(.slow), .endToEndEnabled, arguments: [
        (Activation.tanh, 2.0, 64), (Activation.tanh, 2.0, 128), (Activation.gelu, 1.6, 128),
    ])
    func deepDiagonal(act: Activation, weightStd: Double, degree: Int) throws {
        let a = Self.architecture(Config(activation: act, parameterization: .ntk), depth: 8, inputDim: 2,
                                  weightStd: weightStd, biasStd: 0.1)
        // |x|²/d from 0.02 to 2: variances that grow with depth from small starts.
        let x = Matrix([[0.2, 0.0], [1.0, -0.6], [1.6, 1.2]])
        let k = try AnalyticNTK(architecture: a, quadratureDegree: degree).scalarKernels(x)
        for i in 0..<3 {
            let ref = KernelMapReference.kernels(x.row(i), x.row(i), a)
            #expect(abs(k.ntk[i, i] - ref.ntk) <= 1e-9 * ref.ntk, "\(act) n = \(degree), Θ(\(i), \(i)): \(k.ntk[i, i]) vs \(ref.ntk)")
            #expect(abs(k.nngp[i, i] - ref.nngp) <= 1e-9 * ref.nngp, "\(act) n = \(degree), Σ(\(i), \(i)): \(k.nngp[i, i]) vs \(ref.nngp)")
        }
    }

    @Test("the quadrature path gives the same kernel on one thread and on several")
    func threadsAgree() throws {
        let a = Self.architecture(Config(activation: .tanh, parameterization: .ntk), depth: 2)
        let x = Self.inputs(30, 4, seed: 8)
        let one = try AnalyticNTK(architecture: a, quadratureDegree: 16, threads: 1).scalarKernels(x)
        let two = try AnalyticNTK(architecture: a, quadratureDegree: 16, threads: 3).scalarKernels(x)
        #expect(one.ntk == two.ntk && one.nngp == two.nngp)
    }

    @Test("several widths in one pass equal one width at a time (standard: Θ grows with the width; ntk: it does not)")
    func widthsInOnePass() throws {
        let x = Self.inputs(6, 4, seed: 9)
        for p in Parameterization.allCases where p.hasKernelLimit {
            let base = Self.architecture(Config(activation: .gelu, parameterization: p), depth: 2, width: 100)
            let together = try AnalyticNTK(architecture: base, quadratureDegree: 24).scalarKernels(x, widths: [100, 400])
            var wide = base
            wide.width = 400
            let alone = try AnalyticNTK(architecture: wide, quadratureDegree: 24).scalarKernels(x)
            #expect(together.ntk[1] == alone.ntk && together.nngp == alone.nngp)
            if p == .standard {
                // Every layer but the first contributes n·T(Σ): Θ(400) is nearly 4 Θ(100).
                let ratio = together.ntk[1].frobeniusNorm / together.ntk[0].frobeniusNorm
                #expect(ratio > 3 && ratio < 4)
            } else {
                #expect(together.ntk[0] == together.ntk[1])
            }
        }
    }

    // MARK: The empirical K₀ approaches Θ.

    /// ‖K₀ − Θ‖_F/‖Θ‖_F for each width (mean over seeds) and the seed-averaged kernel's error.
    static func errors(_ a: NetworkArchitecture, widths: [Int], seeds: Int, x: Matrix) throws -> [(mean: Double, averaged: Double)] {
        let analytic = try AnalyticNTK(architecture: a, quadratureDegree: 128)
        let thetas = analytic.scalarKernels(x, widths: widths).ntk
        return widths.enumerated().map { index, w in
            var arch = a
            arch.width = w
            let theta = thetas[index].kroneckerIdentity(outputs: a.outputs)
            var sum = Matrix(rows: theta.rows, cols: theta.cols)
            var total = 0.0
            for s in 0..<seeds {
                var rng = RandomSource(seed: UInt64(1000 + s), stream: 2)
                let k0 = EmpiricalNTK.kernel(Network<Double>(architecture: arch, rng: &rng), x)
                total += relativeDifference(k0, theta)
                for i in sum.data.indices { sum.data[i] += k0.data[i] / Double(seeds) }
            }
            return (total / Double(seeds), relativeDifference(sum, theta))
        }
    }

    /// Least-squares slope of log error against log width (written out here; the library's fit is tested apart).
    static func slope(_ widths: [Int], _ errors: [Double]) -> Double {
        let lx = widths.map { log(Double($0)) }, ly = errors.map { log($0) }
        let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
        var num = 0.0, den = 0.0
        for i in lx.indices { num += (lx[i] - mx) * (ly[i] - my); den += (lx[i] - mx) * (lx[i] - mx) }
        return num / den
    }

    /// One hidden layer, widths 512 → 8192, 8 seeds, N = 6: the finite-width error shrinks like 1/√n.
    @Test("empirical K₀ approaches Θ as the width grows, slope ≈ −1/2 (one hidden layer)", .tags(.slow), .endToEndEnabled, arguments: allConfigs)
    func empiricalApproachesAnalyticDepthOne(config: Config) throws {
        let a = Self.architecture(config, depth: 1)
        let widths = [512, 2048, 8192]
        let e = try Self.errors(a, widths: widths, seeds: 8, x: Self.inputs(6, 4, seed: 10))
        let means = e.map(\.mean)
        #expect(means[0] > means[1] && means[1] > means[2], "\(config): mean errors \(means)")
        #expect(means[2] < 0.05, "\(config): width 8192 error \(means[2])")
        let s = Self.slope(widths, means)
        #expect(s > -0.7 && s < -0.3, "\(config): slope \(s), errors \(means)")
        #expect(e[2].averaged < means[2], "\(config): the seed-averaged kernel should be closer: \(e[2].averaged) vs \(means[2])")
    }

    /// Two hidden layers (the recursion through Ṫ·Θ), widths 128 → 2048, 8 seeds; and k = 3 outputs, where the
    /// off-diagonal output blocks of K₀ must vanish like the rest of the error (the ⊗I_k layout).
    @Test("empirical K₀ approaches Θ with two hidden layers and with k = 3 outputs", .tags(.slow), .endToEndEnabled, arguments: [
        (Config(activation: .relu, parameterization: .ntk), 1),
        (Config(activation: .tanh, parameterization: .standard), 1),
        (Config(activation: .gelu, parameterization: .ntk, hasBias: false), 1),
        (Config(activation: .erf, parameterization: .standard), 3),
    ])
    func empiricalApproachesAnalyticDepthTwo(config: Config, outputs: Int) throws {
        let a = Self.architecture(config, depth: 2, outputs: outputs)
        let widths = [128, 512, 2048]
        let e = try Self.errors(a, widths: widths, seeds: 8, x: Self.inputs(6, 4, seed: 11))
        let means = e.map(\.mean)
        #expect(means[0] > means[1] && means[1] > means[2], "\(config) k = \(outputs): mean errors \(means)")
        #expect(means[2] < 0.15, "\(config) k = \(outputs): width 2048 error \(means[2])")
        let s = Self.slope(widths, means)
        #expect(s > -0.75 && s < -0.3, "\(config) k = \(outputs): slope \(s), errors \(means)")
    }

    @Test("a wrong kernel is caught: Θ of the other parameterization or depth is far from K₀")
    func wrongKernelIsFar() throws {
        let x = Self.inputs(6, 4, seed: 12)
        let a = Self.architecture(Config(activation: .relu, parameterization: .standard), depth: 2, width: 2048)
        var rng = RandomSource(seed: 5, stream: 2)
        let k0 = EmpiricalNTK.kernel(Network<Double>(architecture: a, rng: &rng), x)
        let right = try AnalyticNTK(architecture: a).scalarKernels(x).ntk
        var ntkParam = a
        ntkParam.parameterization = .ntk
        var shallow = a
        shallow.depth = 1
        #expect(relativeDifference(k0, right) < 0.1)
        #expect(relativeDifference(k0, try AnalyticNTK(architecture: ntkParam).scalarKernels(x).ntk) > 0.5)
        #expect(relativeDifference(k0, try AnalyticNTK(architecture: shallow).scalarKernels(x).ntk) > 0.2)
    }

    @Test("the library's log-log fit and spread")
    func comparisonHelpers() {
        let w = [100.0, 400, 1600]
        #expect(abs(Statistics.logLogSlope(x: w, y: w.map { 3 / $0.squareRoot() })! + 0.5) < 1e-12)
        #expect(Statistics.logLogSlope(x: [100], y: [1]) == nil)
        #expect(Statistics.logLogSlope(x: [100, 200], y: [1, 0]) == nil)
        let s = KernelComparison.Spread([1, 2, 3, 4])
        #expect(s.mean == 2.5 && s.min == 1 && s.max == 4 && abs(s.std - (5.0 / 3).squareRoot()) < 1e-15)
        let m = Matrix([[1, 2], [3, 4]])
        #expect(abs(KernelComparison.relativeError(Matrix([[1, 2], [3, 5]]), reference: m) - 1 / 30.0.squareRoot()) < 1e-15)
    }
}
