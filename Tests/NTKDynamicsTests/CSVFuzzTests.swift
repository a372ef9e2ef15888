import Foundation
import Testing
@testable import NTKDynamics

/// Property and fuzz tests of the CSV loader: whatever the bytes, it ends in a table or a located
/// ``CSVDataError`` (never a crash), and valid tables load exactly. Counts and time are bounded.
struct CSVFuzzTests {
    /// Bytes that reach deep into the parser: digits, separators, quotes, line ends, signs, exponents,
    /// spaces, letters of nan/inf, and now and then any byte at all (invalid UTF-8 included).
    static func fuzzBytes(_ rng: inout RandomSource, count: Int) -> [UInt8] {
        let alphabet = Array("0123456789,,,\n\n\r\"\".-+eE \tnaifxy".utf8)
        return (0..<count).map { _ in
            rng.uniform() < 0.08 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
        }
    }

    /// A valid numeric CSV text with up to `mutations` random bytes overwritten, inserted or deleted.
    static func mutatedTable(_ rng: inout RandomSource, mutations: Int) -> [UInt8] {
        let rows = 1 + Int(rng.next() % 6), cols = 1 + Int(rng.next() % 4)
        var text = rng.uniform() < 0.5 ? (0..<cols).map { "c\($0)" }.joined(separator: ",") + "\n" : ""
        for _ in 0..<rows {
            text += (0..<cols).map { _ in "\(rng.normal())" }.joined(separator: ",") + "\n"
        }
        var bytes = Array(text.utf8)
        for _ in 0..<mutations where !bytes.isEmpty {
            let at = Int(rng.next() % UInt64(bytes.count))
            let b = fuzzBytes(&rng, count: 1)[0]
            switch rng.next() % 3 {
            case 0: bytes[at] = b
            case 1: bytes.insert(b, at: at)
            default: bytes.remove(at: at)
            }
        }
        return bytes
    }

    /// Checks what a parse must satisfy, whichever way it ended.
    static func checkOutcome(_ outcome: Result<NumericTable, CSVDataError>, file: String, lineCount: Int) {
        switch outcome {
        case let .success(t):
            #expect(t.values.count == t.rowCount * t.columnCount)
            let finite = t.values.allSatisfy { $0.isFinite }
            #expect(finite)
            #expect(t.rowCount >= 1 && t.columnCount >= 1)
            let increasing = zip(t.lines, t.lines.dropFirst()).allSatisfy { pair in pair.0 < pair.1 }
            #expect(increasing, "lines increase")
            #expect((t.lines.last ?? 0) <= lineCount)
            if let h = t.header { #expect(h.count == t.columnCount) }
        case let .failure(e):
            #expect(e.file == file)
            #expect(e.description.hasPrefix(file))
            if let line = e.line { #expect(line >= 1 && line <= lineCount + 1, "line \(line) of \(lineCount)") }
            if let column = e.column { #expect(column >= 1) }
            #expect(!e.message.isEmpty)
        }
    }

    static func lineCount(_ bytes: [UInt8]) -> Int {
        var n = 1
        for (i, b) in bytes.enumerated() where b == 0x0A || (b == 0x0D && (i + 1 == bytes.count || bytes[i + 1] != 0x0A)) {
            n += 1
        }
        return n
    }

    @Test func randomBytesEndInATableOrALocatedError() {
        var rng = RandomSource(seed: 2024, stream: 1)
        let clock = ContinuousClock()
        let start = clock.now
        var tables = 0, errors = 0
        for i in 0..<600 {
            // Half pure noise, half valid tables with a few random edits.
            let bytes = i % 2 == 0 ? Self.fuzzBytes(&rng, count: Int(rng.next() % 200))
                : Self.mutatedTable(&rng, mutations: Int(rng.next() % 4))
            let header = CSVHeader.allCases[i % 3]
            let outcome = Result { () throws(CSVDataError) -> NumericTable in
                try NumericTable.parse(Data(bytes), file: "fuzz.csv", header: header)
            }
            Self.checkOutcome(outcome, file: "fuzz.csv", lineCount: Self.lineCount(bytes))
            // A table goes on through the dataset builder with random options: a dataset or a located error.
            if case let .success(t) = outcome {
                tables += 1
                let options = CSVDataOptions(targetColumns: i % 2 == 0 ? nil : [.index(Int(rng.next() % 5) - 2)],
                                             testFraction: [0, 0.3, 0.9][i % 3], samples: i % 4 == 0 ? 1 + Int(rng.next() % 4) : nil,
                                             standardize: i % 5 != 0, seed: UInt64(i))
                do {
                    let d = try CSVDataset.make(train: t, test: i % 7 == 0 ? t : nil, options: options).dataset
                    #expect(d.trainCount >= 1 && d.inputDim >= 1 && d.outputs >= 1)
                    #expect(d.trainInputs.isFinite && d.testInputs.isFinite)
                } catch {
                    #expect(error.description.hasPrefix("fuzz.csv"))
                }
            } else {
                errors += 1
            }
        }
        #expect(tables > 20 && errors > 20, "the fuzzer reaches both outcomes (\(tables) tables, \(errors) errors)")
        #expect(clock.now - start < .seconds(30))
    }

    /// Rows of random lengths: the first row whose length differs from the first row's is reported, at the
    /// first missing or extra cell.
    @Test func raggedRowsAreFoundWhereTheyAre() {
        var rng = RandomSource(seed: 7, stream: 2)
        for _ in 0..<300 {
            let rows = 1 + Int(rng.next() % 8)
            let lengths = (0..<rows).map { _ in 1 + Int(rng.next() % 4) }
            let text = lengths.map { n in (0..<n).map { _ in String(Int(rng.next() % 100)) }.joined(separator: ",") }
                .joined(separator: "\n")
            let outcome = Result { () throws(CSVDataError) -> NumericTable in try csvTable(text, header: .absent, file: "r.csv") }
            if let bad = lengths.firstIndex(where: { $0 != lengths[0] }) {
                guard case let .failure(e) = outcome else {
                    Issue.record("ragged rows \(lengths) parsed")
                    continue
                }
                #expect(e.problem == .raggedRow(cells: lengths[bad], expected: lengths[0], firstLine: 1))
                #expect(e.line == bad + 1 && e.column == min(lengths[bad], lengths[0]) + 1)
            } else {
                guard case let .success(t) = outcome else {
                    Issue.record("rectangular rows \(lengths) failed")
                    continue
                }
                #expect(t.rowCount == rows && t.columnCount == lengths[0])
            }
        }
    }

    /// Random valid tables, written with random layout (header or not, LF or CR LF, blank lines, spaces,
    /// quotes), load bit for bit with the right line of each row.
    @Test func validTablesRoundTripWhateverTheLayout() throws {
        var rng = RandomSource(seed: 99, stream: 3)
        for trial in 0..<200 {
            let rows = 1 + Int(rng.next() % 12), cols = 2 + Int(rng.next() % 5)
            let values = (0..<(rows * cols)).map { _ -> Double in
                switch rng.next() % 4 {
                case 0: return rng.normal()
                case 1: return rng.normal() * Foundation.pow(10, rng.uniform(-300, 300))
                case 2: return Double(Int(rng.uniform(-1000, 1000)))
                default: return -0.0
                }
            }
            let hasHeader = trial % 2 == 0
            let newline = trial % 3 == 0 ? "\r\n" : "\n"
            var text = ""
            var line = 1
            var expectedLines: [Int] = []
            if hasHeader {
                text += (0..<cols).map { "c\($0)" }.joined(separator: ",") + newline
                line += 1
            }
            for i in 0..<rows {
                if rng.uniform() < 0.2 {
                    text += newline
                    line += 1
                }
                let cells = (0..<cols).map { j -> String in
                    let v = "\(values[i * cols + j])"
                    switch rng.next() % 4 {
                    case 0: return " \(v)\t"
                    case 1: return "\"\(v)\""
                    default: return v
                    }
                }
                text += cells.joined(separator: ",")
                expectedLines.append(line)
                line += 1
                if i < rows - 1 || rng.uniform() < 0.5 { text += newline }
            }
            let t = try csvTable(text, header: hasHeader ? .auto : .absent, file: "ok.csv")
            #expect(t.header == (hasHeader ? (0..<cols).map { "c\($0)" } : nil))
            #expect(t.lines == expectedLines, "trial \(trial)")
            #expect(t.values.map(\.bitPattern) == values.map(\.bitPattern), "trial \(trial)")
        }
    }
}
