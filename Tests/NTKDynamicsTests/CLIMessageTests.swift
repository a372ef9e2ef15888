import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// Messages that misled (issue 14): each now names the cause, with a fitting exit status.
@Suite(.serialized)
struct CLIMessageTests {
    @Test(.tags(.endToEnd), .endToEndEnabled) func helpForAnUnknownCommandIsAUsageError() throws {
        let r = try ToolProcess.run(["help", "frobnicate"])
        #expect(r.status == NTKExitStatus.usage)
        #expect(r.stderr.contains("frobnicate") && r.stderr.contains("no such command"), "\(r.stderr)")
        #expect(!r.stdout.contains("OVERVIEW"))
        let known = try ToolProcess.run(["help", "sweep"])
        #expect(known.status == 0 && known.stdout.contains("sweep"))
    }

    /// Output lost to a full device is reported on stderr, and the command fails: a run (whose directory is
    /// whole all the same) and --version alike.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [true, false])
    func aFailedWriteToStandardOutputIsReported(run: Bool) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let process = Process()
        process.executableURL = ToolProcess.executable
        process.arguments = run ? ["--width", "8", "--samples", "4", "--steps", "3", "--out", scratch.path] : ["--version"]
        process.standardOutput = full
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == NTKExitStatus.failure)
        #expect(stderr.contains("standard output") && stderr.contains("No space left"), "\(stderr)")
        // The run itself completed: its directory is whole.
        #expect(!run || FileManager.default.fileExists(atPath: scratch.file("summary.json").path))
    }

    /// A thread count OpenBLAS caps is said, not silently changed.
    @Test(.tags(.endToEnd), .endToEndEnabled) func aCappedThreadCountIsAWarning() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let r = try ToolProcess.run(["--width", "8", "--samples", "4", "--steps", "1", "--threads", "1000", "--out", scratch.path, "--quiet"])
        #expect(r.status == 0)
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("config.json"))) as? [String: Any])
        let used = try #require(config["blas_threads"] as? Int)
        #expect(used == 1000 || r.stderr.contains("--threads 1000") && r.stderr.contains("at most \(used)"), "\(r.stderr)")
    }

    /// η/η_crit in %g style: --lr 1e308 used to print a 300-digit ratio (1e300 too, in the summary's
    /// "above η_crit" line).
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: ["1e308", "1e300"])
    func aHugeLearningRateRatioIsPrintedShort(lr: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let r = try ToolProcess.run(["--width", "8", "--samples", "4", "--steps", "2", "--lr", lr, "--out", scratch.path])
        #expect(r.status == NTKExitStatus.diverged)
        let longest = (r.stdout + r.stderr).split(whereSeparator: { !$0.isNumber && $0 != "." }).map(\.count).max() ?? 0
        #expect(longest < 20, "a number of \(longest) characters is printed")
    }

    /// Targets of 1e150 at η = ½·η_crit diverge because of their scale; the warning says so instead of
    /// suggesting a smaller --lr-factor.
    @Test func divergenceBelowTheCriticalRateBlamesTheDataScale() throws {
        var text = "x,y\n"
        for i in 0..<6 { text += "\(Double(i) / 5),\(i % 2 == 0 ? 1e150 : -7e149)\n" }
        let table = try NumericTable.parse(Data(text.utf8), file: "t.csv")
        let data = try CSVDataset.make(train: table, test: nil, options: CSVDataOptions()).dataset
        let e = try NTKExperiment(architecture: NetworkArchitecture(inputDim: 1, width: 16), dataset: data,
                                  settings: TrainingSettings(steps: 10))
        let summary = e.run { _ in }
        #expect(summary.status == .diverged)
        let message = RunCommand.divergenceMessage(summary, eta: e.learningRate, crit: e.predictor.criticalLearningRate,
                                                   targets: data.trainTargets.data)
        #expect(message.contains("scale of the data") && message.contains("1e+150"), "\(message)")
        #expect(!message.contains("--lr-factor below 1"), "\(message)")
    }
}
