/// A failure to create or write the run directory.
public enum OutputError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The output directory exists and is not empty, and overwriting was not asked for.
    case directoryNotEmpty(path: String)
    /// The output path exists and is a file.
    case notADirectory(path: String)
    case cannotWrite(path: String, reason: String)
    /// A component of the output path (`file`) is a file, so the directory cannot be created below it.
    case fileInTheWay(path: String, file: String)
    /// The output path, or a folder on the way to it, is a symbolic link to nothing.
    case danglingSymlink(path: String, link: String, target: String)
    /// `--force` was given but the directory is not one the tool wrote (`reason` says what was found).
    case notAnOutput(path: String, reason: String)
    /// Another command holds the output directory's lock (Docs/CLI.md#guarantees).
    case locked(path: String, lockFile: String, holder: Int32?)
    /// An earlier `--force` was killed while the directory it replaced was set aside at `aside`.
    case leftAside(path: String, aside: String)

    public var description: String {
        switch self {
        case let .directoryNotEmpty(path):
            return "output directory '\(path)' already exists and is not empty; choose another --out or pass --force to overwrite it"
        case let .notADirectory(path):
            return "output path '\(path)' exists and is a file, not a directory; choose another --out"
        case let .cannotWrite(path, reason):
            return "cannot write '\(path)': \(reason)"
        case let .fileInTheWay(path, file):
            return "cannot create output directory '\(path)': '\(file)' is a file, not a directory; choose another --out, or move '\(file)' away"
        case let .danglingSymlink(path, link, target):
            let what = link == path ? "output path '\(path)' is" : "output path '\(path)' goes through '\(link)', which is"
            return "\(what) a dangling symbolic link to '\(target)' (which does not exist); create '\(target)', remove the link, or choose another --out"
        case let .notAnOutput(path, reason):
            return "'\(path)' is not an output directory of ntk-dynamics: \(reason); --force only replaces what ntk-dynamics wrote, so choose another --out (or empty the directory yourself)"
        case let .locked(path, lockFile, holder):
            return "output directory '\(path)' is in use by another ntk-dynamics command (\(holder.map { "pid \($0)" } ?? "holder unknown"); lock \(lockFile)); wait until it ends, or choose another --out"
        case let .leftAside(path, aside):
            return "'\(aside)' holds the output that an interrupted --force had set aside from '\(path)', and '\(path)' holds another; delete '\(aside)' (or move it back to '\(path)') and rerun"
        }
    }
}
