import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// Writes small run directories by hand, with values chosen in the test (not copied from the tool).
struct SyntheticRun {
    let url: URL

    init(_ url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.appendingPathComponent("arrays"), withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func array(_ name: String, _ values: [Double], shape: [Int]) throws {
        try NPYWriter.encode(values, shape: shape).write(to: url.appendingPathComponent("arrays/\(name).npy"))
    }

    static let header = "step,time,train_loss_gd,train_loss_ntk,train_loss_ntk_discrete,test_loss_gd,test_loss_ntk,test_loss_ntk_discrete,gap,gap_flow,test_gap,kernel_drift,weight_change"

    /// steps.csv rows t = 0…T: losses 0.5·0.9^t (GD), 0.5·0.88^t (flow), 0.5·0.89^t (discrete); the GD test
    /// loss and test gap every 10 steps, the drift every 5 (empty cells in between); gap 0.01·t.
    static func steps(_ T: Int, override: [Int: [String: String]] = [:]) -> String {
        var lines = [header]
        for t in 0...T {
            let x = Double(t)
            var cells: [String: String] = [
                "step": String(t), "time": "\(0.01 * x)",
                "train_loss_gd": "\(0.5 * Foundation.pow(0.9, x))", "train_loss_ntk": "\(0.5 * Foundation.pow(0.88, x))",
                "train_loss_ntk_discrete": "\(0.5 * Foundation.pow(0.89, x))",
                "test_loss_gd": t % 10 == 0 || t == T ? "\(0.6 * Foundation.pow(0.95, x))" : "",
                "test_loss_ntk": "\(0.6 * Foundation.pow(0.94, x))", "test_loss_ntk_discrete": "\(0.6 * Foundation.pow(0.945, x))",
                "gap": "\(0.01 * x)", "gap_flow": "\(0.012 * x)", "test_gap": t % 10 == 0 || t == T ? "\(0.02 * x)" : "",
                "kernel_drift": t % 5 == 0 || t == T ? "\(0.001 * x)" : "", "weight_change": "\(0.0005 * x)",
            ]
            for (k, v) in override[t] ?? [:] { cells[k] = v }
            lines.append(header.split(separator: ",").map { cells[String($0)]! }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func config(steps: Int, inputDim: Int = 1, samples: Int = 4, lr: Double = 0.5) -> String {
        """
        {
          "activation" : "relu", "bias" : true, "bias_std" : 0.05, "command" : ["ntk-dynamics", "--width", "64"],
          "dataset" : "sine", "depth" : 1, "input_dim" : \(inputDim), "kernel_every" : 5, "log_every" : 1,
          "loss" : "mean", "lr" : \(lr), "lr_crit" : 1.0, "lr_factor" : 0.5, "noise" : 0, "outputs" : 1,
          "parameter_count" : 193, "parameterization" : "ntk", "samples" : \(samples), "seed" : 7,
          "steps" : \(steps), "test_every" : 10, "test_samples" : 5, "tool" : "ntk-dynamics",
          "version" : "0.1.0", "weight_std" : 1.5, "width" : 64
        }
        """
    }

    static func summary(status: String, lastStep: Int, requested: Int, divergedAt: Int? = nil) -> String {
        """
        {
          "status" : "\(status)", "last_step" : \(lastStep), "steps_requested" : \(requested),
          "diverged_at_step" : \(divergedAt.map(String.init) ?? "null"), "lambda_min" : 0.25, "lambda_max" : 2,
          "condition_number" : 8, "lr" : 0.5, "lr_crit" : 1, "lr_over_lr_crit" : 0.5,
          "final_train_loss_gd" : 0.1, "final_gap" : null, "max_gap" : 0.3, "final_kernel_drift" : 0.02,
          "initial_train_loss" : 0.5, "training_seconds" : 0.5
        }
        """
    }

    /// spectrum.csv for K̃₀ = diag(2, 1, 0.5, 0.25) at η = 0.5; GD residuals decay at rates 0.3, 0.2, 0.1, 0.05.
    static func spectrum(steps T: Int, measured: [Double]? = nil) -> String {
        let lambda: [Double] = [2, 1, 0.5, 0.25], rates: [Double] = [0.3, 0.2, 0.1, 0.05]
        var lines = ["mode,eigenvalue,predicted_rate_discrete,predicted_rate_flow,residual_init,residual_final_gd,residual_final_ntk_discrete"
            + (measured == nil ? "" : ",measured_rate")]
        for i in 0..<4 {
            let discrete = -Foundation.log(Swift.abs(1 - 0.5 * lambda[i]))
            var row = ["\(Double(i))", "\(lambda[i])", CSVLogWriter.format(discrete), "\(0.5 * lambda[i])", "1.0",
                       "\(Foundation.exp(-rates[i] * Double(T)))", "0.0"]
            if let m = measured { row.append(CSVLogWriter.format(m[i])) }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A 1-D problem: x = (0.5, −1, 1, −0.5), y = x², f₀ = 0.1·x, K₀ = ν·diag(2, 1, 0.5, 0.25) with ν = N = 4.
    func oneDimensionalArrays() throws {
        try array("x_train", [0.5, -1, 1, -0.5], shape: [4, 1])
        try array("y_train", [0.25, 1, 1, 0.25], shape: [4])
        try array("f_train_init", [0.05, -0.1, 0.1, -0.05], shape: [4])
        try array("x_test", [-1, -0.5, 0, 0.5, 1], shape: [5, 1])
        try array("y_test", [1, 0.25, 0, 0.25, 1], shape: [5])
        try array("f_test_init", [-0.1, -0.05, 0, 0.05, 0.1], shape: [5])
        let k: [Double] = [2, 1, 0.5, 0.25].map { $0 * 4 }
        try array("ntk_init", (0..<16).map { $0 % 5 == 0 ? k[$0 / 5] : 0 }, shape: [4, 4])
    }

    /// A completed 1-D run of T steps.
    static func completed(at url: URL, steps T: Int = 40, measured: [Double]? = nil) throws -> SyntheticRun {
        let run = try SyntheticRun(url)
        try run.write("config.json", config(steps: T))
        try run.write("steps.csv", steps(T))
        try run.write("spectrum.csv", spectrum(steps: T, measured: measured))
        try run.write("summary.json", summary(status: "completed", lastStep: T, requested: T))
        try run.oneDimensionalArrays()
        return run
    }
}

/// The run and width-list reports, from run directories written by the test.
@Suite(.serialized)
struct RunReportTests {
    private func report(_ dir: URL) throws -> (html: String, plots: [String: ReportXML]) {
        let written = try RunReport.write(runDirectory: dir)
        #expect(written.last == dir.appendingPathComponent("report.html"))
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        var plots: [String: ReportXML] = [:]
        for block in ReportXML.svgBlocks(in: html) {
            let doc = ReportXML(block)
            #expect(doc.isWellFormed, "\(doc.parseError ?? "")")
            #expect(doc.nonFiniteGeometry.isEmpty, "\(doc.nonFiniteGeometry.prefix(3))")
            plots[doc.elements.first?.attributes["data-plot"] ?? "?"] = doc
        }
        return (html, plots)
    }

    private func selfContained(_ html: String) {
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=") && !html.contains("@import") && !html.contains("@font-face"))
        // The only URL is the SVG namespace, which is a name, not a download.
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "http") == nil)
    }

    @Test func completedRunHasEveryFigure() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        let stepsBefore = try Data(contentsOf: run.url.appendingPathComponent("steps.csv"))
        let (html, plots) = try report(run.url)
        selfContained(html)
        #expect(Set(plots.keys) == ["train-loss", "test-loss", "gap", "drift", "spectrum", "rates", "function", "kernel-init"])
        // (a) losses: GD, NTK flow, NTK discrete, each a line.
        #expect(Set(plots["train-loss"]!.seriesPaths().keys) == ["train_loss_gd", "train_loss_ntk", "train_loss_ntk_discrete"])
        #expect(Set(plots["test-loss"]!.seriesPaths().keys) == ["test_loss_gd", "test_loss_ntk", "test_loss_ntk_discrete"])
        // The GD test loss is measured every 10 steps: markers at t = 0, 10, 20, 30, 40 (two arcs each).
        #expect(plots["test-loss"]!.seriesPaths("series-markers")["test_loss_gd"]?.attributes["d"]?.filter { $0 == "a" }.count == 10)
        // Its line joins the measured points: unmeasured (empty) cells are not gaps.
        #expect(plots["test-loss"]!.seriesPaths()["test_loss_gd"]?.attributes["d"]?.filter { $0 == "M" }.count == 1)
        #expect(plots["train-loss"]!.texts(class: "axis-label") == ["step t (number of full-batch GD updates)", "training loss ‖f − y‖²/(2ν) (log scale)"])
        // (b) gaps, (c) drift and weight change.
        #expect(Set(plots["gap"]!.seriesPaths().keys) == ["gap", "gap_flow", "test_gap"])
        #expect(Set(plots["drift"]!.seriesPaths().keys) == ["kernel_drift", "weight_change"])
        #expect(plots["drift"]!.seriesPaths("series-markers")["kernel_drift"]?.attributes["d"]?.filter { $0 == "a" }.count == 18)  // 9 measurements
        // (d) spectrum and rates; without a measured_rate column the measured rate comes from the residuals.
        #expect(Set(plots["spectrum"]!.seriesPaths().keys) == ["eigenvalue"])
        #expect(Set(plots["rates"]!.seriesPaths().keys) == ["predicted_rate_discrete", "predicted_rate_flow"])
        #expect(plots["rates"]!.seriesPaths("series-markers")["measured_rate"] != nil)
        // The top mode has ηλ = 1: an infinite discrete rate, not drawn, and noted.
        #expect(plots["rates"]!.texts(class: "note").contains { $0.contains("1 NaN/∞ value not drawn") })
        // (e) the 1-D function, (f) the header.
        #expect(plots["function"]!.seriesPaths("series-markers")["y_train"] != nil)
        #expect(plots["function"]!.seriesPaths()["f_test_init"] != nil)
        #expect(plots["function"]!.texts(class: "note").contains { $0.contains("no trained outputs") })
        #expect(html.contains("width 64 · depth 1 · relu · ntk parameterization · P = 193"))
        #expect(html.contains("Completed: 40 of 40 steps."))
        #expect(html.contains("<th>lr_crit</th>"))
        #expect(try Data(contentsOf: run.url.appendingPathComponent("steps.csv")) == stepsBefore, "the report never changes the data")
    }

    @Test func measuredRatesFromResidualsOrFromTheColumn() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        // Residuals r(T) = e^(−rate·T)·r(0): the measured rate −ln|r(T)/r(0)|/T gives back 0.3, 0.2, 0.1, 0.05.
        let run = try SyntheticRun.completed(at: scratch.url, steps: 40)
        let rates = RunReport.figures(for: try RunLogs(directory: run.url)).first { $0.plot.id == "rates" }!.plot
        let measured = rates.series.first { $0.id == "measured_rate" }!.points.map(\.y)
        #expect(zip(measured, [0.3, 0.2, 0.1, 0.05]).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
        // A measured_rate column, when present, is used as it is (including a value the log axis cannot show).
        try run.write("spectrum.csv", SyntheticRun.spectrum(steps: 40, measured: [0.7, 0.4, -0.01, 0.02]))
        let logs = try RunLogs(directory: run.url)
        let withColumn = RunReport.figures(for: logs).first { $0.plot.id == "rates" }!.plot
        #expect(withColumn.series.first { $0.id == "measured_rate" }!.points.map(\.y) == [0.7, 0.4, -0.01, 0.02])
        #expect(withColumn.automaticNotes.contains { $0.text.contains("1 value ≤ 0") })
        // Empty measured_rate cells are modes without a measurement; fit_status, when present, says why.
        try run.write("spectrum.csv", """
            mode,eigenvalue,predicted_rate_discrete,predicted_rate_flow,measured_rate,fit_status,residual_init,residual_final_gd
            0,2,inf,1,,too_fast,1,0
            1,1,0.69,0.5,0.6,ok,1,0.1
            2,0.5,0.29,0.25,,noise,1,0.5
            3,0.25,0.13,0.125,,noise,1,0.9

            """)
        let statusPlot = RunReport.figures(for: try RunLogs(directory: run.url)).first { $0.plot.id == "rates" }!.plot
        #expect(statusPlot.series.first { $0.id == "measured_rate" }!.points.map(\.y) == [0.6])
        #expect(statusPlot.notes.contains("3 modes without a measured rate (fit_status: noise ×2, too_fast ×1)."))
    }

    @Test func ntkPredictionOfTheLearnedFunction() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url, steps: 40)
        // Trained outputs on the test points, as a newer tool may save them.
        try run.array("f_test_final", [0.9, 0.3, 0.05, 0.3, 0.9], shape: [5])
        let figure = RunReport.figures(for: try RunLogs(directory: run.url)).first { $0.plot.id == "function" }!.plot
        #expect(figure.series.contains { $0.id == "f_test_final" })
        #expect(!figure.notes.contains { $0.text.contains("no trained outputs") })
        // K̃₀ = diag(2, 1, 0.5, 0.25), η = 0.5: point i follows y + (1 − ηλᵢ)^t (f₀ − y). Shown at t = 4 and t = 40.
        let x: [Double] = [0.5, -1, 1, -0.5], y: [Double] = [0.25, 1, 1, 0.25], f0: [Double] = [0.05, -0.1, 0.1, -0.05]
        let lambda: [Double] = [2, 1, 0.5, 0.25]
        for t in [4, 40] {
            let series = figure.series.first { $0.id == "ntk_discrete_t\(t)" }
            #expect(series != nil, "t = \(t)")
            let expected = (0..<4).map { i in DataPoint(x[i], y[i] + Foundation.pow(1 - 0.5 * lambda[i], Double(t)) * (f0[i] - y[i])) }
                .sorted { $0.x < $1.x }
            let got = series?.points ?? []
            #expect(got.count == 4)
            #expect(zip(got, expected).allSatisfy { $0.x == $1.x && Swift.abs($0.y - $1.y) < 1e-12 }, "t = \(t): \(got)")
        }
    }

    @Test func divergedRunShowsTheCurveUpToTheDivergenceAndANote() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun(scratch.url)
        try run.write("config.json", SyntheticRun.config(steps: 100, inputDim: 3))
        // Rows up to t = 7; the discrete prediction overflowed at 6–7 and a gap is NaN at 5.
        try run.write("steps.csv", SyntheticRun.steps(7, override: [
            5: ["gap": "nan"], 6: ["train_loss_ntk_discrete": "inf", "gap": "inf"],
            7: ["train_loss_ntk_discrete": "inf", "gap": "inf", "train_loss_gd": "1e300", "weight_change": "-inf"],
        ]))
        try run.write("spectrum.csv", SyntheticRun.spectrum(steps: 7))
        try run.write("summary.json", SyntheticRun.summary(status: "diverged", lastStep: 7, requested: 100, divergedAt: 8))
        let (html, plots) = try report(run.url)
        selfContained(html)
        #expect(html.contains("Diverged at step 8 of 100"))
        #expect(html.contains("class=\"warning\""))
        #expect(plots["function"] == nil, "input_dim 3: no function plot")
        let train = plots["train-loss"]!
        #expect(train.all("line", class: "marker").count == 1)
        #expect(train.texts(class: "marker-label") == ["diverged (t = 8)"])
        #expect(train.texts(class: "note").contains { $0.contains("Diverged at step 8") })
        #expect(train.texts(class: "note").contains { $0.contains("NTK discrete: 2 NaN/∞ values not drawn") })
        // The GD loss is drawn up to the last row.
        #expect(train.seriesPaths()["train_loss_gd"]?.attributes["d"]?.filter { $0 == "L" }.count == 7)
        #expect(plots["gap"]!.texts(class: "note").contains { $0.contains("3 NaN/∞ values") })
        // No measured rates for a run that did not complete.
        #expect(plots["rates"]!.seriesPaths("series-markers")["measured_rate"] == nil)
    }

    @Test func killedRunWithoutSummaryAndACutOffLastRow() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun(scratch.url)
        try run.write("config.json", SyntheticRun.config(steps: 1000))
        try run.write("steps.csv", SyntheticRun.steps(12) + "13,0.13,0.12")  // a half row without its newline
        let logs = try RunLogs(directory: run.url)
        #expect(logs.summary == nil && logs.status == nil)
        #expect(logs.steps?.rowCount == 13)
        #expect(logs.problems.contains { $0.contains("summary.json is missing") })
        #expect(logs.problems.contains { $0.contains("steps.csv ends in a row that was cut short") })
        let (html, plots) = try report(run.url)
        #expect(html.contains("No summary.json: the run is still going or was killed."))
        #expect(html.contains("last step 12 of 1000"))
        #expect(Set(plots.keys) == ["train-loss", "test-loss", "gap", "drift"])
    }

    @Test func interruptedAndSingleStepRuns() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun(scratch.url)
        try run.write("config.json", SyntheticRun.config(steps: 500))
        try run.write("steps.csv", SyntheticRun.steps(0))
        try run.write("summary.json", SyntheticRun.summary(status: "interrupted", lastStep: 0, requested: 500))
        let (html, plots) = try report(run.url)
        #expect(html.contains("Interrupted after step 0 of 500"))
        // One row: each curve is a dot; everything finite (checked in `report`).
        let d = plots["train-loss"]!.seriesPaths()["train_loss_gd"]?.attributes["d"] ?? ""
        #expect(d.filter { $0 == "a" }.count == 2)
        // The zero drift and weight change at t = 0 are on a linear axis, so they are drawn.
        #expect(plots["drift"]!.texts(class: "note").allSatisfy { !$0.contains("not drawn") })
    }

    @Test func readersTolerateEmptyNonFiniteAndNullValues() throws {
        let csv = CSVTable(text: "a,b,c\n1,,nan\ninf,-inf,x\n2,3\n")
        #expect(csv.rowCount == 2 && csv.skippedRows == 1)
        let a = csv.numbers("a")!, b = csv.numbers("b")!, c = csv.numbers("c")!
        #expect(a[0] == 1 && a[1] == .infinity)
        #expect(b[0] == nil && b[1] == -.infinity)
        #expect(c[0]!.isNaN && c[1] == nil)
        #expect(csv.numbers("missing") == nil)
        #expect(CSVTable(text: "a,b\r\n1,2\r\n").numbers("b") == [2])
        #expect(CSVTable(text: "a,b\n1,2\n3,4").rowCount == 1, "a last line without newline may be cut off")
        let json = try JSONObject(data: Data(#"{"x": null, "n": 3, "s": "ok", "b": true, "model": {"width": 8, "n": 5}}"#.utf8))
        #expect(json.number("x") == nil && json.int("n") == 3 && json.string("s") == "ok" && json["b"] == .bool(true))
        #expect(json.int("width") == 8, "keys may sit under \"model\"")
        #expect(json.number("absent") == nil)
        let npy = try NPYFile(data: NPYWriter.encode([1, 2, 3, 4, 5, 6], shape: [3, 2]))
        #expect(npy.shape == [3, 2] && npy.rowCount == 3 && npy.columnCount == 2)
        #expect(npy.column(1) == [2, 4, 6])
        #expect(try NPYFile(data: NPYWriter.encode([], shape: [0, 3])).rowCount == 0)
        #expect(throws: ReportError.self) { try NPYFile(data: Data("not numpy".utf8)) }
    }

    @Test func missingAndForeignDirectoriesAreClearErrors() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        #expect(throws: ReportError.missingDirectory(path: scratch.path)) { try RunReport.write(runDirectory: scratch.url) }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        #expect(throws: ReportError.notARunDirectory(path: scratch.path)) { try RunReport.write(runDirectory: scratch.url) }
        let file = scratch.file("file.txt")
        try Data("x".utf8).write(to: file)
        #expect(throws: ReportError.notADirectory(path: file.path)) { try RunReport.write(runDirectory: file) }
        #expect(ReportError.notARunDirectory(path: "/x").description.contains("no config.json or steps.csv"))
    }

    // MARK: - Width lists

    /// widths.csv with drift = 2/√n, max drift = 3/√n, weight change 0.5/√n, max gap 1/n, and one diverged width.
    private func widthList(at url: URL, table: Bool = true) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var lines = ["width,status,lr,lr_crit,lambda_min,lambda_max,final_train_loss_gd,final_train_loss_ntk_discrete,final_test_loss_gd,final_test_loss_ntk_discrete,max_gap,max_gap_flow,final_kernel_drift,max_kernel_drift,final_weight_change,training_seconds,directory"]
        for n in [100.0, 400, 1600, 6400] {
            let r = n.squareRoot()
            lines.append("\(Int(n)),completed,0.5,1,0.01,2,\(0.01 + 1 / n),0.01,\(0.2 + 1 / r),0.2,\(1 / n),\(2 / n),\(2 / r),\(3 / r),\(0.5 / r),1.5,w\(Int(n))")
        }
        lines.append("50,diverged,0.5,1,0.01,2,,,,,,,,,,0.1,w50")
        if table { try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url.appendingPathComponent("widths.csv")) }
    }

    @Test func widthListReportFitsSlopes() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try widthList(at: scratch.url)
        let written = try RunReport.write(runDirectory: scratch.url)
        #expect(written == [scratch.file("report.html")])
        let html = try String(contentsOf: scratch.file("report.html"), encoding: .utf8)
        selfContained(html)
        #expect(html.contains("Not completed: width 50 (diverged)"))
        var plots: [String: ReportXML] = [:]
        for block in ReportXML.svgBlocks(in: html) {
            let doc = ReportXML(block)
            #expect(doc.isWellFormed)
            #expect(doc.nonFiniteGeometry.isEmpty)
            plots[doc.elements.first!.attributes["data-plot"]!] = doc
        }
        #expect(Set(plots.keys) == ["width-drift", "width-weights", "width-gap", "width-loss"])
        let drift = plots["width-drift"]!
        // One seed: each run is a filled marker, no error bars.
        #expect(Set(drift.seriesPaths("series-markers").keys) == ["final_kernel_drift-runs", "max_kernel_drift-runs"])
        #expect(Set(drift.seriesPaths().keys) == ["fit-final_kernel_drift", "fit-max_kernel_drift", "reference-slope"])
        // Four points per quantity (the diverged width has no values).
        #expect(drift.seriesPaths("series-markers")["final_kernel_drift-runs"]?.attributes["d"]?.filter { $0 == "a" }.count == 8)
        // Exact power laws: slopes −1/2 and −1 with zero-width intervals; one seed, so least squares, named so.
        let figures = WidthListReport.figures(for: try WidthListLogs(directory: scratch.url))
        let labels = figures.flatMap { $0.plot.series.map(\.label) }
        #expect(labels.contains { $0.hasPrefix("fit: slope −0.5, 95 % CI [−0.5, −0.5], least squares") })
        #expect(labels.contains { $0.hasPrefix("fit: slope −1, 95 % CI [−1, −1], least squares") })
        // Δθ/θ: the docs' −1 (‖θ₀‖ grows as n with two hidden layers), not −1/2.
        #expect(figures.first { $0.plot.id == "width-weights" }!.plot.series.contains { $0.label == "reference slope −1" })
        #expect(html.contains("least squares (one seed)"))
        #expect(labels.contains("reference slope −1/2"))
        // The width axis is labelled at the widths.
        #expect(Set(drift.texts(class: "tick-label")).isSuperset(of: ["100", "400", "1600", "6400"]))
        #expect(Set(plots["width-loss"]!.seriesPaths().keys) == ["final_train_loss_gd", "final_train_loss_ntk_discrete", "final_test_loss_gd", "final_test_loss_ntk_discrete"])
    }

    @Test func widthListWithoutTableUsesTheRunSummaries() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        for (n, drift) in [(64, 0.25), (256, 0.125)] {
            let run = try SyntheticRun.completed(at: scratch.url.appendingPathComponent("w\(n)"), steps: 20)
            try run.write("summary.json", #"{"status": "completed", "last_step": 20, "steps_requested": 20, "final_kernel_drift": \#(drift)}"#)
        }
        #expect(try RunLogs.kind(of: scratch.url) == .widthList)
        let logs = try WidthListLogs(directory: scratch.url)
        #expect(logs.rows.map(\.width) == [64, 256])
        #expect(logs.rows.map { $0["final_kernel_drift"] } == [0.25, 0.125])
        #expect(logs.problems.contains { $0.contains("widths.csv is missing") })
        // The report of the list, and with includeWidthRuns those of its runs, which link back.
        let written = try RunReport.write(runDirectory: scratch.url, includeWidthRuns: true)
        #expect(written.map(\.lastPathComponent) == ["report.html", "report.html", "report.html"])
        let html = try String(contentsOf: scratch.file("report.html"), encoding: .utf8)
        #expect(html.contains("<a href=\"w64/report.html\">64</a>"))
        // Two widths: a slope (−0.5) but no interval.
        let fit = WidthListReport.figures(for: logs).first { $0.plot.id == "width-drift" }!.plot
        #expect(fit.series.contains { $0.label == "fit: slope −0.5, no interval (least squares, 2 points)" })
    }

    // MARK: - Rendering

    static let renderScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/render-report.sh")
    static let hasRSVG = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].contains { FileManager.default.isExecutableFile(atPath: $0) }

    /// Scripts/render-report.sh renders the figures with rsvg-convert (skipped when it is not installed).
    @Test(.enabled(if: hasRSVG, "rsvg-convert (librsvg2-bin) is not installed"))
    func reportRendersToPNG() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url.appendingPathComponent("run"), steps: 30)
        try RunReport.write(runDirectory: run.url)
        let png = scratch.file("report.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.renderScript.path, run.url.path, png.path]
        var environment = ProcessInfo.processInfo.environment
        environment["RENDERER"] = "rsvg"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let bytes = [UInt8](try Data(contentsOf: png))
        #expect(bytes.count > 10_000)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    // MARK: - Command line

    @Test func reportCommandWritesTheReportAndRejectsBadDirectories() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        _ = try SyntheticRun.completed(at: scratch.url, steps: 10)
        let command = try ReportCommand.parse([scratch.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: scratch.file("report.html").path))
        // A missing or non-run directory is a usage error (64), reported with the reason.
        for bad in [scratch.file("missing").path, scratch.file("arrays").path] {
            do {
                _ = try ReportCommand.parse([bad])
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(ReportCommand.exitCode(for: error).rawValue == 64)
                #expect(ReportCommand.message(for: error).contains(bad))
            }
        }
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func reportSubcommandThroughTheExecutable() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        _ = try SyntheticRun.completed(at: scratch.url, steps: 10)
        let ok = try ToolProcess.run(["report", scratch.path])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        #expect(ok.stdout.contains("report: \(scratch.path)/report.html"))
        let missing = try ToolProcess.run(["report", scratch.file("nowhere").path])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("does not exist"))
    }
}
