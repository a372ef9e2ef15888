import CSV
import Foundation

// Loading user data from CSV files (`--data`, `--test-data`).
//
// Parsing is done by yaslab/CSV.swift (RFC 4180 quoting; rows end at LF, CR or CR LF). Measured on
// the project's machine kind (release build, numbers parsed and converted): 10⁵ rows × 10 columns of
// full-precision doubles (19 MB) in 0.6–0.7 s, 10⁵ rows × 65 small integers (28 MB) in 0.6–1.3 s,
// 10⁵ × 65 full-precision doubles (122 MB) in 3.8–4.4 s; SwiftCSV 0.10.0 took about twice as long.
// A run keeps at most 16384 kernel rows, so its training is far longer than any such load.
//
// Every problem is a `CSVDataError` naming the file, the line (1-based, counted in the file as a text
// editor does) and the column (1-based cell number in the row), and nothing is printed here.

/// Whether the first row of a CSV file names the columns.
public enum CSVHeader: String, Codable, CaseIterable, Sendable {
    /// A header when no cell of the first non-blank row is a number, data otherwise.
    case auto
    /// The first non-blank row is a header (`--header`).
    case present
    /// Every row is data (`--no-header`); columns are called `column 0`, `column 1`, … (0-based).
    case absent
}

/// A column chosen by its header name or its 0-based index (negative: from the end, −1 = last).
public enum CSVColumn: Equatable, Hashable, Sendable, CustomStringConvertible {
    case name(String)
    case index(Int)

    /// An integer is an index, anything else a name (a header name that is an integer wins over the index).
    public init(_ token: String) {
        let t = token.trimmingCharacters(in: .whitespaces)
        if let i = Int(t) { self = .index(i) } else { self = .name(t) }
    }

    /// A comma-separated list such as `y1,y2` or `3,-1`; nil when it is empty or has an empty entry.
    public static func list(_ text: String) -> [CSVColumn]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        return parts.map(CSVColumn.init)
    }

    public var description: String {
        switch self {
        case let .name(n): return "'\(n)'"
        case let .index(i): return String(i)
        }
    }
}

/// A problem with a CSV data file: where it is and what it is.
public struct CSVDataError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case fileNotFound
        case notAFile
        /// A device, a FIFO or a socket: not a file that can be read as a table (/dev/null, a pipe).
        case notARegularFile
        case unreadable(reason: String)
        case empty
        case notUTF8
        case noDataRows
        /// The row has `cells` cells where the first row (line `firstLine`) has `expected`.
        case raggedRow(cells: Int, expected: Int, firstLine: Int)
        case missingValue
        /// `firstRow`: the first row of the file, which might be an undetected header.
        case nonNumeric(cell: String, firstRow: Bool)
        /// NaN, ±infinity, or a number beyond the range of a double.
        case nonFinite(cell: String)
        /// A NUL byte inside the cell (C's strtod would stop there and read a shorter number).
        case nulByte(cell: String)
        /// A hexadecimal number such as `0x1p3` (Docs/RealData.md: read as Python's float() would, which refuses it).
        case hexadecimal(cell: String)
        /// `--test-fraction` puts every one of `rows` rows in the test set.
        case noTrainingRows(testFraction: Double, rows: Int)
        /// The test file names this column `found` where the training file has `expected`.
        case headerMismatch(found: String, expected: String, trainFile: String)
        /// One file has a header row and the other does not.
        case headerPresence(testHasHeader: Bool, trainFile: String)
        case columnCountMismatch(found: Int, expected: Int, trainFile: String)
        case unknownColumn(name: String, available: [String])
        case columnIndexOutOfRange(index: Int, columns: Int)
        case ambiguousColumn(name: String, columns: [Int])
        case repeatedTargetColumn(column: String)
        /// Every column is a target: nothing is left as input.
        case noInputColumns(columns: Int)
        /// `requested` rows were asked for (`what`) but only `available` exist.
        case tooFewRows(available: Int, requested: Int, what: String)
        /// A row's class label is not an integer or is not among the known classes.
        case invalidLabel(cell: String, reason: String)
    }

    public var problem: Problem
    /// The file as the user named it.
    public var file: String
    /// 1-based line in the file, when the problem has a place.
    public var line: Int?
    /// 1-based cell number in the row, when the problem concerns one cell or column.
    public var column: Int?
    /// The column's header name, when the file has one.
    public var columnName: String?

    public init(_ problem: Problem, file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil) {
        self.problem = problem
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
    }

    /// `FILE, line L, column C ("name")`, as much of it as is known.
    public var location: String { DataWarning.place(file: file, line: line, column: column, columnName: columnName) }

    public var description: String { "\(location): \(message)" }

    /// What is wrong and what to do, without the location.
    public var message: String {
        switch problem {
        case .fileNotFound:
            return "no such file; give the path of a CSV file of numbers"
        case .notAFile:
            return "this is a directory, not a file; give the path of a CSV file"
        case .notARegularFile:
            return "this is not a regular file (a device, a FIFO or a socket); give the path of a CSV file saved on disk"
        case let .unreadable(reason):
            return "the file cannot be read (\(reason))"
        case .empty:
            return "the file is empty (or holds only blank lines); it needs a row per sample, inputs and target columns separated by commas"
        case .notUTF8:
            return "the file is not UTF-8 text (invalid byte sequence here); save it as UTF-8 or ASCII CSV"
        case .noDataRows:
            return "the file has a header row but no data rows"
        case let .raggedRow(cells, expected, firstLine):
            return """
                this row has \(cells) cell\(cells == 1 ? "" : "s"), but line \(firstLine) has \(expected); every row needs the same \
                number of comma-separated cells
                """
        case .missingValue:
            return "empty cell (missing value); every cell must hold a number"
        case let .nonNumeric(cell, firstRow):
            let quote = cell.contains("\"") || cell.contains("\n") || cell.contains("\r") ? " (an unclosed quote?)" : ""
            let header = firstRow ? " (a first row is taken as a header only when none of its cells is a number: pass --header if it is one)" : ""
            return "'\(Self.shown(cell))' is not a number\(quote); every cell must hold a number\(header)"
        case let .nulByte(cell):
            return "'\(Self.shown(cell))' holds a NUL byte (\\u{0}), which would cut the number short; remove it (a binary file, or a broken export?)"
        case let .hexadecimal(cell):
            return "'\(Self.shown(cell))' is a hexadecimal number; write it in decimal (Python's float(), NumPy and pandas refuse it too)"
        case let .noTrainingRows(testFraction, rows):
            let most = rows > 1 ? """
                a fraction below \(String(format: "%.4g", (Double(rows) - 0.5) / Double(rows))) leaves at least one training row
                """ : "a file of 1 row cannot be split"
            return """
                --test-fraction \(testFraction) puts all \(rows) row\(rows == 1 ? "" : "s") in the test set and leaves none to train \
                on; \(most), or give the test rows in --test-data
                """
        case let .nonFinite(cell):
            return "'\(Self.shown(cell))' is not a finite number; NaN and infinite values cannot be trained on — remove or impute them"
        case let .headerMismatch(found, expected, trainFile):
            return "the test file names this column '\(found)', but \(trainFile) names it '\(expected)'; both files need the same columns in the same order"
        case let .headerPresence(testHasHeader, trainFile):
            return testHasHeader
                ? "the test file starts with a header row, but \(trainFile) has none; give both files a header or neither (or pass --header/--no-header)"
                : "the test file has no header row, but \(trainFile) has one; give both files a header or neither (or pass --header/--no-header)"
        case let .columnCountMismatch(found, expected, trainFile):
            return "the test file has \(found) columns, but \(trainFile) has \(expected); both files need the same columns"
        case let .unknownColumn(name, available):
            let list = available.count <= 12 ? available.joined(separator: ", ")
                : available.prefix(12).joined(separator: ", ") + ", … (\(available.count) columns)"
            return "--target-columns names '\(name)', which is not a column of the header (\(list)); give a header name or a 0-based index"
        case let .columnIndexOutOfRange(index, columns):
            return "--target-columns index \(index) is out of range: the file has \(columns) columns (indices 0 to \(columns - 1), or −1 for the last)"
        case let .ambiguousColumn(name, columns):
            return """
                --target-columns names '\(name)', which the header has \(columns.count) times (columns \
                \(columns.map { String($0 + 1) }.joined(separator: ", "))); use 0-based indices instead
                """
        case let .repeatedTargetColumn(column):
            return "--target-columns lists column \(column) twice"
        case let .noInputColumns(columns):
            return """
                all \(columns) column\(columns == 1 ? " is a target" : "s are targets"), so no input is left; a file needs at least \
                one input column and one target column
                """
        case let .tooFewRows(available, requested, what):
            if available == 0 { return "\(what) asks for \(requested) rows, but none are available" }
            return "\(what) asks for \(requested) rows, but only \(available) \(available == 1 ? "is" : "are") available; ask for \(available) or fewer"
        case let .invalidLabel(cell, reason):
            return "class label '\(Self.shown(cell))' \(reason)"
        }
    }

    /// A cell as shown in a message: at most 40 characters, control characters escaped.
    static func shown(_ cell: String) -> String {
        let escaped = cell.unicodeScalars.map { s -> String in
            s.value < 0x20 || s.value == 0x7F ? "\\u{\(String(s.value, radix: 16))}" : String(s)
        }.joined()
        return escaped.count > 40 ? String(escaped.prefix(40)) + "…" : escaped
    }
}

/// A CSV file of numbers, checked cell by cell: every data row has the same number of cells and every
/// cell is a finite number.
public struct NumericTable: Sendable, Equatable {
    /// The file as the user named it.
    public var file: String
    /// The header's names, when the file has a header row.
    public var header: [String]?
    /// The line of the header row.
    public var headerLine: Int?
    public var columnCount: Int
    /// Row-major values, `rowCount × columnCount`.
    public var values: [Double]
    /// The 1-based line of each data row.
    public var lines: [Int]

    public var rowCount: Int { lines.count }

    /// The name of 0-based column `j`: its header name, or `column j`.
    public func name(ofColumn j: Int) -> String { header?[j] ?? "column \(j)" }

    public subscript(row: Int, column: Int) -> Double { values[row * columnCount + column] }

    /// Reads and checks a CSV file.
    /// - Parameter file: the name used in messages (default: the path).
    public static func read(_ url: URL, file: String? = nil, header: CSVHeader = .auto) throws(CSVDataError) -> NumericTable {
        let name = file ?? url.path
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CSVDataError(.fileNotFound, file: name)
        }
        guard !isDirectory.boolValue else { throw CSVDataError(.notAFile, file: name) }
        // Reading /dev/null or a FIFO fails with a misleading "permission" error, or blocks: say what it is.
        var info = stat()
        if stat(url.path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw CSVDataError(.notARegularFile, file: name)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = fm.isReadableFile(atPath: url.path) ? error.localizedDescription : "permission denied"
            throw CSVDataError(.unreadable(reason: reason), file: name)
        }
        return try parse(data, file: name, header: header)
    }

    /// Parses and checks CSV text.
    public static func parse(_ data: Data, file: String, header: CSVHeader = .auto) throws(CSVDataError) -> NumericTable {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }  // UTF-8 byte order mark
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let (line, column) = Self.firstInvalidUTF8(bytes)
            throw CSVDataError(.notUTF8, file: file, line: line, column: column)
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false)
        } catch {
            throw CSVDataError(.unreadable(reason: "\(error)"), file: file)
        }

        var table = NumericTable(file: file, header: nil, headerLine: nil, columnCount: 0, values: [], lines: [])
        var firstLine: Int?
        var line = 1
        while let row = reader.next() {
            let rowLine = line
            line += 1 + Self.lineBreaks(in: row)
            if row.count == 1 && Self.trimmed(row[0]).isEmpty { continue }  // blank line
            if firstLine == nil {
                firstLine = rowLine
                table.columnCount = row.count
                let isHeader: Bool
                switch header {
                case .present: isHeader = true
                case .absent: isHeader = false
                case .auto: isHeader = !row.contains { Double(Self.trimmed($0)) != nil }
                }
                if isHeader {
                    table.header = row.map { String(Self.trimmed($0)) }
                    table.headerLine = rowLine
                    continue
                }
            }
            guard row.count == table.columnCount else {
                let column = min(row.count, table.columnCount) + 1
                throw CSVDataError(.raggedRow(cells: row.count, expected: table.columnCount, firstLine: firstLine!),
                                   file: file, line: rowLine, column: column,
                                   columnName: column <= table.columnCount ? table.header?[column - 1] : nil)
            }
            for (j, cell) in row.enumerated() {
                let t = Self.trimmed(cell)
                if let v = Double(t), v.isFinite, !Self.isHexadecimal(t), !t.utf8.contains(0) {
                    table.values.append(v)
                    continue
                }
                let problem: CSVDataError.Problem
                if t.utf8.contains(0) {
                    problem = .nulByte(cell: String(t))
                } else if Self.isHexadecimal(t) {
                    problem = .hexadecimal(cell: String(t))
                } else if t.isEmpty {
                    problem = .missingValue
                } else if Double(t) != nil {
                    problem = .nonFinite(cell: String(t))
                } else {
                    problem = .nonNumeric(cell: String(t), firstRow: rowLine == firstLine)
                }
                throw CSVDataError(problem, file: file, line: rowLine, column: j + 1, columnName: table.header?[j])
            }
            table.lines.append(rowLine)
        }
        if let error = reader.error {
            throw CSVDataError(.unreadable(reason: "\(error)"), file: file)
        }
        guard firstLine != nil else { throw CSVDataError(.empty, file: file, line: 1, column: 1) }
        if table.lines.isEmpty {
            throw CSVDataError(.noDataRows, file: file, line: line, column: 1)
        }
        return table
    }

    /// Whether a cell is written in hexadecimal (`0x1p3`, `-0X1A`), which Swift's Double() accepts and
    /// Python's float() does not (Docs/RealData.md, "Numbers").
    static func isHexadecimal(_ t: Substring) -> Bool {
        var u = t.utf8[...]
        if let c = u.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { u = u.dropFirst() }
        return u.count >= 2 && u.first == UInt8(ascii: "0") && (u.dropFirst().first.map { $0 | 0x20 } == UInt8(ascii: "x"))
    }

    /// A cell without surrounding spaces and tabs.
    static func trimmed(_ cell: String) -> Substring {
        let utf8 = cell.utf8
        guard let first = utf8.first, let last = utf8.last else { return cell[...] }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return cell[...] }
        var s = cell[...]
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }

    /// Line breaks inside the (quoted) cells of a row: LF, CR LF and a lone CR each count once.
    static func lineBreaks(in row: [String]) -> Int {
        var n = 0
        for cell in row {
            var previousCR = false
            for b in cell.utf8 {
                if b == 0x0A {
                    if !previousCR { n += 1 }
                    previousCR = false
                } else if b == 0x0D {
                    n += 1
                    previousCR = true
                } else {
                    previousCR = false
                }
            }
        }
        return n
    }

    /// Line and cell (counted by commas) of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(_ bytes: Data) -> (line: Int, column: Int) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        scan: while true {
            switch parser.parseScalar(from: &iterator) {
            case let .valid(scalar): offset += scalar.count
            case .error: break scan
            case .emptyInput: break scan
            }
        }
        var line = 1, column = 1
        var previousCR = false
        for b in bytes.prefix(offset) {
            switch b {
            case 0x0A:
                if !previousCR { line += 1 }
                column = 1
            case 0x0D:
                line += 1
                column = 1
            case 0x2C:
                column += 1
            default: break
            }
            previousCR = b == 0x0D
        }
        return (line, column)
    }
}

/// How `--data` files become a ``Dataset``.
public struct CSVDataOptions: Equatable, Sendable {
    /// Target columns; nil takes the last column.
    public var targetColumns: [CSVColumn]?
    public var header: CSVHeader
    /// Fraction of the training file's rows held out as the test set when there is no test file (0 for none).
    public var testFraction: Double
    /// At most this many training rows, drawn by `seed` (nil: all). More than there are is an error.
    public var samples: Int?
    /// At most this many test rows, drawn by `seed` (nil: all). More than there are is an error.
    public var testSamples: Int?
    /// Standardize the inputs with the training split's mean and std.
    public var standardize: Bool
    public var seed: UInt64

    public init(targetColumns: [CSVColumn]? = nil, header: CSVHeader = .auto, testFraction: Double = 0,
                samples: Int? = nil, testSamples: Int? = nil, standardize: Bool = true, seed: UInt64 = 0) {
        self.targetColumns = targetColumns
        self.header = header
        self.testFraction = testFraction
        self.samples = samples
        self.testSamples = testSamples
        self.standardize = standardize
        self.seed = seed
    }
}

/// User data from CSV files: one row per sample, the target columns (default: the last) and the inputs
/// (every other column).
///
/// Rows are chosen deterministically from `seed`: with `testFraction` a random permutation of the training
/// file's rows (stream 5) puts the first round(F·n) in the test set; `samples`/`testSamples` then keep the
/// first that many of each split in permuted order (a test file is permuted by stream 6). Each split keeps
/// file order. Inputs are standardized with the training split's statistics.
public enum CSVDataset {
    /// Reads `file` (and `testFile`) and builds the dataset.
    /// - Parameters:
    ///   - file, testFile: names used in messages and in config.json (default: the paths).
    public static func load(_ url: URL, file: String? = nil, testURL: URL? = nil, testFile: String? = nil,
                            options: CSVDataOptions) throws(CSVDataError) -> LoadedDataset {
        let train = try NumericTable.read(url, file: file, header: options.header)
        let test = try testURL.map { u throws(CSVDataError) in try NumericTable.read(u, file: testFile, header: options.header) }
        return try make(train: train, test: test, options: options)
    }

    /// The dataset from parsed tables (a test table replaces the split by `testFraction`).
    public static func make(train: NumericTable, test: NumericTable?, options: CSVDataOptions) throws(CSVDataError) -> LoadedDataset {
        let targets = try resolveTargets(options.targetColumns, in: train)
        let inputs = (0..<train.columnCount).filter { !targets.contains($0) }
        guard !inputs.isEmpty else {
            throw CSVDataError(.noInputColumns(columns: train.columnCount), file: train.file,
                               line: train.headerLine ?? train.lines.first, column: nil)
        }
        if let test { try checkCompatible(test, with: train) }

        var rows = try splitRows(train: train, test: test, options: options)
        let trainAvailable = rows.train.count, testAvailable = rows.test.count
        try keepRequestedSamples(&rows, train: train, test: test, options: options)
        let testTable = test ?? train
        var xTrain = matrix(train, rows.train, inputs), xTest = matrix(testTable, rows.test, inputs)
        let yTrain = matrix(train, rows.train, targets), yTest = matrix(testTable, rows.test, targets)

        var warnings = duplicateWarnings(xTrain, yTrain, lines: rows.train.map { train.lines[$0] }, file: train.file)
        var standardization: Standardization?
        if options.standardize {
            let s = Standardization.fitAndApply(train: &xTrain, test: &xTest)
            standardization = s
            warnings += constantColumnWarnings(s, inputs: inputs, train: train)
        }
        var dataset = Dataset(name: "csv", trainInputs: xTrain, trainTargets: yTrain, testInputs: xTest, testTargets: yTest)
        dataset.source = DataSource(
            name: "csv", file: train.file, testFile: test?.file, header: train.header != nil, headerMode: options.header,
            inputColumns: inputs.map(train.name(ofColumn:)), targetColumns: targets.map(train.name(ofColumn:)),
            rowsAvailable: train.rowCount, testRowsAvailable: test?.rowCount,
            testFraction: test == nil ? options.testFraction : nil,
            selection: rows.selection + (options.samples != nil || options.testSamples != nil
                ? " (of \(trainAvailable) training and \(testAvailable) test rows)" : ""),
            inputScaling: options.standardize
                ? "standardized: (x − mean)/std per input column with the training split's mean and population std (std 0: centered only)"
                : "none (values as in the file)",
            standardization: standardization)
        return LoadedDataset(dataset: dataset, warnings: warnings)
    }

    /// The rows of each split (indices into the tables) in permuted order, and the selection in words.
    typealias SplitRows = (train: [Int], test: [Int], selection: String)

    /// The training and test rows before `samples`/`testSamples`: a test table's rows, or the split of the
    /// training table by `testFraction`.
    static func splitRows(train: NumericTable, test: NumericTable?, options: CSVDataOptions) throws(CSVDataError) -> SplitRows {
        if let test {
            return (permutation(train.rowCount, seed: options.seed, stream: .trainRows),
                    permutation(test.rowCount, seed: options.seed, stream: .testRows),
                    "training rows from \(train.file), test rows from \(test.file)")
        }
        let order = permutation(train.rowCount, seed: options.seed, stream: .trainRows)
        let testCount = Int((options.testFraction * Double(train.rowCount)).rounded())
        let testRows = Array(order.prefix(testCount))
        let trainRows = Array(order.dropFirst(testCount))
        let selection = options.testFraction > 0
            ? """
                a random \(testCount) of the \(train.rowCount) rows (test fraction \(options.testFraction), seed \(options.seed)) \
                are the test set, the other \(trainRows.count) the training set
                """
            : "every row is a training row; no test set"
        guard !trainRows.isEmpty else {
            throw CSVDataError(.noTrainingRows(testFraction: options.testFraction, rows: train.rowCount),
                               file: train.file, line: train.lines.last, column: nil)
        }
        return (trainRows, testRows, selection)
    }

    /// Keeps the first `samples`/`testSamples` rows of each split in permuted order (more than there are is
    /// an error), then sorts each split back into file order.
    static func keepRequestedSamples(_ rows: inout SplitRows, train: NumericTable, test: NumericTable?,
                                     options: CSVDataOptions) throws(CSVDataError) {
        if let n = options.samples {
            guard n <= rows.train.count else {
                let split = test == nil && options.testFraction > 0 ? " after the test split" : ""
                throw CSVDataError(.tooFewRows(available: rows.train.count, requested: n,
                                               what: "--samples \(n)\(split == "" ? "" : " (training rows\(split))")"),
                                   file: train.file, line: train.lines.last, column: nil)
            }
            rows.train = Array(rows.train.prefix(n))
            rows.selection += "; --samples keeps \(n) training rows drawn by seed \(options.seed)"
        }
        if let n = options.testSamples {
            let testTable = test ?? train
            guard n <= rows.test.count else {
                throw CSVDataError(.tooFewRows(available: rows.test.count, requested: n, what: "--test-samples \(n)"),
                                   file: testTable.file, line: testTable.lines.last, column: nil)
            }
            rows.test = Array(rows.test.prefix(n))
            rows.selection += "; --test-samples keeps \(n) test rows drawn by seed \(options.seed)"
        }
        rows.train.sort()
        rows.test.sort()
    }

    /// The cells of `rows` × `columns` of a table, as a matrix in that order.
    static func matrix(_ table: NumericTable, _ rows: [Int], _ columns: [Int]) -> Matrix {
        var m = Matrix(rows: rows.count, cols: columns.count)
        for (r, i) in rows.enumerated() {
            for (c, j) in columns.enumerated() { m.data[r * columns.count + c] = table[i, j] }
        }
        return m
    }

    /// One warning per input column that is constant in the training split, up to 5; more are summarised in
    /// one line (a wide file can have thousands).
    static func constantColumnWarnings(_ s: Standardization, inputs: [Int], train: NumericTable) -> [DataWarning] {
        let constant = s.constantColumns
        guard constant.count <= 5 else {
            let names = constant.prefix(5).map { "\(inputs[$0] + 1) (\"\(train.name(ofColumn: inputs[$0]))\")" }.joined(separator: ", ")
            return [DataWarning(file: train.file,
                                message: """
                                    \(constant.count) of the \(inputs.count) input columns are constant in the training split (columns \(names), …); \
                                    standardization centers them but cannot scale them, and they carry no information
                                    """)]
        }
        return constant.map { j in
            DataWarning(file: train.file, column: inputs[j] + 1,
                        message: """
                            input column \(inputs[j] + 1) (\"\(train.name(ofColumn: inputs[j]))\") is constant (\(s.mean[j])) in the training \
                            split; standardization centers it but cannot scale it
                            """)
        }
    }

    /// 0-based target columns of `table`.
    static func resolveTargets(_ columns: [CSVColumn]?, in table: NumericTable) throws(CSVDataError) -> [Int] {
        let n = table.columnCount
        let headerLine = table.headerLine
        guard let columns else { return [n - 1] }
        var result: [Int] = []
        for c in columns {
            let j: Int
            switch c {
            case let .name(name):
                let matches = table.header.map { h in h.indices.filter { h[$0] == name } } ?? []
                if matches.count > 1 {
                    throw CSVDataError(.ambiguousColumn(name: name, columns: matches), file: table.file, line: headerLine)
                }
                guard let m = matches.first else {
                    let available = table.header ?? (0..<n).map { "column \($0)" }
                    throw CSVDataError(.unknownColumn(name: name, available: available), file: table.file,
                                       line: headerLine ?? table.lines.first)
                }
                j = m
            case let .index(i):
                // A header name that is written as this integer wins over the index.
                if let h = table.header, let m = h.firstIndex(of: String(i)) {
                    j = m
                } else {
                    guard i < n && i >= -n else {
                        throw CSVDataError(.columnIndexOutOfRange(index: i, columns: n), file: table.file,
                                           line: headerLine ?? table.lines.first)
                    }
                    j = i >= 0 ? i : n + i
                }
            }
            guard !result.contains(j) else {
                throw CSVDataError(.repeatedTargetColumn(column: "\(j) (\"\(table.name(ofColumn: j))\")"), file: table.file,
                                   line: headerLine ?? table.lines.first, column: j + 1, columnName: table.header?[j])
            }
            result.append(j)
        }
        return result
    }

    /// The test file must have the training file's columns: same count, and the same header (or none).
    static func checkCompatible(_ test: NumericTable, with train: NumericTable) throws(CSVDataError) {
        let firstLine = test.headerLine ?? test.lines.first ?? 1
        switch (train.header, test.header) {
        case let (trainNames?, testNames?):
            if testNames.count == trainNames.count {
                for j in testNames.indices where testNames[j] != trainNames[j] {
                    throw CSVDataError(.headerMismatch(found: testNames[j], expected: trainNames[j], trainFile: train.file),
                                       file: test.file, line: firstLine, column: j + 1)
                }
            }
        case (nil, _?):
            throw CSVDataError(.headerPresence(testHasHeader: true, trainFile: train.file), file: test.file, line: firstLine, column: 1)
        case (_?, nil):
            throw CSVDataError(.headerPresence(testHasHeader: false, trainFile: train.file), file: test.file, line: firstLine, column: 1)
        case (nil, nil):
            break
        }
        guard test.columnCount == train.columnCount else {
            throw CSVDataError(.columnCountMismatch(found: test.columnCount, expected: train.columnCount, trainFile: train.file),
                               file: test.file, line: firstLine, column: min(test.columnCount, train.columnCount) + 1)
        }
    }

    /// Warnings for training rows whose inputs repeat an earlier row's (K₀ singular), at most 10 listed.
    static func duplicateWarnings(_ x: Matrix, _ y: Matrix, lines: [Int], file: String) -> [DataWarning] {
        let probe = Dataset(name: "", trainInputs: x, trainTargets: y, testInputs: Matrix(rows: 0, cols: x.cols),
                            testTargets: Matrix(rows: 0, cols: y.cols))
        let pairs = probe.duplicateTrainingInputs()
        guard !pairs.isEmpty else { return [] }
        var warnings = pairs.prefix(10).map { p -> DataWarning in
            let sameTarget = y.row(p.first) == y.row(p.repeat)
            return DataWarning(file: file, line: lines[p.repeat], column: 1,
                               message: "the inputs of this training row equal those of line \(lines[p.first])"
                                   + (sameTarget ? "" : ", with a different target, so the training loss cannot reach 0"))
        }
        warnings.append(DataWarning(
            file: file,
            message: "\(pairs.count) training row\(pairs.count == 1 ? " repeats" : "s repeat") the inputs of an earlier row"
                + (pairs.count > 10 ? " (the first 10 are listed)" : "")
                + """
                    : K₀ has equal rows and is singular (λ_min = 0); the run goes on, negative round-off eigenvalues are clipped to 0 \
                    and counted in the summary
                    """))
        return warnings
    }

    /// A permutation of 0..<n from `seed` (Fisher–Yates on ``RandomSource``).
    public static func permutation(_ n: Int, seed: UInt64, stream: RandomSource.Stream) -> [Int] {
        var rng = RandomSource(seed: seed, stream: stream)
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                p.swapAt(i, j)
            }
        }
        return p
    }
}
