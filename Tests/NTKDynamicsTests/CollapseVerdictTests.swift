import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport
@testable import NTKSweep

/// Issue 25, items 1 and 2: the collapse exponent b/a with its interval and the verdict on the hypothesis (½ for
/// α√n, −1 for L/n), checked on planted data whose exponent is known; and one L/n figure per setting, not per run.
@Suite struct CollapseVerdictTests {
    /// Rows of an L × width grid whose drift is L^e·n^(e·(p + δ_s)) exactly, δ_s a per-seed offset: every seed's own
    /// joint fit gives b/a = p + δ_s, so the across-seed interval is mean ± t(0.975, S−1)·sd/√S of those numbers.
    static func depthRows(p: Double, offsets: [Double], e: Double = 1) -> [SweepRow] {
        let grid = SweepGrid(widths: [64, 256, 1024], seedCount: offsets.count, baseSeed: 0, depths: [1, 2, 4])
        return grid.cells.map { c in
            let (l, n) = (Double(c.depth!), Double(c.width))
            let drift = 0.05 * pow(l, e) * pow(n, e * (p + offsets[Int(c.seed)]))
            return SweepRow(line: SweepAxesTests.line(width: c.width, seed: c.seed, parameterization: .ntk, alpha: nil,
                                                      depth: c.depth!, drift: drift, gap: 0.3 / n),
                            legacy: false, grid: grid, defaults: SweepAxesTests.defaults)!
        }
    }

    /// The interval by hand from the planted per-seed exponents.
    static func interval(_ values: [Double]) -> [Double] {
        let s = Double(values.count), mean = values.reduce(0, +) / s
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (s - 1)).squareRoot()
        let t = [1: 12.706204736, 2: 4.302652730, 3: 3.182446305][values.count - 1]!
        return [mean - t * sd / s.squareRoot(), mean + t * sd / s.squareRoot()]
    }

    @Test(arguments: [(-1.0, true), (-2.175, false), (-0.9, true), (-0.5, false)])
    func depthCollapseIntervalAndVerdictFromPlantedExponents(p: Double, inside: Bool) throws {
        let offsets = [-0.06, 0.0, 0.04]
        let summary = SweepSummary(rows: Self.depthRows(p: p, offsets: offsets))
        let drift = try #require(summary.collapse?.first { $0.axis == .depth && $0.column == "max_kernel_drift" })
        let joint = try #require(drift.joint)
        let planted = offsets.map { p + $0 }
        #expect(zip(try #require(joint.seedCollapseExponents), planted).allSatisfy { abs($0 - $1) < 1e-9 })
        let ci = try #require(joint.collapseExponentCI95)
        let expected = Self.interval(planted)
        #expect(abs(ci[0] - expected[0]) < 1e-7 && abs(ci[1] - expected[1]) < 1e-7)
        #expect(joint.hypothesis == -1)
        // Independently: is −1 between the hand-made bounds?
        #expect(joint.hypothesisInside == (expected[0] <= -1 && -1 <= expected[1]))
        #expect(joint.hypothesisInside == inside)
        let text = drift.sentences { String(format: "%.4g", $0 ?? .nan) }.joined()
        #expect(text.contains(inside ? "lies inside the interval: consistent" : "lies OUTSIDE the interval"))
        // With two seeds the t quantile is 12.7: the same offsets give an interval too wide to decide, and it says so.
        let two = SweepSummary(rows: Self.depthRows(p: p, offsets: [-0.06, 0.04])).collapse!.first { $0.axis == .depth && $0.column == "max_kernel_drift" }!
        let wide = two.joint!.collapseExponentCI95!
        #expect(wide[1] - wide[0] > 1)
        #expect(two.verdict { String(format: "%.4g", $0 ?? .nan) }.contains(two.joint!.hypothesisInside! ? "too wide to tell" : "OUTSIDE"))
        // The printed and written forms agree: the keys are in sweep_summary.json.
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        for key in ["collapse_exponent_ci95", "seed_collapse_exponents", "collapse_hypothesis_inside", "collapse_hypothesis"] {
            #expect(json.contains("\"\(key)\""))
        }
        #expect(try JSONDecoder().decode(SweepSummary.self, from: JSONEncoder().encode(summary)) == summary)
    }

    /// α√n: drift α^a·n^(a·(p + δ_s)) over an α × width grid; the hypothesis is ½.
    @Test(arguments: [(0.5, true), (0.0, false)])
    func outputScaleCollapseVerdict(p: Double, inside: Bool) throws {
        let offsets = [-0.05, 0.01, 0.05]
        let grid = SweepGrid(widths: SweepAxesTests.widths, seedCount: 3, baseSeed: 0, parameterizations: [.ntk],
                             outputScales: SweepAxesTests.alphas)
        let rows = grid.cells.map { c in
            let drift = 0.3 * pow(c.outputScale!, -1) * pow(Double(c.width), -(p + offsets[Int(c.seed)]))
            return SweepRow(line: SweepAxesTests.line(width: c.width, seed: c.seed, parameterization: .ntk, alpha: c.outputScale,
                                                      drift: drift, gap: 0.1),
                            legacy: false, grid: grid, defaults: SweepAxesTests.defaults)!
        }
        let drift = try #require(SweepSummary(rows: rows).collapse?.first { $0.axis == .outputScale && $0.column == "max_kernel_drift" })
        let expected = Self.interval(offsets.map { p + $0 })
        let ci = try #require(drift.joint?.collapseExponentCI95)
        #expect(abs(ci[0] - expected[0]) < 1e-7 && abs(ci[1] - expected[1]) < 1e-7)
        #expect(drift.joint?.hypothesis == 0.5 && drift.joint?.hypothesisInside == inside)
    }

    /// One seed: the least-squares (delta-method) interval. Over many noisy replicates with the true exponent −1 it
    /// must cover −1 about 95 % of the time: a coverage check independent of the formula.
    @Test func oneSeedIntervalCoversTheTrueExponent() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func gaussian() -> Double {  // Box–Muller on a 64-bit LCG
            func uniform() -> Double {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return (Double(state >> 11) + 0.5) / Double(1 << 53)
            }
            return (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
        }
        let grid = SweepGrid(widths: [32, 64, 128, 256, 512], seedCount: 1, baseSeed: 0, depths: [1, 2, 4, 8])
        var covered = 0
        let replicates = 400
        for _ in 0..<replicates {
            let rows = grid.cells.map { c in
                let drift = 0.05 * (Double(c.depth!) / Double(c.width)) * exp(0.1 * gaussian())
                return SweepRow(line: SweepAxesTests.line(width: c.width, seed: c.seed, parameterization: .ntk, alpha: nil,
                                                          depth: c.depth!, drift: drift, gap: 0.1),
                                legacy: false, grid: grid, defaults: SweepAxesTests.defaults)!
            }
            let joint = try #require(SweepSummary(rows: rows).collapse?.first { $0.column == "max_kernel_drift" }?.joint)
            #expect(joint.seedCollapseExponents == nil && joint.collapseExponentMethod?.hasPrefix("least squares") == true)
            if joint.hypothesisInside == true { covered += 1 }
        }
        let rate = Double(covered) / Double(replicates)
        #expect(rate > 0.91 && rate < 0.99, "coverage \(rate)")
    }

    /// Item 1: a depth × width sweep without α draws the L/n figure once, not once per run.
    @Test func depthSweepDrawsOneDepthRatioFigure() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let rows = Self.depthRows(p: -1, offsets: [0, 0.01])
        let table = ([SweepRow.columns.joined(separator: ",")] + rows.map(\.line)).joined(separator: "\n") + "\n"
        try Data(table.utf8).write(to: scratch.url.appendingPathComponent("sweep.csv"))
        try Data(#"{"depths": [1, 2, 4], "widths": [64, 256, 1024]}"#.utf8).write(to: scratch.url.appendingPathComponent("sweep_config.json"))
        let logs = try WidthListLogs(sweepDirectory: scratch.url)
        #expect(logs.rows.count == 18)
        let figures = try #require(SweepAxesFigures.figures(for: logs))
        let ratio = figures.filter { $0.plot.id.hasPrefix("depth-ratio") }
        #expect(ratio.count == 1)
        #expect(ratio.first?.plot.series.filter(\.inLegend).map(\.label) == ["depth 1", "depth 2", "depth 4"])
    }
}
