/// Whether a dataset's targets are class codes (±1 for two classes, one-hot for more) or real values.
public enum DataTask: String, Codable, Sendable {
    case regression
    /// Accuracy is reported: sign(f) against sign(y) for k = 1, argmax f against argmax y for k > 1.
    case classification
}

/// Where a real (non-synthetic) dataset came from and how it was prepared: `config.json` → `data_source`.
public struct DataSource: Codable, Equatable, Sendable {
    /// `csv` or `digits`; also written as `config.json` → `dataset`.
    public var name: String
    /// The training CSV file as given on the command line (`digits.csv (bundled)` for the digits).
    public var file: String
    /// The test CSV file (`--test-data`), if any.
    public var testFile: String?
    /// Whether the file(s) had a header row, and whether that was detected (`auto`) or given (`--header`/`--no-header`).
    public var header: Bool
    public var headerMode: CSVHeader
    /// Names of the input and target columns (header names, or `column j` with 0-based j without a header).
    public var inputColumns: [String]
    public var targetColumns: [String]
    /// Data rows in the training file and in the test file (or the rows eligible for the chosen classes).
    public var rowsAvailable: Int
    public var testRowsAvailable: Int?
    /// The fraction of the training file held out as the test set (`--test-fraction`), when there is no test file.
    public var testFraction: Double?
    /// How the rows were chosen, in words (split, caps, seed).
    public var selection: String
    public var task: DataTask = .regression
    /// Class labels in target order (classification only).
    public var classes: [Int]?
    /// How labels became targets, in words.
    public var targetEncoding: String?
    /// How the inputs were scaled, in words.
    public var inputScaling: String
    /// Per-input mean and standard deviation of the training split, when the inputs were standardized.
    public var standardization: Standardization?
    /// Citation and license of a bundled dataset.
    public var citation: String?
    public var license: String?

    enum CodingKeys: String, CodingKey {
        case name, file, testFile = "test_file", header, headerMode = "header_mode", inputColumns = "input_columns"
        case targetColumns = "target_columns", rowsAvailable = "rows_available", testRowsAvailable = "test_rows_available"
        case testFraction = "test_fraction", selection, task, classes, targetEncoding = "target_encoding"
        case inputScaling = "input_scaling", standardization, citation, license
    }
}

/// Something about the data that lets the run go on but that the user should know (the library never
/// prints: the command shows these).
public struct DataWarning: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(Self.place(file: file, line: line, column: column)): \(message)" }

    /// `FILE, line L, column C ("name")`, as much of it as is known: where a data problem is, in messages.
    static func place(file: String, line: Int?, column: Int?, columnName: String? = nil) -> String {
        var s = file
        if let line { s += ", line \(line)" }
        if let column {
            s += ", column \(column)"
            if let columnName { s += " (\"\(columnName)\")" }
        }
        return s
    }
}

/// A dataset ready for a run, with what the loader noticed on the way.
public struct LoadedDataset: Sendable {
    public var dataset: Dataset
    public var warnings: [DataWarning]

    public init(dataset: Dataset, warnings: [DataWarning] = []) {
        self.dataset = dataset
        self.warnings = warnings
    }
}

extension Dataset {
    /// Pairs (earlier, later) of training rows with identical inputs, in row order. Each makes two rows
    /// (k rows each for k outputs) of K₀ equal, so K₀ is singular: λ_min = 0 up to round-off.
    /// - Complexity: O(N·d) with hashing.
    public func duplicateTrainingInputs() -> [(first: Int, repeat: Int)] {
        var seen: [[Double]: Int] = [:]
        var pairs: [(first: Int, repeat: Int)] = []
        for i in 0..<trainCount {
            let row = trainInputs.row(i)
            if let j = seen[row] {
                pairs.append((j, i))
            } else {
                seen[row] = i
            }
        }
        return pairs
    }
}
