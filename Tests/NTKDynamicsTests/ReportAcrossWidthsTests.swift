import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport

/// The report parts of issue 18: overlays over training per width, one interval definition, the per-mode view
/// and the report of a kernel directory.
@Suite struct ReportAcrossWidthsTests {
    static let header = "step,train_loss_gd,train_loss_ntk_discrete,test_loss_gd,test_loss_ntk_discrete,gap,kernel_drift"

    /// A steps.csv of T + 1 rows whose values depend on width, seed and step; the drift and the GD test loss are
    /// filled every 10 steps only, as the tool writes them.
    static func steps(width: Int, seed: Int, steps T: Int) -> String {
        var lines = [header]
        for t in 0...T {
            let w = Double(width), s = Double(seed + 1), x = Double(t)
            let loss = 0.5 * Foundation.exp(-x / 100) * (1 + 0.1 * s / w.squareRoot())
            let measured = t % 10 == 0 || t == T
            lines.append("\(t),\(loss),\(loss * 0.9),\(measured ? "\(loss + 0.2 * s)" : ""),\(loss + 0.19),\(x / (w * s)),\(measured ? "\(0.3 * s / w.squareRoot())" : "")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A sweep directory with sweep.csv and runs/w<width>-s<seed>/steps.csv.
    static func sweep(at url: URL, widths: [Int], seeds: [Int], steps T: Int) throws {
        var table = ["width,seed,status,final_kernel_drift,max_kernel_drift,final_weight_change,max_gap,max_gap_flow,final_train_loss_gd"]
        for w in widths {
            for s in seeds {
                let dir = url.appendingPathComponent("runs/w\(w)-s\(s)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try Data(steps(width: w, seed: s, steps: T).utf8).write(to: dir.appendingPathComponent("steps.csv"))
                // Per-seed slopes −0.5, −0.6, −0.7: an across-seed interval that a pooled fit would not give.
                let drift = Foundation.pow(Double(w), -0.5 - 0.1 * Double(s)) * (1 + 0.05 * Double(s))
                table.append("\(w),\(s),completed,\(drift),\(drift * 1.1),\(1 / Double(w)),\(drift / 2),\(drift / 3),0.001")
            }
        }
        try Data((table.joined(separator: "\n") + "\n").utf8).write(to: url.appendingPathComponent("sweep.csv"))
        try Data(#"{"depth": 2, "widths": [], "seeds": []}"#.utf8).write(to: url.appendingPathComponent("sweep_config.json"))
    }

    @Test func overlayCurvesAreTheRunsValuesAtTheDrawnSteps() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try Self.sweep(at: scratch.url, widths: [64, 256], seeds: [0, 1, 2], steps: 1000)
        let logs = try WidthListLogs(sweepDirectory: scratch.url)
        let runs = WidthOverlay.runs(of: logs)
        #expect(runs.map(\.width) == [64, 256])
        #expect(runs.map(\.tables.count) == [3, 3])
        // The three steps.csv files of each width, read back independently of WidthOverlay.
        var files: [Int: [CSVTable]] = [:]
        for w in [64, 256] {
            files[w] = try (0..<3).map { try CSVTable(contentsOf: scratch.url.appendingPathComponent("runs/w\(w)-s\($0)/steps.csv")) }
        }
        for column in ["train_loss_gd", "kernel_drift", "test_loss_gd", "gap"] {
            let cells = files.mapValues { $0.map { (steps: $0.numbers("step")!, values: $0.numbers(column)!) } }
            for curve in WidthOverlay.curves(column, of: runs) {
                #expect(curve.runs == 3)
                #expect(curve.steps.count <= WidthOverlay.maxPoints)
                #expect(curve.steps.first == 0 && curve.steps.last == 1000, "the first and last logged steps are drawn")
                for (i, t) in curve.steps.enumerated() {
                    let values = try cells[curve.width]!.map { csv -> Double in
                        let row = csv.steps.firstIndex(of: t)!
                        return try #require(csv.values[row], "\(column) is filled at step \(t)")
                    }
                    #expect(Swift.abs(curve.mean[i] - values.reduce(0, +) / 3) <= 1e-12 * Swift.abs(curve.mean[i]))
                    #expect(curve.min[i] == values.min() && curve.max[i] == values.max())
                }
            }
        }
        // The drift is drawn only where it was measured (every 10 steps): 101 rows, thinned to at most 160.
        #expect(WidthOverlay.curves("kernel_drift", of: runs)[0].steps.allSatisfy { Int($0) % 10 == 0 })
    }

    @Test func overlayFiguresDrawThoseCurvesOnePerWidth() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try Self.sweep(at: scratch.url, widths: [64, 128, 256], seeds: [0, 1], steps: 300)
        let logs = try WidthListLogs(sweepDirectory: scratch.url)
        let figures = WidthOverlayFigures.figures(for: logs)
        #expect(figures.map(\.plot.id) == ["overlay-train-loss", "overlay-gap", "overlay-drift", "overlay-test-loss"])
        let loss = figures[0].plot
        let curves = WidthOverlay.curves("train_loss_gd", of: WidthOverlay.runs(of: logs))
        for c in curves {
            let series = try #require(loss.series.first { $0.id == "train_loss_gd-w\(c.width)" })
            #expect(series.points == zip(c.steps, c.mean).map { DataPoint($0, $1) })
            #expect(loss.series.contains { $0.id == "train_loss_gd-w\(c.width)-band" && $0.style.mark == .band })
        }
        // A sequential scale: three different colours, one legend entry per width.
        let colors = Set(curves.map { c in loss.series.first { $0.id == "train_loss_gd-w\(c.width)" }!.style.color })
        #expect(colors.count == 3)
        #expect(loss.series.filter(\.inLegend).map(\.label).prefix(3) == ["n = 64", "n = 128", "n = 256"])
        // The page renders them, and stays well-formed.
        let html = WidthListReport.html(for: logs)
        for id in ["overlay-train-loss", "overlay-gap", "overlay-drift", "overlay-test-loss"] { #expect(html.contains("data-plot=\"\(id)\"")) }
        for block in ReportXML.svgBlocks(in: html) {
            let doc = ReportXML(block)
            #expect(doc.isWellFormed && doc.nonFiniteGeometry.isEmpty)
        }
    }

    @Test func oneIntervalDefinitionOnTheSweepPage() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try Self.sweep(at: scratch.url, widths: [64, 128, 256, 512], seeds: [0, 1, 2], steps: 20)
        let logs = try WidthListLogs(sweepDirectory: scratch.url)
        #expect(logs.rows.map { $0["seed"] } == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
        let drift = try #require(WidthScalingFigures.slopes(logs).first { $0.column == "final_kernel_drift" })
        // The across-seed fit, the same as sweep_summary.json's: per-seed slopes −0.5, −0.6, −0.7.
        #expect(drift.fit.seedSlopes.count == 3)
        #expect(Swift.abs(drift.fit.slope! + 0.6) < 1e-9)
        let points = logs.rows.map { (width: $0.width, seed: UInt64($0["seed"]!), value: $0["final_kernel_drift"]!) }
        #expect(drift.fit == ScalingFit(points))
        let plot = try #require(WidthScalingFigures.figures(for: logs).first { $0.plot.id == "width-drift" }).plot
        let legend = try #require(plot.series.first { $0.id == "fit-final_kernel_drift" }).label
        #expect(legend.hasSuffix("across seeds"))
        #expect(legend.contains("[\(Ticks.text(drift.fit.ci95![0], digits: 3)), \(Ticks.text(drift.fit.ci95![1], digits: 3))]"))
        // Mean ± sd bars at each of the four widths.
        let bars = try #require(plot.series.first { $0.id == "final_kernel_drift-sd" })
        #expect(bars.style.mark == .errorBars && bars.points.count == 8)
        let at64 = logs.rows.filter { $0.width == 64 }.map { $0["final_kernel_drift"]! }
        let mean = at64.reduce(0, +) / 3, sd = (at64.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
        #expect(Swift.abs(bars.points[0].y - (mean - sd)) < 1e-12 && Swift.abs(bars.points[1].y - (mean + sd)) < 1e-12)
        // The table names the interval; Δθ/θ is referred to −1 (two hidden layers), drift and gap to −1/2.
        let html = WidthListReport.html(for: logs)
        #expect(html.contains("across 3 seeds") && !html.contains("least squares (one seed)"))
        let refs = WidthScalingFigures.slopes(logs).map { ($0.column, $0.reference) }
        #expect(refs.first { $0.0 == "final_weight_change" }?.1 == -1)
        #expect(refs.first { $0.0 == "max_gap" }?.1 == -0.5)
        #expect(refs.first { $0.0 == "max_gap_flow" }?.1 == .some(nil), "no reference the docs justify")
    }

    @Test func kernelDirectoryGetsItsOwnReport() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun(scratch.url)
        try run.write("config.json", #"{"tool": "ntk-dynamics", "subcommand": "kernel", "widths": [64, 256, 1024], "seeds": 2}"#)
        var csv = ["width,seed,relative_error,ridge_test_loss,ridge_jitter,seconds"]
        for w in [64, 256, 1024] { for s in 0..<2 { csv.append("\(w),\(s),\(Double(s + 1) / Double(w).squareRoot()),,,0.1") } }
        try run.write("kernel.csv", csv.joined(separator: "\n") + "\n")
        let theta = [4.0, 1, 1, 3], k0 = [4.2, 0.9, 0.9, 2.9]
        try run.array("ntk_analytic", theta, shape: [2, 2])
        for w in [64, 256, 1024] { try run.array("ntk_empirical_mean_w\(w)", k0, shape: [2, 2]) }
        #expect(try RunLogs.kind(of: scratch.url) == .kernel)
        let written = try RunReport.write(runDirectory: scratch.url)
        #expect(written == [scratch.file("report.html")])
        let html = try String(contentsOf: scratch.file("report.html"), encoding: .utf8)
        #expect(html.contains("ntk-dynamics kernel:") && !html.contains("Completed:"))
        #expect(html.contains("data-plot=\"kernel-error\"") && html.contains("data-plot=\"kernel-spectra\""))
        let logs = try KernelLogs(directory: scratch.url)
        let figures = KernelReport.figures(for: logs)
        let fit = try #require(figures[0].plot.series.first { $0.id == "fit-relative_error" })
        #expect(fit.label.hasPrefix("fit: slope −0.5, 95 % CI [−0.5, −0.5], across seeds"))
        let spectra = figures[1].plot.series
        #expect(spectra.map(\.id) == ["eigenvalues-w64", "eigenvalues-w256", "eigenvalues-w1024", "eigenvalues-theta"])
        // Θ's eigenvalues, largest first: (7 ± √5)/2.
        let ev = spectra[3].points.map(\.y)
        #expect(Swift.abs(ev[0] - (7 + 5.0.squareRoot()) / 2) < 1e-12 && Swift.abs(ev[1] - (7 - 5.0.squareRoot()) / 2) < 1e-12)
    }

    @Test func aDirectoryOfAnotherSubcommandIsRefusedClearly() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun(scratch.url)
        try run.write("config.json", #"{"tool": "ntk-dynamics", "subcommand": "bench"}"#)
        #expect {
            try RunLogs.kind(of: scratch.url)
        } throws: { error in
            guard let e = error as? ReportError, case .cannotDraw = e else { return false }
            return e.description.contains("ntk-dynamics bench") && e.description.contains("kernel studies")
        }
    }

    @Test func modesAreDrawnFromModesCSVAndRatesWithTheirStandardErrors() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        _ = try SyntheticRun.completed(at: scratch.url, steps: 40)
        var lines = ["step,mode,eigenvalue,residual_gd,residual_ntk"]
        for t in 0...40 { for m in 0..<3 { lines.append("\(t),\(m),\(1.0 / Double(m + 1)),\(-Foundation.pow(0.9, Double(t)) / Double(m + 1)),\(Foundation.pow(0.88, Double(t)) / Double(m + 1))") } }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: scratch.file("modes.csv"))
        try Data("""
            mode,eigenvalue,predicted_rate_discrete,predicted_rate_flow,measured_rate,measured_rate_stderr,fit_status
            0,2,0.2,0.2,0.19,0.01,measured
            1,1,0.1,0.1,,,too_fast
            2,0.5,0.05,0.05,0.052,0.004,measured

            """.utf8).write(to: scratch.file("spectrum.csv"))
        let logs = try RunLogs(directory: scratch.url)
        let figures = ModeFigures.figures(logs)
        #expect(figures.map(\.plot.id) == ["mode-residuals", "mode-rates"])
        let residuals = figures[0].plot.series
        let gd1 = try #require(residuals.first { $0.id == "residual_gd-mode1" })
        #expect(gd1.points.count == 41)
        #expect(Swift.abs(gd1.points[10].y - Foundation.pow(0.9, 10) / 2) < 1e-12, "|rᵢ(t)| of modes.csv")
        #expect(residuals.contains { $0.id == "residual_ntk-mode2" && $0.style.dash != nil })
        let bars = try #require(figures[1].plot.series.first { $0.id == "measured_rate-se" })
        let expected = [(0.0, 0.19 - 0.01), (0, 0.19 + 0.01), (2, 0.052 - 0.004), (2, 0.052 + 0.004)]
        #expect(bars.points.count == 4)
        for (p, e) in zip(bars.points, expected) { #expect(p.x == e.0 && Swift.abs(p.y - e.1) < 1e-15) }
        // The run page carries both figures.
        _ = try RunReport.write(runDirectory: scratch.url)
        let html = try String(contentsOf: scratch.file("report.html"), encoding: .utf8)
        #expect(html.contains("data-plot=\"mode-residuals\"") && html.contains("data-plot=\"mode-rates\""))
    }
}
