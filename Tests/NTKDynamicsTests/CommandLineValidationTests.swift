import ArgumentParser
import Foundation
import Testing
@testable import NTKDynamicsCLI

/// Bad input gets a usage error (exit 64) whose message names the option and what is allowed.
struct CommandLineValidationTests {
    struct BadInput: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        /// Fragments the message must contain (the option and a hint at what is allowed).
        let mentions: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let badInputs: [BadInput] = [
        BadInput(arguments: ["--width", "0"], mentions: ["--width", "0", "between 1 and"]),
        BadInput(arguments: ["--width", "-5"], mentions: ["--width"]),
        BadInput(arguments: ["--width", "64,abc"], mentions: ["--width", "64,abc"]),
        BadInput(arguments: ["--width", "64,64"], mentions: ["--width", "twice"]),
        BadInput(arguments: ["--width", "10000000"], mentions: ["--width", "10000000"]),
        BadInput(arguments: ["--depth", "-1"], mentions: ["--depth", "-1"]),
        BadInput(arguments: ["--steps", "-3"], mentions: ["--steps", "-3"]),
        BadInput(arguments: ["--activation", "sigmoid"], mentions: ["sigmoid", "relu"]),
        BadInput(arguments: ["--parameterization", "mu"], mentions: ["mu", "ntk", "mup", "mean-field"]),
        BadInput(arguments: ["--parameterization", "mup", "--depth", "0"], mentions: ["mup", "--depth", "hidden layer"]),
        BadInput(arguments: ["--parameterization", "mean-field", "--depth", "2"], mentions: ["mean-field", "--depth 1", "mup"]),
        BadInput(arguments: ["--parameterization", "mean-field", "--depth", "0"], mentions: ["mean-field", "--depth 1"]),
        BadInput(arguments: ["--parameterization", "mup", "--kernel", "analytic"],
                 mentions: ["--kernel analytic", "mup", "O(1)", "no fixed kernel", "--kernel empirical"]),
        BadInput(arguments: ["--parameterization", "mean-field", "--depth", "1", "--kernel", "analytic"],
                 mentions: ["--kernel analytic", "mean-field", "no fixed kernel"]),
        BadInput(arguments: ["kernel", "--parameterization", "mup"], mentions: ["kernel command", "mup", "no fixed kernel"]),
        BadInput(arguments: ["sweep", "--widths", "8,16", "--parameterization", "mup", "--kernel", "analytic"],
                 mentions: ["--kernel analytic", "mup"]),
        BadInput(arguments: ["--loss", "l1"], mentions: ["l1", "mean"]),
        BadInput(arguments: ["--loss", "mse,cross-entropy"], mentions: ["--loss", "two loss functions"]),
        BadInput(arguments: ["--loss", "mean,sum"], mentions: ["--loss", "two normalizations"]),
        BadInput(arguments: ["--optimizer", "adam"], mentions: ["adam", "sgd", "momentum"]),
        BadInput(arguments: ["--batch-size", "8"], mentions: ["--batch-size", "--optimizer sgd"]),
        BadInput(arguments: ["--optimizer", "sgd"], mentions: ["--optimizer sgd", "--batch-size"]),
        BadInput(arguments: ["--optimizer", "sgd", "--batch-size", "0"], mentions: ["--batch-size", "0"]),
        BadInput(arguments: ["--optimizer", "sgd", "--batch-size", "4", "--momentum", "0.9"], mentions: ["--momentum", "--optimizer momentum"]),
        BadInput(arguments: ["--momentum", "0.9"], mentions: ["--momentum", "--optimizer momentum"]),
        BadInput(arguments: ["--optimizer", "momentum"], mentions: ["--optimizer momentum", "--momentum"]),
        BadInput(arguments: ["--optimizer", "momentum", "--momentum", "1"], mentions: ["--momentum", "0 ≤ β < 1"]),
        BadInput(arguments: ["--optimizer", "momentum", "--momentum", "-0.1"], mentions: ["--momentum"]),
        BadInput(arguments: ["--loss", "cross-entropy"], mentions: ["cross-entropy", "class targets", "--dataset digits"]),
        BadInput(arguments: ["--dataset", "digits", "--loss", "cross-entropy", "--check-rates", "0.1"],
                 mentions: ["--check-rates", "cross-entropy"]),
        BadInput(arguments: ["--dataset", "digits", "--loss", "cross-entropy", "--kernel", "analytic"],
                 mentions: ["--kernel analytic", "cross-entropy"]),
        BadInput(arguments: ["--dataset", "digits", "--loss", "cross-entropy", "--ridge", "0.1"], mentions: ["--ridge", "cross-entropy"]),
        BadInput(arguments: ["sweep", "--widths", "8,16", "--loss", "cross-entropy"], mentions: ["cross-entropy", "class targets"]),
        BadInput(arguments: ["--dataset", "mnist"], mentions: ["mnist", "gaussian"]),
        BadInput(arguments: ["--lr", "0"], mentions: ["--lr", "> 0"]),
        BadInput(arguments: ["--lr", "-0.1"], mentions: ["--lr", "> 0"]),
        BadInput(arguments: ["--lr", "nan"], mentions: ["--lr", "finite"]),
        BadInput(arguments: ["--lr", "inf"], mentions: ["--lr", "finite"]),
        BadInput(arguments: ["--lr-factor", "0"], mentions: ["--lr-factor"]),
        BadInput(arguments: ["--lr", "0.1", "--lr-factor", "0.5"], mentions: ["--lr", "--lr-factor", "conflict"]),
        // The sweep refuses it through the same TrainingOptions rule (its own copy is gone).
        BadInput(arguments: ["sweep", "--widths", "8,16", "--lr", "0.1", "--lr-factor", "0.5"],
                 mentions: ["--lr", "--lr-factor", "conflict", "relative to η_crit"]),
        BadInput(arguments: ["--weight-std", "0"], mentions: ["--weight-std", "> 0"]),
        BadInput(arguments: ["--weight-std", "inf"], mentions: ["--weight-std"]),
        BadInput(arguments: ["--bias-std", "-1"], mentions: ["--bias-std", "≥ 0"]),
        BadInput(arguments: ["--bias-std", "0.1", "--no-bias"], mentions: ["--bias-std", "--no-bias"]),
        BadInput(arguments: ["--kernel-every", "0"], mentions: ["--kernel-every", "0"]),
        BadInput(arguments: ["--log-every", "0"], mentions: ["--log-every"]),
        BadInput(arguments: ["--test-every", "0"], mentions: ["--test-every"]),
        BadInput(arguments: ["--samples", "0"], mentions: ["--samples", "0"]),
        BadInput(arguments: ["--test-samples", "-1"], mentions: ["--test-samples"]),
        BadInput(arguments: ["--outputs", "0"], mentions: ["--outputs"]),
        BadInput(arguments: ["--samples", "10000", "--outputs", "10"], mentions: ["--samples", "--outputs", "memory"]),
        BadInput(arguments: ["--noise", "-0.5"], mentions: ["--noise"]),
        BadInput(arguments: ["--noise", "nan"], mentions: ["--noise"]),
        BadInput(arguments: ["--dataset", "sine", "--input-dim", "3"], mentions: ["--input-dim", "sine", "1"]),
        BadInput(arguments: ["--dataset", "circle", "--input-dim", "5"], mentions: ["--input-dim", "circle", "2"]),
        BadInput(arguments: ["--input-dim", "0"], mentions: ["--input-dim"]),
        BadInput(arguments: ["--threads", "0"], mentions: ["--threads"]),
        BadInput(arguments: ["--print-every", "0"], mentions: ["--print-every"]),
        BadInput(arguments: ["--out", ""], mentions: ["--out"]),
        BadInput(arguments: ["--frobnicate"], mentions: ["--frobnicate"]),
        BadInput(arguments: ["--ridge", "0.1", "--test-samples", "0"], mentions: ["--ridge", "--test-samples"]),
        BadInput(arguments: ["--ridge", "-1"], mentions: ["--ridge"]),
        BadInput(arguments: ["--kernel", "exact"], mentions: ["exact", "analytic"]),
        BadInput(arguments: ["--precision", "float16"], mentions: ["float16", "--precision", "float64", "float32"]),
        BadInput(arguments: ["kernel", "--check-rates", "0.1"], mentions: ["--check-rates", "kernel"]),
        BadInput(arguments: ["kernel", "--print-every", "5"], mentions: ["--print-every"]),
        BadInput(arguments: ["--sharpness-every", "0"], mentions: ["--sharpness-every 0", "1 or more"]),
        BadInput(arguments: ["--sharpness-every", "-3"], mentions: ["--sharpness-every -3"]),
    ]

    @Test(arguments: badInputs)
    func rejectsWithUsageError(_ input: BadInput) throws {
        let error = try #require(throws: (any Error).self) {
            _ = try NTKDynamicsCommand.parseAsRoot(input.arguments)
        }
        let message = NTKDynamicsCommand.message(for: error)
        for fragment in input.mentions {
            #expect(message.contains(fragment), "message '\(message)' should mention '\(fragment)'")
        }
        #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage)
    }

    /// A valid command line and what it must have set, read back from the parsed command.
    struct ValidInput: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var holds: @Sendable (RunCommand) -> Bool
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        ValidInput(arguments: ["--width", "64,128"]) { $0.model.width.values == [64, 128] },
        ValidInput(arguments: ["run", "--width", "8", "--depth", "0", "--activation", "linear"]) {
            $0.model.width.values == [8] && $0.model.depth == 0 && $0.model.activation == .linear
        },
        ValidInput(arguments: ["--dataset", "sine", "--input-dim", "1"]) { $0.data.dataset == .sine && $0.data.inputDim == 1 },
        ValidInput(arguments: ["--lr", "0.3"]) { $0.training.lr == 0.3 && $0.training.settings.learningRate == 0.3 },
        ValidInput(arguments: ["--no-bias"]) { $0.model.noBias },
        ValidInput(arguments: ["--parameterization", "mup", "--depth", "3"]) { $0.model.parameterization == .mup },
        ValidInput(arguments: ["--parameterization", "mean-field", "--depth", "1"]) { $0.model.parameterization == .meanField },
        ValidInput(arguments: ["--steps", "0"]) { $0.training.steps == 0 },
        ValidInput(arguments: ["--data", "some.csv", "--target-columns", "-1"]) {
            $0.data.dataFile == "some.csv" && $0.data.targetColumns == "-1"
        },
        ValidInput(arguments: ["--data", "some.csv", "--target-columns", "-2,-1"]) { $0.data.targetColumns == "-2,-1" },
    ])
    func acceptsValidInput(_ input: ValidInput) throws {
        let command = try #require(try NTKDynamicsCommand.parseAsRoot(input.arguments) as? RunCommand)
        #expect(input.holds(command))
    }

    @Test func widthListParsesEveryEntry() throws {
        let command = try #require(try NTKDynamicsCommand.parseAsRoot(["--width", "64, 256,1024"]) as? RunCommand)
        #expect(command.model.width.values == [64, 256, 1024])
    }

    /// The refusals of the infinite-width kernel under mup and mean-field come from validation, before `run()`:
    /// the output directory is never created.
    @Test func refusesAnalyticKernelUnderMupBeforeWriting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        for arguments in [["run", "--parameterization", "mup", "--kernel", "analytic", "--out", dir.path],
                          ["kernel", "--parameterization", "mean-field", "--depth", "1", "--out", dir.path]] {
            let error = try #require(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(arguments) }
            #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage)
            #expect(!FileManager.default.fileExists(atPath: dir.path))
        }
    }

    @Test func refusesExistingNonEmptyOutputAndLeavesItAlone() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let precious = dir.appendingPathComponent("notes.txt")
        try Data("keep me".utf8).write(to: precious)

        for arguments in [["--out", dir.path], ["--out", dir.path, "--force"]] {
            let error = try #require(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(arguments) }
            let message = NTKDynamicsCommand.message(for: error)
            #expect(message.contains(dir.path))
            #expect(message.contains("--out"))
            #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage)
        }
        #expect(try String(contentsOf: precious, encoding: .utf8) == "keep me")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["notes.txt"])
    }
}
