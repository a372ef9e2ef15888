import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKTraining
@testable import NTKSweep
@testable import NTKDynamicsCLI

/// The learning-rate axis of `sweep` (issue 25, item 15): the phase rule on loss curves written out here, the grid's
/// cells and names, sweep.csv rows of this and the previous version, and the axis through resume, shards and merge.
@Suite struct LearningRateAxisTests {
    @Test func phaseRuleOnLossCurves() {
        #expect(GDPhase(status: .completed, losses: [1, 0.5, 0.1]) == .lazy)
        #expect(GDPhase(status: .completed, losses: [1, 1]) == .lazy)                  // never rose, never fell
        #expect(GDPhase(status: .completed, losses: [1, 30, 2, 0.2]) == .catapult)     // rose, came back below
        #expect(GDPhase(status: .completed, losses: [1, 30, 2, 1.5]) == .divergent)    // rose, still above at T
        #expect(GDPhase(status: .diverged, losses: [1, 0.5]) == .divergent)
        #expect(GDPhase(status: .interrupted, losses: [1, 0.9]) == .lazy)
    }

    /// Item 3: the printed theory of μP groups says what was measured (Docs/Parameterizations.md#how-far-the-weights-move).
    @Test func sweepTheoryLineSeparatesMuPFromNTK() {
        #expect(SweepReport.theory(.ntk, depth: 2).contains("O(width^-1/2) bounds"))
        let deep = SweepReport.theory(.mup, depth: 2), shallow = SweepReport.theory(.mup, depth: 1)
        #expect(deep.contains("drift O(1)") && deep.contains("Δθ/θ O(width^-1/2)") && !deep.contains("bounds"))
        #expect(shallow.contains("Δθ/θ O(1) at depth 1"))
    }

    @Test func gridCellsNamesAndRowsWithTheAxis() throws {
        let grid = SweepGrid(widths: [32, 8], seedCount: 1, baseSeed: 0, learningRateFactors: [2.5, 0.5, 1])
        #expect(grid.learningRateFactors == [0.5, 1, 2.5])
        #expect(grid.cells.map(\.directoryName) == ["lr0.5-w8-s0", "lr0.5-w32-s0", "lr1-w8-s0", "lr1-w32-s0",
                                                    "lr2.5-w8-s0", "lr2.5-w32-s0"])
        let defaults = SweepRow.Defaults(parameterization: .ntk, depth: 1)
        // A row of this version round-trips, its factor and phase included.
        var values = SweepRow.columns.map { _ in "" }
        func set(_ column: String, _ text: String) { values[SweepRow.columns.firstIndex(of: column)!] = text }
        set("width", "8"); set("seed", "0"); set("status", "completed"); set("parameterization", "ntk"); set("depth", "1")
        set("lr_factor", "2.5"); set("phase", "catapult"); set("final_lr_kernel_lambda_max", "0.75")
        set("architecture", "mlp")
        let row = try #require(SweepRow(line: Substring(values.joined(separator: ",")), header: SweepRow.columns, grid: grid, defaults: defaults))
        #expect(row.cell.learningRateFactor == 2.5 && row.phase == .catapult && row.value("final_lr_kernel_lambda_max") == 0.75)
        #expect(row.line == values.joined(separator: ","))
        // A sweep.csv of the previous version (header without the kernel columns) still reads, without a phase.
        let old = ScratchDirectory()
        defer { old.cleanup() }
        try FileManager.default.createDirectory(at: old.url, withIntermediateDirectories: true)
        let previous = SweepColumn.axes
        let oldLine = previous.map { ["width": "8", "seed": "0", "status": "completed", "parameterization": "ntk", "depth": "1",
                                      "max_gap": "0.1"][$0] ?? "" }
        try Data((previous.joined(separator: ",") + "\n" + oldLine.joined(separator: ",") + "\n").utf8).write(to: old.file("sweep.csv"))
        let read = try SweepRow.read(old.file("sweep.csv"), grid: SweepGrid(widths: [8], seedCount: 1, baseSeed: 0), defaults: defaults)
        #expect(read.count == 1 && read[0].value("max_gap") == 0.1 && read[0].phase == nil && read[0].cell.directoryName == "w8-s0")
    }

    /// Two factors on tiny networks: η/η_crit of each run is its factor, below η_crit the run is lazy and far above it
    /// divergent; the sharded halves merge into the whole sweep's rows, and a rerun resumes every cell.
    @Test(.tags(.endToEnd), .endToEndEnabled) func sweepAxisRunsShardsAndMerges() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let base = ["sweep", "--widths", "16,32", "--seeds", "1", "--samples", "8", "--test-samples", "4", "--steps", "40",
                    "--depth", "1", "--lr-factors", "0.5,40", "--jobs", "1", "--quiet"]
        let whole = dir.file("whole").path
        let r = try ToolProcess.run(base + ["--out", whole])
        #expect(r.status == 3, "\(r.stderr)")   // the 40·η_crit runs diverge
        // One printed group per factor, each with its own runs.
        #expect(r.stdout.contains("ntk, depth 1, η = 0.5·η_crit:") && r.stdout.contains("ntk, depth 1, η = 40·η_crit:"), "\(r.stdout)")
        let rows = try CSVTable(contentsOf: dir.file("whole/sweep.csv"))
        let factor = try #require(rows.numbers("lr_factor")), ratio = try #require(rows.numbers("lr_over_lr_crit"))
        #expect(factor == [0.5, 0.5, 40, 40])
        for (f, q) in zip(factor, ratio) { #expect(abs(q! - f!) < 1e-12 * f!) }
        let phase = rows.rows.map { $0[rows.columns.firstIndex(of: "phase")!] }
        #expect(phase == ["lazy", "lazy", "divergent", "divergent"])
        #expect(FileManager.default.fileExists(atPath: dir.file("whole/runs/lr40-w32-s0/summary.json").path))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("whole/sweep_config.json"))) as? [String: Any]
        #expect(config?["lr_factors"] as? [Double] == [0.5, 40])
        let again = try ToolProcess.run(base + ["--out", whole])
        #expect(again.stdout.contains("4 runs resumed from disk"), "\(again.stdout)")
        for i in 0..<2 {
            let s = try ToolProcess.run(base + ["--shard", "\(i)/2", "--out", dir.file("shard\(i)").path])
            #expect(s.status == 0 || s.status == 3, "\(s.stderr)")
        }
        let m = try ToolProcess.run(["merge", dir.file("shard0").path, dir.file("shard1").path, "--out", dir.file("merged").path])
        #expect(m.status == 0 || m.status == 3, "\(m.stderr)")
        let merged = try CSVTable(contentsOf: dir.file("merged/sweep.csv"))
        let keep = ["width", "seed", "status", "lr_factor", "phase"].map { merged.columns.firstIndex(of: $0)! }
        #expect(merged.rows.map { r in keep.map { r[$0] } } == rows.rows.map { r in keep.map { r[$0] } })
        let refused = try ToolProcess.run(["sweep", "--widths", "8", "--lr-factors", "1,2", "--lr", "0.1", "--out", dir.file("x").path])
        #expect(refused.status == 64 && refused.stderr.contains("--lr-factors conflicts with --lr"))
    }
}
