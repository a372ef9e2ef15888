import Foundation

/// What a directory holds: the one ``OutputKind`` of the files (``RunLogs/kind(of:)``).
public typealias RunDirectoryKind = OutputKind

/// The logs of one run directory (Docs/LogFormat.md), read leniently for the report.
///
/// Everything is optional: a run that is still going or was killed has no summary.json, an interrupted
/// one may stop early in steps.csv, a file may be unreadable. What could not be read is listed in
/// `problems`; only a directory that holds no run at all is an error.
public struct RunLogs: Sendable {
    public let directory: URL
    public var config: JSONObject?
    public var summary: JSONObject?
    public var steps: CSVTable?
    public var spectrum: CSVTable?
    /// Files that were missing or could not be read, in words.
    public var problems: [String]

    /// Reads the logs of the run in `directory`.
    ///
    /// - Throws: ``ReportError/missingDirectory(path:)``, ``ReportError/notADirectory(path:)``,
    ///   ``ReportError/notARunDirectory(path:)`` when there is no config.json and no steps.csv.
    public init(directory: URL) throws {
        self.directory = directory
        guard try Self.kind(of: directory) == .run else { throw ReportError.notARunDirectory(path: directory.path) }
        var problems: [String] = []
        func read<T>(_ name: String, _ load: (URL) throws -> T) -> T? {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                problems.append("\(name) is missing")
                return nil
            }
            do {
                return try load(url)
            } catch {
                problems.append("\(name) could not be read (\(error))")
                return nil
            }
        }
        config = read(RunFormat.config, JSONObject.init(contentsOf:))
        steps = read(RunFormat.steps) { try CSVTable(log: $0) }  // streamed and thinned when long (Docs/Report.md#long-runs)
        spectrum = read(RunFormat.spectrum, CSVTable.init(contentsOf:))
        summary = read(RunFormat.summary, JSONObject.init(contentsOf:))
        let cutShort = Self.cutShortLogs(in: directory)
        for (name, table) in [(RunFormat.steps, steps), (RunFormat.spectrum, spectrum)] {
            // The cut-short last row is reported below; other skipped rows have a wrong number of cells.
            let skipped = (table?.skippedRows ?? 0) - (cutShort.contains(name) ? 1 : 0)
            if skipped > 0 { problems.append("\(name): \(skipped) incomplete row\(skipped == 1 ? "" : "s") skipped") }
        }
        for name in cutShort {
            problems.append("\(name) ends in a row that was cut short (a write that failed partway, e.g. a full disk); that row is left out")
        }
        self.problems = problems
    }

    /// The CSV logs in `directory` whose last line has no newline: a row cut short by a write that failed
    /// partway. Only the last byte of each file is read (modes.csv can be large).
    public static func cutShortLogs(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".csv") }.sorted().filter { name in
            guard let handle = try? FileHandle(forReadingFrom: directory.appendingPathComponent(name)) else { return false }
            defer { try? handle.close() }
            guard let end = try? handle.seekToEnd(), end > 0 else { return false }
            try? handle.seek(toOffset: end - 1)
            guard let last = try? handle.read(upToCount: 1) else { return false }
            return last != Data("\n".utf8)
        }
    }

    /// What `directory` holds, read leniently: a width list may have only its `w<width>/` runs (cut short before
    /// its first widths.csv), a run only config.json or steps.csv. (``OutputInventory/classify(_:)`` is the strict
    /// reading that `--force` needs.)
    ///
    /// - Throws: ``ReportError/missingDirectory(path:)``, ``ReportError/notADirectory(path:)``,
    ///   ``ReportError/notARunDirectory(path:)``.
    public static func kind(of directory: URL) throws -> RunDirectoryKind {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory.path, isDirectory: &isDir) else {
            throw ReportError.missingDirectory(path: directory.path)
        }
        guard isDir.boolValue else { throw ReportError.notADirectory(path: directory.path) }
        func exists(_ name: String) -> Bool { fm.fileExists(atPath: directory.appendingPathComponent(name).path) }
        if exists(RunFormat.sweepConfig) {
            let config = try? JSONObject(contentsOf: directory.appendingPathComponent(RunFormat.sweepConfig))
            return config?.string("shard") == "merged" ? .merge : .sweep
        }
        if exists(RunFormat.widths) { return .widthList }
        if let kind = try KernelLogs.kind(of: directory) { return kind }
        if exists(RunFormat.config) || exists(RunFormat.steps) { return .run }
        if !WidthListLogs.subrunDirectories(of: directory).isEmpty { return .widthList }
        throw ReportError.notARunDirectory(path: directory.path)
    }

    /// `arrays/<name>.npy`, or nil when it is missing or unreadable.
    public func array(_ name: String) -> NPYFile? {
        try? NPYFile(contentsOf: directory.appendingPathComponent(RunFormat.array(name)))
    }

    /// A steps.csv column (nil when the file or the column is missing); see ``CSVTable/numbers(_:)``.
    public func column(_ name: String) -> [Double?]? { steps?.numbers(name) }

    /// `status` from summary.json, or nil when there is no summary (a run still going or killed).
    public var status: String? { summary?.string(RunSummary.CodingKeys.status) }

    /// ``status`` as the library's ``RunStatus``; nil without a summary or for a status this version does not know.
    public var runStatus: RunStatus? { status.flatMap(RunStatus.init(rawValue:)) }

    /// The step where training diverged, for a diverged run.
    public var divergedAtStep: Int? { summary?.int(RunSummary.CodingKeys.divergedAtStep) }

    /// Input dimension d: config `input_dim`, else the second axis of arrays/x_train.npy.
    public var inputDimension: Int? {
        if let d = config?.int(RunConfiguration.RunRecord.CodingKeys.inputDim) { return d }
        guard let x = array("x_train") else { return nil }
        return x.shape.count >= 2 ? x.shape[1] : 1
    }
}

/// One row of a width list: a width and the figures of its run.
public struct WidthListRow: Sendable {
    public var width: Int
    public var status: String
    /// Numbers by widths.csv column (the same names as in summary.json); nil when empty or absent.
    public var values: [String: Double]
    /// The run directory relative to the list's directory (`w<width>`).
    public var directory: String?
    /// The run's parameterization, where the table records it (a sweep's `parameterization` column).
    public var parameterization: String?
    /// The run's ``GDPhase`` name, where the table records it (a sweep's `phase` column).
    public var phase: String? = nil
    /// The run's architecture, where the table records it (the `architecture` column of sweep.csv and widths.csv).
    public var architecture: String? = nil

    /// ``status`` as the library's ``RunStatus``; nil for a row without one (e.g. "no summary").
    public var runStatus: RunStatus? { RunStatus(rawValue: status) }

    public init(width: Int, status: String, values: [String: Double], directory: String?, parameterization: String? = nil) {
        self.width = width
        self.status = status
        self.values = values
        self.directory = directory
        self.parameterization = parameterization
    }

    /// α of the run (a sweep's `output_scale` column), nil for the plain model.
    public var outputScale: Double? { values[SweepColumn.outputScale] }

    public subscript(key: String) -> Double? { values[key] }
}

/// The logs of a width list: `OUT/widths.csv`, or, when that is missing (the list was stopped before its
/// first width finished), the `w<width>/summary.json` files.
public struct WidthListLogs: Sendable {
    public let directory: URL
    public var rows: [WidthListRow]
    public var problems: [String]
    /// What the directory is, for titles: "width list" or "sweep".
    public var label = "width list"
    /// Extra lines for the page (a sweep's fitted slopes with their across-seed intervals).
    public var notes: [String] = []

    public init(directory: URL) throws {
        self.directory = directory
        guard try RunLogs.kind(of: directory) == .widthList else { throw ReportError.notARunDirectory(path: directory.path) }
        var problems: [String] = []
        var rows: [WidthListRow] = []
        let table = directory.appendingPathComponent(RunFormat.widths)
        if FileManager.default.fileExists(atPath: table.path) {
            let csv = try CSVTable(contentsOf: table)
            if csv.skippedRows > 0 { problems.append("widths.csv: \(csv.skippedRows) incomplete row(s) skipped") }
            for r in csv.rows {
                var values: [String: Double] = [:]
                var width: Int?, status = "unknown", dir: String?
                for (name, cell) in zip(csv.columns, r) {
                    switch name {
                    case WidthColumn.width: width = Int(cell)
                    case SummaryColumn.status: status = cell.isEmpty ? "unknown" : cell
                    case WidthColumn.directory: dir = cell.isEmpty ? nil : cell
                    default: if let v = CSVTable.number(cell) { values[name] = v }
                    }
                }
                if let width { rows.append(WidthListRow(width: width, status: status, values: values, directory: dir)) }
            }
        } else {
            problems.append("widths.csv is missing; figures are taken from the w<width>/summary.json files")
        }
        // Runs in w<width>/ that widths.csv does not list (still going, or the list was stopped).
        let listed = Set(rows.compactMap(\.directory))
        for (width, name) in Self.subrunDirectories(of: directory) where !listed.contains(name) {
            let url = directory.appendingPathComponent(name)
            let summary = try? JSONObject(contentsOf: url.appendingPathComponent(RunFormat.summary))
            var values: [String: Double] = [:]
            for (k, v) in summary?.values ?? [:] { if let d = v.number { values[k] = d } }
            rows.append(WidthListRow(width: width, status: summary?.string(RunSummary.CodingKeys.status) ?? "no summary",
                                     values: values, directory: name))
            if summary == nil { problems.append("\(name)/summary.json is missing (a run still going or killed)") }
        }
        self.rows = rows
        self.problems = problems
    }

    /// The `w<digits>` subdirectories of `directory` holding a run, sorted by width.
    public static func subrunDirectories(of directory: URL) -> [(width: Int, name: String)] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("w"), let w = Int(name.dropFirst()), w > 0 else { return nil }
            let sub = directory.appendingPathComponent(name)
            guard fm.fileExists(atPath: sub.appendingPathComponent(RunFormat.config).path)
                || fm.fileExists(atPath: sub.appendingPathComponent(RunFormat.steps).path) else { return nil }
            return (w, name)
        }.sorted { $0.0 < $1.0 }
    }
}
