import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamicsCLI
@testable import NTKDynamics

/// η derived from η_crit may differ in its last bits between thread counts (`--jobs`); resume and merge
/// accept that, and still refuse a real difference (issue 14 item 10).
@Suite(.serialized)
struct SweepToleranceTests {
    static func config(lr: Double, lrSource: String) -> SweepConfiguration {
        SweepConfiguration(network: NetworkRecord(NetworkArchitecture(inputDim: 8, width: 32, depth: 1)),
                           training: TrainingRecord(TrainingSettings(steps: 30)),
                           sweep: .init(widths: [32, 64], seeds: [0, 1], data: DataSettings(), dataSeed: 0, lr: lr,
                                        lrSource: lrSource, shard: "0/1"))
    }

    @Test func aDerivedLearningRateMayDifferInItsLastBits() {
        let lr = 0.31390217731650046
        let derived = { (x: Double, crit: String) in Self.config(lr: x, lrSource: "0.5·η_crit of width 64, seed 0 (η_crit = \(crit))") }
        #expect(derived(lr, "0.6278").sameSweep(as: derived(lr.nextUp.nextUp, "0.6278")) == nil)
        #expect(derived(lr, "0.6278").sameSweep(as: derived(lr * (1 + 1e-13), "0.6279")) == nil)
        // A real change of η (another --lr-factor) is still a different sweep.
        #expect(derived(lr, "0.6278").sameSweep(as: derived(lr * 1.01, "0.6278"))?.contains("lr") == true)
        // An η the user gave is compared exactly.
        let given = { (x: Double) in Self.config(lr: x, lrSource: "--lr") }
        #expect(given(lr).sameSweep(as: given(lr.nextUp))?.contains("lr") == true)
        #expect(given(lr).sameSweep(as: derived(lr, "0.6278")) != nil)
    }

    static let common = ["sweep", "--widths", "16,32", "--depth", "1", "--samples", "8", "--test-samples", "2",
                         "--steps", "10", "--seeds", "1", "--quiet"]

    /// Rewrites `lr` in a sweep_config.json one ulp up, as another BLAS thread count can give.
    static func nudgeLearningRate(in dir: ScratchDirectory) throws {
        let url = dir.file("sweep_config.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        let range = try #require(text.range(of: #""lr" : [-+0-9.e]+"#, options: .regularExpression))
        let value = try #require(Double(text[range].split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
        text.replaceSubrange(range, with: "\"lr\" : \(value.nextUp)")
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func resumeAndMergeAcceptADerivedRateThatDiffersInTheLastBit() throws {
        let a = ScratchDirectory(), b = ScratchDirectory(), merged = ScratchDirectory()
        defer { [a, b, merged].forEach { $0.cleanup() } }
        #expect(try ToolProcess.run(Self.common + ["--shard", "0/2", "--out", a.path, "--jobs", "2"]).status == 0)
        #expect(try ToolProcess.run(Self.common + ["--shard", "1/2", "--out", b.path, "--jobs", "1"]).status == 0)
        try Self.nudgeLearningRate(in: b)
        let resumed = try ToolProcess.run(Self.common + ["--shard", "1/2", "--out", b.path, "--jobs", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming"))
        let m = try ToolProcess.run(["merge", a.path, b.path, "--out", merged.path])
        #expect(m.status == 0, "\(m.stderr)")
    }

    /// A refused resume says why, without the top-level usage text.
    @Test(.tags(.endToEnd), .endToEndEnabled) func aRefusedResumePrintsTheCauseWithoutUsage() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        #expect(try ToolProcess.run(Self.common + ["--out", dir.path]).status == 0)
        var other = Self.common
        other[other.firstIndex(of: "10")!] = "11"  // --steps differs
        let r = try ToolProcess.run(other + ["--out", dir.path])
        #expect(r.status == NTKExitStatus.usage)
        #expect(r.stderr.contains("holds a different sweep") && r.stderr.contains("steps"), "\(r.stderr)")
        #expect(!r.stderr.contains("USAGE") && !r.stderr.contains("--help"), "\(r.stderr)")
    }
}
