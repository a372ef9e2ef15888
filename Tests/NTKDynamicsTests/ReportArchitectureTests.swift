import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The report of a resnet or a cnn run (Docs/Architectures.md#the-report): every figure names the network in its title
/// and caption, the weight layers are named by their blocks (not the MLP's "hidden"), and the absent sharpness figure
/// is explained. Run directories are written by the test (``SyntheticRun``) with the architecture keys set here.
@Suite struct ReportArchitectureTests {
    /// A completed 1-D run whose config.json says `architecture` (with `depth` and the given extra keys) and whose
    /// steps.csv has `weight_change_layer_1…layers` (values 0.001·l·t, chosen here).
    private func run(at url: URL, architecture: String?, depth: Int, layers: Int, extra: String = "") throws -> RunLogs {
        let run = try SyntheticRun.completed(at: url)
        var config = SyntheticRun.config(steps: 40).replacingOccurrences(of: "\"depth\" : 1", with: "\"depth\" : \(depth)")
        if let architecture {
            config = config.replacingOccurrences(of: "\"dataset\" : \"sine\"", with: "\"dataset\" : \"sine\", \"architecture\" : \"\(architecture)\"\(extra)")
        }
        try run.write("config.json", config)
        let lines = SyntheticRun.steps(40).split(separator: "\n").map(String.init)
        let header = lines[0] + (1...layers).map { ",weight_change_layer_\($0)" }.joined()
        let rows = lines.dropFirst().map { row in
            let t = Double(row.split(separator: ",")[0])!
            return row + (1...layers).map { ",\(0.001 * Double($0) * t)" }.joined()
        }
        try run.write("steps.csv", ([header] + rows).joined(separator: "\n") + "\n")
        return try RunLogs(directory: url)
    }

    private func layerLabels(_ figures: [RunReport.Figure]) -> [String] {
        figures.first { $0.plot.id == "layer-motion" }?.plot.series.map(\.label) ?? []
    }

    @Test func cnnFiguresNameTheNetworkAndItsConvolutions() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let logs = try run(at: scratch.url, architecture: "cnn", depth: 2, layers: 3, extra: ", \"kernel_size\" : 3, \"pool\" : \"gap\"")
        let figures = RunReport.figures(for: logs)
        #expect(figures.count >= 5)
        for f in figures {
            #expect(f.plot.title.hasSuffix(" (cnn)"), "\(f.plot.title)")
            #expect(f.caption.contains("Network: cnn, depth 2, 3×3 filters, gap, 64 channels."), "\(f.plot.id)")
        }
        #expect(layerLabels(figures) == ["layer 1 (conv 1)", "layer 2 (conv 2)", "layer 3 (readout)"])
        let motion = try #require(figures.first { $0.plot.id == "layer-motion" })
        #expect(motion.caption.contains("l = 1 the conv 1 layer, 3 the readout"))
        let html = RunReport.html(for: logs)
        #expect(html.contains("Not drawn for a cnn: the sharpness of the loss (--sharpness-every)"))
    }

    @Test func resnetLayersAreDenseInBlocksAndReadout() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let logs = try run(at: scratch.url, architecture: "resnet", depth: 2, layers: 4, extra: ", \"branch_scale\" : \"sqrt-depth\"")
        let figures = RunReport.figures(for: logs)
        for f in figures {
            #expect(f.plot.title.hasSuffix(" (resnet)"), "\(f.plot.title)")
            #expect(f.caption.contains("Network: resnet, depth 2, branch scale"), "\(f.plot.id)")
        }
        #expect(layerLabels(figures) == ["layer 1 (Dense_in)", "layer 2 (block 1)", "layer 3 (block 2)", "layer 4 (readout)"])
        #expect(RunReport.html(for: logs).contains("Not drawn for a resnet: the sharpness of the loss"))
    }

    /// An MLP's report keeps its words: no architecture suffix, no "Network:", input/hidden/readout, no absence note;
    /// a config.json written before the architecture keys reads the same.
    @Test(arguments: ["mlp", nil] as [String?])
    func mlpReportIsUnchanged(architecture: String?) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let logs = try run(at: scratch.url, architecture: architecture, depth: 2, layers: 3)
        let figures = RunReport.figures(for: logs)
        for f in figures {
            #expect(!["mlp", "resnet", "cnn"].contains { f.plot.title.hasSuffix(" (\($0))") }, "\(f.plot.title)")
            #expect(!f.caption.contains("Network:"))
        }
        #expect(layerLabels(figures) == ["layer 1 (input)", "layer 2 (hidden)", "layer 3 (readout)"])
        #expect(!RunReport.html(for: logs).contains("Not drawn for"))
    }
}
