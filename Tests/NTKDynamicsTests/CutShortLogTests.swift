import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// A CSV log never ends in half a row, even when the disk fills mid-write, and `report` names a log
/// whose last row was cut short (issue 14 item 11).
@Suite(.serialized)
struct CutShortLogTests {
    /// Rows of about 700 bytes into a 16 KiB tmpfs: some write fails partway. The file must then hold
    /// only whole rows, each with the header's number of cells.
    @Test(.enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root"))
    func aWriteThatFillsTheDiskLeavesNoHalfRow() throws {
        let disk = ScratchDirectory()
        try FileManager.default.createDirectory(at: disk.url, withIntermediateDirectories: true)
        #expect(Tmpfs.shell(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", disk.path]) == 0)
        defer { _ = Tmpfs.shell(["umount", disk.path]); disk.cleanup() }
        let columns = (0..<5).map { "c\($0)" }
        let log = try CSVLogWriter(url: disk.file("modes.csv"), columns: columns)
        var failed = false
        for i in 0..<200 where !failed {
            // A group of rows as modes.csv writes one step's modes: one write of ~700 bytes.
            let rows = (0..<6).map { r in columns.indices.map { c in CSVLogWriter.format(Double(i * 37 + r * 5 + c) / 7) } }
            do { try log.append(rows: rows) } catch { failed = true }
        }
        try? log.close()
        #expect(failed, "the 16 KiB disk never filled")
        let text = try String(contentsOf: disk.file("modes.csv"), encoding: .utf8)
        #expect(text.hasSuffix("\n"), "the file ends in half a row: …\(text.suffix(40))")
        for line in text.split(separator: "\n") {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == columns.count, "\(line)")
        }
        #expect(RunLogs.cutShortLogs(in: disk.url).isEmpty)
    }

    /// A run directory whose modes.csv and steps.csv end without their newline: the report's problems name both.
    @Test func theReportNamesEveryLogThatEndsInACutShortRow() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let data = DataSettings(samples: 4, testSamples: 2, inputDim: 2).generate(seed: 1)
        let e = try NTKExperiment(architecture: NetworkArchitecture(inputDim: 2, width: 8), dataset: data,
                                  settings: TrainingSettings(steps: 4))
        _ = try RunRecorder.record(e, data: DataSettings(), command: ["test"],
                                   into: RunDirectory.create(at: scratch.url))
        #expect(try RunLogs(directory: scratch.url).problems.allSatisfy { !$0.contains("cut short") })
        for name in ["modes.csv", "steps.csv"] {
            let url = scratch.file(name)
            let bytes = try Data(contentsOf: url)
            try bytes.prefix(bytes.count - 5).write(to: url)  // half of the last row
        }
        let logs = try RunLogs(directory: scratch.url)
        #expect(RunLogs.cutShortLogs(in: scratch.url) == ["modes.csv", "steps.csv"])
        #expect(logs.problems.contains { $0.hasPrefix("modes.csv ends in a row that was cut short") }, "\(logs.problems)")
        #expect(logs.problems.contains { $0.hasPrefix("steps.csv ends in a row that was cut short") }, "\(logs.problems)")
        #expect(!logs.problems.contains { $0.hasPrefix("steps.csv: ") }, "the cut row is reported once: \(logs.problems)")
        #expect(logs.steps?.rowCount == 4, "steps 0–3 stay, the cut row of step 4 is left out")
    }
}
