import Foundation
import Testing
@testable import NTKDynamics

/// The parameterization and output-scale axes of a sweep (issue 16): the grid, sweep.csv, the per-group fits
/// and the collapse onto α√n, and the command end to end.
@Suite(.serialized)
struct SweepAxesTests {
    @Test func gridIsTheProductAndNamesOnlyItsAxes() {
        let plain = SweepGrid(widths: [64, 16], seedCount: 2, baseSeed: 5)
        #expect(plain.cells.map(\.directoryName) == ["w16-s5", "w16-s6", "w64-s5", "w64-s6"])
        let grid = SweepGrid(widths: [64, 16], seedCount: 2, baseSeed: 5, parameterizations: [.mup, .ntk],
                             outputScales: [10, 0.1, 1])
        #expect(grid.cells.count == 2 * 3 * 2 * 2)
        #expect(Set(grid.cells).count == grid.cells.count)
        #expect(grid.cells == grid.cells.sorted())
        #expect(grid.parameterizations == [.ntk, .mup] && grid.outputScales == [0.1, 1, 10])
        #expect(grid.cells.first?.directoryName == "ntk-a0.1-w16-s5")
        #expect(grid.cells.last?.directoryName == "mup-a10-w64-s6")
        let scalesOnly = SweepGrid(widths: [8], seedCount: 1, baseSeed: 0, outputScales: [100, 1e-5])
        #expect(scalesOnly.cells.map(\.directoryName) == ["a1e-05-w8-s0", "a100-w8-s0"])
        let shards = (0..<5).map { grid.cells(in: ShardSpec(index: $0, count: 5)) }
        #expect(shards.flatMap { $0 }.sorted() == grid.cells)
    }

    /// A sweep.csv line: the figures are the given drift and gap, the rest 1.
    static func line(width: Int, seed: UInt64, parameterization: Parameterization, alpha: Double?,
                     drift: Double, gap: Double, status: String = "completed") -> Substring {
        var v = [String: Double](uniqueKeysWithValues: SweepRow.numericColumns.map { ($0, 1.0) })
        v["final_kernel_drift"] = drift
        v["max_kernel_drift"] = drift
        v["max_gap"] = gap
        let numbers = SweepRow.numericColumns.map { "\(v[$0]!)" }
        return Substring((["\(width)", "\(seed)", status] + numbers + [parameterization.rawValue, alpha.map { "\($0)" } ?? ""])
            .joined(separator: ","))
    }

    static let widths = [64, 256, 1024, 4096]
    static let alphas = [0.01, 0.1, 1, 10, 100]

    /// Rows whose drift is c·α^a·n^b exactly (times a per-seed factor), and whose gap is α^(−1) alone.
    static func rows(parameterization: Parameterization, a: Double, b: Double) -> [SweepRow] {
        let grid = SweepGrid(widths: widths, seedCount: 3, baseSeed: 0, parameterizations: [parameterization],
                             outputScales: alphas)
        return grid.cells.map { cell in
            let alpha = cell.outputScale!, n = Double(cell.width)
            let drift = 0.3 * pow(alpha, a) * pow(n, b) * (1 + 0.1 * Double(cell.seed))
            return SweepRow(line: line(width: cell.width, seed: cell.seed, parameterization: parameterization, alpha: alpha,
                                       drift: drift, gap: 0.2 / alpha),
                            legacy: false, grid: grid, sweepParameterization: .ntk)!
        }
    }

    @Test(arguments: [(-1.0, -0.5), (-1.0, -1.0), (-0.7, 0.0)])
    func collapseFitRecoversTheExponentsOfAnExactPowerLaw(a: Double, b: Double) throws {
        let summary = SweepSummary(rows: Self.rows(parameterization: .ntk, a: a, b: b))
        let drift = try #require(summary.collapse?.first { $0.column == "max_kernel_drift" })
        #expect(abs(drift.joint!.alphaExponent - a) < 1e-10 && abs(drift.joint!.widthExponent - b) < 1e-10)
        #expect(abs(drift.joint!.collapseExponent! - b / a) < 1e-10)
        #expect(drift.points == Self.widths.count * Self.alphas.count * 3)
        // Per seed the points are exact, so every per-seed slope against α√n is the same number.
        if b / a == 0.5 {
            #expect(abs(drift.fit.slope! - a) < 1e-10 && drift.rmsLogResidual! < drift.rmsLogResidualAlphaOnly!)
        } else if b == 0 {
            #expect(drift.rmsLogResidualAlphaOnly! < drift.rmsLogResidual!)
        }
        // The crossover where the drift falls through 1/2, at each width, by hand: α√n = (0.5/(0.3·n^b·f))^(1/a)·√n
        // with f the mean over the three seeds of the seed factor 1 + 0.1·seed (exact between the bracketing α).
        let crossovers = try #require(drift.crossovers)
        #expect(crossovers.map(\.width) == Self.widths)
        for c in crossovers {
            let n = Double(c.width)
            let alpha = pow(0.5 / (0.3 * pow(n, b) * 1.1), 1 / a)
            let expected = Self.alphas.first! <= alpha && alpha <= Self.alphas.last! ? alpha * n.squareRoot() : nil
            if let expected {
                #expect(abs(c.alphaSqrtWidth! / expected - 1) < 1e-12, "width \(c.width)")
            } else {
                #expect(c.alphaSqrtWidth == nil)
            }
        }
        // The gap is α^(−1) at every width: it collapses onto α alone (p = 0), not onto α√n.
        let gap = try #require(summary.collapse?.first { $0.column == "max_gap" })
        #expect(abs(gap.joint!.widthExponent) < 1e-10 && abs(gap.joint!.collapseExponent!) < 1e-10)
        #expect(gap.rmsLogResidualAlphaOnly! < 1e-10 && gap.rmsLogResidual! > 0.1)
    }

    @Test func summaryHasOneGroupPerParameterizationAndScaleWithItsWidthSlope() throws {
        let rows = Self.rows(parameterization: .ntk, a: -1, b: -0.5) + Self.rows(parameterization: .mup, a: -1, b: 0)
        let summary = SweepSummary(rows: rows)
        let groups = try #require(summary.groups)
        #expect(groups.count == 2 * Self.alphas.count && summary.metrics.isEmpty)
        for g in groups {
            let drift = try #require(g.metrics.first { $0.column == "max_kernel_drift" })
            #expect(abs(drift.fit.slope! - (g.parameterization == .ntk ? -0.5 : 0)) < 1e-10)
            #expect(g.runs == Self.widths.count * 3 && drift.perWidth.count == Self.widths.count)
        }
        #expect(summary.collapse?.count == 4)
        // Round trip through the file format.
        let data = try JSONEncoder().encode(summary)
        #expect(try JSONDecoder().decode(SweepSummary.self, from: data) == summary)
    }

    @Test func sweepWithoutAxesSummarizesAsBefore() throws {
        let grid = SweepGrid(widths: [64, 256, 1024], seedCount: 2, baseSeed: 0)
        let rows = grid.cells.map { c in
            SweepRow(line: Self.line(width: c.width, seed: c.seed, parameterization: .ntk, alpha: nil,
                                     drift: 2 / Double(c.width), gap: 1), legacy: false, grid: grid, sweepParameterization: .ntk)!
        }
        let summary = SweepSummary(rows: rows)
        #expect(summary.groups?.count == 1 && summary.collapse == [])
        #expect(summary.metrics == summary.groups?[0].metrics)
        #expect(abs(summary.metrics.first { $0.column == "final_kernel_drift" }!.fit.slope! + 1) < 1e-12)
        #expect(rows.allSatisfy { $0.cell.parameterization == nil && $0.cell.outputScale == nil })
    }

    @Test func sweepCSVRoundTripsAndReadsTheOlderLayout() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        try FileManager.default.createDirectory(at: dir.url, withIntermediateDirectories: true)
        let grid = SweepGrid(widths: [64, 256], seedCount: 2, baseSeed: 0, parameterizations: [.ntk, .mup], outputScales: [0.5, 2])
        let rows = Self.rows(parameterization: .ntk, a: -1, b: -0.5).prefix(4)
            + Self.rows(parameterization: .mup, a: -1, b: 0).suffix(3)
        let url = dir.file("sweep.csv")
        try SweepRow.csv(Array(rows)).write(to: url, atomically: true, encoding: .utf8)
        #expect(try SweepRow.read(url, grid: grid, sweepParameterization: .ntk) == Array(rows).sorted { $0.cell < $1.cell })
        #expect(try String(contentsOf: url, encoding: .utf8).hasPrefix(SweepRow.columns.joined(separator: ",") + "\n"))

        // A file without the last two columns: the sweep's parameterization, no α, and cells named w<n>-s<seed>.
        let legacyText = SweepRow.legacyColumns.joined(separator: ",") + "\n"
            + Self.line(width: 64, seed: 3, parameterization: .ntk, alpha: nil, drift: 0.5, gap: 0.25)
                .split(separator: ",", omittingEmptySubsequences: false).dropLast(2).joined(separator: ",") + "\n"
        try legacyText.write(to: url, atomically: true, encoding: .utf8)
        let legacy = try SweepRow.read(url, grid: SweepGrid(widths: [64], seedCount: 4, baseSeed: 0), sweepParameterization: .mup)
        #expect(legacy.count == 1 && legacy[0].parameterization == .mup && legacy[0].outputScale == nil)
        #expect(legacy[0].cell.directoryName == "w64-s3" && legacy[0].value("max_gap") == 0.25)
    }

    // MARK: - End to end

    static let common = ["sweep", "--widths", "16,32", "--depth", "1", "--samples", "10", "--test-samples", "3",
                         "--steps", "25", "--seeds", "1", "--activation", "tanh", "--quiet"]
    static let axes = ["--parameterizations", "ntk,mup", "--output-scales", "1,10"]

    @Test(.tags(.endToEnd), .endToEndEnabled) func axesSweepWritesEveryCellItsColumnsAndItsReport() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(Self.common + Self.axes + ["--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try SweepRow.read(dir.file("sweep.csv"), grid: SweepGrid(widths: [16, 32], seedCount: 1, baseSeed: 0,
                                                                           parameterizations: [.ntk, .mup], outputScales: [1, 10]),
                                    sweepParameterization: .ntk)
        #expect(csv.count == 8 && csv.allSatisfy { $0.status == .completed })
        for row in csv {
            #expect(row.parameterization == row.cell.parameterization && row.outputScale == row.cell.outputScale)
            let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("runs/\(row.cell.directoryName)/config.json"))) as? [String: Any]
            #expect(config?["parameterization"] as? String == row.parameterization.rawValue)
            #expect(config?["output_scale"] as? Double == row.outputScale)
        }
        // Each parameterization runs at its own η (half its own η_crit), the same at every width and α.
        let ntkRates = Set(csv.filter { $0.parameterization == .ntk }.map { $0.value("lr")! })
        let mupRates = Set(csv.filter { $0.parameterization == .mup }.map { $0.value("lr")! })
        #expect(ntkRates.count == 1 && mupRates.count == 1 && ntkRates != mupRates)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("sweep_config.json"))) as? [String: Any]
        #expect(config?["parameterizations"] as? [String] == ["ntk", "mup"] && config?["output_scales"] as? [Double] == [1, 10])
        let recordedRate = try #require((config?["lr_by_parameterization"] as? [String: Double])?["mup"])
        #expect(abs(recordedRate - mupRates.first!) <= 1e-15 * recordedRate)
        let summary = try JSONDecoder().decode(SweepSummary.self, from: Data(contentsOf: dir.file("sweep_summary.json")))
        #expect(summary.groups?.count == 4 && summary.collapse?.count == 4)
        let html = try String(contentsOf: dir.file("report.html"), encoding: .utf8)
        #expect(html.contains("Max kernel drift vs α√n (ntk)") && html.contains("Max gap vs α√n (mup)"))
        #expect(html.contains("<th>parameterization</th>") && html.contains("<th>α</th>"))
        #expect(r.stdout.contains("max_kernel_drift against α√n"))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func axesShardsMergeAndResumeLikeTheWholeSweep() throws {
        let whole = ScratchDirectory(), a = ScratchDirectory(), b = ScratchDirectory(), merged = ScratchDirectory()
        defer { [whole, a, b, merged].forEach { $0.cleanup() } }
        let args = Self.common + Self.axes
        #expect(try ToolProcess.run(args + ["--out", whole.path]).status == 0)
        #expect(try ToolProcess.run(args + ["--shard", "0/3", "--out", a.path]).status == 0)
        #expect(try ToolProcess.run(args + ["--shard", "1/3", "--out", b.path]).status == 0)
        // The third shard is missing: merge warns and names a missing run.
        let partial = try ToolProcess.run(["merge", a.path, b.path, "--out", merged.path])
        #expect(partial.status == 0 && partial.stderr.contains("grid cells are in no shard"))
        let c = ScratchDirectory()
        defer { c.cleanup() }
        #expect(try ToolProcess.run(args + ["--shard", "2/3", "--out", c.path]).status == 0)
        #expect(try ToolProcess.run(["merge", a.path, b.path, c.path, "--out", merged.path, "--force"]).status == 0)
        #expect(try SweepTests.rows(merged) == SweepTests.rows(whole))
        // Resuming the finished sweep runs nothing again and writes the same table.
        let before = try SweepTests.rows(whole)
        let again = try ToolProcess.run(args + ["--out", whole.path])
        #expect(again.status == 0 && again.stdout.contains("8 runs resumed from disk"))
        #expect(try SweepTests.rows(whole) == before)
        // Another α axis is another sweep.
        let other = try ToolProcess.run(Self.common + ["--parameterizations", "ntk,mup", "--output-scales", "1,100", "--out", whole.path])
        #expect(other.status == 64 && other.stderr.contains("output_scales"))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [
        (["--output-scales", "1,0"], "each α must be a finite number > 0"),
        (["--output-scales", "1,2,1"], "lists a scale twice"),
        (["--output-scales", "1,2", "--output-scale", "3"], "--output-scale and --output-scales conflict"),
        (["--parameterizations", "ntk,ntk"], "lists a parameterization twice"),
        (["--parameterizations", "ntk,mup", "--parameterization", "standard"], "conflict"),
        (["--parameterizations", "ntk,mean-field", "--depth", "2"], "mean-field"),
        (["--parameterizations", "ntk,mup", "--kernel", "analytic"], "lists mup"),
        (["--parameterizations", "ntk,bogus"], "bogus"),
    ])
    func badAxesAreRefusedWithTheReason(extra: [String], message: String) throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(Self.common + extra + ["--out", dir.path])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }
}
