import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKModel

/// The structured empirical NTK against J·Jᵀ from the naive reference Jacobian (Docs/Conventions.md).
@Suite("Empirical NTK")
struct EmpiricalNTKTests {
    /// The reference itself: its forward pass agrees with the library's, its parameter order is
    /// `flattened`'s, and its Jacobian agrees with central finite differences of its own forward pass.
    @Test("reference Jacobian equals central finite differences", arguments: TinyNet.all)
    func referenceJacobianMatchesFiniteDifferences(net: TinyNet) {
        let a = net.architecture
        let model = net.model()
        let xs = net.inputs()
        let theta = model.parameters.flattened
        #expect(theta.count == Reference.parameterCount(a))
        #expect(a.parameterCount == theta.count)
        #expect(Reference.parameters(fromFlat: theta, a) == model.parameters)

        let j = Reference.jacobian(xs, a, flat: theta)
        #expect(j.count == xs.count * a.outputs)
        #expect(j.allSatisfy { $0.count == theta.count })

        let h = 1e-6
        var fd = [[Double]](repeating: [Double](repeating: 0, count: theta.count), count: j.count)
        for p in theta.indices {
            var plus = theta, minus = theta
            plus[p] += h
            minus[p] -= h
            let fp = Reference.outputs(xs, a, flat: plus), fm = Reference.outputs(xs, a, flat: minus)
            for r in fd.indices { fd[r][p] = (fp[r] - fm[r]) / (2 * h) }
        }
        let err = relativeFrobeniusError(Matrix(j), fd)
        #expect(err < 1e-6, "reference Jacobian vs finite differences: relative error \(err)")
    }

    /// The library's forward pass equals the naive reference forward pass.
    @Test("MLP forward equals the naive forward pass", arguments: TinyNet.all)
    func forwardMatchesReference(net: TinyNet) {
        let model = net.model()
        let xs = net.inputs()
        let f = model(Matrix(xs))
        let ref = Reference.outputs(xs, net.architecture, flat: model.parameters.flattened)
        #expect(f.rows == xs.count && f.cols == net.outputs)
        let err = naiveDistance(f.data, ref) / naiveNorm(ref)
        #expect(err < 1e-13, "forward relative error \(err)")
    }

    /// K^r = Σ_l r_l·J_l·J_lᵀ, the kernel of GD with per-layer rates: J Jᵀ under ntk, standard and mup
    /// (every r_l = 1), n·J Jᵀ under mean-field; the reference reads its factors and rates from its own table.
    @Test("K(X, X) equals Σ_l r_l·J_l·J_lᵀ", arguments: TinyNet.all)
    func kernelEqualsJJt(net: TinyNet) {
        let model = net.model()
        let xs = net.inputs()
        let j = Reference.jacobian(xs, net.architecture, flat: model.parameters.flattened)
        let reference = Reference.weightedKernel(j, j, rates: Reference.rates(net.architecture))
        let k = EmpiricalNTK.kernel(model, Matrix(xs))
        #expect(k.rows == xs.count * net.outputs && k.cols == k.rows)
        let err = relativeFrobeniusError(k, reference)
        #expect(err < 1e-10, "K vs Σ_l r_l·J_l·J_lᵀ: relative Frobenius error \(err)")
    }

    @Test("K(X₁, X₂) equals Σ_l r_l·J₁,l·J₂,lᵀ", arguments: TinyNet.all)
    func crossKernelEqualsJ1J2t(net: TinyNet) {
        let model = net.model()
        let x1 = net.inputs(4, stream: 10), x2 = net.inputs(3, stream: 11)
        let theta = model.parameters.flattened
        let j1 = Reference.jacobian(x1, net.architecture, flat: theta)
        let j2 = Reference.jacobian(x2, net.architecture, flat: theta)
        let reference = Reference.weightedKernel(j1, j2, rates: Reference.rates(net.architecture))
        let k = EmpiricalNTK.kernel(model, Matrix(x1), Matrix(x2))
        #expect(k.rows == 4 * net.outputs && k.cols == 3 * net.outputs)
        let err = relativeFrobeniusError(k, reference)
        #expect(err < 1e-10, "K(X1, X2) vs J1·J2ᵀ: relative Frobenius error \(err)")
    }

    /// The cross-kernel of a set with itself is the (symmetric) training kernel.
    @Test("K(X, X) from the cross-kernel path equals the symmetric path")
    func crossKernelOnSameInputs() {
        for net in TinyNet.all where net.depth == 2 {
            let model = net.model()
            let x = Matrix(net.inputs())
            let err = EmpiricalNTK.kernel(model, x, x).frobeniusDistance(to: EmpiricalNTK.kernel(model, x))
                / EmpiricalNTK.kernel(model, x).frobeniusNorm
            #expect(err < 1e-12, "\(net.testDescription): \(err)")
        }
    }

    @Test("K is symmetric and positive semi-definite", arguments: TinyNet.all)
    func symmetricPSD(net: TinyNet) throws {
        let model = net.model()
        // More samples than usual so that, for small nets, N·k can exceed P and K is singular.
        let xs = net.inputs(12, stream: 20)
        let k = EmpiricalNTK.kernel(model, Matrix(xs))
        var asym = 0.0
        for i in 0..<k.rows {
            for j in 0..<k.cols { asym = max(asym, abs(k[i, j] - k[j, i])) }
        }
        let maxAbs = k.data.map(abs).max()!
        #expect(asym <= 1e-14 * maxAbs, "max |K − Kᵀ| = \(asym)")

        let eig = try SymmetricEigendecomposition(k)
        let lmax = eig.values.last!, lmin = eig.values.first!
        #expect(lmax > 0)
        #expect(lmin >= -1e-10 * lmax, "λ_min = \(lmin), λ_max = \(lmax)")
    }

    /// Independent structural facts of the NTK that hold for every parameter value.
    @Test("depth 0 with k outputs is Θ ⊗ I_k with Θ = σ_w²/d·x·x′ + σ_b² (ntk)")
    func linearModelKernelClosedForm() {
        for k in [1, 3] {
            for hasBias in [true, false] {
                let net = TinyNet(activation: .tanh, parameterization: .ntk, depth: 0, outputs: k, hasBias: hasBias)
                let a = net.architecture
                let xs = net.inputs()
                let kernel = EmpiricalNTK.kernel(net.model(), Matrix(xs))
                var expected = [[Double]](repeating: [Double](repeating: 0, count: xs.count * k), count: xs.count * k)
                for i in xs.indices {
                    for j in xs.indices {
                        var dot = 0.0
                        for p in 0..<a.inputDim { dot += xs[i][p] * xs[j][p] }
                        let theta = a.weightStd * a.weightStd * dot / Double(a.inputDim)
                            + (hasBias ? a.biasStd * a.biasStd : 0)
                        for o in 0..<k { expected[i * k + o][j * k + o] = theta }
                    }
                }
                let err = relativeFrobeniusError(kernel, expected)
                #expect(err < 1e-13, "k=\(k) bias=\(hasBias): \(err)")
            }
        }
    }

    /// N·k above ``EmpiricalNTK/panelRows``: the upper triangle is accumulated in several panels of rows (syrk on
    /// each diagonal block, gemm right of it), then mirrored. Against the cross-kernel path, which forms the full
    /// Gram products by gemm and accumulates every entry, for one and several outputs and both precisions.
    @Test("K(X, X) accumulated in panels equals the cross-kernel path", arguments: [(300, 1), (100, 3), (90, 7)])
    func panelledKernel(samples: Int, outputs: Int) {
        let a = NetworkArchitecture(inputDim: 5, width: 24, depth: 2, outputs: outputs, activation: .tanh, biasStd: 0.3)
        #expect(samples * outputs > EmpiricalNTK.panelRows)
        var rng = RandomSource(seed: 11, stream: 1)
        let model = Network<Double>(architecture: a, rng: &rng)
        let x = Matrix(rows: samples, cols: 5, data: rng.normals(samples * 5))
        let k = EmpiricalNTK.kernel(model, x)
        let reference = EmpiricalNTK.kernel(model, x, x)
        #expect(k.frobeniusDistance(to: reference) / reference.frobeniusNorm < 1e-13)
        let model32 = Network<Float>(converting: model)
        let k32 = EmpiricalNTK.kernel(model32, x), reference32 = EmpiricalNTK.kernel(model32, x, x)
        #expect(k32.frobeniusDistance(to: reference32) / reference32.frobeniusNorm < 1e-6)
    }
}
