import Foundation
import Testing
@testable import NTKDynamics

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
            let twin = try #require(figures["train-loss"]?.plot.series.first { $0.id == "train_loss_lin" })
            #expect(twin.label == "linearized, same batches")
            let fullBatch = optimizer == "sgd" ? "full-batch GD" : "full-batch heavy ball"
            #expect(figures["rates"]?.plot.notes.contains { $0.contains(fullBatch) && $0.contains("minibatches of 2") } == true)
            #expect(figures["train-loss"]?.plot.notes.contains { $0.contains(fullBatch) } == true)
        }
        // Full-batch GD: no such note, the axis as before.
        try run.write("config.json", SyntheticRun.config(steps: 40))
        let figures = try Self.figures(run)
        #expect(figures["rates"]?.plot.notes.contains { $0.contains("full-batch") } == false)
        #expect(figures["train-loss"]?.plot.xAxis.label == "step t (number of full-batch GD updates)")
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
        #expect(plot.notes.contains { $0.contains("rises above the axis at step \(exit)") })
        // The rendered figure stays well-formed, with nothing drawn at non-finite coordinates.
        let doc = ReportXML(plot.svg())
        #expect(doc.isWellFormed && doc.nonFiniteGeometry.isEmpty)
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
        var lines = [SweepRow.columns.joined(separator: ",")]
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
