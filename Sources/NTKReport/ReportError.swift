/// A failure to read a run directory or to write its report.
public enum ReportError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The path does not exist.
    case missingDirectory(path: String)
    /// The path exists but is a file.
    case notADirectory(path: String)
    /// The directory holds neither a run (config.json, steps.csv) nor a width list (widths.csv).
    case notARunDirectory(path: String)
    case unreadable(path: String, reason: String)
    /// The directory was written by a command whose output the report cannot draw.
    case cannotDraw(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    /// `--figures` would overwrite a file, or names a file: a usage error.
    case figureFilesRefused(path: String, reason: String)

    public var description: String {
        switch self {
        case let .missingDirectory(path):
            return "'\(path)' does not exist; give the directory of a run (written by --out)"
        case let .notADirectory(path):
            return "'\(path)' is a file, not a run directory"
        case let .notARunDirectory(path):
            return """
                '\(path)' holds no ntk-dynamics run: it has no config.json or steps.csv (a run), no widths.csv or w<width>/ runs (a \
                width list), no sweep_config.json (a sweep or merge) and no kernel.csv (a kernel study)
                """
        case let .cannotDraw(path, reason):
            return "cannot draw a report of '\(path)': \(reason)"
        case let .unreadable(path, reason):
            return "cannot read '\(path)': \(reason)"
        case let .cannotWrite(path, reason):
            return "cannot write '\(path)': \(reason)"
        case let .figureFilesRefused(path, reason):
            return "cannot write the figures to '\(path)': \(reason)"
        }
    }
}
