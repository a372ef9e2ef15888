import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// A training run beside the infinite-width prediction (`--kernel analytic`) and kernel ridge regression.
@Suite(.serialized)
struct InfiniteWidthRunTests {
    static func experiment(width: Int, seed: UInt64, steps: Int = 150, samples: Int = 16,
                           analytic: Bool = true, ridge: Double? = nil) throws -> NTKExperiment {
        let data = DataSettings(dataset: .gaussian, samples: samples, testSamples: 6, inputDim: 3).generate(seed: 3)
        var settings = TrainingSettings(steps: steps, learningRateFactor: 0.5, kernelEvery: 50, seed: seed)
        settings.kernel = analytic ? .analytic : .empirical
        settings.ridge = ridge
        return try NTKExperiment(architecture: NetworkArchitecture(inputDim: 3, width: width, depth: 1, activation: .erf),
                                 dataset: data, settings: settings)
    }

    @Test(.tags(.slow), .endToEndEnabled) func wideNetworksApproachTheInfiniteWidthPrediction() throws {
        var distance: [Int: Double] = [:], gap: [Int: Double] = [:]
        for width in [64, 4096] {
            var d = 0.0, g = 0.0
            for seed: UInt64 in 1...3 {
                let e = try Self.experiment(width: width, seed: seed)
                let s = e.run { _ in }
                d += try #require(s.kernelDistanceAnalytic)
                g += try #require(s.maxGapAnalytic)
                #expect(s.finalTrainLossAnalytic != nil && s.finalTestLossAnalytic != nil)
            }
            distance[width] = d / 3
            gap[width] = g / 3
        }
        // ‖K₀ − Θ‖/‖Θ‖ ∝ width^{-1/2}: a factor 8 from 64 to 4096; ask for 4.
        #expect(distance[4096]! * 4 < distance[64]!, "\(distance)")
        #expect(gap[4096]! * 3 < gap[64]!, "\(gap)")
        #expect(distance[4096]! < 0.05)
    }

    @Test func withoutTheAnalyticKernelTheColumnsStayEmpty() throws {
        let e = try Self.experiment(width: 32, seed: 1, steps: 5, analytic: false)
        var rows: [StepRecord] = []
        let s = e.run { rows.append($0) }
        #expect(rows.allSatisfy { $0.trainLossAnalytic == nil && $0.gapAnalytic == nil })
        #expect(s.kernelDistanceAnalytic == nil && e.infiniteWidth == nil)
    }

    @Test func ridgeToZeroIsTheLongTimeLimitOfTheLinearizedPrediction() throws {
        // 8 points, a full-rank K₀: GD on the linearized model converges to kernel regression (no ridge).
        let e = try Self.experiment(width: 256, seed: 2, steps: 0, samples: 8)
        let ridge = try RidgeComparison(ridge: 0, experiment: e)
        let limit = e.predictor.testOutput(step: 10_000_000, form: .discrete)
        let data = e.dataset
        let expected = e.settings.loss.loss(limit, data.testTargets.data, samples: data.testCount, outputs: 1)
        #expect(abs(ridge.testLossEmpirical - expected) < 1e-6 * max(expected, 1e-12), "\(ridge.testLossEmpirical) vs \(expected)")
        let limitAnalytic = try #require(e.infiniteWidth).predictor.testOutput(step: 10_000_000, form: .discrete)
        let expectedAnalytic = e.settings.loss.loss(limitAnalytic, data.testTargets.data, samples: data.testCount, outputs: 1)
        #expect(abs(try #require(ridge.testLossAnalytic) - expectedAnalytic) < 1e-6 * max(expectedAnalytic, 1e-12))
        // A large ridge shrinks the prediction toward f₀.
        let heavy = try RidgeComparison(ridge: 1e9, experiment: e)
        let f0Loss = e.settings.loss.loss(e.initialTestOutput.data, data.testTargets.data, samples: data.testCount, outputs: 1)
        #expect(abs(heavy.testLossEmpirical - f0Loss) < 1e-6 * f0Loss)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func runDirectoryHoldsTheAnalyticKernelAndColumns() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let r = try ToolProcess.run(["--width", "64", "--depth", "1", "--samples", "10", "--test-samples", "4",
                                     "--steps", "20", "--kernel", "analytic", "--ridge", "1e-6", "--out", scratch.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("infinite width") && r.stdout.contains("kernel ridge"))
        #expect(try NPYArray(contentsOf: scratch.file("arrays/ntk_analytic.npy")).shape == [10, 10])
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["kernel_distance_analytic"] is NSNumber)
        let ridge = try #require(summary["ridge"] as? [String: Any])
        #expect(ridge["test_loss_empirical"] is NSNumber && ridge["test_loss_analytic"] is NSNumber)
        let spectrum = try String(contentsOf: scratch.file("spectrum.csv"), encoding: .utf8).split(separator: "\n")
        let header = spectrum[0].split(separator: ",", omittingEmptySubsequences: false)
        let column = try #require(header.firstIndex(of: "eigenvalue_analytic"))
        #expect(Double(spectrum[1].split(separator: ",", omittingEmptySubsequences: false)[column]) != nil)
        // Issue 25 item 8: the Θ prediction on the test inputs at the snapshot steps; at t = T its loss
        // ‖f − y*‖²/(2N*) (mean loss, k = 1) is the last row's test_loss_ntk_analytic.
        let theta = try NPYArray(contentsOf: scratch.file("arrays/f_test_snapshots_analytic.npy"))
        let steps = try NPYArray(contentsOf: scratch.file("arrays/snapshot_steps.npy")).values
        #expect(theta.shape == [steps.count, 4] && steps.last == 20)
        let yTest = try NPYArray(contentsOf: scratch.file("arrays/y_test.npy")).values
        let last = Array(theta.values.suffix(4))
        let loss = zip(last, yTest).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 8
        let table = try CSVTable(contentsOf: scratch.file("steps.csv"))
        let logged = try #require(table.numbers("test_loss_ntk_analytic")?.last ?? nil)
        #expect(abs(loss - logged) <= 1e-12 * logged)
    }
}
