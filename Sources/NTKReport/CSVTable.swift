import Foundation

/// A CSV file of the run directory (steps.csv, spectrum.csv, widths.csv) read leniently.
///
/// The files hold plain comma-separated cells without quoting (Docs/LogFormat.md). A row whose number of
/// cells differs from the header, or a last line without its newline (a write cut short), is skipped and
/// counted in `skippedRows`, never an error.
public struct CSVTable: Sendable {
    public var columns: [String]
    public var rows: [[String]]
    /// Lines that were left out because they were incomplete.
    public var skippedRows: Int
    /// Complete rows in the file: `rows.count`, or more when a long log was thinned while it was read
    /// (``init(log:groupBy:maxGroups:)``).
    public var rowsRead: Int

    public init(columns: [String], rows: [[String]], skippedRows: Int = 0, rowsRead: Int? = nil) {
        self.columns = columns
        self.rows = rows
        self.skippedRows = skippedRows
        self.rowsRead = rowsRead ?? rows.count
    }

    public init(text: String) {
        // "\r\n" is one Character in Swift: split on any newline character.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        var skipped = 0
        if let last = lines.last, last.isEmpty {
            lines.removeLast()
        } else if lines.count > 1 {
            lines.removeLast()  // no final newline: the last row may be cut off
            skipped += 1
        }
        let header = lines.first.map { Self.cells($0) } ?? []
        var rows: [[String]] = []
        for line in lines.dropFirst() where !line.isEmpty {
            let cells = Self.cells(line)
            if cells.count == header.count { rows.append(cells) } else { skipped += 1 }
        }
        self.init(columns: header, rows: rows, skippedRows: skipped)
    }

    public init(contentsOf url: URL) throws {
        do {
            try self.init(text: String(contentsOf: url, encoding: .utf8))
        } catch {
            throw ReportError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    private static func cells(_ line: Substring) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
    }

    /// `text` without leading and trailing blanks, as `trimmingCharacters(in: .whitespaces)` (tab and the Unicode
    /// space separators), without Foundation's bridging: the report reads every cell of steps.csv through this.
    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        func isBlank(_ u: Unicode.Scalar) -> Bool {
            u == " " || u == "\t" || (u.value > 0x7F && u.properties.generalCategory == .spaceSeparator)
        }
        var scalars = Substring(text).unicodeScalars[...]
        while let u = scalars.first, isBlank(u) { scalars.removeFirst() }
        while let u = scalars.last, isBlank(u) { scalars.removeLast() }
        return String(scalars)
    }

    public var rowCount: Int { rows.count }

    public func has(_ column: String) -> Bool { columns.contains(column) }

    /// The cells of a column; nil when the column is absent.
    public func strings(_ column: String) -> [String]? {
        guard let j = columns.firstIndex(of: column) else { return nil }
        return rows.map { $0[j] }
    }

    /// A column as numbers; nil when the column is absent. A cell is nil when it is empty (not measured)
    /// or not a number; "nan", "inf" and "-inf" are NaN and ±∞.
    public func numbers(_ column: String) -> [Double?]? {
        strings(column)?.map(Self.number)
    }

    /// The number in a cell: nil for an empty or unparsable cell; NaN and ±∞ spelled as NumPy and Swift do.
    public static func number(_ cell: String) -> Double? {
        let s = trimmed(cell)
        if s.isEmpty { return nil }
        if let v = Double(s), v.isFinite { return v }  // the common case; the spellings below are never finite
        switch s.lowercased() {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(s)
        }
    }
}
