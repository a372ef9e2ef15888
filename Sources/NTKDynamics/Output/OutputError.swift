/// A failure to create or write the run directory.
public enum OutputError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The output directory exists and is not empty, and overwriting was not asked for.
    case directoryNotEmpty(path: String)
    /// The output path exists and is a file.
    case notADirectory(path: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .directoryNotEmpty(path):
            return "output directory '\(path)' already exists and is not empty; choose another --out or pass --force to overwrite it"
        case let .notADirectory(path):
            return "output path '\(path)' exists and is a file, not a directory; choose another --out"
        case let .cannotWrite(path, reason):
            return "cannot write '\(path)': \(reason)"
        }
    }
}
