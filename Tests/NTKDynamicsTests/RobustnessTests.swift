import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// Random command lines and many short runs: every one ends in a clear result, never a crash.
@Suite(.serialized)
struct RobustnessTests {
    static let options = ["--width", "--widths", "--depth", "--activation", "--parameterization", "--weight-std",
                          "--bias-std", "--dataset", "--samples", "--test-samples", "--input-dim", "--outputs",
                          "--noise", "--steps", "--lr", "--lr-factor", "--loss", "--kernel-every", "--log-every",
                          "--test-every", "--modes", "--seed", "--out", "--print-every", "--threads", "--check-rates",
                          "--check-modes"]
    static let flags = ["--no-bias", "--force", "--quiet"]
    static let values = ["0", "-1", "1", "3", "64,128", "1e308", "-inf", "nan", "0.5", "", "relu", "tanh", "sum",
                         "circle", "sine", "abc", "18446744073709551616", "2,2", "1/2", "--steps", "9999999999"]

    @Test(.tags(.slow), .endToEndEnabled) func randomCommandLinesParseOrFailWithAUsageError() {
        var rng = RandomSource(seed: 77)
        for _ in 0..<150 {  // a parse with a usage error costs ~70 ms in a debug build
            var args: [String] = []
            for _ in 0..<Int(rng.next() % 6) {
                if rng.next() % 5 == 0 {
                    args.append(Self.flags[Int(rng.next() % UInt64(Self.flags.count))])
                } else {
                    args.append(Self.options[Int(rng.next() % UInt64(Self.options.count))])
                    args.append(Self.values[Int(rng.next() % UInt64(Self.values.count))])
                }
            }
            do {
                let command = try NTKDynamicsCommand.parseAsRoot(args)
                // Whatever parses must hold values the run can use.
                if let run = command as? RunCommand {
                    #expect(run.model.width.values.allSatisfy { $0 >= 1 && $0 <= 1 << 16 }, "\(args)")
                    #expect(run.training.steps >= 0 && run.model.depth >= 0, "\(args)")
                    #expect(run.training.lr.map { $0.isFinite && $0 > 0 } ?? true, "\(args)")
                    #expect(run.data.noise.isFinite && run.data.noise >= 0, "\(args)")
                }
            } catch {
                let message = NTKDynamicsCommand.message(for: error)
                let code = NTKDynamicsCommand.exitCode(for: error).rawValue
                #expect(!message.isEmpty, "\(args)")
                #expect(code == NTKExitStatus.usage, "\(args) → \(code): \(message)")
            }
        }
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func manyShortRunsAllEndWithAClearResult() throws {
        var rng = RandomSource(seed: 5)
        for i in 0..<24 {
            let scratch = ScratchDirectory()
            defer { scratch.cleanup() }
            let activation = Activation.allCases[i % Activation.allCases.count]
            let lrFactor = [0.3, 0.9, 1.5, 6][Int(rng.next() % 4)]
            let args = ["--width", "\(8 + Int(rng.next() % 40))", "--depth", "\(Int(rng.next() % 3))",
                        "--activation", activation.rawValue, "--samples", "\(2 + Int(rng.next() % 10))",
                        "--test-samples", "\(Int(rng.next() % 3))", "--outputs", "\(1 + Int(rng.next() % 2))",
                        "--steps", "\(Int(rng.next() % 300))", "--lr-factor", "\(lrFactor)", "--seed", "\(i)",
                        "--out", scratch.path, "--quiet"]
            let result = try ToolProcess.run(args)
            #expect([0, NTKExitStatus.diverged].contains(result.status), "\(args): \(result.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
            let status = summary["status"] as? String
            #expect(status == (result.status == 0 ? "completed" : "diverged"), "\(args)")
            #expect(result.stdout.contains("summary (width"))
        }
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func unwritableOutputIsAClearError() throws {
        let result = try ToolProcess.run(["--width", "8", "--steps", "1", "--samples", "3", "--out", "/proc/ntk-cannot-write"])
        #expect(result.status == NTKExitStatus.failure)
        #expect(result.stderr.contains("cannot write '/proc/ntk-cannot-write'"))
    }
}
