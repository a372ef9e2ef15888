import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport
@testable import NTKSweep
@testable import NTKTraining

/// The column tables of NTKRunFormat (issue 23, item 1): the header of each file is the documented one, each cell
/// holds its record's value, and the report reads a format-1 steps.csv (written before the kernel columns).
struct ColumnTableTests {
    /// steps.csv as Docs/LogFormat.md lists it, spelled here independently of the table.
    static let documentedSteps = [
        "step", "time", "train_loss_gd", "train_loss_ntk", "train_loss_ntk_discrete", "test_loss_gd", "test_loss_ntk",
        "test_loss_ntk_discrete", "gap", "gap_flow", "test_gap", "kernel_drift", "weight_change", "test_accuracy_gd",
        "test_accuracy_ntk", "train_loss_ntk_analytic", "test_loss_ntk_analytic", "gap_analytic", "train_loss_lin", "test_loss_lin",
        "gap_nonlinearity", "gap_minibatch", "train_accuracy_gd", "train_accuracy_lin", "test_accuracy_lin", "train_margin_gd",
        "train_margin_lin",
    ]

    static func docs(_ page: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Docs/\(page)"), encoding: .utf8)
    }

    @Test func theStepsHeaderIsTheDocumentedOneAndEveryColumnIsDocumented() throws {
        let kernel = ["kernel_lambda_max", "kernel_lambda_min", "kernel_target_alignment", "kernel_cka", "eigenvector_angle_max"]
        let expected = Self.documentedSteps + ["weight_change_layer_1", "weight_change_layer_2"] + kernel
            + ["weight_change_spectral_layer_1", "weight_change_spectral_layer_2", "sharpness"]
        #expect(StepColumn.table(layers: 2).names == expected)
        #expect(ModeColumn.table.names == ["step", "mode", "eigenvalue", "residual_gd", "residual_ntk", "principal_angle"])
        let page = try Self.docs("LogFormat.md")
        let fixed = StepColumn.table(layers: 0).names + ModeColumn.table.names + SpectrumColumn.table.names
        for name in fixed { #expect(page.contains("`\(name)`"), "\(name) is not in Docs/LogFormat.md") }
        #expect(page.contains("weight_change_layer_") && page.contains("weight_change_spectral_layer_"))
    }

    /// Each cell parses back to its record's value; an integer step has no decimal point; the flow cells are empty
    /// when the flow is not defined, the kernel cells where K_t was not measured.
    @Test func eachStepsCellIsItsRecordsValue() {
        var r = StepRecord(step: 7, time: 0.25, trainLossGD: 1.5, trainLossNTK: 2.5, trainLossNTKDiscrete: 1.0 / 3,
                           testLossGD: nil, testLossNTK: 4e-300, testLossNTKDiscrete: .infinity, gap: 0.125, gapFlow: 9,
                           testGap: nil, kernelDrift: .nan, weightChange: 1e-3)
        r.layerWeightChanges = [0.5, 0.75]
        r.trainMarginLinearized = -2
        r.flowDefined = false
        let table = StepColumn.table(layers: 2)
        let cell = Dictionary(uniqueKeysWithValues: zip(table.names, table.cells(r)))
        #expect(cell["step"] == "7" && cell["time"].flatMap(Double.init) == 0.25)
        #expect(cell["train_loss_ntk"] == "" && cell["gap_flow"] == "", "the flow is not defined")
        #expect(cell["test_loss_ntk"].flatMap(Double.init) == 4e-300 && cell["train_loss_ntk_discrete"].flatMap(Double.init) == 1.0 / 3)
        #expect(cell["test_loss_ntk_discrete"] == "inf" && cell["kernel_drift"] == "nan" && cell["test_loss_gd"] == "")
        #expect(cell["weight_change_layer_2"].flatMap(Double.init) == 0.75 && cell["train_margin_lin"] == "-2.0")
        #expect(cell["kernel_lambda_max"] == "" && cell["weight_change_spectral_layer_1"] == "")
        r.layerSpectralChanges = [0.1, 0.2]
        r.flowDefined = true
        let measured = Dictionary(uniqueKeysWithValues: zip(table.names, table.cells(r)))
        #expect(measured["weight_change_spectral_layer_2"].flatMap(Double.init) == 0.2 && measured["gap_flow"] == "9.0")
        let sample = ModeSample(rank: 2, eigenvalue: 3, residualGD: -0.5, residualNTK: 0.25)
        #expect(ModeColumn.table.line((step: 4, sample: sample)) == "4,2,3.0,-0.5,0.25,")
    }

    /// A run directory whose steps.csv and modes.csv have format 1's headers (e579795: no kernel observables, no
    /// spectral layer columns, no principal angle): the report draws its loss, gap, drift and layer figures from them.
    @Test func theReportReadsAFormatOneStepsFile() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let header = Self.documentedSteps + ["weight_change_layer_1", "weight_change_layer_2"]
        var lines = [header.joined(separator: ",")]
        for t in 0..<6 {
            var row = header.map { _ in "" }
            let set = { (name: String, v: Double) in row[header.firstIndex(of: name)!] = "\(v)" }
            row[0] = "\(t)"
            set("train_loss_gd", exp(-Double(t)))
            set("train_loss_ntk_discrete", exp(-1.1 * Double(t)))
            set("gap", 0.01 * Double(t))
            set("kernel_drift", 0.002 * Double(t))
            set("weight_change", 0.003 * Double(t))
            set("weight_change_layer_1", 0.004 * Double(t))
            set("weight_change_layer_2", 0.005 * Double(t))
            lines.append(row.joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(to: scratch.file("steps.csv"), atomically: true, encoding: .utf8)
        let modes = ["step,mode,eigenvalue,residual_gd,residual_ntk"] + (0..<6).map { "\($0),0,2.0,\(exp(-Double($0))),\(exp(-Double($0)))" }
        try (modes.joined(separator: "\n") + "\n").write(to: scratch.file("modes.csv"), atomically: true, encoding: .utf8)
        let logs = try RunLogs(directory: scratch.url)
        #expect(logs.column(StepColumn.gap)?.compactMap { $0 } == (0..<6).map { 0.01 * Double($0) })
        let figures = RunReport.figures(for: logs)
        let ids = Set(figures.map(\.plot.id))
        #expect(ids.isSuperset(of: ["train-loss", "gap", "drift"]), "\(ids.sorted())")
        let train = try #require(figures.first { $0.plot.id == "train-loss" }?.plot)
        #expect(Set(train.series.map(\.id)).isSuperset(of: ["train_loss_gd", "train_loss_ntk_discrete"]))
        let motion = try #require(KernelHeatmapFigures.layerMotion(logs)?.plot)
        #expect(motion.series.filter { !$0.points.isEmpty }.count >= 2)
        #expect(!ids.contains("kernel-eigenvalues"), "a format-1 file has no kernel observables")
    }

    /// widths.csv and sweep.csv as Docs/LogFormat.md lists them, spelled here independently of the tables.
    static let documentedWidths = [
        "width", "status", "lr", "lr_crit", "lambda_min", "lambda_max", "final_train_loss_gd", "final_train_loss_ntk_discrete",
        "final_test_loss_gd", "final_test_loss_ntk_discrete", "max_gap", "max_gap_flow", "final_kernel_drift", "max_kernel_drift",
        "final_weight_change", "training_seconds", "directory", "max_test_gap", "kernel_distance_analytic", "max_gap_analytic",
        "final_train_loss_ntk_analytic", "final_test_loss_ntk_analytic", "max_gap_nonlinearity", "max_gap_minibatch",
        "final_kernel_lambda_max", "final_lr_kernel_lambda_max", "final_kernel_target_alignment", "final_kernel_cka",
        "final_eigenvector_angle_max", "phase", "final_sharpness", "max_sharpness", "architecture",
    ]
    static let documentedSweep = [
        "width", "seed", "status", "lr", "lr_crit", "lr_over_lr_crit", "final_kernel_drift", "max_kernel_drift", "final_weight_change",
        "max_gap", "max_gap_flow", "final_train_loss_gd", "final_train_loss_ntk_discrete", "final_test_loss_gd",
        "final_test_loss_ntk_discrete", "wall_time", "parameterization", "output_scale", "depth", "max_test_gap",
        "kernel_distance_analytic", "max_gap_analytic", "final_train_loss_ntk_analytic", "final_test_loss_ntk_analytic",
        "max_gap_nonlinearity", "max_gap_minibatch", "final_kernel_lambda_max", "final_lr_kernel_lambda_max",
        "final_kernel_target_alignment", "final_kernel_cka", "final_eigenvector_angle_max", "lr_factor", "phase", "architecture",
    ]

    /// The summary of a small real run (tanh, depth 2, width 6, 10 steps, K_t and the sharpness measured), so that
    /// the figures are ordinary numbers and the kernel ones are set.
    static func summary() throws -> RunSummary {
        let data = SyntheticDataset.gaussian.generate(samples: 8, testSamples: 3, inputDim: 2, outputs: 1, noise: 0, seed: 5)
        let a = NetworkArchitecture(inputDim: 2, width: 6, depth: 2, outputs: 1, activation: .tanh)
        var settings = TrainingSettings(steps: 10, learningRateFactor: 1.5, kernelEvery: 5, modes: 2)
        settings.sharpnessEvery = 5
        return try NTKExperiment(architecture: a, dataset: data, settings: settings).run { _ in }
    }

    @Test func theWidthsAndSweepHeadersAreTheDocumentedOnes() throws {
        #expect(WidthColumn.table.names == Self.documentedWidths)
        #expect(SweepRow.columns == Self.documentedSweep)
        #expect(SweepColumn.headers.last == Self.documentedSweep)
        for older in SweepColumn.headers.dropLast() { #expect(Array(Self.documentedSweep.prefix(older.count)) == older) }
        let page = try Self.docs("LogFormat.md")
        for name in Self.documentedWidths + Self.documentedSweep { #expect(page.contains("`\(name)`"), "\(name) is not in Docs/LogFormat.md") }
    }

    /// One projection: a figure that both tables carry has the same cell in widths.csv and in sweep.csv for the same
    /// summary, and that cell is the summary.json value (read back from its JSON, not from the tables).
    @Test func widthsAndSweepCellsAreTheSameProjectionOfTheSummary() throws {
        var s = try Self.summary()
        s.architecture = .mlp  // set by RunRecorder, as in a run's summary.json
        // summary.json's values by key, decoded by JSONDecoder (JSONSerialization rounds some doubles).
        let json = try JSONDecoder().decode([String: JSONCell].self, from: JSONEncoder().encode(s))
        let widths = WidthColumn.table
        let widthCells = Dictionary(uniqueKeysWithValues: zip(widths.names, widths.cells((width: 6, summary: s, directory: "w6", architecture: "mlp"))))
        let a = NetworkArchitecture(inputDim: 2, width: 6, depth: 2, outputs: 1, activation: .tanh)
        let cell = SweepCell(width: 6, seed: 3, parameterization: nil, outputScale: nil, depth: nil, learningRateFactor: nil)
        let row = SweepRow(cell: cell, summary: s, wallTime: 0.5, architecture: a, outputScale: nil)
        let sweepCells = Dictionary(uniqueKeysWithValues: zip(SweepRow.columns, row.line.split(separator: ",", omittingEmptySubsequences: false)
            .map(String.init)))
        #expect(widthCells["width"] == "6" && widthCells["directory"] == "w6" && sweepCells["seed"] == "3" && sweepCells["wall_time"] == "0.5")
        #expect(sweepCells["parameterization"] == "ntk" && sweepCells["depth"] == "2" && sweepCells["output_scale"] == "")
        let shared = Set(Self.documentedWidths).intersection(Self.documentedSweep).subtracting(["width"])
        #expect(shared.count == 26)
        #expect(widthCells["architecture"] == "mlp" && sweepCells["architecture"] == "mlp")
        for name in shared.sorted() {
            #expect(widthCells[name] == sweepCells[name], "\(name): widths.csv \(widthCells[name] ?? "-"), sweep.csv \(sweepCells[name] ?? "-")")
            switch json[name] {
            case .number(let v)?: #expect(widthCells[name].flatMap(Double.init) == v, "\(name)")
            case .text(let v)?: #expect(widthCells[name] == v, "\(name)")
            default: #expect(name == "phase" || widthCells[name] == "", "\(name) is null in summary.json")
            }
        }
        #expect(widthCells["final_kernel_lambda_max"] != "" && widthCells["final_sharpness"] != "", "the run measured K_t and the sharpness")
        // Read back: the sweep row parses to the same numbers, the phase and the status.
        let back = try #require(SweepRow(line: Substring(row.line), header: SweepRow.columns, grid: SweepGrid(widths: [6], seedCount: 1, baseSeed: 3),
                                         defaults: .init(parameterization: .mup, depth: 9)))
        #expect(back == row)
    }
}

/// A top-level value of a JSON object: a number, a string, or anything else (null, an array, an object).
enum JSONCell: Decodable {
    case number(Double), text(String), other

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { self = .number(v) } else if let v = try? c.decode(String.self) { self = .text(v) } else { self = .other }
    }
}
