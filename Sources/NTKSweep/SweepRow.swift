import Foundation

/// One row of `sweep.csv`: the figures of one run of the grid (Docs/LogFormat.md#sweepcsv).
public struct SweepRow: Equatable, Sendable {
    public var cell: SweepCell
    public var status: RunStatus
    public var values: [String: Double?]
    /// The run's parameterization: the cell's on a `--parameterizations` axis, else the sweep's one.
    public var parameterization: Parameterization
    /// The run's output scale α, or nil for the plain (uncentred) model: the cell's on an `--output-scales`
    /// axis, else the sweep's `--output-scale`.
    public var outputScale: Double?
    /// The run's number of hidden layers: the cell's on a `--depths` axis, else the sweep's `--depth`.
    public var depth: Int
    /// ``GDPhase`` of the run; nil for a row read from a file written before the column.
    public var phase: GDPhase? = nil
    /// The run's architecture: the cell's on an `--architectures` axis, else the sweep's one (mlp in files written
    /// before the column).
    public var architecture: ArchitectureKind = .mlp

    /// The columns of `sweep.csv`, in order (``SweepColumn/all``): those after `wall_time` came with the sweep axes,
    /// the Θ figures and the kernel figures (issues 16, 18 and 25) and are written after the older ones, so that a
    /// reader that takes columns by position keeps working.
    public static let columns = SweepColumn.all

    /// The one projection of a row into the cells of `sweep.csv`: the cell's width and seed, the status, the
    /// numbers (the summary's, ``SummaryColumn``, with the wall time and η/η_crit), the axes and the phase.
    static let table = ColumnTable<SweepRow>(SweepColumn.all.map(column(named:)))

    static func column(named name: String) -> Column<SweepRow> {
        switch name {
        case SweepColumn.width: Column(name, integer: { $0.cell.width })
        case SweepColumn.seed: Column(name, text: { String($0.cell.seed) })
        case SummaryColumn.status: Column(name, text: { $0.status.rawValue })
        case SweepColumn.parameterization: Column(name, text: { $0.parameterization.rawValue })
        case SweepColumn.outputScale: Column(name, number: { $0.outputScale })
        case SweepColumn.depth: Column(name, integer: { $0.depth })
        case SummaryColumn.phase: Column(name, text: { $0.phase?.rawValue ?? "" })
        case SweepColumn.architecture: Column(name, text: { $0.architecture.rawValue })
        default: Column(name, number: { $0.value(name) })
        }
    }

    /// - Parameters:
    ///   - architecture: the network the run trained (its parameterization and depth are recorded).
    ///   - outputScale: the α the run used (nil: the plain model).
    public init(cell: SweepCell, summary s: RunSummary, wallTime: Double, architecture: NetworkArchitecture,
                outputScale: Double?) {
        self.cell = cell
        status = s.status
        parameterization = architecture.parameterization
        depth = architecture.depth
        self.architecture = architecture.family.kind
        self.outputScale = outputScale
        values = SummaryColumn.numbers(s, SweepColumn.numbers.filter { $0 != SweepColumn.wallTime && $0 != SweepColumn.lrFactor })
        values[SweepColumn.wallTime] = wallTime
        values[SweepColumn.lrFactor] = .some(cell.learningRateFactor)
        phase = s.phase ?? GDPhase(s)
    }

    public func value(_ column: String) -> Double? { values[column] ?? nil }

    /// The CSV line (no newline).
    public var line: String { Self.table.line(self) }

    /// The sweep's one parameterization, depth and α (`--output-scale`, nil for the plain network), which a
    /// legacy line does not name.
    public struct Defaults: Sendable {
        public var parameterization: Parameterization
        public var depth: Int
        public var outputScale: Double?
        public var architecture: ArchitectureKind

        public init(parameterization: Parameterization, depth: Int, outputScale: Double? = nil, architecture: ArchitectureKind = .mlp) {
            self.parameterization = parameterization
            self.depth = depth
            self.outputScale = outputScale
            self.architecture = architecture
        }
    }

    /// Parses a line written by ``line``, or by a version without the columns after `wall_time` (`legacy`) or
    /// without those after the axes (``SweepColumn/axes``).
    ///
    /// - Parameters:
    ///   - grid: the sweep's grid: which axes the cell has.
    ///   - defaults: the sweep's parameterization and depth, for a legacy line.
    init?(line: Substring, legacy: Bool, grid: SweepGrid, defaults: Defaults) {
        self.init(line: line, header: legacy ? SweepColumn.legacy : SweepColumn.axes, grid: grid, defaults: defaults)
    }

    /// Parses a line under `header`, one of the headers this and earlier versions wrote (a prefix of ``columns``).
    init?(line: Substring, header: [String], grid: SweepGrid, defaults: Defaults) {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard cells.count == header.count else { return nil }
        let text = Dictionary(zip(header, cells), uniquingKeysWith: { a, _ in a })
        guard let w = text[SweepColumn.width].flatMap({ Int($0) }), let s = text[SweepColumn.seed].flatMap({ UInt64($0) }),
              let status = text[SummaryColumn.status].flatMap(RunStatus.init(rawValue:)) else { return nil }
        self.status = status
        var v: [String: Double?] = [:]
        for name in SweepColumn.numbers {
            // A column this file does not have is empty, as in a file that has it.
            guard let cell = text[name], !cell.isEmpty else { v[name] = .some(nil); continue }
            guard let x = Double(cell) else { return nil }
            v[name] = x
        }
        values = v
        if let p = text[SweepColumn.parameterization] {
            guard let p = Parameterization(rawValue: p), let a = text[SweepColumn.outputScale], a.isEmpty || Double(a) != nil,
                  let d = text[SweepColumn.depth].flatMap({ Int($0) }) else { return nil }
            (parameterization, outputScale, depth) = (p, Double(a), d)
        } else {
            (parameterization, outputScale, depth) = (defaults.parameterization, defaults.outputScale, defaults.depth)
        }
        if let p = text[SummaryColumn.phase], !p.isEmpty {
            guard let phase = GDPhase(rawValue: p) else { return nil }
            self.phase = phase
        }
        if let a = text["architecture"], !a.isEmpty {
            guard let kind = ArchitectureKind(rawValue: a) else { return nil }
            architecture = kind
        } else {
            architecture = defaults.architecture
        }
        cell = SweepCell(width: w, seed: s, parameterization: grid.parameterizations == nil ? nil : parameterization,
                         outputScale: grid.outputScales == nil ? nil : outputScale, depth: grid.depths == nil ? nil : depth,
                         learningRateFactor: grid.learningRateFactors == nil ? nil : v[SweepColumn.lrFactor] ?? nil,
                         architecture: grid.architectures == nil ? nil : architecture)
    }

    /// `sweep.csv` text for rows sorted by cell (parameterization, α, depth, width, seed).
    public static func csv(_ rows: [SweepRow]) -> String {
        ([columns.joined(separator: ",")] + rows.sorted { $0.cell < $1.cell }.map(\.line)).joined(separator: "\n") + "\n"
    }

    /// Rows of a `sweep.csv` file of the sweep with this grid and defaults; a file written by an earlier version
    /// (before the columns after `wall_time`, or before the kernel figures) is read too.
    ///
    /// - Throws: ``SweepError/malformed(path:reason:)`` for a file that cannot be read, is not UTF-8 text, or holds
    ///   something other than the rows of this sweep.
    public static func read(_ url: URL, grid: SweepGrid, defaults: Defaults) throws -> [SweepRow] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SweepError.malformed(path: url.path, reason: "cannot be read (\(RunDirectory.reason(error)))")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            let offset = firstInvalidByte(data)
            throw SweepError.malformed(path: url.path, reason: "is not UTF-8 text\(offset.map { " (byte \($0) is not)" } ?? ""), "
                                       + "so it is not a sweep.csv that ntk-dynamics wrote; rerun that shard's sweep command to write it again")
        }
        var lines = text.split(separator: "\n")
        let known = SweepColumn.headers
        guard let first = lines.first, let header = known.first(where: { $0.joined(separator: ",") == first }) else {
            throw SweepError.malformed(path: url.path, reason: "the header is not the sweep.csv header of this version")
        }
        lines.removeFirst()
        return try lines.enumerated().map { i, l in
            guard let row = SweepRow(line: l, header: header, grid: grid, defaults: defaults) else {
                throw SweepError.malformed(path: url.path, reason: "line \(i + 2) is not a sweep row")
            }
            return row
        }
    }
}

extension SweepRow {
    /// The offset of the first byte of `data` that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidByte(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }
}

/// A sweep that cannot go on.
public enum SweepError: Error, Equatable, CustomStringConvertible, Sendable {
    case malformed(path: String, reason: String)
    case inconsistent(path: String, reason: String)
    case duplicateCell(run: String, paths: [String])

    /// The message, its paths' control characters escaped (``TerminalText``).
    public var description: String { TerminalText.escaped(text) }

    private var text: String {
        switch self {
        case let .malformed(path, reason): return "'\(path)': \(reason)"
        case let .inconsistent(path, reason): return "'\(path)' does not belong to the same sweep: \(reason)"
        case let .duplicateCell(run, paths):
            return "run \(run) appears in more than one shard with different results: \(paths.joined(separator: ", "))"
        }
    }
}
