import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// Per-eigenmode convergence rates of GD, measured against the NTK prediction −log|1 − ηλ_i|.
@Suite(.serialized)
struct ModeRateTests {
    static func experiment(width: Int, depth: Int, activation: Activation, samples: Int, steps: Int,
                           lrFactor: Double, seed: UInt64 = 1, targets: Matrix? = nil) throws -> NTKExperiment {
        let data = DataSettings(dataset: .gaussian, samples: samples, testSamples: 2, inputDim: 4).generate(seed: seed)
        var dataset = data
        if let targets { dataset.trainTargets = targets }
        let architecture = NetworkArchitecture(inputDim: 4, width: width, depth: depth, activation: activation)
        return try NTKExperiment(architecture: architecture, dataset: dataset,
                                 settings: TrainingSettings(steps: steps, learningRateFactor: lrFactor, kernelEvery: 1000, seed: seed))
    }

    @Test(arguments: [0.1, 0.5, 0.9])
    func linearModelRatesEqualPredictionForEveryMeasuredMode(lrFactor: Double) throws {
        // Depth 0 with any activation is linear in its parameters: the NTK is constant and GD is exactly linear.
        let e = try Self.experiment(width: 1, depth: 0, activation: .linear, samples: 12, steps: 400, lrFactor: lrFactor)
        _ = e.run { _ in }
        let measured = e.modeRates.filter { $0.status == .measured }
        #expect(measured.count >= 3)
        for r in measured {
            let err = try #require(r.relativeError)
            #expect(abs(err) < 1e-6, "mode \(r.rank): measured \(r.measured!) predicted \(r.predictedDiscrete)")
        }
        // Depth 0 has rank d + 1 = 5: the other modes have no kernel and cannot move.
        #expect(e.modeRates.dropFirst(5).allSatisfy { $0.status != .measured })
    }

    /// Mean relative error of the top three modes' rates at one width (one hidden layer, relu, η = η_crit/10).
    static func topModeError(width: Int, seed: UInt64) throws -> [Double] {
        let e = try experiment(width: width, depth: 1, activation: .relu, samples: 16, steps: 300, lrFactor: 0.1, seed: seed)
        _ = e.run { _ in }
        return try e.modeRates.prefix(3).map { try abs(#require($0.relativeError, "mode \($0.rank) \($0.status)")) }
    }

    @Test(.tags(.slow), .endToEndEnabled) func wideNetworkMatchesTheTopModeRatesAndNarrowOneLess() throws {
        let seeds: [UInt64] = [1, 2, 3]
        let wide = try seeds.map { try Self.topModeError(width: 4096, seed: $0) }
        let narrow = try seeds.map { try Self.topModeError(width: 64, seed: $0) }
        for errors in wide {
            for e in errors { #expect(e < 0.05) }
        }
        let meanWide = wide.joined().reduce(0, +) / 9, meanNarrow = narrow.joined().reduce(0, +) / 9
        #expect(meanNarrow > meanWide, "width 64: \(meanNarrow), width 4096: \(meanWide)")
    }

    @Test func modeWithoutInitialResidualIsReportedAsNoiseNotARate() throws {
        // Targets chosen so that f_0 − y lies in the span of the top two eigenvectors: every other mode
        // starts at (round-off) zero, and what GD does there is leakage, not a rate.
        let probe = try Self.experiment(width: 256, depth: 1, activation: .tanh, samples: 10, steps: 0, lrFactor: 0.1)
        let v = probe.predictor.eigen.vectors
        let n = v.rows
        var targets = probe.initialTrainOutput
        for i in 0..<n { targets.data[i] -= 0.8 * v[i, n - 1] - 0.5 * v[i, n - 2] }
        let e = try Self.experiment(width: 256, depth: 1, activation: .tanh, samples: 10, steps: 200, lrFactor: 0.1,
                                    targets: targets)
        _ = e.run { _ in }
        let rates = e.modeRates
        #expect(rates[0].status == .measured)
        #expect(rates[1].status == .measured)
        for r in rates.dropFirst(2) {
            #expect(r.status == .negligibleResidual, "mode \(r.rank)")
            #expect(r.measured == nil && r.relativeError == nil)
        }
    }

    @Test func fitRecoversAKnownSlopeAndFlagsFlatAndTooFastModes() {
        // Exact geometric series: rates 0.3 (measured), 1e-5 over 100 steps (no measurable decay),
        // and a mode that drops by 1e-4 in one step (too fast).
        let r0 = [2.0, 1.0, -3.0]
        var tracker = ModeRateTracker(eigenvalues: [0.1, 0.5, 1], initialResiduals: r0, learningRate: 1)
        for t in 0...100 {
            let s = Double(t)
            tracker.add(step: t, residuals: [2 * exp(-1e-5 * s), exp(-0.3 * s), t == 0 ? -3 : -3e-4])
        }
        let rates = tracker.rates  // largest eigenvalue first: λ = 1, 0.5, 0.1
        #expect(rates[0].status == .tooFast)
        #expect(rates[1].status == .measured)
        #expect(abs(rates[1].measured! - 0.3) < 1e-12)
        #expect(rates[1].steps == 8)  // e^{-0.3 t} > 0.1 for t ≤ 7
        #expect(rates[2].status == .noMeasurableDecay)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func slightlyAboveCriticalOnTheLinearModelDivergesWithStatus3() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        // |1 − 1.05·2| = 1.1 per step: the top mode overflows after about 7 400 steps.
        let result = try ToolProcess.run(["--depth", "0", "--activation", "linear", "--width", "1", "--samples", "8",
                                          "--test-samples", "2", "--steps", "20000", "--lr-factor", "1.05",
                                          "--log-every", "100", "--out", scratch.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("above η_crit"))
        #expect(result.stderr.contains("diverged at step"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "diverged")
        #expect(summary["gd_outcome"] as? String == "diverged")
        let lines = try String(contentsOf: scratch.file("steps.csv"), encoding: .utf8).split(separator: "\n")
        let lastStep = try #require(summary["last_step"] as? Int)
        let divergedAt = try #require(summary["diverged_at_step"] as? Int)
        // Rows every 100 steps, plus the last finite step before the divergence.
        #expect(lastStep == divergedAt - 1)
        #expect(lines.count == lastStep / 100 + 2 + (lastStep % 100 == 0 ? 0 : 1))
        #expect(lines.last!.hasPrefix("\(lastStep),"))
        let losses = lines.dropFirst().compactMap { Double($0.split(separator: ",", omittingEmptySubsequences: false)[2]) }
        #expect(losses.count == lines.count - 1 && losses.allSatisfy(\.isFinite))
        // The loss grows geometrically until it passes 10¹⁰ × the initial loss (Docs/Conventions.md, "Divergence").
        #expect(losses.last! > 1e9 * losses.first!, "the logged loss grows geometrically up to the divergence")
        #expect(losses.last! <= NTKExperiment.divergenceLossFactor * losses.first!)
        #expect((summary["diverged_because"] as? String)?.contains("exceeds 1e10") == true)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func checkRatesWithNothingMeasurableFails() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        // One step: no mode has the steps a rate fit needs, so none has a rate to check. (η far above η_crit
        // no longer serves: its loss passes 10¹⁰ × the initial loss and the run diverges, exit 3 before 4.)
        let r = try ToolProcess.run(["--width", "32", "--samples", "16", "--test-samples", "2", "--steps", "1",
                                     "--check-rates", "0.01", "--out", scratch.path])
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("no mode had a measurable rate"))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func checkRatesExitsWith4WhenARateIsOff() throws {
        let scratch = ScratchDirectory(), other = ScratchDirectory()
        defer { scratch.cleanup(); other.cleanup() }
        let common = ["--width", "64", "--depth", "1", "--samples", "12", "--test-samples", "2", "--steps", "150",
                      "--lr-factor", "0.5"]
        // A narrow network's small modes drift far from the prediction: 0.1% cannot hold.
        let strict = try ToolProcess.run(common + ["--check-rates", "0.001", "--out", scratch.path])
        #expect(strict.status == 4)
        #expect(strict.stderr.contains("rate check failed") && strict.stderr.contains("mode "))
        // The exactly linear model passes a tight check.
        let linear = try ToolProcess.run(["--depth", "0", "--activation", "linear", "--samples", "12", "--steps", "300",
                                          "--check-rates", "1e-6", "--out", other.path])
        #expect(linear.status == 0, "\(linear.stderr)")
        #expect(linear.stdout.contains("rate check"))
    }
}
