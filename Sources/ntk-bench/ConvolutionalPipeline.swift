import Foundation
import NTKDynamics

/// Flop counts of a CNN's passes (a multiply-add counts 2), for GFLOP/s figures. With H·W positions, convolution l
/// mapping C_l → C_{l+1} channels with K × K filters (P_l = K²·C_l patch entries), F readout features, N samples,
/// k outputs, R = N·k:
/// - forward:  Σ_l 2·N·HW·P_l·C_{l+1} + 2·N·F·k
/// - GD step:  forward + weight gradients (the same) + input gradients Σ_{l≥1} 2·N·HW·P_l·C_{l+1} + 2·N·F·k
/// - NTK:      forward + derivatives for R rows + per convolution 2·R·HW·P_l·C_{l+1} (per-sample gradients) and
///             R²·(P_l + 1)·C_{l+1} (syrk), + the readout's R²·k + N²·F
enum ConvolutionalFlopCounts {
    static func convolutions(_ a: NetworkArchitecture) -> [(patch: Double, out: Double)] {
        guard case .cnn(let s) = a.family else { return [] }
        let k2 = Double(s.kernelSize * s.kernelSize)
        return (0..<a.depth).map { l in (k2 * Double(l == 0 ? s.inputChannels : a.width), Double(a.width)) }
    }

    static func positions(_ a: NetworkArchitecture) -> Double {
        guard case .cnn(let s) = a.family else { return 1 }
        return Double(s.positions)
    }

    static func features(_ a: NetworkArchitecture) -> Double {
        guard case .cnn(let s) = a.family else { return Double(a.width) }
        return s.pooling == .gap ? Double(a.width) : Double(s.positions * a.width)
    }

    static func forward(_ a: NetworkArchitecture, samples n: Int) -> Double {
        let hw = positions(a), nd = Double(n)
        return convolutions(a).reduce(0) { $0 + 2 * nd * hw * $1.patch * $1.out } + 2 * nd * features(a) * Double(a.outputs)
    }

    static func backward(_ a: NetworkArchitecture, rows r: Int) -> Double {
        let hw = positions(a), rd = Double(r)
        return convolutions(a).dropFirst().reduce(0) { $0 + 2 * rd * hw * $1.patch * $1.out } + 2 * rd * features(a) * Double(a.outputs)
    }

    static func gradientDescentStep(_ a: NetworkArchitecture, samples n: Int) -> Double {
        2 * forward(a, samples: n) + backward(a, rows: n)
    }

    static func kernel(_ a: NetworkArchitecture, samples n: Int) -> Double {
        let hw = positions(a), r = Double(n * a.outputs), nd = Double(n)
        let terms = convolutions(a).reduce(0.0) { $0 + 2 * r * hw * $1.patch * $1.out + r * r * ($1.patch + 1) * $1.out }
        return forward(a, samples: n) + backward(a, rows: n * a.outputs) + terms + r * r * Double(a.outputs) + nd * nd * features(a)
    }
}

extension Benchmark {
    /// The CNN workload (issue 24, item 8): digits 3 against 8 (N = `samples`, k = 1), `depth` SAME 3 × 3
    /// convolutions of `channels` channels, relu, GAP, ntk, σ_w = 1.5, σ_b = 0.05; the phases against the dgemm rate,
    /// then NTKExperiment's set-up (f₀, K₀, K₀(X*, X), eigendecomposition) and `steps` GD steps with K_t every 10.
    func measureConvolutionalPipeline(samples n: Int, channels: Int, depth: Int, steps: Int, _ table: inout Table) throws {
        let data = try DigitsDataset.load(.init(classes: [3, 8], samples: n)).dataset
        var a = NetworkArchitecture(inputDim: data.inputDim, width: channels, depth: depth, outputs: data.outputs,
                                    activation: .relu, parameterization: .ntk, weightStd: 1.5, biasStd: 0.05)
        a.family = .cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 1, kernelSize: 3, pooling: .gap))
        var rng = RandomSource(seed: 0, stream: .parameters)
        let model = Network<Double>(architecture: a, rng: &rng)
        var gd = GradientDescent(model: model, inputs: data.trainInputs, targets: data.trainTargets, loss: .mean, learningRate: 1e-6)
        let flops = ConvolutionalFlopCounts.self
        table.report(n, channels, "cnn_forward", medianSeconds(repetitions: repetitions) { _ = model(data.trainInputs) },
                     flops.forward(a, samples: n))
        table.report(n, channels, "cnn_gd_step", medianSeconds(repetitions: repetitions) { _ = gd.step(measureKernel: false) },
                     flops.gradientDescentStep(a, samples: n))
        table.report(n, channels, "cnn_ntk", medianSeconds(repetitions: repetitions) { _ = EmpiricalNTK.kernel(model, data.trainInputs) },
                     flops.kernel(a, samples: n))
        table.report(n, channels, "cnn_gd_step+ntk", medianSeconds(repetitions: repetitions) { _ = gd.step(measureKernel: true) },
                     flops.gradientDescentStep(a, samples: n) + flops.kernel(a, samples: n)
                         - flops.forward(a, samples: n) - flops.backward(a, rows: n))
        let clock = ContinuousClock()
        let start = clock.now
        let experiment = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: steps, kernelEvery: 10))
        let setUp = clock.now
        let summary = experiment.run { _ in }
        let end = clock.now
        table.report(n, channels, "cnn_setup", (setUp - start).seconds, nil)
        table.report(n, channels, "cnn_run_\(steps)_steps", (end - setUp).seconds, nil)
        table.report(n, channels, "cnn_total", (end - start).seconds, nil)
        print(String(format: "cnn pipeline: %d steps, final train loss GD %.4g, NTK %.4g, kernel drift %.4g (N = %d, test N* = %d)", steps,
                     summary.finalTrainLossGD ?? .nan, summary.finalTrainLossNTK ?? .nan, summary.finalKernelDrift ?? .nan, n,
                     data.testInputs.rows))
    }
}
