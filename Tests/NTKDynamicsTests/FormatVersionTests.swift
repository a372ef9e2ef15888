import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamicsCLI
@testable import NTKDynamics

/// `format_version` (Docs/LogFormat.md#format-versions): 2 in every config the tool writes; a file without it is
/// version 1 (every directory written by e579795 and earlier), and this version reads, resumes and merges those.
@Suite(.serialized)
struct FormatVersionTests {
    private func decodeFormat(_ json: String) throws -> Int {
        try JSONDecoder().decode(FormatRecord.self, from: Data(json.utf8)).formatVersion
    }

    @Test func aMissingOrNullVersionIsOne() throws {
        #expect(try decodeFormat(#"{"tool": "ntk-dynamics", "version": "0.1.0"}"#) == 1)
        #expect(try decodeFormat(#"{"format_version": null}"#) == 1)
        #expect(try decodeFormat(#"{"format_version": 2}"#) == 2)
        #expect(try decodeFormat(#"{"format_version": 7}"#) == 7)
        #expect(throws: DecodingError.self) { try decodeFormat(#"{"format_version": "2"}"#) }
    }

    /// A run's configuration encodes the key at the top level, read back by JSONSerialization; the same
    /// file without the key (the e579795 layout) decodes as version 1 with every other record equal.
    @Test func aRunConfigurationWritesVersionTwoAndReadsVersionOne() throws {
        let a = NetworkArchitecture(inputDim: 2, width: 8, outputs: 1)
        let written = RunConfiguration(architecture: a, data: DataSettings(samples: 4, testSamples: 2, inputDim: 2),
                                       settings: TrainingSettings(steps: 3), learningRate: 0.5, criticalLearningRate: 1,
                                       command: ["test"])
        let data = try JSONText.encode(written)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["format_version"] as? Int == 2)
        #expect(try JSONDecoder().decode(RunConfiguration.self, from: data) == written)

        object["format_version"] = nil
        let old = try JSONDecoder().decode(RunConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.format.formatVersion == 1)
        #expect(old.network == written.network && old.training == written.training && old.run == written.run)
    }

    /// Resume and merge compare every key but `version`, `format_version` and `shard`.
    @Test func aVersionOneSweepIsTheSameSweep() {
        var old = SweepToleranceTests.config(lr: 0.25, lrSource: "--lr")
        old.format = FormatRecord(formatVersion: 1)
        let new = SweepToleranceTests.config(lr: 0.25, lrSource: "--lr")
        #expect(new.format.formatVersion == 2)
        #expect(old.sameSweep(as: new) == nil && new.sameSweep(as: old) == nil)
    }

    private func formatVersion(_ url: URL) throws -> Int? {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return object?["format_version"] as? Int
    }

    /// Removes `format_version` from a config file, as e579795 wrote it.
    private func makeVersionOne(_ url: URL) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        #expect(object.removeValue(forKey: "format_version") as? Int == 2)
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    /// A version-1 sweep resumes (its sweep_config.json kept as it was) and merges with a version-2 shard into a
    /// version-2 merge; the report reads the version-1 runs.
    @Test(.tags(.endToEnd), .endToEndEnabled) func versionOneSweepsResumeMergeAndReport() throws {
        let a = ScratchDirectory(), b = ScratchDirectory(), merged = ScratchDirectory()
        defer { [a, b, merged].forEach { $0.cleanup() } }
        let common = ["sweep", "--widths", "16,32", "--depth", "1", "--samples", "8", "--test-samples", "2",
                      "--steps", "10", "--seeds", "1", "--quiet"]
        #expect(try ToolProcess.run(common + ["--shard", "0/2", "--out", a.path]).status == 0)
        #expect(try ToolProcess.run(common + ["--shard", "1/2", "--out", b.path]).status == 0)
        #expect(try formatVersion(a.file("sweep_config.json")) == 2)
        let runs = try FileManager.default.contentsOfDirectory(atPath: a.file("runs").path)
        #expect(runs.count == 1)
        let run = a.file("runs/\(runs[0])")
        #expect(try formatVersion(run.appendingPathComponent("config.json")) == 2)

        try makeVersionOne(a.file("sweep_config.json"))
        try makeVersionOne(run.appendingPathComponent("config.json"))
        try FileManager.default.removeItem(at: a.file("report.html"))
        let resumed = try ToolProcess.run(common + ["--shard", "0/2", "--out", a.path])
        #expect(resumed.status == 0 && resumed.stderr.contains("resuming"), "\(resumed.stderr)")
        #expect(try formatVersion(a.file("sweep_config.json")) == nil)

        let m = try ToolProcess.run(["merge", a.path, b.path, "--out", merged.path])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(try formatVersion(merged.file("sweep_config.json")) == 2)
        #expect(try SweepTests.rows(merged).count == 1 + 2)

        let report = try ToolProcess.run(["report", run.path])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("depth 1 · relu · ntk parameterization"))
    }
}
