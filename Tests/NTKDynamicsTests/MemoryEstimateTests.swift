import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// Runs that cannot fit are refused up front; the estimate tracks the real peak memory.
@Suite(.serialized)
struct MemoryEstimateTests {
    @Test(.tags(.endToEnd), .endToEndEnabled) func runTooLargeForTheMachineIsRefusedWithTheFigures() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let r = try ToolProcess.run(["--width", "65536", "--depth", "8", "--steps", "1", "--out", scratch.path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("width 65536 needs about") && r.stderr.contains("GiB") && r.stderr.contains("this machine has"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path), "nothing is written")
        let sweep = try ToolProcess.run(["sweep", "--widths", "64,65536", "--depth", "8", "--steps", "1", "--out", scratch.path])
        #expect(sweep.status == 64 && sweep.stderr.contains("need about"))
    }

    /// The largest kernel the command accepts (16384 rows) at five widths with a ridge: about 26 GB of kernels.
    static let hugeKernelEstimate = MemoryEstimate(
        kernelCommand: NetworkArchitecture(inputDim: 8, width: 1024), samples: 16384, testSamples: 256, widths: 5,
        ridge: true, expansionNodes: 0)

    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: !hugeKernelEstimate.fits(), "this machine has the memory for it"))
    func kernelCommandTooLargeForTheMachineIsRefusedWithTheFigures() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let r = try ToolProcess.run(["kernel", "--samples", "16384", "--width", "64,128,256,512,1024", "--ridge", "0.1",
                                     "--seeds", "1", "--out", scratch.path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("N = 16384 points at width 1024 need about") && r.stderr.contains("GiB")
                && r.stderr.contains("this machine has"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path), "nothing is written")
    }

    @Test func estimateGrowsWithEveryDimension() {
        let base = NetworkArchitecture(inputDim: 8, width: 256, depth: 2)
        let e = MemoryEstimate(architecture: base, samples: 256, testSamples: 64, kernel: .empirical).bytes
        var wider = base; wider.width = 512
        var deeper = base; deeper.depth = 3
        #expect(MemoryEstimate(architecture: wider, samples: 256, testSamples: 64, kernel: .empirical).bytes > e)
        #expect(MemoryEstimate(architecture: deeper, samples: 256, testSamples: 64, kernel: .empirical).bytes > e)
        #expect(MemoryEstimate(architecture: base, samples: 512, testSamples: 64, kernel: .empirical).bytes > e)
        #expect(MemoryEstimate(architecture: base, samples: 256, testSamples: 64, kernel: .analytic).bytes > e)
        // The (N·k)² kernels dominate at large N: doubling N about quadruples that part.
        let big = MemoryEstimate(architecture: base, samples: 8192, testSamples: 0, kernel: .empirical).bytes
        let bigger = MemoryEstimate(architecture: base, samples: 16384, testSamples: 0, kernel: .empirical).bytes
        #expect(bigger / big > 3.5 && bigger / big < 4.1)
    }

    /// Peak resident memory in bytes of the tool run with `arguments` (writing to a scratch directory), measured
    /// by GNU time.
    static func measuredPeakBytes(_ arguments: [String]) throws -> Double {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-f", "%M", ToolProcess.executable.path] + arguments + ["--out", scratch.path, "--quiet"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let kb = try #require(text.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.last)
        return kb * 1024
    }

    /// Peak resident memory of a child run, measured by GNU time, against the estimate.
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs GNU time"))
    func estimateIsWithinAFactorOfTheMeasuredPeak() throws {
        let measured = try Self.measuredPeakBytes(["--width", "256", "--samples", "1536", "--test-samples", "256", "--steps", "2"])
        let estimate = MemoryEstimate(architecture: NetworkArchitecture(inputDim: 8, width: 256, depth: 2), samples: 1536,
                                      testSamples: 256, kernel: .empirical).bytes
        #expect(estimate > 0.7 * measured && estimate < 1.5 * measured, "estimate \(estimate / 1e6) MB, measured \(measured / 1e6) MB")
    }

    /// The kernel command's estimate against its measured peak (tanh: the Hermite coefficients count too).
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "needs GNU time"))
    func kernelEstimateIsWithinAFactorOfTheMeasuredPeak() throws {
        let measured = try Self.measuredPeakBytes(["kernel", "--activation", "tanh", "--width", "256", "--samples", "1536",
                                                   "--seeds", "1"])
        let a = NetworkArchitecture(inputDim: 8, width: 256, depth: 2, outputs: 1, activation: .tanh)
        let estimate = MemoryEstimate(kernelCommand: a, samples: 1536, testSamples: 0, widths: 1, ridge: false,
                                      expansionNodes: 2 * GaussHermiteRule.defaultDegree).bytes
        #expect(estimate > 0.7 * measured && estimate < 1.6 * measured, "estimate \(estimate / 1e6) MB, measured \(measured / 1e6) MB")
    }
}
