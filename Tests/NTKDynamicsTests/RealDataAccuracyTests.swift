import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// Classification on real data: accuracy is logged and summarized, and a wide network's GD accuracy on binary
/// digits matches its NTK prediction.
@Suite(.serialized)
struct RealDataAccuracyTests {
    /// Lee et al. (2019): a wide network trained by GD stays close to its linearization, so on 3-vs-8 digits
    /// at width 2048 the two test accuracies agree within 2 points.
    @Test(.tags(.slow), .endToEndEnabled) func binaryDigitsAtWidth2048GDMatchesNTKAccuracy() throws {
        let data = try DigitsDataset.load(.init(classes: [3, 8], samples: 200, testSamples: 150, seed: 0)).dataset
        let architecture = NetworkArchitecture(inputDim: 64, width: 2048, depth: 1, outputs: 1, activation: .relu,
                                           parameterization: .ntk, weightStd: 1.5, biasStd: 0.05, hasBias: true)
        let steps = 150
        let experiment = try NTKExperiment(architecture: architecture, dataset: data,
                                           settings: TrainingSettings(steps: steps, learningRateFactor: 0.5, kernelEvery: steps,
                                                                      logEvery: 10, testEvery: 10, modes: 0))
        var records: [StepRecord] = []
        let summary = experiment.run { records.append($0) }
        #expect(summary.status == .completed)
        let gd = try #require(summary.finalTestAccuracyGD), ntk = try #require(summary.finalTestAccuracyNTK)
        #expect(abs(gd - ntk) <= 0.02, "GD \(gd) against NTK \(ntk)")
        #expect(gd > 0.9, "the task is learned: GD test accuracy \(gd)")
        // Logged on every test-evaluated row, and agreeing there too.
        for r in records {
            #expect(r.testAccuracyGD != nil && r.testAccuracyNTK != nil, "step \(r.step)")
            if let g = r.testAccuracyGD, let n = r.testAccuracyNTK { #expect(abs(g - n) <= 0.02, "step \(r.step): \(g) vs \(n)") }
        }
        #expect(records.last?.testAccuracyGD == gd)
    }

    /// Regression data log no accuracy; summary.json still lists the keys, as null.
    @Test func regressionRunsHaveNullAccuracy() throws {
        let data = DataSettings(dataset: .gaussian, samples: 10, testSamples: 5, inputDim: 3).generate(seed: 1)
        let a = NetworkArchitecture(inputDim: 3, width: 16, depth: 1, outputs: 1, activation: .relu, parameterization: .ntk,
                                weightStd: 1.5, biasStd: 0.05, hasBias: true)
        let e = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 5))
        var records: [StepRecord] = []
        let summary = e.run { records.append($0) }
        #expect(records.allSatisfy { $0.testAccuracyGD == nil && $0.testAccuracyNTK == nil })
        let table = StepColumn.table(layers: a.layerCount)
        let classification = ["test_accuracy_gd", "test_accuracy_ntk", "train_margin_gd", "train_margin_lin"]
        #expect(records.allSatisfy { r in
            let cells = Dictionary(uniqueKeysWithValues: zip(table.names, table.cells(r)))
            return classification.allSatisfy { cells[$0] == "" }
        })
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as! [String: Any]
        #expect(json["final_test_accuracy_gd"] is NSNull && json["final_test_accuracy_ntk"] is NSNull)
    }

    /// `--dataset digits` through the built tool: accuracy in steps.csv, summary.json and the printed summary.
    @Test(.tags(.endToEnd), .endToEndEnabled) func digitsRunThroughTheTool() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run(["--dataset", "digits", "--classes", "0,1", "--samples", "60", "--test-samples", "40",
                                          "--width", "64", "--depth", "1", "--steps", "20", "--seed", "2", "--out", scratch.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("data: digits.csv (bundled) · 60 train, 40 test"))
        #expect(result.stdout.contains("test accuracy    GD "))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("config.json"))) as! [String: Any]
        #expect(config["dataset"] as? String == "digits" && config["outputs"] as? Int == 1 && config["input_dim"] as? Int == 64)
        let source = try #require(config["data_source"] as? [String: Any])
        #expect(source["classes"] as? [Int] == [0, 1] && source["task"] as? String == "classification")
        #expect((source["license"] as? String)?.contains("CC BY 4.0") == true)
        let lines = try String(contentsOf: scratch.file("steps.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let gdColumn = try #require(header.firstIndex(of: "test_accuracy_gd"))
        let ntkColumn = try #require(header.firstIndex(of: "test_accuracy_ntk"))
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let step = Int(cells[0])!
            let tested = step % 10 == 0 || step == 20
            #expect(cells[gdColumn].isEmpty != tested && cells[ntkColumn].isEmpty != tested, "step \(step)")
            if tested { #expect((0...1).contains(Double(cells[gdColumn]) ?? -1)) }
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["final_test_accuracy_gd"] is Double && summary["final_test_accuracy_ntk"] is Double)
        let y = try NPYArray(contentsOf: scratch.file("arrays/y_train.npy"))
        #expect(y.shape == [60] && y.values.allSatisfy { $0 == 1 || $0 == -1 })
    }

    /// Ten classes with the trace layout: k = 10 outputs and the layout recorded in config.json.
    @Test(.tags(.endToEnd), .endToEndEnabled) func tenClassDigitsWithTraceLayoutThroughTheTool() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run(["--dataset", "digits", "--samples", "30", "--test-samples", "20", "--width", "32",
                                          "--depth", "1", "--steps", "5", "--kernel-layout", "trace", "--out", scratch.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("kernel layout trace: the output-averaged N×N kernel"))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("config.json"))) as! [String: Any]
        #expect(config["outputs"] as? Int == 10 && config["kernel_layout"] as? String == "trace")
        #expect((config["kernel_layout_note"] as? String)?.contains("trace_axes") == true)
        let k0 = try NPYArray(contentsOf: scratch.file("arrays/ntk_init.npy"))
        #expect(k0.shape == [300, 300], "ntk_init.npy is the full (N·k)×(N·k) kernel")
        let y = try NPYArray(contentsOf: scratch.file("arrays/y_train.npy"))
        #expect(y.shape == [30, 10])
    }
}
