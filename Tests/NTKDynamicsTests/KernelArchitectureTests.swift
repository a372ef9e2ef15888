import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// `ntk-dynamics kernel --architecture resnet|cnn` (issue 24 item 5): the study runs on image data for a cnn, the
/// config names the architecture, and what does not apply is refused with the reason.
@Suite("KernelArchitecture", .serialized)
struct KernelArchitectureTests {
    /// The mean ‖K₀ − Θ‖/‖Θ‖ of each width in summary.json, in the order of `--width`.
    static func meanErrors(_ directory: ScratchDirectory) throws -> [Double] {
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.file("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "completed")
        let rows = try #require(summary["widths"] as? [[String: Any]])
        return rows.compactMap { $0["relative_error_mean"] as? Double }
    }

    static func config(_ directory: ScratchDirectory) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: directory.file("config.json"))) as! [String: Any]
    }

    /// A tiny cnn on the digits: K₀ concentrates around Θ as the channels grow (theory: as 1/√C, so 64× the channels
    /// would cut it 8×; under gap the fluctuations fall more slowly at these sizes, 0.59 → 0.17 over 3 seeds measured
    /// from 4 to 256 channels, so the test asks for a factor 2), and config.json records the architecture and the data.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: ["gap", "flatten"])
    func cnnStudyOnDigitsApproachesTheta(pool: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run([
            "kernel", "--architecture", "cnn", "--dataset", "digits", "--classes", "3,8", "--samples", "10",
            "--test-samples", "4", "--width", "4,256", "--depth", "2", "--pool", pool, "--seeds", "3", "--ridge", "0.1",
            "--out", scratch.path,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let errors = try Self.meanErrors(scratch)
        try #require(errors.count == 2)
        #expect(errors[1] < errors[0] / 2, "‖K₀ − Θ‖/‖Θ‖ at 4 and 256 channels: \(errors)")
        let config = try Self.config(scratch)
        #expect(config["architecture"] as? String == "cnn" && config["kernel_size"] as? Int == 3 && config["pool"] as? String == pool)
        #expect(config["branch_scale"] is NSNull)
        #expect(config["dataset"] as? String == "digits" && config["image_shape"] as? [Int] == [8, 8, 1])
        #expect((config["data_source"] as? [String: Any])?["classes"] as? [Int] == [3, 8])
        #expect(config["samples"] as? Int == 10 && config["input_dim"] as? Int == 64 && config["outputs"] as? Int == 1)
        // Θ is a kernel: symmetric with a positive diagonal, on the 10 digits written beside it.
        let theta = try NPYArray(contentsOf: scratch.file("arrays/ntk_analytic.npy"))
        #expect(theta.shape == [10, 10])
        #expect(try NPYArray(contentsOf: scratch.file("arrays/x_train.npy")).shape[0] == 10)
        for i in 0..<10 {
            #expect(theta.values[i * 10 + i] > 0)
            for j in 0..<i { #expect(abs(theta.values[i * 10 + j] - theta.values[j * 10 + i]) <= 1e-12 * theta.values[i * 10 + i]) }
        }
    }

    /// A resnet with either branch scale: the error falls with the width, and config.json names the branch scale.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: ["1", "sqrt-depth"])
    func resnetStudyApproachesTheta(branchScale: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run([
            "kernel", "--architecture", "resnet", "--branch-scale", branchScale, "--depth", "3", "--width", "16,256",
            "--samples", "8", "--test-samples", "0", "--input-dim", "4", "--seeds", "3", "--quiet", "--out", scratch.path,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let errors = try Self.meanErrors(scratch)
        try #require(errors.count == 2)
        #expect(errors[1] < errors[0] / 2, "‖K₀ − Θ‖/‖Θ‖ at widths 16 and 256: \(errors)")
        let config = try Self.config(scratch)
        #expect(config["architecture"] as? String == "resnet" && config["branch_scale"] as? String == branchScale)
        #expect(config["kernel_size"] is NSNull && config["pool"] is NSNull && config["image_shape"] == nil)
        #expect(config["dataset"] as? String == "gaussian" && config["data_source"] == nil)
    }

    /// Refused at parsing (exit 64, nothing run): a cnn on the synthetic vectors, μP's cnn.
    @Test(arguments: [
        (["--architecture", "cnn"], ["needs image inputs", "--dataset digits"]),
        (["--architecture", "cnn", "--dataset", "gaussian"], ["needs image inputs"]),
        (["--architecture", "cnn", "--dataset", "digits", "--parameterization", "mup"], ["mup"]),
        (["--pool", "flatten", "--dataset", "digits"], ["--pool"]),
    ])
    func refusesWhatDoesNotApply(_ arguments: [String], _ mentions: [String]) throws {
        let error = try #require(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(["kernel"] + arguments) }
        let message = NTKDynamicsCommand.message(for: error)
        for fragment in mentions { #expect(message.contains(fragment), "'\(message)' should mention '\(fragment)'") }
        #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage)
    }

    /// Refused once the data are loaded, before anything is written (exit 64): a filter larger than the image, and a
    /// cnn-gap Θ whose (H·W)² position pairs would not fit in memory (128×128 images: 16384² pairs, 9·8 B each, per
    /// thread), with the figure.
    @Test(.tags(.endToEnd), .endToEndEnabled)
    func refusesAfterLoadingWithTheReason() throws {
        let scratch = ScratchDirectory()
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        defer { scratch.cleanup() }
        let filter = try ToolProcess.run(["kernel", "--architecture", "cnn", "--dataset", "digits", "--kernel-size", "9",
                                          "--samples", "4", "--out", scratch.file("filter").path])
        #expect(filter.status == Int32(NTKExitStatus.usage) && filter.stderr.contains("--kernel-size 9"), "\(filter.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("filter/config.json").path))

        let side = 128
        let pixels = (0..<(4 * side * side)).map { Double($0 % 7) }
        let npz = NumPyFileWriter.zip([("x.npy", NumPyFileWriter.npy(pixels, shape: [4, side, side, 1])),
                                       ("y.npy", NumPyFileWriter.npy([0, 1, 0, 1], shape: [4], dtype: .i8))], deflated: false)
        try npz.write(to: scratch.file("big.npz"))
        let big = try ToolProcess.run(["kernel", "--architecture", "cnn", "--data", scratch.file("big.npz").path, "--test-fraction", "0",
                                       "--width", "2", "--seeds", "1", "--threads", "2", "--out", scratch.file("big").path])
        #expect(big.status == Int32(NTKExitStatus.usage), "\(big.stderr)")
        #expect(big.stderr.contains("of memory") && big.stderr.contains("GiB") && big.stderr.contains("--threads"), "\(big.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("big/config.json").path))
    }

    /// --ridge on --data that leaves no test rows is refused once the data are loaded.
    @Test(.tags(.endToEnd), .endToEndEnabled)
    func ridgeWithoutTestRowsIsRefused() throws {
        let scratch = ScratchDirectory()
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        defer { scratch.cleanup() }
        try Data("x1,x2,y\n0.1,0.2,1\n0.3,-0.4,0\n0.5,0.9,2\n-0.2,0.1,1\n".utf8).write(to: scratch.file("a.csv"))
        let result = try ToolProcess.run(["kernel", "--data", scratch.file("a.csv").path, "--test-fraction", "0", "--ridge", "0.1",
                                          "--width", "8", "--seeds", "1", "--out", scratch.file("out").path])
        #expect(result.status == Int32(NTKExitStatus.usage) && result.stderr.contains("--ridge needs test points"), "\(result.stderr)")
    }
}
