import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// `--kernel-layout`: `full` is the exact J·Jᵀ of a k-output net; `trace` is its per-output average ⊗ I_k,
/// checked against the naive reference Jacobian, down to the linearized prediction built on it.
struct KernelLayoutTests {
    /// The reference kernel of a tiny 3-output net: J·Jᵀ, and the trace layout written out in loops.
    static func referenceKernels(_ net: TinyNet, _ model: Network<Double>, _ x1: [[Double]], _ x2: [[Double]]) -> (full: [[Double]], trace: [[Double]]) {
        let theta = model.parameters.flattened
        let j1 = Reference.jacobian(x1, net.architecture, flat: theta)
        let j2 = Reference.jacobian(x2, net.architecture, flat: theta)
        let full = naiveProductTransposed(j1, j2)
        let k = net.outputs
        var trace = [[Double]](repeating: [Double](repeating: 0, count: x2.count * k), count: x1.count * k)
        for i in x1.indices {
            for j in x2.indices {
                var average = 0.0
                for a in 0..<k { average += full[i * k + a][j * k + a] }
                average /= Double(k)
                for a in 0..<k { trace[i * k + a][j * k + a] = average }
            }
        }
        return (full, trace)
    }

    static let nets = [
        TinyNet(activation: .tanh, parameterization: .ntk, depth: 1, outputs: 3, hasBias: true),
        TinyNet(activation: .relu, parameterization: .standard, depth: 2, outputs: 3, hasBias: false),
        TinyNet(activation: .erf, parameterization: .ntk, depth: 0, outputs: 3, hasBias: true),
    ]

    @Test(arguments: nets)
    func fullIsJJtAndTraceIsTheOutputAverageTimesIdentity(net: TinyNet) {
        let model = net.model()
        let x1 = net.inputs(5, stream: 30), x2 = net.inputs(3, stream: 31)
        let ref = Self.referenceKernels(net, model, x1, x1)
        let k = EmpiricalNTK.kernel(model, Matrix(x1))
        #expect(relativeFrobeniusError(KernelLayout.full.arrange(k, outputs: 3), ref.full) < 1e-10)
        #expect(relativeFrobeniusError(KernelLayout.trace.arrange(k, outputs: 3), ref.trace) < 1e-10)
        // The off-diagonal output blocks are really dropped: at finite width they are not zero once there is a
        // hidden layer (depth 0 is linear in θ, and its kernel is exactly Θ ⊗ I_k).
        if net.depth > 0 { #expect(relativeFrobeniusError(k, ref.trace) > 1e-6) }
        // The cross-kernel K(X₂, X₁) the test prediction uses.
        let cross = Self.referenceKernels(net, model, x2, x1)
        let kc = EmpiricalNTK.kernel(model, Matrix(x2), Matrix(x1))
        #expect(relativeFrobeniusError(KernelLayout.trace.arrange(kc, outputs: 3), cross.trace) < 1e-10)
        // Θ̄ itself, N₂ × N₁.
        let theta = KernelLayout.outputAverage(kc, outputs: 3)
        #expect(theta.rows == 3 && theta.cols == 5)
        #expect(abs(theta[2, 4] - cross.trace[2 * 3 + 1][4 * 3 + 1]) < 1e-12 * abs(theta[2, 4]) + 1e-300)
    }

    @Test func oneOutputLayoutsAgree() {
        let net = TinyNet(activation: .gelu, parameterization: .ntk, depth: 2, outputs: 1, hasBias: true)
        let k = EmpiricalNTK.kernel(net.model(), Matrix(net.inputs()))
        #expect(KernelLayout.trace.arrange(k, outputs: 1) == k)
        #expect(KernelLayout.outputAverage(k, outputs: 1) == k)
    }

    /// The N×N decomposition expanded by ⊗ I_k is an eigendecomposition of Θ̄/ν ⊗ I_k.
    @Test func traceEigendecompositionReconstructsTheKernel() throws {
        let net = Self.nets[0]
        let k = EmpiricalNTK.kernel(net.model(), Matrix(net.inputs(6, stream: 40)))
        let nu = 18.0
        let eigen = try KernelLayout.trace.effectiveEigendecomposition(k, outputs: 3, normalizer: nu)
        let target = KernelLayout.trace.arrange(k, outputs: 3)
        let r = target.rows
        let ascending = zip(eigen.values, eigen.values.dropFirst()).allSatisfy { pair in pair.0 <= pair.1 }
        #expect(eigen.values.count == r && ascending)
        let v = eigen.vectors.nested
        var maxError = 0.0, maxOrthogonality = 0.0
        for i in 0..<r {
            for j in 0..<r {
                var a = 0.0, q = 0.0
                for m in 0..<r {
                    a += v[i][m] * eigen.values[m] * v[j][m]
                    q += v[m][i] * v[m][j]
                }
                maxError = max(maxError, abs(a - target[i, j] / nu))
                maxOrthogonality = max(maxOrthogonality, abs(q - (i == j ? 1 : 0)))
            }
        }
        let scale = target.data.map(abs).max()! / nu
        #expect(maxError < 1e-12 * scale, "‖VΛVᵀ − Θ̄⊗I/ν‖_max = \(maxError)")
        #expect(maxOrthogonality < 1e-12)
        // `full` on the same kernel decomposes it directly.
        let full = try KernelLayout.full.effectiveEigendecomposition(k, outputs: 3, normalizer: nu)
        let traceFull = full.values.reduce(0, +), traceAveraged = eigen.values.reduce(0, +)
        #expect(abs(traceFull - traceAveraged) < 1e-10 * abs(traceFull), "the trace is the same: averaging keeps the diagonal blocks' trace")
    }

    /// NTKExperiment with `trace`: one discrete step of the linearized model is f₁ = f₀ − η·K̃(f₀ − y) with
    /// K̃ the trace-layout kernel from the reference Jacobian, on training and test inputs.
    @Test func experimentPredictsWithTheTraceKernel() throws {
        let net = Self.nets[0]
        let a = net.architecture
        let xTrain = net.inputs(6, stream: 50), xTest = net.inputs(4, stream: 51)
        var rng = RandomSource(seed: 3, stream: 8)
        let yTrain = Matrix(rows: 6, cols: 3, data: (0..<18).map { _ in rng.normal() })
        let yTest = Matrix(rows: 4, cols: 3, data: (0..<12).map { _ in rng.normal() })
        let data = Dataset(name: "t", trainInputs: Matrix(xTrain), trainTargets: yTrain, testInputs: Matrix(xTest), testTargets: yTest)
        let e = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 0, kernelLayout: .trace))
        let model = Network<Double>(architecture: a, parameters: e.initialParameters)
        let train = Self.referenceKernels(net, model, xTrain, xTrain).trace
        let cross = Self.referenceKernels(net, model, xTest, xTrain).trace
        let theta = e.initialParameters.flattened
        let f0 = Reference.outputs(xTrain, a, flat: theta), f0Test = Reference.outputs(xTest, a, flat: theta)
        let residual = zip(f0, yTrain.data).map { $0 - $1 }
        let nu = 18.0, eta = e.learningRate
        let step = naiveMatVec(train, residual), stepTest = naiveMatVec(cross, residual)
        let f1 = zip(f0, step).map { $0 - eta * $1 / nu }
        let f1Test = zip(f0Test, stepTest).map { $0 - eta * $1 / nu }
        let predicted = e.predictor.trainOutput(step: 1, form: .discrete)
        let predictedTest = e.predictor.testOutput(step: 1, form: .discrete)
        #expect(naiveDistance(predicted, f1) < 1e-10 * naiveNorm(f1))
        #expect(naiveDistance(predictedTest, f1Test) < 1e-10 * naiveNorm(f1Test))
        // η_crit comes from the trace kernel, and K₀ as recorded stays the full kernel.
        #expect(abs(e.predictor.maxEigenvalue * e.learningRate - 1) < 1e-12, "η = η_crit/2 = 1/λ_max")
        let full = Self.referenceKernels(net, model, xTrain, xTrain).full
        #expect(relativeFrobeniusError(e.initialKernel, full) < 1e-10)
    }
}
