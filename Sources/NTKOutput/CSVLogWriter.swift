import Foundation

/// Appends rows to a CSV file as they come, one `write` per complete row (or group of rows), so a file that is
/// cut short (a crash, a signal) never ends in half a row; a write that fails partway (a full disk) is undone. Numbers use Swift's shortest round-trip
/// representation (full precision); a missing value is an empty cell.
public final class CSVLogWriter {
    private let handle: FileHandle
    public let url: URL
    public let columns: [String]

    /// Creates `url` (it must not exist; nor may a link have its name: ``SafeFile/createNew(_:)``) and writes the header row.
    public init(url: URL, columns: [String]) throws {
        self.url = url
        self.columns = columns
        handle = FileHandle(fileDescriptor: try SafeFile.createNew(url), closeOnDealloc: true)
        try writeLine(columns.joined(separator: ","))
    }

    /// Writes one row of numbers; nil is an empty cell.
    public func append(_ values: [Double?]) throws {
        precondition(values.count == columns.count, "row has \(values.count) cells, header \(columns.count)")
        try writeLine(values.map { $0.map(Self.format) ?? "" }.joined(separator: ","))
    }

    /// Writes one row of preformatted cells.
    public func append(cells: [String]) throws {
        precondition(cells.count == columns.count, "row has \(cells.count) cells, header \(columns.count)")
        try writeLine(cells.joined(separator: ","))
    }

    /// Writes several rows of preformatted cells with one `write` (the rows of one step of `modes.csv`).
    public func append(rows: [[String]]) throws {
        guard !rows.isEmpty else { return }
        var text = ""
        for cells in rows {
            precondition(cells.count == columns.count, "row has \(cells.count) cells, header \(columns.count)")
            text += cells.joined(separator: ",")
            text += "\n"
        }
        try write(text)
    }

    /// Full-precision text for a number: "nan", "inf", "-inf" for non-finite values (NumPy and pandas read them).
    public static func format(_ v: Double) -> String { RunFormat.format(v) }

    private func writeLine(_ line: String) throws {
        try write(line + "\n")
    }

    private func write(_ text: String) throws {
        let start = try? handle.offset()
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            // One write(2) can store part of its bytes before the disk fills: cut the file back to where this
            // row (or group of rows) began, so the file still ends with a whole row (Docs/LogFormat.md).
            if let start { try? handle.truncate(atOffset: start) }
            throw OutputError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Flushes to disk and closes the file.
    public func close() throws {
        try? handle.synchronize()
        try handle.close()
    }

    deinit { try? handle.close() }
}
