import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKSweep

/// The parameterization, output-scale and depth axes of a sweep (issues 16 and 18): the grid, sweep.csv, the
/// per-group fits and the collapse onto α√n and L/n, and the command end to end.
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
        let deep = SweepGrid(widths: [32], seedCount: 1, baseSeed: 0, outputScales: [2], depths: [4, 1, 2])
        #expect(deep.cells.map(\.directoryName) == ["a2-d1-w32-s0", "a2-d2-w32-s0", "a2-d4-w32-s0"])
    }

    /// A sweep.csv line: the figures are the given drift and gap, the rest 1 (the Θ columns empty).
    static func line(width: Int, seed: UInt64, parameterization: Parameterization, alpha: Double?, depth: Int = 2,
                     drift: Double, gap: Double, status: String = "completed") -> Substring {
        var v = [String: Double](uniqueKeysWithValues: SweepColumn.legacyNumbers.map { ($0, 1.0) })
        v["final_kernel_drift"] = drift
        v["max_kernel_drift"] = drift
        v["max_gap"] = gap
        let numbers = SweepColumn.legacyNumbers.map { "\(v[$0]!)" }
        let added = ["0.5"] + Array(repeating: "", count: SweepColumn.addedNumbers.count - 1)
        return Substring((["\(width)", "\(seed)", status] + numbers + [parameterization.rawValue, alpha.map { "\($0)" } ?? "", "\(depth)"]
                          + added).joined(separator: ","))
    }

    static let defaults = SweepRow.Defaults(parameterization: .ntk, depth: 2)

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
                            legacy: false, grid: grid, defaults: Self.defaults)!
        }
    }

    @Test(arguments: [(-1.0, -0.5), (-1.0, -1.0), (-0.7, 0.0)])
    func collapseFitRecoversTheExponentsOfAnExactPowerLaw(a: Double, b: Double) throws {
        let summary = SweepSummary(rows: Self.rows(parameterization: .ntk, a: a, b: b))
        #expect(summary.collapse?.allSatisfy { $0.axis == .outputScale && $0.depth == 2 } == true)
        let drift = try #require(summary.collapse?.first { $0.column == "max_kernel_drift" })
        #expect(abs(drift.joint!.axisExponent - a) < 1e-10 && abs(drift.joint!.widthExponent - b) < 1e-10)
        #expect(abs(drift.joint!.collapseExponent! - b / a) < 1e-10)
        #expect(drift.points == Self.widths.count * Self.alphas.count * 3)
        // Per seed the points are exact, so every per-seed slope against α√n is the same number.
        if b / a == 0.5 {
            #expect(abs(drift.fit.slope! - a) < 1e-10 && drift.rmsLogResidual! < drift.rmsLogResidualWithoutWidth!)
        } else if b == 0 {
            #expect(drift.rmsLogResidualWithoutWidth! < drift.rmsLogResidual!)
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
        #expect(gap.rmsLogResidualWithoutWidth! < 1e-10 && gap.rmsLogResidual! > 0.1)
    }

    /// Rows whose drift is 0.02·(L/n)^e exactly at every depth and width (times a per-seed factor): the depth fit
    /// recovers e against L/n and the collapse exponent −1; the gap, which ignores the depth, has no depth exponent.
    @Test(arguments: [0.5, 1.0])
    func depthFitRecoversAPlantedExponentOfDepthOverWidth(e: Double) throws {
        let grid = SweepGrid(widths: [64, 256, 1024], seedCount: 2, baseSeed: 0, depths: [1, 2, 4, 8])
        let rows = grid.cells.map { c in
            let drift = 0.02 * pow(Double(c.depth!) / Double(c.width), e) * (1 + 0.2 * Double(c.seed))
            return SweepRow(line: Self.line(width: c.width, seed: c.seed, parameterization: .ntk, alpha: nil, depth: c.depth!,
                                            drift: drift, gap: 0.3 / Double(c.width)),
                            legacy: false, grid: grid, defaults: Self.defaults)!
        }
        let summary = SweepSummary(rows: rows)
        #expect(summary.groups?.count == 4 && summary.groups?.map(\.depth) == [1, 2, 4, 8])
        let drift = try #require(summary.collapse?.first { $0.axis == .depth && $0.column == "max_kernel_drift" })
        #expect(abs(drift.fit.slope! - e) < 1e-10 && drift.fit.seedSlopes.count == 2)
        #expect(abs(drift.joint!.axisExponent - e) < 1e-10 && abs(drift.joint!.collapseExponent! + 1) < 1e-10)
        #expect(drift.rmsLogResidual! < drift.rmsLogResidualWithoutWidth! && drift.crossovers == nil && drift.outputScale == nil)
        let gap = try #require(summary.collapse?.first { $0.axis == .depth && $0.column == "max_gap" })
        #expect(abs(gap.joint!.axisExponent) < 1e-10 && abs(gap.joint!.widthExponent + 1) < 1e-10)
        #expect(summary.collapse?.contains { $0.axis == .outputScale } == false)
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
                                     drift: 2 / Double(c.width), gap: 1), legacy: false, grid: grid, defaults: Self.defaults)!
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
        #expect(try SweepRow.read(url, grid: grid, defaults: Self.defaults) == Array(rows).sorted { $0.cell < $1.cell })
        #expect(try String(contentsOf: url, encoding: .utf8).hasPrefix(SweepRow.columns.joined(separator: ",") + "\n"))

        // A file without the columns after wall_time: the sweep's parameterization and depth, no α, and cells named
        // w<n>-s<seed>.
        let legacyText = SweepColumn.legacy.joined(separator: ",") + "\n"
            + Self.line(width: 64, seed: 3, parameterization: .ntk, alpha: nil, drift: 0.5, gap: 0.25)
                .split(separator: ",", omittingEmptySubsequences: false).prefix(SweepColumn.legacy.count).joined(separator: ",") + "\n"
        try legacyText.write(to: url, atomically: true, encoding: .utf8)
        let legacy = try SweepRow.read(url, grid: SweepGrid(widths: [64], seedCount: 4, baseSeed: 0),
                                       defaults: .init(parameterization: .mup, depth: 3, outputScale: 10))
        #expect(legacy.count == 1 && legacy[0].parameterization == .mup && legacy[0].outputScale == 10 && legacy[0].depth == 3)
        #expect(legacy[0].value("max_test_gap") == nil)
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
                                    defaults: .init(parameterization: .ntk, depth: 1))
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
        let recorded = try #require(config?["lr_per_network"] as? [[String: Any]])
        #expect(recorded.map { $0["parameterization"] as? String } == ["ntk", "mup"] && recorded.allSatisfy { $0["depth"] as? Int == 1 })
        let recordedRate = try #require(recorded[1]["lr"] as? Double)
        #expect(abs(recordedRate - mupRates.first!) <= 1e-15 * recordedRate)
        let summary = try JSONDecoder().decode(SweepSummary.self, from: Data(contentsOf: dir.file("sweep_summary.json")))
        #expect(summary.groups?.count == 4 && summary.collapse?.count == 4)
        let html = try String(contentsOf: dir.file("report.html"), encoding: .utf8)
        #expect(html.contains("Max kernel drift vs α√n (ntk)") && html.contains("Max gap vs α√n (mup)"))
        #expect(html.contains("<th>parameterization</th>") && html.contains("<th>α</th>"))
        // Every id is usable in url(#…) references and as an anchor: no spaces, commas or other punctuation.
        let ids = html.components(separatedBy: "id=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(!ids.isEmpty && ids.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) } },
                "\(ids.filter { $0.contains(" ") || $0.contains(",") })")
        #expect(r.stdout.contains("ntk, depth 1: max_kernel_drift ∝ (α√n)^"))
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

    /// Reads a JSON object.
    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func depthAxisWithThetaAggregatesEachRunsSummary() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["sweep", "--widths", "16,32", "--depths", "1,2", "--seeds", "2", "--samples", "10",
                                     "--test-samples", "4", "--steps", "25", "--activation", "tanh", "--kernel", "analytic",
                                     "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let grid = SweepGrid(widths: [16, 32], seedCount: 2, baseSeed: 0, depths: [1, 2])
        let rows = try SweepRow.read(dir.file("sweep.csv"), grid: grid, defaults: Self.defaults)
        #expect(rows.map(\.cell) == grid.cells)
        for row in rows {
            #expect(row.depth == row.cell.depth)
            // JSONDecoder reads numbers exactly (JSONSerialization can be an ulp off on Linux).
            let summary = try RunDirectory.jsonDecoder.decode(RunSummary.self, from: Data(contentsOf: dir.file("runs/\(row.cell.directoryName)/summary.json")))
            let config = try Self.json(dir.file("runs/\(row.cell.directoryName)/config.json"))
            #expect(config["depth"] as? Int == row.depth)
            let expected: [String: Double?] = [
                "max_test_gap": summary.maxTestGap, "kernel_distance_analytic": summary.kernelDistanceAnalytic,
                "max_gap_analytic": summary.maxGapAnalytic, "final_train_loss_ntk_analytic": summary.finalTrainLossAnalytic,
                "final_test_loss_ntk_analytic": summary.finalTestLossAnalytic, "max_gap_nonlinearity": summary.maxGapNonlinearity,
                "max_gap_minibatch": summary.maxGapMinibatch,
            ]
            #expect(Set(expected.keys) == Set(SweepColumn.addedNumbers))
            for (column, value) in expected {
                #expect(value != nil && row.value(column) == value, "\(column) of \(row.cell.directoryName)")
            }
        }
        let config = try Self.json(dir.file("sweep_config.json"))
        #expect(config["depths"] as? [Int] == [1, 2] && (config["lr_per_network"] as? [Any])?.count == 2)
        let summary = try JSONDecoder().decode(SweepSummary.self, from: Data(contentsOf: dir.file("sweep_summary.json")))
        #expect(summary.collapse?.filter { $0.axis == .depth }.count == 2)
        #expect(summary.groups?.allSatisfy { $0.metrics.contains { $0.column == "kernel_distance_analytic" } } == true)
        let html = try String(contentsOf: dir.file("report.html"), encoding: .utf8)
        #expect(html.contains("Max kernel drift vs L/n") && html.contains("Distance of K₀ from Θ vs width"))
        // Issue 25 item 7: the overlays of every group, each in its own section.
        #expect(html.contains("Over training, one curve per width: ntk, depth 1") && html.contains("Over training, one curve per width: ntk, depth 2"))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func sweepRunsOnTheDigitsAndResumes() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let args = ["sweep", "--dataset", "digits", "--classes", "3,8", "--samples", "40", "--test-samples", "20",
                    "--widths", "16,32", "--seeds", "1", "--depth", "1", "--steps", "20", "--loss", "cross-entropy",
                    "--optimizer", "sgd", "--batch-size", "10", "--quiet", "--out", dir.path]
        let r = try ToolProcess.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        let source = try #require(try Self.json(dir.file("sweep_config.json"))["data_source"] as? [String: Any])
        #expect(source["name"] as? String == "digits" && source["classes"] as? [Int] == [3, 8])
        let run = try Self.json(dir.file("runs/w32-s0/config.json"))
        #expect(run["dataset"] as? String == "digits" && run["loss_function"] as? String == "cross-entropy")
        let rows = try SweepRow.read(dir.file("sweep.csv"), grid: SweepGrid(widths: [16, 32], seedCount: 1, baseSeed: 0),
                                     defaults: .init(parameterization: .ntk, depth: 1))
        #expect(rows.count == 2 && rows.allSatisfy { $0.value("max_gap_minibatch") != nil && $0.value("max_gap_nonlinearity") != nil })
        let again = try ToolProcess.run(args)
        #expect(again.status == 0 && again.stdout.contains("2 runs resumed from disk"), "\(again.stderr)")
        // The same sweep on other classes is another sweep.
        var other = args
        other[other.firstIndex(of: "3,8")!] = "1,7"
        let refused = try ToolProcess.run(other)
        #expect(refused.status == 64 && refused.stderr.contains("data_source"), "\(refused.stderr)")
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
        (["--depths", "1,0"], "each depth must be 1 to"),
        (["--depths", "1,2,2"], "lists a depth twice"),
        (["--depths", "1,2", "--depth", "3"], "--depth and --depths conflict"),
        (["--depths", "1,2", "--parameterizations", "ntk,mean-field"], "mean-field"),
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
