import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// Fitted scaling exponents, and the sweep's shards, merge and resume.
@Suite(.serialized)
struct SweepTests {
    @Test(arguments: [(1.0, 12.706204736), (4.0, 2.776445105), (10.0, 2.228138852), (1000.0, 1.962339081)])
    func studentQuantileMatchesTables(dof: Double, expected: Double) {
        #expect(abs(StudentT.quantile(0.975, dof: dof) - expected) < 1e-6)
        #expect(abs(StudentT.cdf(expected, dof: dof) - 0.975) < 1e-9)
        #expect(abs(StudentT.cdf(0, dof: dof) - 0.5) < 1e-12)
    }

    /// y = 3·width^{−1/2}·e^{ε}, ε ~ N(0, 0.1²) per (width, seed), plus a per-seed offset.
    static func synthetic(seeds: Int, replicate: UInt64, exponent: Double = -0.5) -> [(width: Int, seed: UInt64, value: Double)] {
        var rng = RandomSource(seed: 1000 + replicate)
        var out: [(width: Int, seed: UInt64, value: Double)] = []
        for s in 0..<seeds {
            let offset = 0.2 * rng.normal()
            for w in [64, 128, 256, 512, 1024, 2048, 4096] {
                out.append((w, UInt64(s), 3 * pow(Double(w), exponent) * exp(offset + 0.1 * rng.normal())))
            }
        }
        return out
    }

    @Test func exactPowerLawGivesItsExponent() {
        let points = [64, 256, 1024].flatMap { w in (0..<3).map { (width: w, seed: UInt64($0), value: 7 * pow(Double(w), -1.0)) } }
        let fit = ScalingFit(points)
        #expect(abs(fit.slope! + 1) < 1e-12)
        #expect(abs(fit.ci95![0] + 1) < 1e-9 && abs(fit.ci95![1] + 1) < 1e-9)
    }

    @Test(arguments: [1, 5])
    func confidenceIntervalCoversTheTrueExponentAboutNinetyFivePercentOfTheTime(seeds: Int) {
        var covered = 0
        let replicates = 400
        for r in 0..<replicates {
            let fit = ScalingFit(Self.synthetic(seeds: seeds, replicate: UInt64(r)))
            let ci = fit.ci95!
            if ci[0] <= -0.5 && -0.5 <= ci[1] { covered += 1 }
            #expect(ci[0] < fit.slope! && fit.slope! < ci[1])
        }
        let coverage = Double(covered) / Double(replicates)
        // Binomial(400, 0.95) has sd 0.011: 0.91…0.99 is beyond 3.5 sd either way.
        #expect(coverage > 0.91 && coverage < 0.99, "coverage \(coverage)")
    }

    @Test func shardGridIsAPartitionOfTheWholeGrid() {
        let grid = SweepGrid(widths: [512, 64, 128], seedCount: 3, baseSeed: 10)
        #expect(grid.cells.first == SweepCell(width: 64, seed: 10))
        let shards = (0..<4).map { grid.cells(in: ShardSpec(index: $0, count: 4)) }
        #expect(shards.flatMap { $0 }.sorted() == grid.cells.sorted())
        #expect(Set(shards.flatMap { $0 }).count == grid.cells.count)
        #expect(ShardSpec("2/4") == ShardSpec(index: 2, count: 4))
        #expect(ShardSpec("4/4") == nil && ShardSpec("-1/2") == nil && ShardSpec("1") == nil)
    }

    static let common = ["sweep", "--widths", "32,64,128", "--depth", "1", "--samples", "12", "--test-samples", "3",
                         "--steps", "30", "--seeds", "2", "--quiet"]

    /// sweep.csv rows without the wall-time column.
    static func rows(_ dir: ScratchDirectory) throws -> [String] {
        let lines = try String(contentsOf: dir.file("sweep.csv"), encoding: .utf8).split(separator: "\n")
        let wallTime = try #require(lines.first?.split(separator: ",").firstIndex(of: "wall_time"))
        return lines.map {
            var cells = $0.split(separator: ",", omittingEmptySubsequences: false)
            cells.remove(at: wallTime)
            return cells.joined(separator: ",")
        }
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func shardsMergedEqualTheWholeSweep() throws {
        let whole = ScratchDirectory(), a = ScratchDirectory(), b = ScratchDirectory(), merged = ScratchDirectory()
        defer { [whole, a, b, merged].forEach { $0.cleanup() } }
        #expect(try ToolProcess.run(Self.common + ["--out", whole.path]).status == 0)
        #expect(try ToolProcess.run(Self.common + ["--shard", "0/2", "--out", a.path]).status == 0)
        #expect(try ToolProcess.run(Self.common + ["--shard", "1/2", "--out", b.path]).status == 0)
        let m = try ToolProcess.run(["merge", a.path, b.path, "--out", merged.path])
        #expect(m.status == 0, "\(m.stderr)")
        let expected = try Self.rows(whole)
        #expect(expected.count == 1 + 3 * 2)
        #expect(try Self.rows(merged) == expected)
        #expect(try Self.rows(a).count == 1 + 3 && Self.rows(b).count == 1 + 3)
        for dir in [whole, merged] {
            let html = try String(contentsOf: dir.file("report.html"), encoding: .utf8)
            #expect(html.contains("ntk-dynamics sweep") && html.contains("data-series=\"final_kernel_drift\""))
            #expect(html.contains("sweep_summary.json: final_kernel_drift ∝ width^"))
        }
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func mergeRefusesShardsOfDifferentSweeps() throws {
        let a = ScratchDirectory(), b = ScratchDirectory(), merged = ScratchDirectory()
        defer { [a, b, merged].forEach { $0.cleanup() } }
        #expect(try ToolProcess.run(Self.common + ["--shard", "0/2", "--out", a.path]).status == 0)
        var other = Self.common
        other[other.firstIndex(of: "30")!] = "31"  // --steps differs
        #expect(try ToolProcess.run(other + ["--shard", "1/2", "--out", b.path]).status == 0)
        let m = try ToolProcess.run(["merge", a.path, b.path, "--out", merged.path])
        #expect(m.status != 0)
        #expect(m.status == 64)
        #expect(m.stderr.contains(b.path) && m.stderr.contains("differ in steps"))
        #expect(!m.stderr.contains("data"), "only the settings that differ are named: \(m.stderr)")
        #expect(!FileManager.default.fileExists(atPath: merged.file("sweep.csv").path))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func mergeForceReplacesAnEarlierMergeOnly() throws {
        let a = ScratchDirectory(), merged = ScratchDirectory()
        defer { [a, merged].forEach { $0.cleanup() } }
        #expect(try ToolProcess.run(Self.common + ["--shard", "0/1", "--out", a.path]).status == 0)
        #expect(try ToolProcess.run(["merge", a.path, "--out", merged.path]).status == 0)
        let again = try ToolProcess.run(["merge", a.path, "--out", merged.path])
        #expect(again.status == 64 && again.stderr.contains("--force"))
        #expect(try ToolProcess.run(["merge", a.path, "--out", merged.path, "--force"]).status == 0)
        #expect(try Self.rows(merged) == Self.rows(a))
        // A run directory is an ntk-dynamics output, but not a merge: --force leaves it alone.
        let run = ScratchDirectory()
        defer { run.cleanup() }
        #expect(try ToolProcess.run(["--width", "8", "--samples", "4", "--steps", "2", "--out", run.path]).status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: run.path).sorted()
        let refused = try ToolProcess.run(["merge", a.path, "--out", run.path, "--force"])
        #expect(refused.status == 64 && refused.stderr.contains("not a merge"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted() == before)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func sweepWithDivergedRunsExits3() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["sweep", "--widths", "8,16", "--depth", "0", "--activation", "linear", "--samples", "6",
                                     "--test-samples", "2", "--steps", "2000", "--lr-factor", "5", "--seeds", "1",
                                     "--quiet", "--out", dir.path])
        #expect(r.status == 3)
        let rows = try Self.rows(dir).dropFirst()
        #expect(rows.count == 2 && rows.allSatisfy { $0.contains(",diverged,") })
    }

    /// Runs at once take one BLAS thread each; a sweep of one run at a time gives that run every core.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [1, 2])
    func blasThreadsFollowJobs(jobs: Int) throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["sweep", "--widths", "8", "--depth", "1", "--samples", "6", "--test-samples", "2",
                                     "--steps", "5", "--seeds", "1", "--jobs", String(jobs), "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let runs = dir.file("runs")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: runs.path).first)
        let data = try Data(contentsOf: runs.appendingPathComponent(name).appendingPathComponent("config.json"))
        let config = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let expected = jobs == 1 ? ProcessInfo.processInfo.activeProcessorCount : 1
        #expect(config["blas_threads"] as? Int == expected, "\(config["blas_threads"] ?? "missing")")
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func resumedSweepEqualsAnUninterruptedOne() throws {
        let whole = ScratchDirectory(), resumed = ScratchDirectory()
        defer { [whole, resumed].forEach { $0.cleanup() } }
        let slow = ["sweep", "--widths", "32,64,128,256", "--depth", "1", "--samples", "16", "--test-samples", "3",
                    "--steps", "400", "--seeds", "2", "--jobs", "1", "--quiet"]
        #expect(try ToolProcess.run(slow + ["--out", whole.path]).status == 0)

        let (process, out, err) = try ToolProcess.start(slow + ["--out", resumed.path])
        let runs = resumed.file("runs")
        let deadline = Date().addingTimeInterval(60)
        func finished() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter {
                FileManager.default.fileExists(atPath: runs.appendingPathComponent($0).appendingPathComponent("summary.json").path)
            }.count
        }
        while finished() < 2 && Date() < deadline && process.isRunning { Thread.sleep(forTimeInterval: 0.01) }
        kill(process.processIdentifier, SIGINT)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let doneBefore = finished()
        #expect(doneBefore >= 2 && doneBefore < 8, "the interruption should leave work to resume")

        let again = try ToolProcess.run(slow + ["--out", resumed.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("resuming"))
        #expect(try Self.rows(resumed) == Self.rows(whole))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func resumingWithOtherSettingsIsRefused() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        #expect(try ToolProcess.run(Self.common + ["--out", dir.path]).status == 0)
        let before = try String(contentsOf: dir.file("sweep.csv"), encoding: .utf8)
        let other = try ToolProcess.run(Self.common + ["--activation", "tanh", "--out", dir.path])
        #expect(other.status == 64)
        #expect(other.stderr.contains("activation"))
        #expect(try String(contentsOf: dir.file("sweep.csv"), encoding: .utf8) == before)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func realSweepHasANegativeDriftSlope() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["sweep", "--widths", "64,128,256,512,1024", "--depth", "1", "--samples", "16",
                                     "--test-samples", "2", "--steps", "60", "--seeds", "2", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("sweep_summary.json"))) as! [String: Any]
        let metrics = summary["metrics"] as! [[String: Any]]
        let drift = try #require(metrics.first { $0["column"] as? String == "final_kernel_drift" })
        let fit = drift["fit"] as! [String: Any]
        let slope = try #require(fit["slope"] as? Double)
        #expect(slope < -0.3, "drift slope \(slope)")
        #expect(r.stdout.contains("fixed across widths") || r.stderr.contains("fixed across widths"))
    }
}
