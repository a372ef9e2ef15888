import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport

/// A long steps.csv or modes.csv is streamed and thinned while it is read (issue 22 item 18): the kept rows are rows
/// of the file, unchanged, and every extreme of every column, over the file and over any aligned window of it,
/// is the same as in the whole file, which is read here independently, line by line.
@Suite(.serialized)
struct ThinnedCSVTests {
    static let columns = ["step", "loss", "drift", "sparse"]

    /// A noisy decaying loss with spikes, a drift that changes sign, and a column measured every 10th row only.
    static func rows(_ n: Int) -> [[String]] {
        var rng = RandomSource(seed: 7)
        return (0..<n).map { t in
            let spike = t % 9973 == 0 ? 50.0 : 1
            let loss = Foundation.exp(-Double(t) / Double(n)) * (1 + 0.1 * rng.normal()) * spike
            let drift = rng.normal() * 1e-3 + (t % 7919 == 0 ? -1 : 0)
            return ["\(t)", "\(loss)", "\(drift)", t % 10 == 0 ? "\(rng.uniform())" : ""]
        }
    }

    static func write(_ header: [String], _ rows: [[String]], to url: URL, finalNewline: Bool = true) throws {
        var text = header.joined(separator: ",") + "\n" + rows.map { $0.joined(separator: ",") }.joined(separator: "\n")
        if finalNewline { text += "\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func thinningKeepsRowsUnchangedAndEveryExtremeOfAlignedWindows() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let n = 1 << 17, url = scratch.file("steps.csv")
        let all = Self.rows(n)
        try Self.write(Self.columns, all, to: url)
        let table = try ThinnedCSV.read(url, groupBy: nil, maxGroups: .max)
        #expect(table.columns == Self.columns && table.rowsRead == n && table.skippedRows == 0)
        // At most 1024 buckets of 2 + 5 slots per column, whatever n.
        #expect(table.rowCount <= ThinnedCSV.maxBuckets * (2 + 5 * Self.columns.count) && table.rowCount < n / 3, "\(table.rowCount) of \(n)")
        // Kept rows are rows of the file, in file order, unchanged.
        let kept = table.rows.map { Int($0[0])! }
        #expect(kept == kept.sorted() && kept.first == 0 && kept.last == n - 1)
        for (i, row) in zip(kept, table.rows) { #expect(row == all[i]) }
        // 2¹⁷ rows thin to 512–1024 buckets of 128 or 256 rows: in every aligned window of 512 rows, each column's
        // smallest and largest value, smallest positive value, and first and last present value are kept.
        let window = 512
        let byWindow = Dictionary(grouping: kept.indices) { kept[$0] / window }
        for c in 1..<Self.columns.count {
            for w in stride(from: 0, to: n, by: window) {
                let fullRows: [Int] = (w..<(w + window)).filter { Double(all[$0][c]) != nil }
                let fullValues: [Double] = fullRows.map { Double(all[$0][c])! }
                let inWindow: [Int] = (byWindow[w / window] ?? []).filter { Double(table.rows[$0][c]) != nil }
                let thinRows: [Int] = inWindow.map { kept[$0] }
                let thinValues: [Double] = inWindow.map { Double(table.rows[$0][c])! }
                let positive: (Double) -> Bool = { $0 > 0 }
                #expect(thinValues.min() == fullValues.min(), "column \(c) window \(w)")
                #expect(thinValues.max() == fullValues.max(), "column \(c) window \(w)")
                #expect(thinValues.filter(positive).min() == fullValues.filter(positive).min())
                #expect(thinRows.first == fullRows.first)
                #expect(thinRows.last == fullRows.last)
            }
        }
    }

    @Test func modesAreThinnedPerModeAndOnlyTheSmallestAreKept() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let url = scratch.file("modes.csv")
        let steps = 20_000, modes = 5
        var rows: [[String]] = []
        for t in 0..<steps {
            for m in [3, 0, 4, 1, 2].prefix(modes) {
                rows.append(["\(t)", "\(m)", "\(1.0 / Double(m + 1))", "\(Foundation.exp(-Double(t * (m + 1)) / 5000))", "\(Double(t) * 1e-3)"])
            }
        }
        try Self.write(["step", "mode", "eigenvalue", "residual_gd", "residual_ntk"], rows, to: url)
        let table = try ThinnedCSV.read(url, groupBy: "mode", maxGroups: 3)
        #expect(table.rowsRead == steps * modes)
        let mode = table.numbers("mode")!.map { Int($0!) }, step = table.numbers("step")!.map { Int($0!) }
        #expect(Set(mode) == [0, 1, 2], "the three smallest modes, though 3 came first")
        for m in 0..<3 {
            let own = mode.indices.filter { mode[$0] == m }.map { step[$0] }
            #expect(own.first == 0 && own.last == steps - 1 && own == own.sorted())
            #expect(own.count >= 512 && own.count < steps / 2, "mode \(m): \(own.count) rows")
        }
    }

    @Test func damagedLinesAreSkippedAndCountedAndNonUTF8IsUnreadable() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let url = scratch.file("steps.csv")
        var rows = Self.rows(1_000)
        rows[500] = ["1", "2"]  // too few cells
        try Self.write(Self.columns, rows, to: url, finalNewline: false)
        let table = try ThinnedCSV.read(url, groupBy: nil, maxGroups: .max)
        let whole = try CSVTable(contentsOf: url)
        #expect(table.skippedRows == 2 && whole.skippedRows == 2, "the short row and the last line without its newline")
        #expect(table.rowsRead == whole.rowCount && table.rows == whole.rows, "below 1024 rows per curve nothing is thinned")
        var bytes = try Data(contentsOf: url)
        bytes.insert(contentsOf: [0xFF, 0xFE], at: 100)
        try bytes.write(to: url)
        #expect(throws: ReportError.self) { try ThinnedCSV.read(url, groupBy: nil, maxGroups: .max) }
    }

    /// A run whose steps.csv is above the streaming threshold reports: the page says how many rows the file has.
    @Test(.tags(.slow), .endToEndEnabled) func aLongRunReportsFromItsThinnedLog() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let data = SyntheticDataset.gaussian.generate(samples: 8, testSamples: 4, inputDim: 2, outputs: 1, noise: 0, seed: 1)
        let e = try NTKExperiment(architecture: NetworkArchitecture(inputDim: 2, width: 8, depth: 1), dataset: data,
                                  settings: TrainingSettings(steps: 4))
        _ = try RunRecorder.record(e, data: DataSettings(), command: ["test"], into: RunDirectory.create(at: scratch.url))
        let steps = scratch.file("steps.csv")
        let header = try #require(try String(contentsOf: steps, encoding: .utf8).split(separator: "\n").first).split(separator: ",").map(String.init)
        // Long cells, so that few rows pass the threshold (a debug build parses slowly).
        let cell = "1.2345678901234567e-05" + String(repeating: " ", count: 40)
        let n = CSVTable.streamingThreshold / (header.count * (cell.utf8.count + 1)) + 2000
        var text = header.joined(separator: ",") + "\n"
        for t in 0..<n {
            text += header.map { $0 == "step" ? "\(t)" : cell }.joined(separator: ",") + "\n"
        }
        try text.write(to: steps, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: scratch.file("summary.json"))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: steps.path)[.size] as? Int)
        #expect(size > CSVTable.streamingThreshold)
        let logs = try RunLogs(directory: scratch.url)
        #expect(logs.steps?.rowsRead == n && (logs.steps?.rowCount ?? n) < n, "thinned")
        #expect(logs.column("step")?.last == Double(n - 1))
        _ = try RunReport.write(runDirectory: scratch.url)
        let page = try String(contentsOf: scratch.file("report.html"), encoding: .utf8)
        #expect(page.contains("Showing the \(n) rows of steps.csv"))
    }
}
