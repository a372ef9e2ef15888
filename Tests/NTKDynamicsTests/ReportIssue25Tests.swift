import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport
@testable import NTKSweep

/// Issue 25, the report's errors: the width scaling stated per depth (item 4), what a step is and what the
/// predictions are for SGD and momentum (item 5), and a diverging prediction clipped so GD's spike shows (item 9).
@Suite struct ReportIssue25Tests {
    static func figures(_ run: SyntheticRun) throws -> [String: RunReport.Figure] {
        let figures = RunReport.figures(for: try RunLogs(directory: run.url))
        return Dictionary(figures.map { ($0.plot.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test(arguments: [(1, "Δθ/θ as n^−1/2 (one hidden layer"), (2, "Δθ/θ as n^−1 (depth 2"), (4, "Δθ/θ as n^−1 (depth 4")])
    func driftCaptionStatesTheWidthExponentsOfTheDepth(depth: Int, expected: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        try run.write("config.json", SyntheticRun.config(steps: 40).replacingOccurrences(of: "\"depth\" : 1", with: "\"depth\" : \(depth)"))
        let caption = try #require(try Self.figures(run)["drift"]).caption
        #expect(caption.contains(expected) && caption.contains("drift falls as n^−1/2"))
        #expect(!caption.contains("vanish like 1/√n"))
    }

    @Test func sgdRunSaysWhatAStepIsNamesTheTwinAndThatPredictionsAreFullBatch() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        for (optimizer, axis) in [("sgd", "step t (number of SGD updates, minibatches of 2)"),
                                  ("momentum", "step t (number of heavy-ball momentum updates, minibatches of 2)")] {
            try run.write("config.json", SyntheticRun.config(steps: 40).replacingOccurrences(
                of: "\"depth\" : 1,", with: "\"depth\" : 1, \"optimizer\" : \"\(optimizer)\", \"batch_size\" : 2,"))
            // The twin's loss column beside the others, as an SGD run writes it.
            let lines = SyntheticRun.steps(40).split(separator: "\n").enumerated().map { i, line in
                line + (i == 0 ? ",train_loss_lin" : ",\(0.4 * pow(0.9, Double(i - 1)))")
            }
            try run.write("steps.csv", lines.joined(separator: "\n") + "\n")
            let figures = try Self.figures(run)
            for id in ["train-loss", "gap", "drift"] { #expect(figures[id]?.plot.xAxis.label == axis, "\(id)") }
            let twin = try #require(figures["train-loss"]?.plot.series.first { $0.id == "train_loss_lin" }, "\(optimizer)")
            #expect(twin.label == "linearized, same batches")
            let fullBatch = optimizer == "sgd" ? "full-batch GD" : "full-batch heavy ball"
            #expect(figures["rates"]?.plot.notes.contains { $0.text.contains(fullBatch) && $0.text.contains("minibatches of 2") } == true)
            #expect(figures["train-loss"]?.plot.notes.contains { $0.text.contains(fullBatch) } == true)
        }
        // Full-batch GD: no such note, the axis as before; a twin column equal to the discrete prediction is not drawn twice.
        try run.write("config.json", SyntheticRun.config(steps: 40))
        let same = SyntheticRun.steps(40).split(separator: "\n").enumerated().map { i, line in
            line + (i == 0 ? ",train_loss_lin" : ",\(0.5 * pow(0.89, Double(i - 1)))")
        }
        try run.write("steps.csv", same.joined(separator: "\n") + "\n")
        let figures = try Self.figures(run)
        #expect(figures["train-loss"]?.plot.series.contains { $0.id == "train_loss_lin" } == false)
        #expect(figures["rates"]?.plot.notes.contains { $0.text.contains("full-batch") } == false)
        #expect(figures["train-loss"]?.plot.xAxis.label == "step t (number of full-batch GD updates)")
    }

    /// Item 8: every curve of the 1-D function plot has its own colour and dash, and the Θ prediction is drawn.
    @Test func functionPlotSnapshotsAreDistinctAndIncludeTheta() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        let steps: [Double] = [0, 10, 20, 40]
        try run.array("snapshot_steps", steps, shape: [4])
        let value = { (kind: Double, s: Int, i: Int) in kind + Double(s) / 10 + Double(i) / 100 }
        for (name, kind) in [("f_test_snapshots_gd", 1.0), ("f_test_snapshots_ntk", 2.0), ("f_test_snapshots_analytic", 3.0)] {
            try run.array(name, (0..<4).flatMap { s in (0..<5).map { value(kind, s, $0) } }, shape: [4, 5])
        }
        let plot = try #require(try Self.figures(run)["function"]).plot
        let styles = plot.series.filter(\.inLegend).map { "\($0.style.color) \($0.style.dash ?? "-") \($0.style.mark)" }
        #expect(Set(styles).count == styles.count, "two curves look alike: \(styles)")
        for (prefix, kind) in [("gd_test_t", 1.0), ("ntk_test_t", 2.0), ("theta_test_t", 3.0)] {
            for (s, t) in [(1, 10), (2, 20), (3, 40)] {
                let series = try #require(plot.series.first { $0.id == "\(prefix)\(t)" })
                // x_test = (−1, −0.5, 0, 0.5, 1) is sorted already: point i is test point i.
                #expect(series.points.map(\.y) == (0..<5).map { value(kind, s, $0) })
            }
        }
        #expect(plot.series.contains { $0.label == "NTK infinite width (Θ) at t = 40" })
    }

    /// A catapult: GD's loss rises 1.5× per step for 20 steps, then falls; the discrete prediction grows 1.9× per
    /// step to ~10⁸³. The axis must stop 100× above GD's peak, and a ring mark the step where the prediction leaves it.
    @Test func divergingPredictionIsClippedAboveGDsSpike() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url, steps: 300)
        let gd = { (t: Int) in t < 20 ? 0.5 * pow(1.5, Double(t)) : 0.5 * pow(1.5, 19) * pow(0.9, Double(t - 19)) }
        let ntk = { (t: Int) in 0.5 * pow(1.9, Double(t)) }
        var override: [Int: [String: String]] = [:]
        for t in 0...300 { override[t] = ["train_loss_gd": "\(gd(t))", "train_loss_ntk_discrete": "\(ntk(t))"] }
        try run.write("steps.csv", SyntheticRun.steps(300, override: override))
        let plot = try #require(try Self.figures(run)["train-loss"]).plot
        let peak = (0...300).map(gd).max()!
        let domain = try #require(plot.yAxis.domain)
        #expect(abs(domain.hi / (100 * peak) - 1) < 1e-12)
        // GD spans more than half of the decades shown: its spike is visible.
        let gdMin = (0...300).map(gd).min()!
        #expect(log10(peak / gdMin) / log10(domain.hi / domain.lo) > 0.5)
        let exit = (0...300).first { ntk($0) > 100 * peak }!
        let ring = try #require(plot.series.first { $0.id == "train_loss_ntk_discrete-leaves-axis" })
        #expect(ring.points.count == 1 && ring.points[0].x == Double(exit) && ring.points[0].y < domain.hi)
        #expect(ring.label.contains("t = \(exit)"))
        #expect(plot.notes.contains { $0.text.contains("rises above the axis at step \(exit)") })
        // The rendered figure stays well-formed, with nothing drawn at non-finite coordinates.
        let doc = ReportXML(plot.svg())
        #expect(doc.isWellFormed && doc.nonFiniteGeometry.isEmpty)
        // The same in the per-mode residuals: mode 0 of GD spikes to 8 and decays, its prediction grows as 1.5^t.
        let rows = (0...300).map { t in "\(t),0,2,\(t < 4 ? pow(2, Double(t)) : 8 * pow(0.95, Double(t - 3))),\(pow(1.5, Double(t)))" }
        try run.write("modes.csv", (["step,mode,eigenvalue,residual_gd,residual_ntk"] + rows).joined(separator: "\n") + "\n")
        let modes = try #require(try Self.figures(run)["mode-residuals"]).plot
        #expect(abs(try #require(modes.yAxis.domain).hi / 800 - 1) < 1e-12)
        #expect(modes.notes.contains { $0.text.contains("rises above the axis") })
        // A run whose prediction stays near GD keeps the fitted axis.
        let calm = try SyntheticRun.completed(at: scratch.url.appendingPathComponent("calm"))
        #expect(try Self.figures(calm)["train-loss"]?.plot.yAxis.domain == nil)
    }
}

/// Item 7: the sweep page names its own sources, shows λ_max from the runs' summaries, and overlays every group.
@Suite struct SweepPageIssue25Tests {
    @Test func sweepPageFooterLambdaMaxAndOverlaysPerGroup() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let grid = SweepGrid(widths: [64, 256], seedCount: 2, baseSeed: 0, parameterizations: [.ntk, .mup])
        // SweepAxesTests.line writes the columns of a sweep.csv with axes, before the kernel columns: a header to match.
        var lines = [SweepColumn.axes.joined(separator: ",")]
        var lambda: [String: Double] = [:]
        for (i, c) in grid.cells.enumerated() {
            let dir = scratch.url.appendingPathComponent("runs/\(c.directoryName)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            // mup's runs get a different scale of steps.csv values, so the two groups' curves differ.
            let scale = c.parameterization == .mup ? 1000 : 1
            try Data(ReportAcrossWidthsTests.steps(width: c.width * scale, seed: Int(c.seed), steps: 30).utf8)
                .write(to: dir.appendingPathComponent("steps.csv"))
            lambda[c.directoryName] = 1.5 + Double(i) / 8
            try Data(#"{"status": "completed", "lambda_max": \#(lambda[c.directoryName]!)}"#.utf8).write(to: dir.appendingPathComponent("summary.json"))
            lines.append(String(SweepAxesTests.line(width: c.width, seed: c.seed, parameterization: c.parameterization!, alpha: nil,
                                                    drift: 0.1, gap: 0.1)))
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: scratch.url.appendingPathComponent("sweep.csv"))
        try Data(#"{"parameterizations": ["ntk", "mup"], "widths": [64, 256]}"#.utf8).write(to: scratch.url.appendingPathComponent("sweep_config.json"))
        let logs = try WidthListLogs(sweepDirectory: scratch.url)
        for r in logs.rows { #expect(r["lambda_max"] == lambda[URL(fileURLWithPath: r.directory!).lastPathComponent]) }
        let html = WidthListReport.html(for: logs)
        #expect(html.contains("from sweep.csv, sweep_summary.json and the runs/&lt;cell&gt;/ run directories")
                || html.contains("from sweep.csv, sweep_summary.json and the runs/<cell>/ run directories"))
        #expect(!html.contains("w&lt;width&gt;/") && !html.contains("widths.csv"))
        #expect(html.contains(Ticks.text(lambda.values.max()!)))
        // Overlays: four per group, and each group's training-loss curve is the mean of that group's runs only.
        let overlays = WidthOverlayFigures.figures(for: logs)
        #expect(overlays.count == 8)
        #expect(Set(overlays.map(\.section)) == ["Over training, one curve per width: ntk", "Over training, one curve per width: mup"])
        for (group, scale) in [("ntk", 1), ("mup", 1000)] {
            let plot = try #require(overlays.first { $0.plot.id == "overlay-train-loss-\(group)" }).plot
            let line = try #require(plot.series.first { $0.id == "train_loss_gd-w64" })
            // Step 0 of ReportAcrossWidthsTests.steps: 0.5·(1 + 0.1·(seed + 1)/√w), mean over seeds 0 and 1.
            let w = Double(64 * scale)
            let expected = (0.5 * (1 + 0.1 / w.squareRoot()) + 0.5 * (1 + 0.2 / w.squareRoot())) / 2
            #expect(abs(line.points[0].y - expected) < 1e-12)
        }
    }
}

/// Item 16: heatmaps of K₀ and K_T − K₀ with the samples sorted by target, and the per-layer motion plot.
@Suite struct KernelHeatmapTests {
    /// For every drawn cell: which sorted pair it is, and the colour level it was put in; the level's interval
    /// [lo + l·w, lo + (l + 1)·w] (w = (hi − lo)/9) must hold the kernel entry of that pair.
    static func checkLevels(_ plot: LinePlot, value: (Int, Int) -> Double, cells: Int, signed: Bool) {
        let values = (0..<cells).flatMap { i in (0..<cells).map { value(i, $0) } }
        let top = values.map { abs($0) }.max()!
        let lo = signed ? -top : 0, w = (top - lo) / 9
        var seen = 0
        for s in plot.series {
            let l = Int(s.id.split(separator: "level").last!)!
            #expect(s.style.mark == .cells)
            for p in s.points {
                let (i, j) = (Int(p.y - 0.5), Int(p.x - 0.5))
                let v = value(i, j)
                #expect(v >= lo + Double(l) * w - 1e-12 && v <= lo + Double(l + 1) * w + 1e-12, "cell (\(i), \(j)) = \(v) in level \(l)")
                seen += 1
            }
        }
        #expect(seen == cells * cells)
    }

    @Test func heatmapsSortTheSamplesByTargetAndColourEveryEntry() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        let y: [Double] = [0.3, -1, 0.9, 0.1, -0.4, 2]
        let order = [1, 4, 3, 0, 2, 5]  // y ascending, by hand
        let k0 = { (i: Int, j: Int) in Double((i + 1) * (j + 1)) / 36 + (i == j ? 0.5 : 0) }
        let kT = { (i: Int, j: Int) in k0(i, j) + ((i < 3) == (j < 3) ? 0.02 : -0.03) }
        try run.array("y_train", y, shape: [6])
        try run.array("f_train_init", Array(repeating: 0, count: 6), shape: [6])
        try run.array("ntk_init", (0..<36).map { k0($0 / 6, $0 % 6) }, shape: [6, 6])
        try run.array("ntk_final", (0..<36).map { kT($0 / 6, $0 % 6) }, shape: [6, 6])
        let figures = try ReportIssue25Tests.figures(run)
        let initial = try #require(figures["kernel-init"]).plot
        Self.checkLevels(initial, value: { k0(order[$0], order[$1]) }, cells: 6, signed: false)
        let change = try #require(figures["kernel-change"]).plot
        Self.checkLevels(change, value: { kT(order[$0], order[$1]) - k0(order[$0], order[$1]) }, cells: 6, signed: true)
        #expect(figures["kernel-init"]!.caption.contains("sorted by their target"))
        #expect(ReportXML(change.svg()).isWellFormed)
    }

    @Test func largeKernelsAreAveragedOverBlocks() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        let n = 130  // b = ⌈130/64⌉ = 3, so ⌈130/3⌉ = 44 cells per side, the last block of one sample
        let y = (0..<n).map { Double(($0 * 37) % n) }  // a permutation of 0…129: sorted order is i with y = 0, 1, 2, …
        let k = { (i: Int, j: Int) in sin(Double(i)) * sin(Double(j)) + (i == j ? 1 : 0) }
        try run.array("y_train", y, shape: [n])
        try run.array("ntk_init", (0..<(n * n)).map { k($0 / n, $0 % n) }, shape: [n, n])
        let plot = try #require(try ReportIssue25Tests.figures(run)["kernel-init"]).plot
        let sorted = (0..<n).sorted { y[$0] < y[$1] }
        let block = { (b: Int) in Array(sorted[(3 * b)..<min(n, 3 * b + 3)]) }
        let mean = { (bi: Int, bj: Int) -> Double in
            let (r, c) = (block(bi), block(bj))
            return r.flatMap { i in c.map { k(i, $0) } }.reduce(0, +) / Double(r.count * c.count)
        }
        Self.checkLevels(plot, value: mean, cells: 44, signed: true)
        #expect(plot.notes.contains { $0.text.contains("3 × 3 block") })
    }

    @Test func layerMotionDrawsEachLayersColumn() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        let lines = SyntheticRun.steps(40).split(separator: "\n").enumerated().map { i, line in
            line + (i == 0 ? ",weight_change_layer_1,weight_change_layer_2,weight_change_layer_3"
                           : ",\(0.001 * Double(i)),\(0.002 * Double(i)),\(0.004 * Double(i))")
        }
        try run.write("steps.csv", lines.joined(separator: "\n") + "\n")
        let plot = try #require(try ReportIssue25Tests.figures(run)["layer-motion"]).plot
        #expect(plot.series.map(\.label) == ["layer 1 (input)", "layer 2 (hidden)", "layer 3 (readout)"])
        for (l, factor) in [(0, 0.001), (1, 0.002), (2, 0.004)] {
            #expect(plot.series[l].points.map(\.y) == (0...40).map { factor * Double($0 + 1) })
        }
    }
}
