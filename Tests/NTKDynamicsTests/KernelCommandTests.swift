import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// `ntk-dynamics kernel`: option validation, and the run directory written by the real executable.
@Suite("KernelCommand", .serialized)
struct KernelCommandTests {
    struct BadInput: CustomTestStringConvertible, Sendable {
        let arguments: [String]
        let mentions: [String]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let badInputs: [BadInput] = [
        BadInput(arguments: ["--seeds", "0"], mentions: ["--seeds", "0", "1 to"]),
        BadInput(arguments: ["--seeds", "-2"], mentions: ["--seeds"]),
        BadInput(arguments: ["--seeds", "many"], mentions: ["--seeds", "many"]),
        BadInput(arguments: ["--quadrature-degree", "0"], mentions: ["--quadrature-degree", "0", "1 to 1024"]),
        BadInput(arguments: ["--quadrature-degree", "5000"], mentions: ["--quadrature-degree", "5000"]),
        BadInput(arguments: ["--ridge", "-0.1"], mentions: ["--ridge", "≥ 0"]),
        BadInput(arguments: ["--ridge", "nan"], mentions: ["--ridge", "finite"]),
        BadInput(arguments: ["--ridge", "inf"], mentions: ["--ridge", "finite"]),
        BadInput(arguments: ["--ridge", "0.1", "--test-samples", "0"], mentions: ["--ridge", "--test-samples"]),
        BadInput(arguments: ["--width", "0"], mentions: ["--width", "between 1 and"]),
        BadInput(arguments: ["--activation", "sigmoid"], mentions: ["sigmoid", "relu"]),
        BadInput(arguments: ["--samples", "0"], mentions: ["--samples"]),
        BadInput(arguments: ["--bias-std", "0.1", "--no-bias"], mentions: ["--bias-std", "--no-bias"]),
        BadInput(arguments: ["--threads", "0"], mentions: ["--threads"]),
        BadInput(arguments: ["--steps", "10"], mentions: ["--steps"]),
    ]

    @Test(arguments: badInputs)
    func rejectsWithUsageError(_ input: BadInput) throws {
        let error = try #require(throws: (any Error).self) {
            _ = try NTKDynamicsCommand.parseAsRoot(["kernel"] + input.arguments)
        }
        let message = NTKDynamicsCommand.message(for: error)
        for fragment in input.mentions {
            #expect(message.contains(fragment), "message '\(message)' should mention '\(fragment)'")
        }
        #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage)
    }

    @Test func acceptsValidInput() throws {
        let command = try #require(try NTKDynamicsCommand.parseAsRoot([
            "kernel", "--width", "64,256", "--seeds", "3", "--quadrature-degree", "32", "--ridge", "0",
            "--activation", "tanh", "--parameterization", "standard", "--seed", "7",
        ]) as? KernelCommand)
        #expect(command.model.width.values == [64, 256] && command.seeds == 3 && command.quadratureDegree == 32)
        #expect(command.ridge == 0 && command.seed == 7)
        let defaults = try #require(try NTKDynamicsCommand.parseAsRoot(["kernel"]) as? KernelCommand)
        #expect(defaults.seeds == 8 && defaults.quadratureDegree == GaussHermiteRule.defaultDegree && defaults.ridge == nil)
    }

    @Test func refusesExistingNonEmptyOutput() throws {
        let scratch = ScratchDirectory()
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        defer { scratch.cleanup() }
        try Data("keep".utf8).write(to: scratch.file("notes.txt"))
        let error = try #require(throws: (any Error).self) {
            _ = try NTKDynamicsCommand.parseAsRoot(["kernel", "--out", scratch.path])
        }
        #expect(NTKDynamicsCommand.message(for: error).contains("--out"))
    }

    /// The executable's run directory holds what the issue lists, and its numbers are the library's.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [1, 2])
    func writesTheRunDirectory(outputs: Int) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let (n, nTest, seeds) = (10, 6, 3)
        let result = try ToolProcess.run([
            "kernel", "--width", "32,128", "--depth", "1", "--activation", "tanh", "--samples", "\(n)",
            "--test-samples", "\(nTest)", "--input-dim", "3", "--outputs", "\(outputs)", "--seeds", "\(seeds)",
            "--seed", "4", "--quadrature-degree", "24", "--ridge", "0.01", "--out", scratch.path,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("fitted slope"))
        #expect(result.stdout.contains("kernel ridge regression"))
        // Issue 25 item 6: the study writes its report.html, drawn from its files, and says where it is.
        let html = try String(contentsOf: scratch.file("report.html"), encoding: .utf8)
        #expect(html.contains("data-plot=\"kernel-error\"") && html.contains("data-plot=\"kernel-spectra\""))
        #expect(result.stdout.contains("report.html to view"))

        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("config.json"))) as! [String: Any]
        for key in ["width", "widths", "depth", "activation", "weight_std", "bias_std", "parameterization", "seed",
                    "seeds", "dataset", "samples", "test_samples", "quadrature_degree", "ridge", "version", "kernel_maps"] {
            #expect(config[key] != nil, "config.json lacks \(key)")
        }
        #expect(config["width"] as? Int == 128 && config["seeds"] as? Int == seeds)
        #expect(config["format_version"] as? Int == 2)

        let rows = n * outputs
        let x = try NPYArray(contentsOf: scratch.file("arrays/x_train.npy"))
        #expect(x.shape == [n, 3])
        for name in ["ntk_analytic", "nngp_analytic", "ntk_empirical_mean", "ntk_empirical_mean_w32", "ntk_empirical_mean_w128"] {
            #expect(try NPYArray(contentsOf: scratch.file("arrays/\(name).npy")).shape == [rows, rows], "\(name)")
        }
        for name in ["y_train", "x_test", "y_test"] {
            #expect(FileManager.default.fileExists(atPath: scratch.file("arrays/\(name).npy").path), "\(name)")
        }

        // Θ in the file is the library's Θ ⊗ I_k on the written inputs.
        let arch = NetworkArchitecture(inputDim: 3, width: 128, depth: 1, outputs: outputs, activation: .tanh)
        let theta = try AnalyticNTK(architecture: arch, quadratureDegree: 24).ntk(Matrix(rows: n, cols: 3, data: x.values))
        let written = try NPYArray(contentsOf: scratch.file("arrays/ntk_analytic.npy"))
        #expect(naiveDistance(written.values, theta.data) <= 1e-12 * naiveNorm(theta.data))

        // kernel.csv: one row per width and seed; the errors are those of the written mean kernel's seeds.
        let lines = try String(contentsOf: scratch.file("kernel.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "width,seed,relative_error,ridge_test_loss,ridge_jitter,seconds")
        let cells = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(cells.count == 2 * seeds)
        #expect(cells.map { $0[0] } == ["32", "32", "32", "128", "128", "128"])
        #expect(cells.map { $0[1] } == ["4", "5", "6", "4", "5", "6"])
        #expect(cells.allSatisfy { Double($0[2]) != nil && Double($0[3]) != nil })

        // The first seed's K₀ is the one `run --seed 4` starts from: recompute the error independently.
        var rng = RandomSource(seed: 4, stream: 2)
        var wide = arch
        wide.width = 32
        let k0 = EmpiricalNTK.kernel(Network<Double>(architecture: wide, rng: &rng), Matrix(rows: n, cols: 3, data: x.values))
        let thetaFile = Matrix(rows: rows, cols: rows, data: written.values)
        #expect(abs(Double(cells[0][2])! - relativeDifference(k0, thetaFile)) < 1e-12)

        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        for key in ["status", "widths", "slope", "slope_seed_averaged", "analytic_seconds", "quadrature_error_estimate",
                    "ridge", "ridge_test_loss_analytic", "ridge_jitter_analytic", "test_loss_zero_predictor"] {
            #expect(summary.keys.contains(key), "summary.json lacks \(key)")
        }
        #expect(summary["status"] as? String == "completed")
        let perWidth = try #require(summary["widths"] as? [[String: Any]])
        #expect(perWidth.count == 2)
        let errors32 = cells.prefix(3).map { Double($0[2])! }
        #expect(abs((perWidth[0]["relative_error_mean"] as! Double) - errors32.reduce(0, +) / 3) < 1e-12)
        #expect(summary["slope"] as? Double != nil && summary["ridge_test_loss_analytic"] as? Double != nil)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func closedFormRunWithoutRidgeHasNulls() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run([
            "kernel", "--width", "16", "--depth", "2", "--samples", "5", "--test-samples", "0", "--seeds", "2",
            "--parameterization", "standard", "--no-bias", "--quiet", "--out", scratch.path,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        for key in ["slope", "ridge", "ridge_test_loss_analytic", "quadrature_error_estimate", "test_loss_zero_predictor"] {
            #expect(summary[key] is NSNull, "\(key) should be null")
        }
        #expect(try NPYArray(contentsOf: scratch.file("arrays/ntk_empirical_mean.npy")).shape == [5, 5])
    }
}
