import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport
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
}
