import Foundation
import NTKTestSupport
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
        let a = NetworkArchitecture(inputDim: dataset.inputDim, width: width, outputs: dataset.outputs)
        let e = try NTKExperiment(architecture: a, dataset: dataset, settings: settings)
        let dir = try RunDirectory.create(at: scratch.url)
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
        let a = NetworkArchitecture(inputDim: data.inputDim, width: 64)
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
        let a = NetworkArchitecture(inputDim: data.inputDim, width: 64)
        let e = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 100))
        let summary = e.run { _ in }
        #expect(summary.status == .completed)
    }

    /// A column of ±1e300 used to get std = ∞, which turned it into zeros and wrote "inf" into config.json.
    /// Now its statistics are finite and the standardized column has mean 0 and std 1, as any other.
    @Test(arguments: [1e300, -1e307, 1.7e308, 1e-310, 5e-324])
    func standardizationOfExtremeColumnsGivesMeanZeroStdOne(scale: Double) throws {
        var rng = RandomSource(seed: 11)
        let n = 9
        // Column 0 at `scale` (both signs), column 1 at 1, column 2 an offset of `scale` plus a spread.
        let values = (0..<n).flatMap { i -> [Double] in
            let u = Double(i % 3 == 0 ? -1 : 1) * (0.25 + rng.uniform() * 0.75)
            return [scale * u, rng.normal(), scale / 2 + scale / 4 * (Double(i) / Double(n))]
        }
        var x = Matrix(rows: n, cols: 3, data: values)
        var test = Matrix(rows: 1, cols: 3, data: Array(values.prefix(3)))
        let s = Standardization.fitAndApply(train: &x, test: &test)
        #expect(s.mean.allSatisfy(\.isFinite) && s.std.allSatisfy(\.isFinite))
        #expect(x.data.allSatisfy(\.isFinite) && test.data.allSatisfy(\.isFinite))
        // At the smallest subnormal the column holds only 0 and ±5e-324, and its mean has no representation.
        guard abs(scale) > 1e-320 else { return }
        for j in 0..<3 where s.std[j] > 0 {
            let column = (0..<n).map { x.data[$0 * 3 + j] }
            let mean = column.reduce(0, +) / Double(n)
            let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
            #expect(abs(mean) < 1e-9, "column \(j): mean \(mean)")
            // Subnormal inputs carry few significant bits, so their standardized spread is only roughly 1.
            #expect(abs(std - 1) < (abs(scale) < 1e-300 ? 0.05 : 1e-9), "column \(j): std \(std)")
            #expect(test.data[j] == x.data[j], "the test row is the first training row, so it standardizes the same")
        }
        #expect(s.std[0] > 0 && s.std[2] > 0)
    }

    /// Every non-finite number in a JSON file of the run directory is null, as Docs/LogFormat.md promises
    /// (it used to be the string "inf"), and a string that merely reads "inf" stays a string.
    @Test func nonFiniteNumbersInJSONAreNull() throws {
        struct Sample: Encodable { var a = Double.infinity, b = -Double.infinity, c = Double.nan, d = 1.5, e = "inf", f = [Double.nan, 2] }
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        try RunDirectory(url: scratch.url).writeJSON(Sample(), to: "s.json")
        let object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("s.json"))) as? [String: Any])
        for key in ["a", "b", "c"] { #expect(object[key] is NSNull, "\(key): \(String(describing: object[key]))") }
        #expect(object["d"] as? Double == 1.5)
        #expect(object["e"] as? String == "inf")
        let f = try #require(object["f"] as? [Any])
        #expect(f.first is NSNull && f.last as? Double == 2)
    }
}
