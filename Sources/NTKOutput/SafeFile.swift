import Foundation

/// Creating and replacing the files of an output directory without following a symbolic link planted at their
/// names (Docs/CLI.md#guarantees).
///
/// * A new file is opened with `O_CREAT | O_EXCL | O_NOFOLLOW`: the call fails if anything (a file, a link, a
///   link to nothing) already has its name, so the tool never writes through a name it did not create.
/// * An atomic write creates a temporary file `.<name>.ntk-tmp<16 hex digits>` beside the target that way, writes
///   it whole, and `rename`s it over the target. `rename` replaces a link at the target's name by the file; it never
///   writes the file the link points to.
public enum SafeFile {
    /// The infix of the temporary files of ``writeAtomically(_:to:)``: `.<name>.ntk-tmp<16 hex digits>`.
    public static let temporaryInfix = ".ntk-tmp"

    /// Creates `url`, which must not exist, and opens it for writing (`O_CREAT | O_EXCL | O_NOFOLLOW`, mode 0666
    /// less the umask).
    ///
    /// - Returns: the file descriptor, open for writing.
    /// - Throws: ``OutputError/cannotWrite(path:reason:)`` naming what stands at `url` when something does.
    public static func createNew(_ url: URL) throws -> Int32 {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            let code = errno
            let reason = code == EEXIST ? "something already has this name (ntk-dynamics writes only a file it creates)"
                                        : String(cString: strerror(code))
            throw OutputError.cannotWrite(path: url.path, reason: reason)
        }
        return fd
    }

    /// Writes `data` to `url` atomically: into a new temporary file beside it (``createNew(_:)``), then `rename`d
    /// over it. A failure removes the temporary file and leaves `url` as it was.
    ///
    /// - Throws: ``OutputError/cannotWrite(path:reason:)``.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let (temporary, fd) = try createTemporary(beside: url)
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary.path, url.path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary.path)
            throw OutputError.cannotWrite(path: url.path, reason: String(cString: strerror(failure)))
        }
    }

    /// A new temporary file beside `url` with a name nobody had, and its descriptor.
    private static func createTemporary(beside url: URL) throws -> (URL, Int32) {
        let folder = url.deletingLastPathComponent()
        while true {
            let suffix = String(UInt64.random(in: .min ... .max), radix: 16)
            let name = ".\(url.lastPathComponent)\(temporaryInfix)\(String(repeating: "0", count: 16 - suffix.count))\(suffix)"
            let temporary = folder.appendingPathComponent(name)
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
            if fd >= 0 { return (temporary, fd) }
            guard errno == EEXIST else {
                throw OutputError.cannotWrite(path: url.path, reason: "cannot create a temporary file beside it: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Whether `name` is the name of a temporary file of ``writeAtomically(_:to:)``.
    static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let range = name.range(of: temporaryInfix, options: .backwards) else { return false }
        let digits = name[range.upperBound...]
        return range.lowerBound > name.index(after: name.startIndex) && digits.count == 16 && digits.allSatisfy(\.isHexDigit)
    }
}
