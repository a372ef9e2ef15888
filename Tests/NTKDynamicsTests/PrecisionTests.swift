import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// `--precision float32`: the single-precision network against the float64 one on the same parameters.
/// float32 has a unit round-off of 6e-8; sums over a few hundred terms keep relative errors near 1e-6.
@Suite("float32 network against float64")
struct PrecisionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var activation: Activation
        var outputs: Int
        var parameterization: Parameterization = .ntk
        var testDescription: String { "\(activation.rawValue) k=\(outputs) \(parameterization.rawValue)" }

        var architecture: NetworkArchitecture {
            NetworkArchitecture(inputDim: 5, width: 96, depth: 2, outputs: outputs, activation: activation,
                            parameterization: parameterization, weightStd: 1.5, biasStd: 0.1, hasBias: true)
        }

        var data: Dataset {
            DataSettings(dataset: .gaussian, samples: 24, testSamples: 8, inputDim: 5, outputs: outputs).generate(seed: 3)
        }

        func models() -> (Network<Double>, Network<Float>) {
            var rng = RandomSource(seed: 11, stream: 2)
            let m64 = Network<Double>(architecture: architecture, rng: &rng)
            // The float64 network gets the float32 values exactly, so the two differ only in their arithmetic.
            let m32 = Network<Float>(converting: m64)
            return (Network<Double>(converting: m32), m32)
        }
    }

    static let cases: [Case] = [
        Case(activation: .relu, outputs: 1), Case(activation: .tanh, outputs: 1), Case(activation: .erf, outputs: 2),
        Case(activation: .gelu, outputs: 1), Case(activation: .relu, outputs: 3, parameterization: .standard),
    ]

    /// ‖a − b‖/‖b‖ of two vectors, summed in float64 by plain loops (no BLAS).
    static func relative(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var d = 0.0, n = 0.0
        for i in a.indices { d += (a[i] - b[i]) * (a[i] - b[i]); n += b[i] * b[i] }
        return (d / n).squareRoot()
    }

    @Test(arguments: cases)
    func forwardAndGradientAgreeToFloat32Accuracy(_ c: Case) {
        let (m64, m32) = c.models()
        let x = c.data.trainInputs, y = c.data.trainTargets
        let f64 = m64(x), f32 = m32(x)
        #expect(Self.relative(f32.data, f64.data) < 1e-5, "f: \(Self.relative(f32.data, f64.data))")

        let g64 = GradientDescent(model: m64, inputs: x, targets: y, loss: .mean, learningRate: 0.1).gradient()
        let g32 = GradientDescent(model: m32, inputs: x, targets: y, loss: .mean, learningRate: 0.1).gradient()
        let a = g32.flattened.map(Double.init), b = g64.flattened
        #expect(Self.relative(a, b) < 1e-5, "∇L: \(Self.relative(a, b))")
    }

    @Test(arguments: cases)
    func kernelAgreesToFloat32Accuracy(_ c: Case) {
        let (m64, m32) = c.models()
        let x = c.data.trainInputs, xTest = c.data.testInputs
        let k64 = EmpiricalNTK.kernel(m64, x), k32 = EmpiricalNTK.kernel(m32, x)
        #expect(Self.relative(k32.data, k64.data) < 1e-5, "K: \(Self.relative(k32.data, k64.data))")
        let c64 = EmpiricalNTK.kernel(m64, xTest, x), c32 = EmpiricalNTK.kernel(m32, xTest, x)
        #expect(Self.relative(c32.data, c64.data) < 1e-5, "K(X*, X): \(Self.relative(c32.data, c64.data))")
        // The GD step that measures K_t shares its passes with the gradient; same kernel as the direct one.
        var gd = GradientDescent(model: m32, inputs: x, targets: c.data.trainTargets, loss: .mean, learningRate: 0.1)
        let kStep = gd.step(measureKernel: true).kernel!
        #expect(Self.relative(kStep.data, k32.data) < 1e-12)
    }

    @Test func float32RunTracksFloat64Run() throws {
        let data = DataSettings(dataset: .gaussian, samples: 32, testSamples: 16, inputDim: 4).generate(seed: 5)
        let a = NetworkArchitecture(inputDim: 4, width: 128, depth: 2, activation: .relu)
        var settings = TrainingSettings(steps: 60, kernelEvery: 20, logEvery: 1, seed: 5)
        func losses(_ precision: Precision) throws -> (experiment: NTKExperiment, train: [Double], gap: [Double], summary: RunSummary) {
            settings.precision = precision
            let e = try NTKExperiment(architecture: a, dataset: data, settings: settings)
            var train: [Double] = [], gap: [Double] = []
            let summary = e.run { r in
                train.append(r.trainLossGD)
                gap.append(r.gap)
            }
            return (e, train, gap, summary)
        }
        let r64 = try losses(.float64), r32 = try losses(.float32)
        #expect(r32.summary.status == .completed && r32.train.count == 61)
        // The float32 run predicts from its own K₀ (float64-accumulated from float32 passes): close to float64's.
        #expect(Self.relative(r32.experiment.initialKernel.data, r64.experiment.initialKernel.data) < 1e-5)
        #expect(abs(r32.experiment.learningRate / r64.experiment.learningRate - 1) < 1e-5)
        // The loss falls 30-fold; float32 follows float64 at every step (measured: 1e-6 relative).
        #expect(r64.train.last! < 0.2 * r64.train.first!)
        for (l32, l64) in zip(r32.train, r64.train) {
            #expect(abs(l32 - l64) <= 1e-4 * l64, "loss \(l32) vs \(l64)")
        }
        // The gap to the NTK prediction (a finite-width effect of order 1e-2 here) is unchanged to 1e-5 absolute
        // (measured: 2e-7), and so is the kernel drift.
        for (g32, g64) in zip(r32.gap, r64.gap) {
            #expect(abs(g32 - g64) <= 1e-5, "gap \(g32) vs \(g64)")
        }
        #expect(abs(r32.summary.finalKernelDrift! - r64.summary.finalKernelDrift!) <= 1e-5)
    }

    /// The built tool: `--precision float32` trains and says so in config.json; a bad value is a usage error.
    @Test(.tags(.endToEnd), .endToEndEnabled) func commandLine() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let ok = try ToolProcess.run(["--width", "32", "--samples", "8", "--test-samples", "4", "--steps", "20",
                                      "--precision", "float32", "--out", scratch.path, "--quiet"])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("config.json"))) as! [String: Any]
        #expect(config["precision"] as? String == "float32")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "completed")

        let bad = try ToolProcess.run(["--precision", "double", "--out", scratch.file("never").path])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("double") && bad.stderr.contains("float32") && bad.stderr.contains("float64"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("never").path))
    }
}
