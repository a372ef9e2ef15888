import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// `ntk-dynamics report` on each kind of directory the tool writes — a run, a width list, a sweep and a kernel
/// study — through the built executable, and its refusal of a directory it cannot draw.
@Suite(.serialized) struct ReportKindsEndToEndTests {
    static let small = ["--samples", "8", "--test-samples", "8", "--input-dim", "2", "--quiet"]

    func report(_ dir: URL) throws -> String {
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("report.html"))
        let r = try ToolProcess.run(["report", dir.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        return (try? String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)) ?? ""
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func reportDrawsEachKindOfDirectory() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = scratch.file("run"), list = scratch.file("list"), sweep = scratch.file("sweep"), kernel = scratch.file("kernel")
        for (args, out) in [(["--width", "32"], run), (["--width", "16,32"], list),
                            (["sweep", "--widths", "16,32", "--seeds", "2", "--jobs", "1"], sweep),
                            (["kernel", "--widths", "16,32,64", "--seeds", "2"], kernel)] {
            // kernel trains nothing (no --steps); sweep sets its threads with --jobs.
            let full = args + Self.small + (args.first == "kernel" ? [] : ["--steps", "30"])
                + (args.first == "sweep" ? [] : ["--threads", "1"]) + ["--out", out.path]
            let r = try ToolProcess.run(full)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        // The report and --force read a directory's kind the same way (one OutputKind, RunFormat).
        let merged = scratch.file("merged")
        #expect(try ToolProcess.run(["merge", sweep.path, "--out", merged.path]).status == 0)
        for (dir, kind) in [(run, OutputKind.run), (list, .widthList), (sweep, .sweep), (merged, .merge), (kernel, .kernel)] {
            #expect(try RunLogs.kind(of: dir) == kind, "\(dir.lastPathComponent)")
            #expect(try OutputInventory.classify(dir).get() == kind, "\(dir.lastPathComponent)")
        }
        let runPage = try report(run)
        #expect(runPage.contains("ntk-dynamics run:") && runPage.contains("data-plot=\"mode-residuals\""))
        let listPage = try report(list)
        #expect(listPage.contains("ntk-dynamics width list:") && listPage.contains("data-plot=\"overlay-train-loss\""))
        #expect(listPage.contains("least squares (one seed)"))
        let sweepPage = try report(sweep)
        #expect(sweepPage.contains("ntk-dynamics sweep:") && sweepPage.contains("data-plot=\"overlay-drift\""))
        #expect(sweepPage.contains("across 2 seeds"))
        let kernelPage = try report(kernel)
        #expect(kernelPage.contains("ntk-dynamics kernel:") && !kernelPage.contains("Completed: 0"))
        #expect(kernelPage.contains("data-plot=\"kernel-error\"") && kernelPage.contains("data-plot=\"kernel-spectra\""))

        // A directory written by a command report does not know: refused with the reason, exit 64.
        let other = scratch.file("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data(#"{"tool": "ntk-dynamics", "subcommand": "bench"}"#.utf8).write(to: other.appendingPathComponent("config.json"))
        let refused = try ToolProcess.run(["report", other.path])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("cannot draw a report") && refused.stderr.contains("ntk-dynamics bench"))
    }
}
