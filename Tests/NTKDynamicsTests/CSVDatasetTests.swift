import Foundation
import Testing
@testable import NTKDynamics

/// Parses CSV text as the loader does.
func csvTable(_ text: String, header: CSVHeader = .auto, file: String = "t.csv") throws(CSVDataError) -> NumericTable {
    try NumericTable.parse(Data(text.utf8), file: file, header: header)
}

/// Runs `body`, which must throw a ``CSVDataError``, and returns that error (nil when it does not throw).
func csvError(_ body: () throws -> Void) -> CSVDataError? {
    do {
        try body()
        return nil
    } catch let error as CSVDataError {
        return error
    } catch {
        Issue.record("expected a CSVDataError, got \(error)")
        return nil
    }
}

/// The CSV loader (`--data`): exact values, column choice, header detection, split, standardization,
/// and a located error for every kind of bad file.
struct CSVDatasetTests {
    // MARK: Round trip

    /// Values written in Swift's shortest round-trip form load bit for bit, targets chosen by name and by index.
    @Test func roundTripLoadsExactValues() throws {
        var rng = RandomSource(seed: 42, stream: 9)
        let (rows, cols) = (37, 5)
        var values: [[Double]] = []
        for i in 0..<rows {
            values.append((0..<cols).map { j in
                switch (i + j) % 4 {
                case 0: return rng.normal()
                case 1: return rng.uniform(-1e6, 1e6)
                case 2: return rng.normal() * 1e-200
                default: return Double(Int(rng.uniform(-50, 50)))
                }
            })
        }
        let header = ["a", "b", "target one", "c", "t2"]
        let text = header.joined(separator: ",") + "\n" + values.map { $0.map { "\($0)" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-csv-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }

        let table = try NumericTable.read(url, file: "known.csv")
        #expect(table.header == header)
        #expect(table.rowCount == rows && table.columnCount == cols)
        #expect(table.lines == Array(2...(rows + 1)))
        for i in 0..<rows {
            for j in 0..<cols { #expect(table[i, j].bitPattern == values[i][j].bitPattern, "row \(i) column \(j)") }
        }

        let byName = try CSVDataset.load(url, file: "known.csv", options: CSVDataOptions(
            targetColumns: [.name("target one"), .name("t2")], standardize: false)).dataset
        let byIndex = try CSVDataset.load(url, file: "known.csv", options: CSVDataOptions(
            targetColumns: [.index(2), .index(-1)], standardize: false)).dataset
        #expect(byName.trainInputs == byIndex.trainInputs && byName.trainTargets == byIndex.trainTargets)
        #expect(byName.trainCount == rows && byName.testCount == 0)
        #expect(byName.inputDim == 3 && byName.outputs == 2)
        for i in 0..<rows {
            #expect(byName.trainInputs.row(i) == [values[i][0], values[i][1], values[i][3]])
            #expect(byName.trainTargets.row(i) == [values[i][2], values[i][4]])
        }
        #expect(byName.source?.inputColumns == ["a", "b", "c"])
        #expect(byName.source?.targetColumns == ["target one", "t2"])

        // Default: the last column is the target.
        let last = try CSVDataset.load(url, options: CSVDataOptions(standardize: false)).dataset
        #expect(last.outputs == 1 && last.trainTargets.column(0) == values.map { $0[4] })
    }

    @Test func headerIsDetectedOnlyWhenNoCellIsANumber() throws {
        #expect(try csvTable("x1,x2,y\n1,2,3\n").header == ["x1", "x2", "y"])
        #expect(try csvTable(" x1 ,\"x,2\",y\n1,2,3\n").header == ["x1", "x,2", "y"])
        let numeric = try csvTable("1,2,3\n4,5,6\n")
        #expect(numeric.header == nil && numeric.rowCount == 2 && numeric.lines == [1, 2])
        #expect(numeric.name(ofColumn: 1) == "column 1")
        // A leading blank line and a byte-order mark are skipped; the header is the first non-blank row.
        var bom = Data([0xEF, 0xBB, 0xBF])
        bom.append(Data("\nx,y\n1,2\n".utf8))
        let t = try NumericTable.parse(bom, file: "bom.csv")
        #expect(t.header == ["x", "y"] && t.headerLine == 2 && t.lines == [3])
        // Forced: a numeric first row as header, and no header.
        let forced = try csvTable("1,2,3\n4,5,6\n", header: .present)
        #expect(forced.header == ["1", "2", "3"] && forced.rowCount == 1)
        // A header name written as an integer wins over the index: "1" is the name of column 0.
        let d = try CSVDataset.make(train: forced, test: nil, options: CSVDataOptions(targetColumns: [.index(1)], standardize: false))
        #expect(d.dataset.trainTargets.data == [4])
        let byIndex = try CSVDataset.make(train: forced, test: nil, options: CSVDataOptions(targetColumns: [.index(-1)], standardize: false))
        #expect(byIndex.dataset.trainTargets.data == [6])
        // Without a header, names are `column j` and a name is an error.
        let noHeader = try csvTable("1,2,3\n4,5,6\n", header: .absent)
        #expect(noHeader.header == nil && noHeader.rowCount == 2)
        let e = csvError { _ = try CSVDataset.make(train: noHeader, test: nil, options: CSVDataOptions(targetColumns: [.name("y")])) }
        #expect(e?.problem == .unknownColumn(name: "y", available: ["column 0", "column 1", "column 2"]))
    }

    @Test func columnListsParseNamesAndIndices() {
        #expect(CSVColumn.list("y") == [.name("y")])
        #expect(CSVColumn.list("3, -1,label") == [.index(3), .index(-1), .name("label")])
        #expect(CSVColumn.list("") == nil && CSVColumn.list("a,,b") == nil && CSVColumn.list(",") == nil)
    }

    @Test func lineNumbersFollowTheFileWithCRLFBlankLinesAndQuotedNewlines() throws {
        let t = try csvTable("\"x\r\n1\",y\r\n1,2\r\n\r\n3,4\r5,6\n\"7\",\"8\"")
        #expect(t.header == ["x\r\n1", "y"])
        #expect(t.lines == [3, 5, 6, 7])
        #expect(t.values == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    // MARK: Split, caps, standardization

    @Test func testFractionSplitIsDeterministicDisjointAndComplete() throws {
        let n = 50
        let text = "x,y\n" + (0..<n).map { "\($0),\($0 * 2)" }.joined(separator: "\n")
        let table = try csvTable(text)
        func split(_ seed: UInt64) throws -> Dataset {
            try CSVDataset.make(train: table, test: nil,
                                options: CSVDataOptions(testFraction: 0.3, standardize: false, seed: seed)).dataset
        }
        let a = try split(7), b = try split(7), c = try split(8)
        #expect(a.trainInputs == b.trainInputs && a.testInputs == b.testInputs)
        #expect(a.testCount == 15 && a.trainCount == 35)
        let trainIDs = a.trainInputs.column(0), testIDs = a.testInputs.column(0)
        #expect(Set(trainIDs).isDisjoint(with: testIDs))
        #expect(Set(trainIDs).union(testIDs) == Set((0..<n).map(Double.init)))
        #expect(trainIDs == trainIDs.sorted() && testIDs == testIDs.sorted(), "each split keeps file order")
        #expect(c.testInputs != a.testInputs, "another seed draws another split")
        #expect(a.trainTargets.column(0) == trainIDs.map { $0 * 2 })

        // --samples keeps a seeded subset of the training split.
        let capped = try CSVDataset.make(train: table, test: nil,
                                         options: CSVDataOptions(testFraction: 0.3, samples: 10, testSamples: 4, standardize: false, seed: 7)).dataset
        #expect(capped.trainCount == 10 && capped.testCount == 4)
        #expect(Set(capped.trainInputs.column(0)).isSubset(of: Set(trainIDs)))
        #expect(Set(capped.testInputs.column(0)).isSubset(of: Set(testIDs)))
    }

    @Test func standardizationUsesTheTrainingSplitOnly() throws {
        let train = try csvTable("a,b,c,y\n1,10,5,0\n2,10,7,1\n3,10,9,0\n6,10,11,1\n")
        let test = try csvTable("a,b,c,y\n0,20,5,1\n")
        let loaded = try CSVDataset.make(train: train, test: test, options: CSVDataOptions())
        let d = loaded.dataset
        let s = try #require(d.source?.standardization)
        #expect(s.mean == [3, 10, 8])
        #expect(abs(s.std[0] - (3.5).squareRoot()) < 1e-15 && s.std[1] == 0 && abs(s.std[2] - 5.0.squareRoot()) < 1e-15)
        #expect(s.constantColumns == [1])
        // Standardized training columns have mean 0 and std 1 (the constant one is only centered).
        for j in [0, 2] {
            let col = d.trainInputs.column(j)
            let mean = col.reduce(0, +) / 4
            let variance = col.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-15 && abs(variance - 1) < 1e-14)
        }
        #expect(d.trainInputs.column(1) == [0, 0, 0, 0])
        // The test row uses the training statistics.
        #expect(abs(d.testInputs[0, 0] - (0 - 3) / (3.5).squareRoot()) < 1e-15)
        #expect(d.testInputs[0, 1] == 10)
        #expect(abs(d.testInputs[0, 2] - (5 - 8) / 5.0.squareRoot()) < 1e-15)
        #expect(d.testTargets.data == [1], "targets are never standardized")
        #expect(loaded.warnings.contains { $0.message.contains("constant") && $0.column == 2 })
        // Off: values as in the file.
        let raw = try CSVDataset.make(train: train, test: test, options: CSVDataOptions(standardize: false)).dataset
        #expect(raw.trainInputs.column(0) == [1, 2, 3, 6] && raw.source?.standardization == nil)
    }

    @Test func duplicateTrainingPointsWarnWithTheirLines() throws {
        let t = try csvTable("x1,x2,y\n1,2,0\n3,4,1\n1,2,0\n5,6,1\n3,4,0\n")
        let loaded = try CSVDataset.make(train: t, test: nil, options: CSVDataOptions(standardize: false))
        let lineWarnings = loaded.warnings.filter { $0.line != nil }
        #expect(lineWarnings.map(\.line) == [4, 6])
        #expect(lineWarnings[0].message.contains("line 2") && !lineWarnings[0].message.contains("different target"))
        #expect(lineWarnings[1].message.contains("line 3") && lineWarnings[1].message.contains("different target"))
        #expect(loaded.warnings.contains { $0.line == nil && $0.message.contains("singular") && $0.message.contains("clipped") })
        #expect(loaded.dataset.duplicateTrainingInputs().map { [$0.first, $0.repeat] } == [[0, 2], [1, 4]])
    }

    // MARK: Errors: each names the file, the line and (where there is one) the column

    struct BadText: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var header: CSVHeader = .auto
        var problem: CSVDataError.Problem
        var line: Int
        var column: Int?
        var testDescription: String { name }

        init(_ name: String, _ text: String, header: CSVHeader = .auto, _ problem: CSVDataError.Problem, line: Int, column: Int?) {
            self.init(name, Array(text.utf8), header: header, problem, line: line, column: column)
        }

        init(_ name: String, _ bytes: [UInt8], header: CSVHeader = .auto, _ problem: CSVDataError.Problem, line: Int, column: Int?) {
            self.name = name
            self.bytes = bytes
            self.header = header
            self.problem = problem
            self.line = line
            self.column = column
        }
    }

    static let badTexts: [BadText] = [
        BadText("short row", "a,b,y\n1,2,3\n4,5\n", .raggedRow(cells: 2, expected: 3, firstLine: 1), line: 3, column: 3),
        BadText("long row", "a,b,y\n1,2,3\n4,5,6,7\n", .raggedRow(cells: 4, expected: 3, firstLine: 1), line: 3, column: 4),
        BadText("ragged without header", "1,2\n3\n", .raggedRow(cells: 1, expected: 2, firstLine: 1), line: 2, column: 2),
        BadText("non-numeric", "a,b,y\n1,2,3\n4,x,6\n", .nonNumeric(cell: "x", firstRow: false), line: 3, column: 2),
        BadText("non-numeric in a forced first data row", "a,b,y\n1,2,3\n", header: .absent,
                .nonNumeric(cell: "a", firstRow: true), line: 1, column: 1),
        BadText("missing value", "a,b,y\n1, ,3\n", .missingValue, line: 2, column: 2),
        BadText("NaN", "a,b,y\n1,NaN,3\n", .nonFinite(cell: "NaN"), line: 2, column: 2),
        BadText("infinity", "a,b,y\n1,2,-inf\n", .nonFinite(cell: "-inf"), line: 2, column: 3),
        BadText("overflow", "a,b,y\n1,2,1e999\n", .nonFinite(cell: "1e999"), line: 2, column: 3),
        BadText("empty file", "", .empty, line: 1, column: 1),
        BadText("blank lines only", "\n \n\r\n", .empty, line: 1, column: 1),
        BadText("header only", "a,b,y\n", .noDataRows, line: 2, column: 1),
        BadText("not UTF-8", [UInt8]("a,b,y\n1,2,3\n4,".utf8) + [0xFF, 0xFE] + [UInt8](",6\n".utf8), .notUTF8, line: 3, column: 2),
        BadText("CRLF lines", "a,b,y\r\n1,2,3\r\n4,x,6\r\n", .nonNumeric(cell: "x", firstRow: false), line: 3, column: 2),
        BadText("quoted newline in header", "\"a\nb\",c,y\n1,2,3\n4,5,x\n", .nonNumeric(cell: "x", firstRow: false), line: 4, column: 3),
        BadText("blank line before the bad row", "a,b,y\n1,2,3\n\n4,x,6\n", .nonNumeric(cell: "x", firstRow: false), line: 4, column: 2),
        BadText("unclosed quote", "a,b,y\n1,\"2,3\n4,5,6\n", .raggedRow(cells: 2, expected: 3, firstLine: 1), line: 2, column: 3),
    ]

    @Test(arguments: badTexts)
    func badTextIsALocatedError(_ bad: BadText) {
        let error = csvError { _ = try NumericTable.parse(Data(bad.bytes), file: "bad.csv", header: bad.header) }
        guard let error else {
            Issue.record("\(bad.name) parsed without error")
            return
        }
        #expect(error.problem == bad.problem)
        #expect(error.file == "bad.csv" && error.line == bad.line && error.column == bad.column)
        let text = error.description
        #expect(text.hasPrefix("bad.csv, line \(bad.line)"), "\(text)")
        if let column = bad.column { #expect(text.contains("column \(column)"), "\(text)") }
    }

    @Test func headerNameIsShownBesideTheColumn() {
        let error = csvError { _ = try csvTable("x1,x2,y\n1,oops,3\n") }
        #expect(error?.description.hasPrefix("t.csv, line 2, column 2 (\"x2\"): 'oops' is not a number") == true)
    }

    struct BadChoice: CustomTestStringConvertible, Sendable {
        var name: String
        var train: String
        var test: String?
        var options: CSVDataOptions
        var problem: CSVDataError.Problem
        var file: String
        var line: Int
        var column: Int?
        var testDescription: String { name }
    }

    static let badChoices: [BadChoice] = [
        BadChoice(name: "unknown target name", train: "a,b,y\n1,2,3\n", options: CSVDataOptions(targetColumns: [.name("z")]),
                  problem: .unknownColumn(name: "z", available: ["a", "b", "y"]), file: "train.csv", line: 1),
        BadChoice(name: "index out of range", train: "a,b,y\n1,2,3\n", options: CSVDataOptions(targetColumns: [.index(3)]),
                  problem: .columnIndexOutOfRange(index: 3, columns: 3), file: "train.csv", line: 1),
        BadChoice(name: "negative index out of range", train: "1,2,3\n", options: CSVDataOptions(targetColumns: [.index(-4)]),
                  problem: .columnIndexOutOfRange(index: -4, columns: 3), file: "train.csv", line: 1),
        BadChoice(name: "ambiguous name", train: "y,b,y\n1,2,3\n", options: CSVDataOptions(targetColumns: [.name("y")]),
                  problem: .ambiguousColumn(name: "y", columns: [0, 2]), file: "train.csv", line: 1),
        BadChoice(name: "target listed twice", train: "a,b,y\n1,2,3\n", options: CSVDataOptions(targetColumns: [.name("y"), .index(-1)]),
                  problem: .repeatedTargetColumn(column: "2 (\"y\")"), file: "train.csv", line: 1, column: 3),
        BadChoice(name: "no input column", train: "a,y\n1,2\n", options: CSVDataOptions(targetColumns: [.index(0), .index(1)]),
                  problem: .noInputColumns(columns: 2), file: "train.csv", line: 1),
        BadChoice(name: "single column", train: "y\n1\n2\n", options: CSVDataOptions(),
                  problem: .noInputColumns(columns: 1), file: "train.csv", line: 1),
        BadChoice(name: "test header differs", train: "a,b,y\n1,2,3\n", test: "a,c,y\n1,2,3\n", options: CSVDataOptions(),
                  problem: .headerMismatch(found: "c", expected: "b", trainFile: "train.csv"), file: "test.csv", line: 1, column: 2),
        BadChoice(name: "only the test file has a header", train: "1,2,3\n", test: "a,b,y\n1,2,3\n", options: CSVDataOptions(),
                  problem: .headerPresence(testHasHeader: true, trainFile: "train.csv"), file: "test.csv", line: 1, column: 1),
        BadChoice(name: "only the training file has a header", train: "a,b,y\n1,2,3\n", test: "1,2,3\n", options: CSVDataOptions(),
                  problem: .headerPresence(testHasHeader: false, trainFile: "train.csv"), file: "test.csv", line: 1, column: 1),
        BadChoice(name: "test file has other columns", train: "1,2,3\n", test: "\n1,2\n", options: CSVDataOptions(),
                  problem: .columnCountMismatch(found: 2, expected: 3, trainFile: "train.csv"), file: "test.csv", line: 2, column: 3),
        BadChoice(name: "more samples than rows", train: "a,y\n1,2\n3,4\n5,6\n", options: CSVDataOptions(samples: 4),
                  problem: .tooFewRows(available: 3, requested: 4, what: "--samples 4"), file: "train.csv", line: 4),
        BadChoice(name: "more samples than the training split", train: "a,y\n1,2\n3,4\n5,6\n7,8\n",
                  options: CSVDataOptions(testFraction: 0.5, samples: 3),
                  problem: .tooFewRows(available: 2, requested: 3, what: "--samples 3 (training rows after the test split)"),
                  file: "train.csv", line: 5),
        BadChoice(name: "more test samples than test rows", train: "a,y\n1,2\n", test: "a,y\n1,2\n3,4\n",
                  options: CSVDataOptions(testSamples: 3),
                  problem: .tooFewRows(available: 2, requested: 3, what: "--test-samples 3"), file: "test.csv", line: 3),
        BadChoice(name: "test fraction leaves no training row", train: "a,y\n1,2\n", options: CSVDataOptions(testFraction: 0.6),
                  problem: .noTrainingRows(testFraction: 0.6, rows: 1),
                  file: "train.csv", line: 2),
    ]

    @Test(arguments: badChoices)
    func badChoiceIsALocatedError(_ bad: BadChoice) throws {
        let train = try csvTable(bad.train, file: "train.csv")
        let test = try bad.test.map { t throws(CSVDataError) in try csvTable(t, file: "test.csv") }
        let error = csvError { _ = try CSVDataset.make(train: train, test: test, options: bad.options) }
        guard let error else {
            Issue.record("\(bad.name) loaded without error")
            return
        }
        #expect(error.problem == bad.problem)
        #expect(error.file == bad.file && error.line == bad.line && error.column == bad.column)
        let prefix = "\(bad.file), line \(bad.line)"
        #expect(error.description.hasPrefix(prefix), "\(error.description)")
    }

    @Test func missingFileAndDirectoryAreNamed() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/d.csv")
        let e1 = csvError { _ = try NumericTable.read(missing, file: "d.csv") }
        #expect(e1?.problem == .fileNotFound && e1?.description.hasPrefix("d.csv: no such file") == true)
        let e2 = csvError { _ = try NumericTable.read(FileManager.default.temporaryDirectory, file: "tmp") }
        #expect(e2?.problem == .notAFile && e2?.description.hasPrefix("tmp: ") == true)
    }
}
