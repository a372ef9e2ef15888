import Foundation
import NTKTestSupport
import Testing

/// Docs/Sweep.md's Slurm job array ("Beyond one machine"): what an array task meets (an empty shard when the
/// array has more tasks than the grid has cells; a task stopped by SIGTERM, as Slurm preempts or times out,
/// before its first run finished), and, opt-in, the whole array on a real one-node Slurm cluster.
@Suite(.serialized)
struct SlurmArrayTests {
    static let common = ["sweep", "--widths", "32,64,128", "--depth", "1", "--samples", "12", "--test-samples", "3",
                         "--steps", "30", "--seeds", "2", "--jobs", "2", "--quiet"]

    /// An array of 8 tasks over a grid of 6 cells: tasks 6 and 7 get no cell. They end with status 0 and an
    /// empty table, and merging all 8 shards gives the whole sweep.
    @Test(.tags(.endToEnd), .endToEndEnabled) func moreShardsThanCellsLeavesEmptyShardsThatMerge() throws {
        let whole = ScratchDirectory(), shards = ScratchDirectory(), merged = ScratchDirectory()
        defer { [whole, shards, merged].forEach { $0.cleanup() } }
        #expect(try ToolProcess.run(Self.common + ["--out", whole.path]).status == 0)
        var paths: [String] = []
        for i in 0..<8 {
            let path = shards.file("shard-\(i)").path
            paths.append(path)
            let r = try ToolProcess.run(Self.common + ["--shard", "\(i)/8", "--out", path])
            #expect(r.status == 0, "shard \(i)/8: \(r.stderr)")
            if i >= 6 { #expect(r.stdout.contains("no finished runs"), "shard \(i)/8: \(r.stdout)") }
        }
        let empty = try String(contentsOf: shards.file("shard-7/sweep.csv"), encoding: .utf8)
        #expect(empty.split(separator: "\n").count == 1, "a header alone: \(empty)")
        let m = try ToolProcess.run(["merge"] + paths + ["--out", merged.path])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(try SweepTests.rows(merged) == SweepTests.rows(whole))
    }

    /// Slurm stops a preempted or timed-out task with SIGTERM. A sweep stopped before any of its runs finished
    /// exits 143 and says to rerun the same command (it crashed on the empty table before).
    @Test(.tags(.endToEnd), .endToEndEnabled) func sweepStoppedBeforeItsFirstRunFinishedExits143() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let (process, out, err) = try ToolProcess.start(["sweep", "--widths", "32", "--seeds", "1", "--samples", "16",
                                                         "--test-samples", "4", "--steps", "10000000", "--quiet",
                                                         "--out", dir.path])
        let steps = dir.url.appendingPathComponent("runs/w32-s0/steps.csv")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOf: steps, encoding: .utf8), text.split(separator: "\n").count > 50 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGTERM)
        let exitDeadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < exitDeadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the sweep did not exit within 30 s of SIGTERM")
        }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 143, "\(stderr)")
        #expect(stderr.contains("rerun the same command"))
        #expect(stdout.contains("no finished runs"))
    }

    /// Opt-in (NTK_SLURM_TEST=1, root, a few minutes): Scripts/test-slurm.sh, which `make test-slurm` runs with
    /// the release build. It brings up a one-node Slurm cluster (Scripts/slurm-local.sh), submits the job array
    /// and the merge exactly as Docs/Sweep.md writes them (smaller OPTS), and compares the merged sweep.csv
    /// with the same sweep in one process. Here it runs the tool this test bundle was built with.
    @Test(.tags(.endToEnd), .endToEndEnabled,
          .enabled(if: ProcessInfo.processInfo.environment["NTK_SLURM_TEST"] == "1",
                   "runs a real Slurm cluster; set NTK_SLURM_TEST=1 (as root) or run `make test-slurm`"))
    func docJobArrayRunsOnALocalSlurmCluster() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = repo.appendingPathComponent("Scripts/test-slurm.sh")
        var environment = ProcessInfo.processInfo.environment
        environment["NTK_BIN"] = ToolProcess.executable.path
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("merged sweep.csv == one-process sweep.csv"))
    }
}
