import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The ResNet's infinite-width Σ and Θ (``ResidualNTK`` through ``AnalyticNTK``) against hand-derived values and
/// against Monte Carlo over finite networks built with plain loops here (Docs/Architectures.md).
@Suite("Residual NTK")
struct ResidualNTKTests {
    static func architecture(_ act: Activation, _ p: Parameterization, depth: Int, width: Int = 64, inputDim: Int = 2,
                             scale: BranchScale = .one, weightStd: Double = 1.5, biasStd: Double = 0.3) -> NetworkArchitecture {
        var a = NetworkArchitecture(inputDim: inputDim, width: width, depth: depth, outputs: 1, activation: act,
                                    parameterization: p, weightStd: weightStd, biasStd: biasStd)
        a.family = .resnet(branchScale: scale)
        return a
    }

    @Test("depth 0: f = Dense_out(Dense_in(x)), Σ and Θ by hand", arguments: [Parameterization.ntk, .standard])
    func depthZero(p: Parameterization) throws {
        let (sw, sb, n) = (1.3, 0.4, 7)
        let x = Matrix([[0.3, -1.2, 0.8], [1.1, 0.5, -0.4]])
        let k = try AnalyticNTK(architecture: Self.architecture(.tanh, p, depth: 0, width: n, inputDim: 3, weightStd: sw,
                                                                biasStd: sb)).scalarKernels(x)
        for i in 0..<2 {
            for j in 0..<2 {
                var dot = 0.0
                for m in 0..<3 { dot += x[i, m] * x[j, m] }
                let sigma0 = sw * sw * dot / 3 + sb * sb
                let theta0 = p == .ntk ? sigma0 : dot + 1
                let nngp = sw * sw * sigma0 + sb * sb
                // Readout on h_0: its weights see h_0·h_0′/n → Σ_0 (times n under standard), its bias 1 or σ_b².
                let ntk = (p == .ntk ? sw * sw * sigma0 + sb * sb : Double(n) * sigma0 + 1) + sw * sw * theta0
                #expect(abs(k.nngp[i, j] - nngp) < 1e-13 && abs(k.ntk[i, j] - ntk) < 1e-12, "\(p) (\(i), \(j))")
            }
        }
    }

    /// relu on x = e₁, x′ = e₂ (d = 2, no bias), one block: the arc-cosine maps at θ = π/2 and θ = 0 give
    /// T = q/(2π), Ṫ = 1/4 off the diagonal and T = q/2, Ṫ = 1/2 on it, q = σ_w²/2.
    @Test("relu, one block, orthogonal inputs: the arc-cosine values by hand", arguments: [BranchScale.one, .sqrtDepth])
    func reluArcCosine(scale: BranchScale) throws {
        let sw = 1.4, s = scale.factor(depth: 1), w2 = sw * sw
        var a = Self.architecture(.relu, .ntk, depth: 1, inputDim: 2, scale: scale, weightStd: sw, biasStd: 0)
        a.hasBias = false
        let k = try AnalyticNTK(architecture: a).scalarKernels(Matrix([[1, 0], [0, 1]]))
        let q = w2 / 2
        // Off the diagonal: Σ_0 = Θ_0 = 0, then the branch adds s²σ_w²·q/(2π) to both.
        let sigma1 = s * s * w2 * q / (2 * Double.pi), theta1 = sigma1
        #expect(abs(k.nngp[0, 1] - w2 * sigma1) < 1e-14)
        #expect(abs(k.ntk[0, 1] - (w2 * sigma1 + w2 * theta1)) < 1e-14)
        // The diagonal: Σ_1 = q + s²σ_w²·q/2, Θ_1 = q + s²(σ_w²·q/2 + σ_w²·½·q).
        let sigmaD = q + s * s * w2 * q / 2, thetaD = q + s * s * (w2 * q / 2 + w2 * 0.5 * q)
        #expect(abs(k.nngp[0, 0] - w2 * sigmaD) < 1e-13)
        #expect(abs(k.ntk[1, 1] - (w2 * sigmaD + w2 * thetaD)) < 1e-13)
    }

    @Test("mup and mean-field have no kernel limit on a ResNet either")
    func refusesFeatureLearning() {
        for p in [Parameterization.mup, .meanField] {
            #expect(throws: AnalyticNTK.NoKernelLimit.self) {
                _ = try AnalyticNTK(architecture: Self.architecture(.relu, p, depth: 1))
            }
        }
    }

    @Test("cross kernels Σ(X₁, X₂) agree with the blocks of Σ(X, X)", arguments: [Activation.relu, .gelu])
    func crossKernels(act: Activation) throws {
        var rng = RandomSource(seed: 3, stream: 41)
        let x = Matrix(gaussianInputs(5, 3, rng: &rng))
        let x1 = Matrix(rows: 3, cols: 3, data: Array(x.data[0..<9])), x2 = Matrix(rows: 2, cols: 3, data: Array(x.data[9...]))
        let ntk = try AnalyticNTK(architecture: Self.architecture(act, .ntk, depth: 3, inputDim: 3, scale: .sqrtDepth))
        let full = ntk.scalarKernels(x), cross = ntk.scalarKernels(x1, x2)
        for i in 0..<3 {
            for j in 0..<2 {
                #expect(abs(cross.nngp[i, j] - full.nngp[i, 3 + j]) <= 1e-11 * full.nngp.maxAbs)
                #expect(abs(cross.ntk[i, j] - full.ntk[i, 3 + j]) <= 1e-11 * full.ntk.maxAbs)
            }
        }
    }

    /// A linear ResNet's forward and backward passes are linear in each weight matrix, and the weights of distinct
    /// layers are independent, so E[f(x)f(x′)] = Σ and E[K₀(x, x′)] = Θ hold exactly at every width: Monte Carlo at
    /// width 4 must agree within its standard error.
    @Test("linear activation: E[f f′] = Σ and E[K₀] = Θ at width 4 (Monte Carlo over networks built here)",
          arguments: [(Parameterization.ntk, BranchScale.one), (.standard, .sqrtDepth), (.ntk, .sqrtDepth)])
    func linearMonteCarlo(p: Parameterization, scale: BranchScale) throws {
        let a = Self.architecture(.linear, p, depth: 3, width: 4, inputDim: 2, scale: scale)
        // Close inputs: f(x)f(y) ≈ f(x)², whose relative spread √2 leaves a standard error of 2–3 % of Σ.
        let x = [0.9, -0.4], y = [0.7, -0.1]
        let k = try AnalyticNTK(architecture: a).scalarKernels(Matrix([x, y]))
        var rng = RandomSource(seed: 11, stream: 5)
        let (ff, kk) = NaiveResidualNetwork.monteCarlo(a, x, y, draws: 4000, rng: &rng)
        #expect(abs(ff.mean - k.nngp[0, 1]) < 4 * ff.error + 1e-12, "Σ \(k.nngp[0, 1]) vs \(ff.mean) ± \(ff.error)")
        #expect(abs(kk.mean - k.ntk[0, 1]) < 4 * kk.error + 1e-12, "Θ \(k.ntk[0, 1]) vs \(kk.mean) ± \(kk.error)")
        #expect(ff.error < 0.1 * abs(k.nngp[0, 1]) && kk.error < 0.1 * abs(k.ntk[0, 1]), "the estimate must be able to fail")
    }

    @Test("relu and erf at width 128: E[f f′] approaches Σ and E[K₀] approaches Θ", .tags(.slow), .endToEndEnabled,
          arguments: [Activation.relu, .erf])
    func wideMonteCarlo(act: Activation) throws {
        let a = Self.architecture(act, .ntk, depth: 2, width: 128, inputDim: 2, scale: .one, weightStd: 1.2)
        let x = [0.9, -0.4], y = [0.3, 1.1]
        let k = try AnalyticNTK(architecture: a).scalarKernels(Matrix([x, y]))
        var rng = RandomSource(seed: 12, stream: 5)
        let (ff, kk) = NaiveResidualNetwork.monteCarlo(a, x, y, draws: 300, rng: &rng)
        // Finite-width bias is O(1/n) relative, below a few standard errors here.
        #expect(abs(ff.mean - k.nngp[0, 1]) < 4 * ff.error + 0.02 * abs(k.nngp[0, 1]), "Σ \(k.nngp[0, 1]) vs \(ff.mean) ± \(ff.error)")
        #expect(abs(kk.mean - k.ntk[0, 1]) < 4 * kk.error + 0.02 * abs(k.ntk[0, 1]), "Θ \(k.ntk[0, 1]) vs \(kk.mean) ± \(kk.error)")
    }
}

/// A ResNet of one output with the parameterization's multipliers, drawn and run with plain loops (no library
/// code but the random source): h_0 = Dense_in(x), h_l = h_{l−1} + s·Dense_l(φ(h_{l−1})), f = Dense_out(h_L).
struct NaiveResidualNetwork {
    struct Dense {
        var weights: [[Double]]
        var biases: [Double]
        var weightMultiplier: Double
        var biasMultiplier: Double

        init(_ fanIn: Int, _ fanOut: Int, _ a: NetworkArchitecture, rng: inout RandomSource) {
            let ntk = a.parameterization == .ntk
            precondition(ntk || a.parameterization == .standard)
            let wStd = ntk ? 1 : a.weightStd / Double(fanIn).squareRoot(), bStd = ntk ? 1 : a.biasStd
            weights = (0..<fanIn).map { _ in (0..<fanOut).map { _ in wStd * rng.normal() } }
            biases = (0..<fanOut).map { _ in bStd * rng.normal() }
            weightMultiplier = ntk ? a.weightStd / Double(fanIn).squareRoot() : 1
            biasMultiplier = ntk ? a.biasStd : 1
        }

        func apply(_ v: [Double]) -> [Double] {
            (0..<biases.count).map { j in
                var s = 0.0
                for i in v.indices { s += v[i] * weights[i][j] }
                return weightMultiplier * s + biasMultiplier * biases[j]
            }
        }
    }

    let a: NetworkArchitecture
    let s: Double
    var layers: [Dense]

    init(_ a: NetworkArchitecture, rng: inout RandomSource) {
        guard case .resnet(let scale) = a.family else { preconditionFailure("not a ResNet") }
        self.a = a
        s = scale.factor(depth: a.depth)
        layers = [Dense(a.inputDim, a.width, a, rng: &rng)] + (0..<a.depth).map { _ in Dense(a.width, a.width, a, rng: &rng) }
            + [Dense(a.width, 1, a, rng: &rng)]
    }

    /// f(x), and for each layer its input vector and the gradient of f with respect to its pre-multiplier output
    /// (for the blocks, s·∂f/∂h_l), so that ∂f/∂W[i, j] = c_W·input[i]·delta[j] and ∂f/∂b[j] = c_b·delta[j].
    func trace(_ x: [Double]) -> (f: Double, inputs: [[Double]], deltas: [[Double]]) {
        let L = a.depth
        var h = [layers[0].apply(x)]
        for l in 1...max(L, 1) where L > 0 {
            let branch = layers[l].apply(h[l - 1].map { Reference.phi(a.activation, $0) })
            h.append(zip(h[l - 1], branch).map { $0 + s * $1 })
        }
        let f = layers[L + 1].apply(h[L])[0]
        var g = layers[L + 1].weights.map { layers[L + 1].weightMultiplier * $0[0] }
        var deltas = [[Double]](repeating: [], count: L + 2)
        deltas[L + 1] = [1]
        for l in stride(from: L, through: 1, by: -1) {
            deltas[l] = g.map { s * $0 }
            let w = layers[l]
            g = (0..<a.width).map { i in
                var back = 0.0
                for j in 0..<a.width { back += w.weights[i][j] * deltas[l][j] }
                return g[i] + w.weightMultiplier * Reference.phiPrime(a.activation, h[l - 1][i]) * back
            }
        }
        deltas[0] = g
        let inputs = [x] + (0..<L).map { l in h[l].map { Reference.phi(a.activation, $0) } } + [h[L]]
        return (f, inputs, deltas)
    }

    /// Σ_θ ∂f(x)/∂θ·∂f(y)/∂θ over the raw parameters.
    func empiricalKernel(_ x: [Double], _ y: [Double]) -> (fx: Double, fy: Double, k: Double) {
        let tx = trace(x), ty = trace(y)
        func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
        var k = 0.0
        for (l, layer) in layers.enumerated() {
            let dd = dot(tx.deltas[l], ty.deltas[l])
            k += layer.weightMultiplier * layer.weightMultiplier * dot(tx.inputs[l], ty.inputs[l]) * dd
                + layer.biasMultiplier * layer.biasMultiplier * dd
        }
        return (tx.f, ty.f, k)
    }

    struct Estimate { var mean: Double; var error: Double }

    /// The mean and standard error of f(x)f(y) and of K₀(x, y) over `draws` independent networks.
    static func monteCarlo(_ a: NetworkArchitecture, _ x: [Double], _ y: [Double], draws: Int,
                           rng: inout RandomSource) -> (ff: Estimate, k: Estimate) {
        var sums = [0.0, 0.0, 0.0, 0.0]
        for _ in 0..<draws {
            let r = NaiveResidualNetwork(a, rng: &rng).empiricalKernel(x, y)
            let p = r.fx * r.fy
            sums[0] += p; sums[1] += p * p; sums[2] += r.k; sums[3] += r.k * r.k
        }
        func estimate(_ s: Double, _ s2: Double) -> Estimate {
            let n = Double(draws), m = s / n
            return Estimate(mean: m, error: (max(s2 / n - m * m, 0) / (n - 1)).squareRoot())
        }
        return (estimate(sums[0], sums[1]), estimate(sums[2], sums[3]))
    }
}
