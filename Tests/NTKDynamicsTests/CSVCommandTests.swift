import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// `--data` through the built tool: a bad file stops the command with exit 65 and a message that names the
/// file, line and column, before anything is written; a good one runs and records where the data came from.
@Suite(.serialized)
struct CSVCommandTests {
    struct BadFile: CustomTestStringConvertible, Sendable {
        var name: String
        /// File name → contents; nil contents: the file is not created.
        var files: [String: String?]
        var arguments: [String]
        /// Fragments the message must contain.
        var mentions: [String]
        var testDescription: String { name }
    }

    static let good = "x1,x2,y\n0.1,0.2,1\n0.3,0.1,-1\n0.5,0.9,1\n0.7,0.4,-1\n"

    static let badFiles: [BadFile] = [
        BadFile(name: "missing file", files: ["train.csv": nil], arguments: ["--data", "train.csv"],
                mentions: ["train.csv", "no such file"]),
        BadFile(name: "empty file", files: ["train.csv": ""], arguments: ["--data", "train.csv"],
                mentions: ["train.csv, line 1, column 1", "empty"]),
        BadFile(name: "header only", files: ["train.csv": "x,y\n"], arguments: ["--data", "train.csv"],
                mentions: ["train.csv, line 2, column 1", "no data rows"]),
        BadFile(name: "ragged row", files: ["train.csv": "x1,x2,y\n1,2,3\n4,5\n"], arguments: ["--data", "train.csv"],
                mentions: ["train.csv, line 3, column 3", "2 cells", "line 1 has 3"]),
        BadFile(name: "non-numeric cell", files: ["train.csv": "x1,x2,y\n1,2,3\n4,five,6\n"], arguments: ["--data", "train.csv"],
                mentions: ["train.csv, line 3, column 2 (\"x2\")", "'five' is not a number"]),
        BadFile(name: "NaN", files: ["train.csv": "x1,x2,y\n1,2,3\n4,5,nan\n"], arguments: ["--data", "train.csv"],
                mentions: ["train.csv, line 3, column 3 (\"y\")", "'nan' is not a finite number"]),
        BadFile(name: "infinity", files: ["train.csv": "x1,x2,y\n1,inf,3\n"], arguments: ["--data", "train.csv"],
                mentions: ["train.csv, line 2, column 2", "'inf' is not a finite number"]),
        BadFile(name: "missing value", files: ["train.csv": "x1,x2,y\n1,2,3\n,5,6\n"], arguments: ["--data", "train.csv"],
                mentions: ["train.csv, line 3, column 1 (\"x1\")", "empty cell"]),
        BadFile(name: "test header differs", files: ["train.csv": good, "test.csv": "x1,x3,y\n1,2,3\n"],
                arguments: ["--data", "train.csv", "--test-data", "test.csv"],
                mentions: ["test.csv, line 1, column 2", "'x3'", "train.csv names it 'x2'"]),
        BadFile(name: "test without header", files: ["train.csv": good, "test.csv": "1,2,3\n"],
                arguments: ["--data", "train.csv", "--test-data", "test.csv"],
                mentions: ["test.csv, line 1, column 1", "no header row"]),
        BadFile(name: "test file with other columns", files: ["train.csv": good, "test.csv": "x1,y\n1,2\n"],
                arguments: ["--data", "train.csv", "--test-data", "test.csv"],
                mentions: ["test.csv, line 1, column 3", "2 columns", "train.csv has 3"]),
        BadFile(name: "fewer rows than --samples", files: ["train.csv": good],
                arguments: ["--data", "train.csv", "--samples", "10", "--test-fraction", "0"],
                mentions: ["train.csv, line 5", "--samples 10", "only 4"]),
        BadFile(name: "unknown target column", files: ["train.csv": good], arguments: ["--data", "train.csv", "--target-columns", "z"],
                mentions: ["train.csv, line 1", "'z'", "x1, x2, y"]),
        BadFile(name: "target index out of range", files: ["train.csv": good], arguments: ["--data", "train.csv", "--target-columns", "7"],
                mentions: ["train.csv, line 1", "index 7", "3 columns"]),
    ]

    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: badFiles)
    func badDataFileStopsBeforeAnythingIsWritten(_ bad: BadFile) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        for (name, contents) in bad.files {
            if let contents { try contents.write(to: scratch.file(name), atomically: true, encoding: .utf8) }
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted()
        let out = scratch.file("out")
        // Paths relative to the scratch folder, as a user would type them there.
        let arguments = bad.arguments.map { bad.files.keys.contains($0) ? scratch.file($0).path : $0 }
        let result = try ToolProcess.run(arguments + ["--width", "8", "--steps", "2", "--out", out.path])
        #expect(result.status == NTKExitStatus.dataError, "exit \(result.status); stderr: \(result.stderr)")
        let message = result.stderr.replacingOccurrences(of: scratch.url.path + "/", with: "")
        for fragment in bad.mentions {
            #expect(message.contains(fragment), "stderr '\(message)' should mention '\(fragment)'")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing is written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == before)
        for (name, contents) in bad.files {
            if let contents { #expect(try String(contentsOf: scratch.file(name), encoding: .utf8) == contents) }
        }
    }

    /// A run on a CSV file: config.json records the files, columns, split and standardization statistics;
    /// duplicate training points are a warning, and the run goes on.
    @Test(.tags(.endToEnd), .endToEndEnabled) func csvRunRecordsItsDataAndWarnsAboutDuplicates() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        var rows = ["a,b,c,t1,t2"]
        var rng = RandomSource(seed: 5, stream: 1)
        for _ in 0..<30 {
            let x = (0..<3).map { _ in rng.normal() }
            rows.append((x + [x[0] * x[1], Foundation.sin(x[2])]).map { "\($0)" }.joined(separator: ","))
        }
        rows.append(rows[3])  // line 32 repeats line 4
        let train = scratch.file("train.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: train, atomically: true, encoding: .utf8)
        let out = scratch.file("run")
        let result = try ToolProcess.run(["--data", train.path, "--target-columns", "t1,t2", "--test-fraction", "0",
                                          "--width", "32", "--depth", "1", "--steps", "20", "--out", out.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("warning: \(train.path), line 32, column 1: the inputs of this training row equal those of line 4"))
        #expect(result.stderr.contains("singular"))

        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as! [String: Any]
        #expect(config["dataset"] as? String == "csv")
        #expect(config["samples"] as? Int == 31 && config["test_samples"] as? Int == 0)
        #expect(config["input_dim"] as? Int == 3 && config["outputs"] as? Int == 2)
        #expect(config["kernel_layout"] as? String == "full")
        let source = try #require(config["data_source"] as? [String: Any])
        #expect(source["file"] as? String == train.path)
        #expect(source["input_columns"] as? [String] == ["a", "b", "c"])
        #expect(source["target_columns"] as? [String] == ["t1", "t2"])
        #expect(source["header"] as? Bool == true && source["header_mode"] as? String == "auto")
        let stats = try #require(source["standardization"] as? [String: Any])
        let mean = try #require(stats["mean"] as? [Double]), std = try #require(stats["std"] as? [Double])
        let x = try NPYArray(contentsOf: out.appendingPathComponent("arrays/x_train.npy"))
        #expect(x.shape == [31, 3] && mean.count == 3 && std.count == 3)
        // The arrays hold the standardized inputs: their columns have mean 0 and std 1.
        for j in 0..<3 {
            let col = (0..<31).map { x.values[$0 * 3 + j] }
            #expect(abs(col.reduce(0, +) / 31) < 1e-12)
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "completed")
        #expect(summary.keys.contains("final_test_accuracy_gd") && summary["final_test_accuracy_gd"] is NSNull,
                "regression data: accuracy keys present and null")
    }

    // MARK: Option checks (usage errors, exit 64)

    typealias BadOptions = UsageRefusal

    static let badOptions: [BadOptions] = [
        BadOptions(arguments: ["--target-columns", "y"], mentions: ["--target-columns", "--data"]),
        BadOptions(arguments: ["--no-header"], mentions: ["--header/--no-header", "--data"]),
        BadOptions(arguments: ["--test-data", "t.csv"], mentions: ["--test-data", "--data"]),
        BadOptions(arguments: ["--test-fraction", "0.2"], mentions: ["--test-fraction", "--data"]),
        BadOptions(arguments: ["--data", "a.csv", "--dataset", "sine"], mentions: ["--data", "--dataset", "conflict"]),
        BadOptions(arguments: ["--data", "a.csv", "--test-data", "b.csv", "--test-fraction", "0.1"],
                   mentions: ["--test-data", "--test-fraction", "conflict"]),
        BadOptions(arguments: ["--data", "a.csv", "--test-fraction", "1"], mentions: ["--test-fraction", "[0, 1)"]),
        BadOptions(arguments: ["--data", "a.csv", "--test-fraction", "-0.1"], mentions: ["--test-fraction"]),
        BadOptions(arguments: ["--data", "a.csv", "--test-fraction", "nan"], mentions: ["--test-fraction"]),
        BadOptions(arguments: ["--data", "a.csv", "--target-columns", "a,,b"], mentions: ["--target-columns", "a,,b"]),
        BadOptions(arguments: ["--data", ""], mentions: ["--data", "empty"]),
        BadOptions(arguments: ["--data", "a.csv", "--outputs", "2"], mentions: ["--outputs", "synthetic"]),
        BadOptions(arguments: ["--data", "a.csv", "--noise", "0.1"], mentions: ["--noise"]),
        BadOptions(arguments: ["--dataset", "digits", "--input-dim", "3"], mentions: ["--input-dim", "digits"]),
        BadOptions(arguments: ["--standardize"], mentions: ["--standardize", "--data"]),
        BadOptions(arguments: ["--classes", "0,1"], mentions: ["--classes", "digits"]),
        BadOptions(arguments: ["--dataset", "digits", "--classes", "3"], mentions: ["--classes", "two"]),
        BadOptions(arguments: ["--dataset", "digits", "--classes", "3,3"], mentions: ["--classes", "two"]),
        BadOptions(arguments: ["--dataset", "digits", "--classes", "0,10"], mentions: ["--classes", "10", "0 to 9"]),
        BadOptions(arguments: ["--dataset", "digits", "--samples", "1700"], mentions: ["--samples", "kernel rows"]),
        BadOptions(arguments: ["--kernel-layout", "diagonal"], mentions: ["diagonal", "full", "trace"]),
    ]

    @Test(arguments: badOptions)
    func conflictingDataOptionsAreUsageErrors(_ input: BadOptions) throws {
        try input.check()
    }

    /// `kernel` draws synthetic data: real-data options are refused, not silently replaced by gaussian data.
    /// `sweep` takes them as `run` does (SweepAxesTests runs one on the digits).
    /// The kernel command takes the data `run` and `sweep` take (issue 24 item 5: a cnn's study needs images, and the
    /// Θ–K₀ comparison means the same on any inputs), so its data options parse; the refusals left are those of the data
    /// options themselves (`--standardize` on synthetic data, `--classes` without labels).
    @Test func kernelAndSweepTakeRealDataOptions() throws {
        for command in ["kernel", "sweep"] {
            for arguments in [["--dataset", "digits", "--classes", "3,8", "--standardize"], ["--data", "a.csv", "--test-fraction", "0.5"]] {
                let parsed = try NTKDynamicsCommand.parseAsRoot([command] + arguments)
                #expect(command == "kernel" ? parsed is KernelCommand : parsed is SweepCommand)
            }
            for arguments in [["--standardize"], ["--classes", "0,1"]] {
                let error = try #require(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot([command] + arguments) }
                #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage)
            }
        }
        let kernel = try #require(try NTKDynamicsCommand.parseAsRoot(["kernel", "--dataset", "digits", "--classes", "3,8"]) as? KernelCommand)
        #expect(kernel.data.datasetChoice == .digits && kernel.data.classes?.values == [3, 8])
    }

    @Test(arguments: [
        ["--data", "a.csv", "--target-columns", "y1,y2", "--no-header", "--test-fraction", "0.25", "--no-standardize"],
        ["--data", "a.csv", "--test-data", "b.csv", "--header", "--samples", "100", "--test-samples", "50"],
        ["--dataset", "digits", "--classes", "0,1", "--standardize"],
        ["--dataset", "digits", "--kernel-layout", "trace"],
    ])
    func acceptsDataOptions(_ arguments: [String]) throws {
        let command = try #require(try NTKDynamicsCommand.parseAsRoot(arguments) as? RunCommand)
        let options = command.data.csvOptions(seed: 3)
        if arguments.contains("--no-header") {
            #expect(options.header == .absent && options.testFraction == 0.25 && !options.standardize)
            #expect(options.targetColumns == [.name("y1"), .name("y2")])
        }
        if arguments.contains("--test-data") {
            #expect(options.header == .present && options.testFraction == 0 && options.samples == 100 && options.testSamples == 50)
        }
    }
}
