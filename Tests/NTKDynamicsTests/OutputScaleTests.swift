import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The laziness scale α (`--output-scale`, Docs/Parameterizations.md#the-output-scale-α): the centred model
/// F = α·(f − f₀) trained on L(F)/α².
@Suite("Output scale α")
struct OutputScaleTests {
    /// ∇_θ[L(F)/α²] from backpropagation equals central finite differences of L(α·(f(θ) − f(θ₀)))/α², with f from
    /// the independent reference implementation.
    @Test("the gradient of L(F)/α² equals central finite differences", arguments: [0.1, 1.0, 7.0])
    func gradientMatchesFiniteDifferences(alpha: Double) {
        let net = TinyNet(activation: .tanh, parameterization: .ntk, depth: 2, outputs: 2, hasBias: true)
        let xs = net.inputs()
        var rng = RandomSource(seed: 5, stream: 9)
        let y = (0..<(net.samples * net.outputs)).map { _ in rng.normal() }
        let model = net.model()
        let theta0 = model.parameters.flattened
        let f0 = Reference.outputs(xs, net.architecture, flat: theta0)
        let nu = Double(xs.count * net.outputs)
        func loss(_ t: [Double]) -> Double {
            let f = Reference.outputs(xs, net.architecture, flat: t)
            return zip(zip(f, f0), y).reduce(0) { s, e in
                let F = alpha * (e.0.0 - e.0.1)
                return s + (F - e.1) * (F - e.1)
            } / (2 * nu) / (alpha * alpha)
        }
        // The centring is taken at construction, from θ₀; a few steps move θ away so that F ≠ 0 where the
        // gradient is checked.
        var gd = GradientDescent(model: model, inputs: Matrix(xs), targets: Matrix(rows: net.samples, cols: net.outputs, data: y),
                                 loss: .mean, learningRate: 0.5 * alpha, outputScale: alpha)
        for _ in 0..<3 { _ = gd.step(measureKernel: false) }
        let moved = gd.model.parameters.flattened
        #expect(naiveDistance(moved, theta0) > 1e-3 * naiveNorm(theta0), "θ moved from θ₀")
        let g = gd.gradient().flattened
        let fd = centralDifferenceGradient(loss, at: moved)
        let err = naiveDistance(g, fd) / naiveNorm(fd)
        #expect(err < 1e-6, "α = \(alpha): relative error \(err)")
    }

    /// The linearized dynamics of F do not depend on α, the parameters move ∝ 1/α, and GD leaves its NTK
    /// prediction by O(1/α): the fitted log-log slopes of the maximum gap and of the kernel drift against α are
    /// near −1 (tanh, so that no activation pattern flips).
    @Test("gap and drift fall as 1/α; the prediction does not depend on α")
    func lazinessSlopes() throws {
        let data = SyntheticDataset.gaussian.generate(samples: 32, testSamples: 16, inputDim: 8, outputs: 1, noise: 0, seed: 0)
        let a = NetworkArchitecture(inputDim: 8, width: 64, depth: 2, activation: .tanh)
        var gaps: [Double] = [], drifts: [Double] = [], changes: [Double] = [], predicted: [Double] = []
        let alphas = [1.0, 10, 100]
        for alpha in alphas {
            var settings = TrainingSettings(steps: 300)
            settings.outputScale = alpha
            let e = try NTKExperiment(architecture: a, dataset: data, settings: settings)
            let s = e.run { _ in }
            #expect(s.status == .completed)
            gaps.append(try #require(s.maxGap))
            drifts.append(try #require(s.maxKernelDrift))
            changes.append(try #require(s.finalWeightChange))
            predicted.append(try #require(s.finalTrainLossNTKDiscrete))
        }
        func slope(_ v: [Double]) -> Double { log(v.last! / v.first!) / log(alphas.last! / alphas.first!) }
        #expect((-1.3 ... -0.7).contains(slope(gaps)), "max gap slope \(slope(gaps)): \(gaps)")
        #expect((-1.3 ... -0.7).contains(slope(drifts)), "drift slope \(slope(drifts)): \(drifts)")
        #expect(abs(slope(changes) + 1) < 0.05, "weight change slope \(slope(changes)): \(changes)")
        #expect(Set(predicted).count == 1, "the linearized prediction is the same for every α: \(predicted)")
    }
}
