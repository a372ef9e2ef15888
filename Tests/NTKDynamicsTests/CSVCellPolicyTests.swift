import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// What a cell of a `--data` file may hold, beyond plain decimal numbers (Docs/RealData.md, "Numbers"),
/// and the messages for files that cannot be split or read (issue 14).
struct CSVCellPolicyTests {
    static func parse(_ text: String) -> Result<NumericTable, CSVDataError> {
        Result { () throws(CSVDataError) in try NumericTable.parse(Data(text.utf8), file: "d.csv") }
    }

    /// `-1\0.0922` used to be read as −1 (strtod stops at the NUL), and `0x1p3` as 8 (Python's float()
    /// refuses it, so a file we accept means the same to pandas). Both are refused at their line and column.
    @Test(arguments: [("-1\u{0}.0922", CSVDataError.Problem.nulByte(cell: "-1\u{0}.0922")),
                      ("\u{0}5", .nulByte(cell: "\u{0}5")), ("7\u{0}", .nulByte(cell: "7\u{0}")),
                      ("1e\u{0}3", .nulByte(cell: "1e\u{0}3")), ("0x1p3", .hexadecimal(cell: "0x1p3")),
                      ("-0X1A", .hexadecimal(cell: "-0X1A")), ("+0x.8p1", .hexadecimal(cell: "+0x.8p1"))])
    func cellsThatAreNoDecimalNumberAreRefusedWhereTheyAre(cell: String, problem: CSVDataError.Problem) {
        guard case let .failure(error) = Self.parse("a,b\n1,2\n3,\(cell)\n") else {
            Issue.record("'\(cell)' was read as a number")
            return
        }
        #expect(error.problem == problem)
        #expect(error.line == 3 && error.column == 2)
        #expect(error.description.contains(problem == .nulByte(cell: cell) ? "NUL" : "hexadecimal"))
    }

    /// Decimal cells that merely contain an x elsewhere, or a 0 first, are still numbers.
    @Test func decimalNumbersStartingWithZeroStayNumbers() throws {
        let t = try Self.parse("a,b\n0.5,-0e3\n00012,+0\n").get()
        #expect(t.values == [0.5, 0, 12, 0])
    }

    /// Underflow reads as the nearest double, as Python's float() does: 1e-400 is 0, 1e-310 a subnormal.
    @Test func underflowReadsAsTheNearestDouble() throws {
        let t = try Self.parse("a,b\n1e-400,1e-310\n-1e-400,4.9e-324\n").get()
        #expect(t.values[0] == 0 && t.values[2] == 0)
        #expect(t.values[1] > 0 && t.values[1] < Double.leastNormalMagnitude)
        #expect(t.values[3] == Double.leastNonzeroMagnitude)
    }

    /// /dev/null and a FIFO used to be "permission denied" (or to block); they are not regular files.
    @Test func devicesAndFIFOsAreNotRegularFiles() throws {
        let scratch = ScratchDirectory()
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        defer { scratch.cleanup() }
        let fifo = scratch.file("pipe.csv")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for url in [URL(fileURLWithPath: "/dev/null"), fifo] {
            let outcome = Result { () throws(CSVDataError) in try NumericTable.read(url) }
            guard case let .failure(error) = outcome else {
                Issue.record("\(url.path) was read")
                continue
            }
            #expect(error.problem == .notARegularFile, "\(url.path)")
            #expect(error.description.contains("not a regular file"))
        }
    }

    /// A test fraction that takes every row says so and names a fraction that works, instead of
    /// "asks for 1 rows … ask for 0 or fewer".
    @Test(arguments: [(0.99, 2), (0.9, 4), (1.0, 3)])
    func aTestFractionThatLeavesNoTrainingRowSaysWhatWouldWork(fraction: Double, rows: Int) throws {
        let text = "a,y\n" + (0..<rows).map { "\($0),\($0 * 2)\n" }.joined()
        let table = try Self.parse(text).get()
        let outcome = Result { () throws(CSVDataError) in
            try CSVDataset.make(train: table, test: nil, options: CSVDataOptions(testFraction: fraction))
        }
        guard case let .failure(error) = outcome else {
            Issue.record("--test-fraction \(fraction) on \(rows) rows loaded")
            return
        }
        #expect(error.problem == .noTrainingRows(testFraction: fraction, rows: rows))
        #expect(!error.message.contains("or fewer"))
        // The fraction the message proposes leaves a training row.
        let words = error.message.split(separator: " ")
        let proposed = try #require(words.firstIndex(of: "below").flatMap { Double(words[$0 + 1]) })
        let kept = table.rowCount - Int((proposed * 0.999 * Double(rows)).rounded())
        #expect(kept >= 1, "\(error.message)")
    }

    /// 1000 constant columns give one summarising warning, not 1000 lines.
    @Test func manyConstantColumnsGiveOneWarning() throws {
        let columns = 1000
        var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + ",y\n"
        for r in 0..<4 {
            text += (0..<columns).map { $0 == 0 ? "\(r)" : "1" }.joined(separator: ",") + ",\(r)\n"
        }
        let loaded = try CSVDataset.make(train: Self.parse(text).get(), test: nil, options: CSVDataOptions())
        let constant = loaded.warnings.filter { $0.message.contains("constant") }
        #expect(constant.count == 1)
        #expect(constant.first?.message.contains("999 of the 1000") == true)
        // A few constant columns are still named one by one.
        var few = "a,b,c,y\n"
        for r in 0..<4 { few += "\(r),1,2,\(r)\n" }
        let two = try CSVDataset.make(train: Self.parse(few).get(), test: nil, options: CSVDataOptions())
        #expect(two.warnings.filter { $0.message.contains("constant") }.count == 2)
    }
}
