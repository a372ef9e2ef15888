import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The run directory other tools read (Docs/LogFormat.md), written by the real executable.
@Suite(.serialized)
struct RunDirectoryContractTests {
    @Test func npyRoundTripOfKnownValues() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let dir = try RunDirectory.create(at: scratch.url)
        let values: [Double] = [0, -1.5, .pi, 1e-300, -0.0, 6.02214076e23]
        try dir.writeArray("m", values, shape: [2, 3])
        try dir.writeArray("v", [1, 2, 3], shape: [3])
        let m = try NPYArray(contentsOf: scratch.file("arrays/m.npy"))
        #expect(m.shape == [2, 3])
        #expect(m.values.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try NPYArray(contentsOf: scratch.file("arrays/v.npy")).shape == [3])
    }

    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [1, 3])
    func smallRunWritesTheWholeContract(outputs: Int) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let (n, nTest, d, width, depth, steps) = (12, 5, 3, 16, 2, 30)
        let result = try ToolProcess.run([
            "--width", "\(width)", "--depth", "\(depth)", "--samples", "\(n)", "--test-samples", "\(nTest)",
            "--input-dim", "\(d)", "--outputs", "\(outputs)", "--steps", "\(steps)", "--kernel-every", "7",
            "--out", scratch.path,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("summary (width \(width))"))

        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("config.json"))) as! [String: Any]
        for key in ["width", "depth", "activation", "weight_std", "bias_std", "parameterization", "loss", "lr",
                    "steps", "seed", "dataset", "samples", "test_samples", "version", "modes", "kernel",
                    "quadrature_degree", "ridge", "data_seed", "kernel_layout", "test_every", "precision"] {
            #expect(config[key] != nil, "config.json lacks \(key)")
        }
        #expect(config["width"] as? Int == width)
        #expect(config["parameterization"] as? String == "ntk")
        #expect(config["precision"] as? String == "float64")
        #expect(config["format_version"] as? Int == 2)

        let lines = try String(contentsOf: scratch.file("steps.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for column in ["step", "time", "train_loss_gd", "train_loss_ntk", "train_loss_ntk_discrete", "test_loss_gd",
                       "test_loss_ntk", "gap", "gap_flow", "kernel_drift", "weight_change"] {
            #expect(header.contains(column), "steps.csv lacks \(column)")
        }
        #expect(lines.count == steps + 2, "a header and one row per step 0…\(steps)")
        let drift = header.firstIndex(of: "kernel_drift")!
        let testLoss = header.firstIndex(of: "test_loss_gd")!, testNTK = header.firstIndex(of: "test_loss_ntk")!
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.allSatisfy { $0.count == header.count })
        #expect(rows.map { Int($0[0]) ?? -1 } == Array(0...steps))
        for row in rows {
            let step = Int(row[0]) ?? -1
            let measured = step == 0 || step % 7 == 0 || step == steps
            #expect(row[drift].isEmpty != measured, "drift at step \(step)")
            let tested = step % 10 == 0 || step == steps  // --test-every defaults to 10
            #expect(row[testLoss].isEmpty != tested, "test loss at step \(step)")
            #expect(Double(row[testNTK]) != nil, "the NTK test prediction is on every row")
        }

        let r = n * outputs
        let shapes: [String: [Int]] = [
            "x_train": [n, d], "x_test": [nTest, d],
            "y_train": outputs == 1 ? [n] : [n, outputs], "y_test": outputs == 1 ? [nTest] : [nTest, outputs],
            "f_train_init": outputs == 1 ? [n] : [n, outputs],
            "ntk_init": [r, r], "ntk_final": [r, r],
            "params_init/W0": [d, width], "params_init/b0": [width],
            "params_init/W\(depth)": [width, outputs], "params_init/b\(depth)": [outputs],
        ]
        for (name, shape) in shapes {
            let a = try NPYArray(contentsOf: scratch.file("arrays/\(name).npy"))
            #expect(a.shape == shape, "\(name)")
        }
        // Test-point snapshots at t = 0, T/4, T/2, T; at t = 0 both GD and the prediction are f₀(X*).
        #expect(try NPYArray(contentsOf: scratch.file("arrays/snapshot_steps.npy")).values == [0, 7, 15, 30])
        let snapGD = try NPYArray(contentsOf: scratch.file("arrays/f_test_snapshots_gd.npy"))
        let snapNTK = try NPYArray(contentsOf: scratch.file("arrays/f_test_snapshots_ntk.npy"))
        #expect(snapGD.shape == [4, nTest] + (outputs == 1 ? [] : [outputs]) && snapNTK.shape == snapGD.shape)
        let fTest0 = try NPYArray(contentsOf: scratch.file("arrays/f_test_init.npy")).values
        #expect(Array(snapGD.values.prefix(fTest0.count)) == fTest0)
        #expect(zip(snapNTK.values.prefix(fTest0.count), fTest0).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        #expect(Array(snapGD.values.suffix(fTest0.count)) != fTest0, "the network moved")
        // ntk parameterization: the raw initial parameters are N(0, 1) draws.
        let w1 = try NPYArray(contentsOf: scratch.file("arrays/params_init/W1.npy")).values
        let mean = w1.reduce(0, +) / Double(w1.count)
        let variance = w1.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w1.count)
        #expect(abs(mean) < 0.15 && abs(variance - 1) < 0.25)

        #expect(try String(contentsOf: scratch.file("report.html"), encoding: .utf8).contains("<svg"))
        let spectrum = try String(contentsOf: scratch.file("spectrum.csv"), encoding: .utf8).split(separator: "\n")
        #expect(spectrum.count == r + 1)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "completed")
        #expect(summary["last_step"] as? Int == steps)
        #expect(summary["ntk_final_step"] as? Int == steps)
        // Every key is present in every summary; a value that does not apply is null.
        #expect(summary.keys.contains("diverged_at_step") && summary["diverged_at_step"] is NSNull)
        for key in ["lambda_min", "lambda_max", "condition_number", "lr", "lr_crit", "final_train_loss_gd",
                    "final_train_loss_ntk", "final_test_loss_gd", "max_gap", "final_kernel_drift", "final_weight_change"] {
            #expect(summary[key] is NSNumber, "summary.json lacks \(key)")
        }
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func sameSeedGivesIdenticalLogsAndArrays() throws {
        let a = ScratchDirectory(), b = ScratchDirectory()
        defer { a.cleanup(); b.cleanup() }
        let common = ["--width", "24", "--samples", "10", "--test-samples", "4", "--steps", "20", "--seed", "7"]
        #expect(try ToolProcess.run(common + ["--out", a.path]).status == 0)
        #expect(try ToolProcess.run(common + ["--out", b.path]).status == 0)
        func stripTime(_ url: URL) throws -> [String] {
            try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
                var cells = $0.split(separator: ",", omittingEmptySubsequences: false)
                cells.remove(at: 1)  // wall-clock time
                return cells.joined(separator: ",")
            }
        }
        #expect(try stripTime(a.file("steps.csv")) == stripTime(b.file("steps.csv")))
        for name in ["x_train", "y_train", "ntk_init", "ntk_final", "params_init/W1"] {
            #expect(try Data(contentsOf: a.file("arrays/\(name).npy")) == Data(contentsOf: b.file("arrays/\(name).npy")))
        }
        let other = ScratchDirectory()
        defer { other.cleanup() }
        #expect(try ToolProcess.run(["--width", "24", "--samples", "10", "--test-samples", "4", "--steps", "20",
                                     "--seed", "8", "--out", other.path]).status == 0)
        #expect(try Data(contentsOf: a.file("arrays/x_train.npy")) != Data(contentsOf: other.file("arrays/x_train.npy")))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func widthListWritesOneRunPerWidthAndATable() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run(["--width", "8,32", "--samples", "10", "--test-samples", "3", "--steps", "10",
                                          "--out", scratch.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let table = try String(contentsOf: scratch.file("widths.csv"), encoding: .utf8).split(separator: "\n")
        #expect(table.count == 3)
        #expect(table[1].hasPrefix("8,completed,") && table[2].hasPrefix("32,completed,"))
        for w in [8, 32] {
            #expect(FileManager.default.fileExists(atPath: scratch.file("w\(w)/summary.json").path))
        }
        // Same data for every width.
        #expect(try Data(contentsOf: scratch.file("w8/arrays/x_train.npy")) == Data(contentsOf: scratch.file("w32/arrays/x_train.npy")))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func existingOutputIsRefusedWithExit64AndUnchanged() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: scratch.file("config.json"))
        let result = try ToolProcess.run(["--width", "8", "--steps", "1", "--out", scratch.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains(scratch.path) && result.stderr.contains("--force"))
        #expect(try String(contentsOf: scratch.file("config.json"), encoding: .utf8) == "mine")
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func badOptionExitsWithUsageStatus() throws {
        let result = try ToolProcess.run(["--width", "0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--width"))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func divergenceStopsWithStatus3AndKeepsTheLog() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        // A linear model at η = 5·η_crit: the top mode grows by |1 − 10| = 9 per step until it overflows.
        let result = try ToolProcess.run(["--width", "16", "--depth", "0", "--activation", "linear", "--samples", "8",
                                          "--test-samples", "2", "--steps", "2000", "--lr-factor", "5",
                                          "--out", scratch.path])
        #expect(result.status == 3, "stdout: \(result.stdout)")
        #expect(result.stderr.contains("diverged at step"))
        #expect(result.stderr.contains("η_crit"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "diverged")
        let divergedAt = try #require(summary["diverged_at_step"] as? Int)
        let lines = try String(contentsOf: scratch.file("steps.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == divergedAt + 1, "rows for steps 0…\(divergedAt - 1) after the header")
        let last = lines.last!.split(separator: ",", omittingEmptySubsequences: false)
        #expect(last.count == lines[0].split(separator: ",").count && lines[0].hasPrefix("step,time,train_loss_gd,train_loss_ntk,"))
        #expect(Double(last[2])?.isFinite == true)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143)), (SIGHUP, Int32(129))])
    func signalClosesTheLogsAndWritesAnInterruptedSummary(signal: Int32, expectedStatus: Int32) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let (process, out, err) = try ToolProcess.start(["--width", "32", "--samples", "16", "--test-samples", "4",
                                                         "--steps", "10000000", "--out", scratch.path, "--quiet"])
        let steps = scratch.file("steps.csv")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let text = try? String(contentsOf: steps, encoding: .utf8), text.split(separator: "\n").count > 50 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, signal)
        let exitDeadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the tool did not exit within 30 s of signal \(signal)")
        }
        _ = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == expectedStatus)
        #expect(stderr.contains("interrupted"))

        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "interrupted")
        let lastStep = try #require(summary["last_step"] as? Int)
        let text = try String(contentsOf: steps, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "no half-written row")
        let lines = text.split(separator: "\n")
        #expect(lines.count == lastStep + 2)
        let width = lines[0].split(separator: ",").count
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == width })
        #expect(FileManager.default.fileExists(atPath: scratch.file("arrays/ntk_final.npy").path))
    }
}
