import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// Per-layer weight change in steps.csv and the kept outputs and final parameters of `--keep-outputs-every`
/// (issue 18, item 5), against sums written out here and forward passes of the final parameters.
@Suite struct LayerMotionTests {
    static func maxAbs(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

    @Test(arguments: [Parameterization.ntk, .mup])
    func layerWeightChangesAndKeptOutputsMatchTheParameters(parameterization: Parameterization) throws {
        let data = SyntheticDataset.gaussian.generate(samples: 12, testSamples: 5, inputDim: 3, outputs: 2, noise: 0, seed: 4)
        let a = NetworkArchitecture(inputDim: 3, width: 16, depth: 2, outputs: 2, activation: .tanh, parameterization: parameterization)
        var settings = TrainingSettings(steps: 20)
        settings.outputHistoryEvery = 7
        let e = try NTKExperiment(architecture: a, dataset: data, settings: settings)
        var records: [StepRecord] = []
        let summary = e.run { records.append($0) }
        #expect(summary.status == .completed && records.count == 21)
        let theta0 = e.initialParameters, thetaT = try #require(e.finalParameters)
        let last = try #require(records.last)
        #expect(last.layerWeightChanges.count == 3)
        var squared = 0.0
        for l in 0..<3 {
            let moved = naiveDistance(thetaT.weights[l].data, theta0.weights[l].data)
            let expected = moved / naiveNorm(theta0.weights[l].data)
            #expect(abs(last.layerWeightChanges[l] - expected) <= 1e-12 * expected, "layer \(l + 1)")
            squared += moved * moved + pow(naiveDistance(thetaT.biases[l], theta0.biases[l]), 2)
        }
        // The layers and the biases make up the whole-parameter change.
        let whole = squared.squareRoot() / naiveNorm(theta0.weights.flatMap(\.data) + theta0.biases.flatMap { $0 })
        #expect(abs(last.weightChange - whole) <= 1e-12 * whole)
        #expect(records[0].layerWeightChanges == [0, 0, 0])

        #expect(e.outputHistory.map(\.step) == [0, 7, 14, 20])
        let net = Network<Double>(architecture: a, parameters: thetaT)
        #expect(Self.maxAbs(net(data.trainInputs).data, e.outputHistory[3].train) < 1e-12)
        #expect(Self.maxAbs(net(data.testInputs).data, e.outputHistory[3].test) < 1e-12)
        let start = Network<Double>(architecture: a, parameters: theta0)
        #expect(Self.maxAbs(start(data.testInputs).data, e.outputHistory[0].test) < 1e-12)
        // The kept training outputs are the ones the logged loss was computed from.
        let y = data.trainTargets.data
        let keptLoss = zip(e.outputHistory[1].train, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(y.count) / 2
        #expect(abs(keptLoss - records[7].trainLossGD) <= 1e-12 * keptLoss)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func keptOutputsAndLayerColumnsAreWritten() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["--width", "8", "--depth", "1", "--samples", "6", "--test-samples", "4", "--steps", "12",
                                     "--keep-outputs-every", "5", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let header = try String(contentsOf: dir.file("steps.csv"), encoding: .utf8).split(separator: "\n")[0]
        #expect(header.contains(",weight_change_layer_1,weight_change_layer_2,kernel_lambda_max,"))
        #expect(header.hasSuffix(",weight_change_spectral_layer_1,weight_change_spectral_layer_2,sharpness"))
        #expect(try NPYArray(contentsOf: dir.file("arrays/history_steps.npy")).values == [0, 5, 10, 12])
        #expect(try NPYArray(contentsOf: dir.file("arrays/f_train_history.npy")).shape == [4, 6])
        #expect(try NPYArray(contentsOf: dir.file("arrays/f_test_history.npy")).shape == [4, 4])
        #expect(try NPYArray(contentsOf: dir.file("arrays/params_final/W1.npy")).shape == [8, 1])
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("config.json"))) as? [String: Any]
        #expect(config?["output_history_every"] as? Int == 5)
        // A diverged run keeps the outputs it reached and no parameters (its last update is what blew up).
        let diverged = ScratchDirectory()
        defer { diverged.cleanup() }
        let d = try ToolProcess.run(["--width", "16", "--samples", "8", "--steps", "200", "--lr", "200", "--keep-outputs-every", "7",
                                     "--quiet", "--out", diverged.path])
        #expect(d.status == 3, "\(d.stderr)")
        #expect(try NPYArray(contentsOf: diverged.file("arrays/history_steps.npy")).values.allSatisfy { $0.truncatingRemainder(dividingBy: 7) == 0 })
        #expect(!FileManager.default.fileExists(atPath: diverged.file("arrays/params_final").path))
        let refused = try ToolProcess.run(["--width", "8", "--keep-outputs-every", "0", "--out", dir.path + "-x"])
        #expect(refused.status == 64 && refused.stderr.contains("--keep-outputs-every 0"))
    }
}
