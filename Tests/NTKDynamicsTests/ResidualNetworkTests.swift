import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The ResNet (``ArchitectureFamily/resnet(branchScale:)``, ``ResidualBlock``) against a naive loop implementation
/// written here from the conventions of Docs/Conventions.md#resnet, independently of the library's layers:
/// h_0 = c_0·xW_0 + s_0·b_0, h_l = h_{l−1} + s·(c·φ(h_{l−1})W_l + s_b·b_l), f = c_out·h_L W_out + s_out·b_out.
@Suite("ResNet: forward, empirical NTK and gradient against naive loops")
struct ResidualNetworkTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var activation: Activation
        var parameterization: Parameterization
        var depth: Int
        var outputs: Int
        var branchScale: BranchScale
        var hasBias: Bool
        var inputDim = 3
        var samples = 4

        var width: Int { 4 + depth }  // 5, 6, 7

        var architecture: NetworkArchitecture {
            var a = NetworkArchitecture(inputDim: inputDim, width: width, depth: depth, outputs: outputs, activation: activation,
                                        parameterization: parameterization, weightStd: 1.3, biasStd: 0.7, hasBias: hasBias)
            a.family = .resnet(branchScale: branchScale)
            return a
        }

        var seed: UInt64 {
            UInt64(Activation.allCases.firstIndex(of: activation)!) &* 1_000 &+ UInt64(Parameterization.allCases.firstIndex(of: parameterization)!) &* 100
                &+ UInt64(depth * 10 + outputs) &+ (hasBias ? 7 : 0) &+ (branchScale == .one ? 0 : 3)
        }

        /// A network with the library's initial draws, each parameter then moved by an O(1/√n) amount so that biases
        /// and weights are generic (no structure of the initializer is relied on).
        func model() -> Network<Double> {
            var rng = RandomSource(seed: seed, stream: 1)
            var m = Network<Double>(architecture: architecture, rng: &rng)
            let scale = parameterization == .ntk ? 0.3 : 0.3 / Double(width).squareRoot()
            m.parameters.add(NetworkParameters(weights: m.parameters.weights.map { w in
                Matrix(rows: w.rows, cols: w.cols, data: (0..<w.data.count).map { _ in scale * rng.normal() })
            }, biases: m.parameters.biases.map { b in b.map { _ in scale * rng.normal() } }), scaledBy: 1)
            return m
        }

        func inputs(_ n: Int? = nil) -> [[Double]] {
            var rng = RandomSource(seed: seed, stream: 2)
            return gaussianInputs(n ?? samples, inputDim, rng: &rng)
        }

        var testDescription: String {
            "\(activation.rawValue) \(parameterization.rawValue) L=\(depth) k=\(outputs) s=\(branchScale.rawValue) \(hasBias ? "bias" : "no-bias")"
        }

        static let all: [Case] = {
            var cases: [Case] = []
            for act in [Activation.relu, .tanh, .erf] {
                for par in [Parameterization.ntk, .standard, .mup] {
                    for depth in 1...3 {
                        for k in [1, 2] {
                            for scale in BranchScale.allCases {
                                cases.append(Case(activation: act, parameterization: par, depth: depth, outputs: k, branchScale: scale,
                                                  hasBias: (depth + k) % 2 == 0))
                            }
                        }
                    }
                }
            }
            return cases
        }()
    }

    /// The naive network: its multipliers from the tables of Docs/Conventions.md#parameterizations written out here,
    /// its parameters unpacked from the flat vector W_0, b_0, W_1, b_1, … (row-major fanIn × fanOut weights).
    struct Naive {
        let c: Case
        var n: Double { Double(c.width) }

        /// (c, s_b) of tensor t (0 the input layer, 1…L the branches before the branch scale, L+1 the readout).
        func factors(_ t: Int) -> (weight: Double, bias: Double) {
            let fanIn = t == 0 ? Double(c.inputDim) : n, sw = 1.3, sb = c.hasBias ? 0.7 : 0
            switch c.parameterization {
            case .ntk: return (sw / fanIn.squareRoot(), sb)
            case .standard: return (1, c.hasBias ? 1 : 0)
            case .mup:
                let bias = c.hasBias ? 1.0 : 0
                if t == 0 { return (n.squareRoot(), bias * n.squareRoot()) }
                if t == c.depth + 1 { return (1 / n.squareRoot(), bias) }
                return (1, bias * n.squareRoot())
            case .meanField: fatalError("not a resnet parameterization")
            }
        }

        var branch: Double { c.branchScale == .one ? 1 : 1 / Double(c.depth).squareRoot() }

        func sizes(_ t: Int) -> (Int, Int) {
            (t == 0 ? c.inputDim : c.width, t == c.depth + 1 ? c.outputs : c.width)
        }

        func unpack(_ flat: [Double]) -> [(w: [[Double]], b: [Double])] {
            var offset = 0
            return (0...(c.depth + 1)).map { t in
                let (fi, fo) = sizes(t)
                let w = (0..<fi).map { i in Array(flat[(offset + i * fo)..<(offset + (i + 1) * fo)]) }
                offset += fi * fo
                let b = c.hasBias ? Array(flat[offset..<(offset + fo)]) : [Double](repeating: 0, count: fo)
                if c.hasBias { offset += fo }
                return (w, b)
            }
        }

        func dense(_ a: [Double], _ p: (w: [[Double]], b: [Double]), _ f: (weight: Double, bias: Double)) -> [Double] {
            (0..<p.b.count).map { j in
                var s = 0.0
                for i in a.indices { s += a[i] * p.w[i][j] }
                return f.weight * s + f.bias * p.b[j]
            }
        }

        func forward(_ x: [Double], flat: [Double]) -> [Double] {
            let p = unpack(flat)
            var h = dense(x, p[0], factors(0))
            for l in 1...max(c.depth, 1) where l <= c.depth {
                let a = h.map { Reference.phi(c.activation, $0) }
                let u = dense(a, p[l], factors(l))
                for j in h.indices { h[j] += branch * u[j] }
            }
            return dense(h, p[c.depth + 1], factors(c.depth + 1))
        }

        func outputs(_ xs: [[Double]], flat: [Double]) -> [Double] { xs.flatMap { forward($0, flat: flat) } }
    }

    @Test("forward equals the naive loops", arguments: Case.all)
    func forwardMatchesNaive(c: Case) {
        let m = c.model(), xs = c.inputs()
        let f = m(Matrix(xs)).data
        let ref = Naive(c: c).outputs(xs, flat: m.parameters.flattened)
        let err = naiveDistance(f, ref) / naiveNorm(ref)
        #expect(err < 1e-13, "relative error \(err)")
        #expect(m.parameters.weights.count == c.depth + 2)
        #expect(c.architecture.parameterCount == m.parameters.flattened.count)
    }

    @Test("K and the cross-kernel equal J Jᵀ with J from central differences of the naive forward", arguments: Case.all)
    func kernelMatchesFiniteDifferenceJacobian(c: Case) {
        let m = c.model(), xs = c.inputs()
        let theta = m.parameters.flattened, naive = Naive(c: c)
        let cols = centralDifferenceColumns(naive, xs, theta)
        let j = (0..<cols[0].count).map { r in cols.map { $0[r] } }  // (N·k) × P
        let ref = naiveProductTransposed(j, j)
        let k = EmpiricalNTK.kernel(m, Matrix(xs))
        let err = relativeFrobeniusError(k, ref)
        #expect(err < 1e-7, "K vs J Jᵀ: relative error \(err)")
        // Cross kernel K(X₁, X₂) with X₁ the first two samples.
        let x1 = Array(xs.prefix(2))
        let cross = EmpiricalNTK.kernel(m, Matrix(x1), Matrix(xs))
        let errCross = relativeFrobeniusError(cross, Array(ref.prefix(2 * c.outputs)))
        #expect(errCross < 1e-7, "K(X₁, X) vs J₁ Jᵀ: relative error \(errCross)")
    }

    /// ∂f/∂θ_p by central differences of the naive forward, one column (N·k entries) per parameter.
    func centralDifferenceColumns(_ naive: Naive, _ xs: [[Double]], _ theta: [Double], step h: Double = 1e-5) -> [[Double]] {
        theta.indices.map { p in
            var plus = theta, minus = theta
            plus[p] += h
            minus[p] -= h
            return zip(naive.outputs(xs, flat: plus), naive.outputs(xs, flat: minus)).map { ($0 - $1) / (2 * h) }
        }
    }

    @Test("∇L equals central finite differences of the naive loss", arguments: Case.all.filter { $0.depth != 2 })
    func gradientMatchesFiniteDifferences(c: Case) {
        let m = c.model(), xs = c.inputs()
        var rng = RandomSource(seed: c.seed, stream: 30)
        let y = (0..<(xs.count * c.outputs)).map { _ in rng.normal() }
        let gd = GradientDescent(model: m, inputs: Matrix(xs), targets: Matrix(rows: xs.count, cols: c.outputs, data: y),
                                 loss: .mean, learningRate: 0.1)
        let g = gd.gradient().flattened
        let naive = Naive(c: c), nu = Double(xs.count * c.outputs)
        func loss(_ t: [Double]) -> Double {
            zip(naive.outputs(xs, flat: t), y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * nu)
        }
        let fd = centralDifferenceGradient(loss, at: m.parameters.flattened, step: 1e-5)
        let err = naiveDistance(g, fd) / naiveNorm(fd)
        #expect(err < 1e-7, "gradient vs finite differences: relative error \(err)")
    }

    @Test("mean-field is refused for a resnet, mup and mean-field for a cnn, with the reason")
    func refusals() {
        #expect(Parameterization.meanField.unsupportedReason(family: .resnet(branchScale: .one), depth: 1)?.contains("resnet") == true)
        for p in [Parameterization.ntk, .standard, .mup] {
            #expect(p.unsupportedReason(family: .resnet(branchScale: .sqrtDepth), depth: 3) == nil)
        }
        let cnn = ArchitectureFamily.cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 1))
        #expect(Parameterization.mup.unsupportedReason(family: cnn, depth: 2)?.contains("convolutions") == true)
        #expect(Parameterization.meanField.unsupportedReason(family: cnn, depth: 2) != nil)
        #expect(Parameterization.ntk.unsupportedReason(family: cnn, depth: 2) == nil)
        // The MLP keeps its depth rules.
        #expect(Parameterization.mup.unsupportedReason(family: .mlp, depth: 0) == Parameterization.mup.unsupportedDepthReason(0))
        #expect(Parameterization.meanField.unsupportedReason(family: .mlp, depth: 1) == nil)
    }

    @Test("exported weight shapes: (fan_in, fan_out) for dense tensors, stax HWIO for convolutions")
    func exportedShapes() {
        var a = NetworkArchitecture(inputDim: 3, width: 8, depth: 2, outputs: 2)
        a.family = .resnet(branchScale: .one)
        #expect((0..<a.layerCount).map { a.exportedWeightShape(tensor: $0) } == [nil, nil, nil, nil])
        #expect(a.layerSizes == [3, 8, 8, 8, 2] && a.layerCount == 4)
        var c = NetworkArchitecture(inputDim: 8 * 8 * 2, width: 5, depth: 2, outputs: 1)
        c.family = .cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 2, kernelSize: 3))
        #expect(c.exportedWeightShape(tensor: 0) == [3, 3, 2, 5] && c.exportedWeightShape(tensor: 1) == [3, 3, 5, 5])
        #expect(c.exportedWeightShape(tensor: 2) == nil)
    }

    /// ‖f_T − f^lin_T‖ / ‖f_0 − y‖ after `steps` GD steps on a depth-2 ntk ResNet of width `width`, where f^lin follows
    /// the linearized dynamics f ← f − (η/ν)·K₀(f − y) with the initial kernel (exact for the linearized model).
    static func linearizationGap(width: Int, seed: UInt64, steps: Int = 150) -> (gap: Double, lossDrop: Double) {
        var a = NetworkArchitecture(inputDim: 3, width: width, depth: 2, outputs: 1, activation: .tanh, parameterization: .ntk)
        a.family = .resnet(branchScale: .sqrtDepth)
        var rng = RandomSource(seed: seed, stream: 5)
        let xs = gaussianInputs(8, 3, rng: &rng)
        let y = xs.map { sin($0[0]) + 0.5 * $0[1] }
        let model = Network<Double>(architecture: a, rng: &rng)
        let k0 = EmpiricalNTK.kernel(model, Matrix(xs))
        let nu = Double(xs.count)
        let trace = (0..<k0.rows).reduce(0) { $0 + k0[$1, $1] }
        let eta = nu / trace  // η·λ_max/ν ≤ 1: stable
        var gd = GradientDescent(model: model, inputs: Matrix(xs), targets: Matrix(rows: xs.count, cols: 1, data: y), loss: .mean,
                                 learningRate: eta)
        var fLin = model(Matrix(xs)).data
        let f0 = fLin
        var f = f0
        for _ in 0..<steps {
            f = gd.step(measureKernel: false).output.data
            let r = zip(fLin, y).map { $0 - $1 }
            let kr = naiveMatVec(k0.nested, r)
            for i in fLin.indices { fLin[i] -= eta / nu * kr[i] }
        }
        f = gd.model(Matrix(xs)).data
        let residual0 = naiveDistance(f0, y), residual = naiveDistance(f, y)
        return (naiveDistance(f, fLin) / residual0, residual / residual0)
    }

    @Test("GD on a resnet decreases the loss, and f_t tracks the linearized prediction more closely at n = 512 than at 64",
          .tags(.slow), .endToEndEnabled)
    func trainingTracksLinearization() {
        var narrow = 0.0, wide = 0.0
        for seed: UInt64 in [1, 2] {
            let a = Self.linearizationGap(width: 64, seed: seed), b = Self.linearizationGap(width: 512, seed: seed)
            #expect(a.lossDrop < 0.9 && b.lossDrop < 0.9, "the residual fell to \(a.lossDrop) and \(b.lossDrop) of its start")
            narrow += a.gap
            wide += b.gap
        }
        // The gap falls like 1/√n: a factor √8 ≈ 2.8 between the two widths; ask for 1.5.
        #expect(wide * 1.5 < narrow, "‖f − f_lin‖ / ‖f₀ − y‖: \(narrow / 2) at n = 64, \(wide / 2) at n = 512")
    }
}
