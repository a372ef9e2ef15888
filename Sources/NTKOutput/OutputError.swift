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
    /// The lock file's name holds something the tool never creates there (`found`: a symbolic link, a directory, a
    /// hard link, …); it was not opened for writing, so nothing it points to changed (Docs/CLI.md#guarantees).
    case unsafeLockFile(path: String, lockFile: String, found: String)
    /// The output directory's name has `bytes` bytes, more than `limit`: its lock file's name would not fit.
    case nameTooLong(path: String, bytes: Int, limit: Int)
    /// The name where `--force` sets an earlier output aside holds something the tool did not set aside there
    /// (`found` says what); it is left as it is (Docs/CLI.md#guarantees).
    case foreignAside(path: String, aside: String, found: String)
    /// An earlier `--force` was killed while the directory it replaced was set aside at `aside`.
    case leftAside(path: String, aside: String)

    /// The message, with control characters in the paths (a newline, an escape sequence) escaped: it is one line
    /// for a terminal (``TerminalText``).
    public var description: String { TerminalText.escaped(text) }

    private var text: String {
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
            return """
                '\(path)' is not an output directory of ntk-dynamics: \(reason); --force only replaces what ntk-dynamics wrote, so \
                choose another --out (or empty the directory yourself)
                """
        case let .locked(path, lockFile, holder):
            return """
                output directory '\(path)' is in use by another ntk-dynamics command \
                (\(holder.map { "pid \($0)" } ?? "holder unknown"); lock \(lockFile)); wait until it ends, or choose another --out
                """
        case let .unsafeLockFile(path, lockFile, found):
            return "cannot lock output directory '\(path)': its lock file '\(lockFile)' is \(found), which ntk-dynamics never creates there; "
                + "it was not written, so nothing it points to changed. Remove '\(lockFile)' (ntk-dynamics recreates it) and rerun, or choose another --out"
        case let .nameTooLong(path, bytes, limit):
            return "the name of output directory '\(path)' is \(bytes) bytes long; ntk-dynamics keeps a lock file '.NAME.ntk-lock' beside it, "
                + "and a file name may have at most 255 bytes, so the directory name may have at most \(limit); choose a shorter --out"
        case let .foreignAside(path, aside, found):
            return "'\(aside)' is where an interrupted --force keeps the output it set aside from '\(path)', but it is \(found), "
                + "so it was not put back and is left as it is; move '\(aside)' away and rerun"
        case let .leftAside(path, aside):
            return """
                '\(aside)' holds the output that an interrupted --force had set aside from '\(path)', and '\(path)' holds another; \
                delete '\(aside)' (or move it back to '\(path)') and rerun
                """
        }
    }
}
