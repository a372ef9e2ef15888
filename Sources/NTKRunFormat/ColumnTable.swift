/// One column of a CSV file the tool writes (Docs/LogFormat.md): its header name and the text of its cell in a row.
/// Writers and readers take the names from the same tables (``StepColumn``, ``SummaryColumn``), so that no other
/// source file spells a column name.
public struct Column<Row>: Sendable {
    public let name: String
    /// The cell's text for a row: numbers in full precision (``RunFormat/format(_:)``), empty for a missing value.
    public let cell: @Sendable (Row) -> String
    /// The value of a column of numbers (nil for text), what a reader parses the cell back into.
    public let number: (@Sendable (Row) -> Double?)?

    /// A column of text (a status, a phase, a directory name).
    public init(_ name: String, text: @escaping @Sendable (Row) -> String) {
        self.name = name
        cell = text
        number = nil
    }

    /// A column of numbers; nil is an empty cell.
    public init(_ name: String, number: @escaping @Sendable (Row) -> Double?) {
        self.name = name
        cell = { number($0).map(RunFormat.format) ?? "" }
        self.number = number
    }

    /// A column of integers (a step, a width, a seed), written without a decimal point.
    public init(_ name: String, integer: @escaping @Sendable (Row) -> Int) {
        self.name = name
        cell = { String(integer($0)) }
        number = { Double(integer($0)) }
    }

    /// The same column of another row type, reached through `part`.
    public func pulledBack<Other>(_ part: @escaping @Sendable (Other) -> Row) -> Column<Other> {
        let cell = self.cell
        var number: (@Sendable (Other) -> Double?)? = nil
        if let n = self.number { number = { n(part($0)) } }
        return Column<Other>(name, cell: { cell(part($0)) }, number: number)
    }

    private init(_ name: String, cell: @escaping @Sendable (Row) -> String, number: (@Sendable (Row) -> Double?)?) {
        (self.name, self.cell, self.number) = (name, cell, number)
    }
}

/// The ordered columns of one CSV file: its header and the cells of each row.
public struct ColumnTable<Row>: Sendable {
    public let columns: [Column<Row>]

    public init(_ columns: [Column<Row>]) { self.columns = columns }

    /// The names, in order: the header row.
    public var names: [String] { columns.map(\.name) }
    public var header: String { names.joined(separator: ",") }
    /// The cells of a row, in the order of ``names``.
    public func cells(_ row: Row) -> [String] { columns.map { $0.cell(row) } }
    /// The CSV line of a row (no newline).
    public func line(_ row: Row) -> String { cells(row).joined(separator: ",") }
}

extension RunFormat {
    /// Full-precision text for a number in a CSV cell: Swift's shortest round-trip representation, and "nan", "inf",
    /// "-inf" for non-finite values (NumPy and pandas read them).
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }
}
