import Foundation
import Testing
@testable import NTKDynamics

/// Extreme but finite inputs (issue 14): each ends in a clear error or a complete run directory, never a trap.
@Suite(.serialized)
struct NumericTrapTests {
    /// A CSV table of `rows` rows: two inputs in [−1, 1] and a target `scale`·(±u), u in [0.5, 1].
    static func table(rows: Int, targetScale: Double, inputScale: Double = 1, seed: UInt64 = 3) throws -> NumericTable {
        var rng = RandomSource(seed: seed)
        var text = "x1,x2,y\n"
        for _ in 0..<rows {
            let sign: Double = rng.next() % 2 == 0 ? 1 : -1
            text += "\(inputScale * (2 * rng.uniform() - 1)),\(2 * rng.uniform() - 1),\(sign * targetScale * (0.5 + rng.uniform() / 2))\n"
        }
        return try NumericTable.parse(Data(text.utf8), file: "t.csv")
    }

    /// Runs `dataset` into a fresh directory; returns the summary and the directory.
    static func record(_ dataset: Dataset, settings: TrainingSettings, width: Int = 16) throws -> (RunSummary, ScratchDirectory) {
        let scratch = ScratchDirectory()
        let a = MLPArchitecture(inputDim: dataset.inputDim, width: width, outputs: dataset.outputs)
        let e = try NTKExperiment(architecture: a, dataset: dataset, settings: settings)
        let dir = try RunDirectory.create(at: scratch.url, force: false)
        let summary = try RunRecorder.record(e, data: DataSettings(), command: ["test"], into: dir)
        return (summary, scratch)
    }

    /// Targets of 1e155 make the very first loss overflow: the run is `diverged` at step 0 and still leaves
    /// spectrum.csv and summary.json (it used to trap in writeSpectrum, leaving header-only logs).
    @Test(arguments: [1e155, -1e200, 1e300])
    func hugeTargetsEndAsADivergedRunWithItsSummary(scale: Double) throws {
        let data = try CSVDataset.make(train: Self.table(rows: 8, targetScale: scale), test: nil, options: CSVDataOptions()).dataset
        let (summary, scratch) = try Self.record(data, settings: TrainingSettings(steps: 5))
        defer { scratch.cleanup() }
        #expect(summary.status == .diverged)
        #expect(summary.divergedBecause != nil)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: scratch.file("summary.json").path))
        let spectrum = try CSVTable(contentsOf: scratch.file("spectrum.csv"))
        #expect(spectrum.rowCount > 0 && spectrum.skippedRows == 0)
    }

    /// Issue 14's relu net at η = 100 (≈ 120·η_crit): its loss grew to 1e186 and its weight change to ∞, yet it
    /// ended `completed`. Now it stops as diverged, and every row it kept holds finite GD quantities below the bound.
    @Test func runawayLossInAReluNetIsDivergence() throws {
        let data = DataSettings(samples: 32, testSamples: 16).generate(seed: 0)
        let a = MLPArchitecture(inputDim: data.inputDim, width: 64)
        let e = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 300, learningRate: 100))
        var rows: [StepRecord] = []
        let summary = e.run { rows.append($0) }
        #expect(summary.status == .diverged)
        #expect(summary.divergedAtStep != nil && summary.lastStep < 300)
        #expect(!rows.isEmpty)
        let initial = try #require(rows.first?.trainLossGD)
        for r in rows {
            #expect(r.trainLossGD.isFinite && r.trainLossGD <= NTKExperiment.divergenceLossFactor * initial, "step \(r.step)")
            #expect(r.weightChange.isFinite, "step \(r.step)")
            #expect(r.testLossGD.map(\.isFinite) ?? true, "step \(r.step)")
        }
    }

    /// The bound leaves a converging run alone: at η = ½·η_crit the same network completes.
    @Test func aConvergingRunIsNotCutByTheBound() throws {
        let data = DataSettings(samples: 32, testSamples: 16).generate(seed: 0)
        let a = MLPArchitecture(inputDim: data.inputDim, width: 64)
        let e = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 100))
        let summary = e.run { _ in }
        #expect(summary.status == .completed)
    }
}
