import Foundation

/// One command's exclusive hold on its output directory, and the atomic `--force` replacement
/// (Docs/CLI.md#guarantees).
///
/// * **Lock.** `flock` on `.<name>.ntk-lock` beside the directory (in its parent, so that it survives the
///   directory being replaced); the file holds the holder's pid and is removed on release. The lock is on
///   the symlink-free path, so two spellings of one directory share it. Where the parent may not be
///   written, an existing directory is locked itself (`flock` on the directory), without a pid.
/// * **Atomic replacement.** With `--force`, the earlier output is renamed to `.<name>.ntk-old` beside it
///   (one `rename`, same filesystem) and an empty directory is created in its place. When the command has
///   written its output (also a diverged or interrupted one), the old copy is removed; when it fails with
///   an error, the new directory is removed and the old one renamed back. A copy left aside by a killed
///   command is renamed back by the next command on that directory when the directory is missing.
public final class OutputClaim: @unchecked Sendable {
    /// The output directory, symlink-free.
    public let url: URL
    /// The lock file beside it (the directory itself when its parent may not be written).
    public private(set) var lockFile: URL
    /// Where an earlier output is kept while a `--force` replaces it.
    public let aside: URL
    private var descriptor: Int32 = -1
    private var hasAside = false
    private var lockIsDirectory = false
    private var prepared = false
    /// Parent folders this claim created (removed again when nothing was written into them).
    private var createdParents: [URL] = []

    /// Resolves `path`, creates its missing parent folders and takes the lock.
    ///
    /// - Throws: ``OutputError/locked(path:lockFile:holder:)`` when another process holds it; the errors of
    ///   ``resolve(_:)``; ``OutputError/cannotWrite(path:reason:)``; ``OutputError/leftAside(path:aside:)``.
    public init(_ path: URL) throws {
        url = try Self.resolve(path)
        guard url.path != "/" else { throw OutputError.cannotWrite(path: "/", reason: "the root folder cannot be an output directory") }
        let parent = url.deletingLastPathComponent()
        let name = url.lastPathComponent
        lockFile = parent.appendingPathComponent(".\(name).ntk-lock")
        aside = parent.appendingPathComponent(".\(name).ntk-old")
        try createParents(parent)
        try lock()
        do {
            try recoverAside()
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    /// Checks the directory under the lock and makes it an empty directory, setting an earlier output aside
    /// when `force` allows replacing it.
    ///
    /// - Returns: the kind of output set aside, nil when there was none.
    /// - Throws: the errors of ``RunDirectory/checkWritable(_:force:replaceable:)``, and
    ///   ``OutputError/cannotWrite(path:reason:)``.
    @discardableResult
    public func prepare(force: Bool, replaceable: Set<OutputKind> = Set(OutputKind.allCases)) throws -> OutputKind? {
        let kind = try RunDirectory.checkWritable(url, force: force, replaceable: replaceable)
        if kind != nil {
            guard rename(url.path, aside.path) == 0 else {
                throw OutputError.cannotWrite(path: url.path, reason: """
                    could not set the earlier output aside as \(aside.path) (\(String(cString: strerror(errno)))); it is unchanged
                    """)
            }
            hasAside = true
        }
        // mkdir, which follows no link: a link planted at the freed name fails it instead of being written through.
        if mkdir(url.path, 0o777) != 0 {
            let code = errno
            guard code == EEXIST && !hasAside && OutputInventory.isDirectory(url) else {
                restore()
                throw OutputError.cannotWrite(path: url.path, reason: code == EEXIST
                    ? "something appeared at its name while the command set up its output; nothing was written there"
                    : String(cString: strerror(code)))
            }
        }
        prepared = true
        return kind
    }

    /// Ends the claim: keeps the new output (removing the old copy) or, when the command failed, puts the old
    /// output back. Then releases the lock.
    ///
    /// - Returns: a warning when the old copy could not be removed completely, or says that it was put back.
    @discardableResult
    public func finish(keepingNew: Bool) -> String? {
        var warning: String?
        if hasAside {
            if keepingNew {
                do {
                    try FileManager.default.removeItem(at: aside)
                } catch {
                    warning = """
                        the new output in \(url.path) is complete, but the earlier one set aside as \(aside.path) could not be removed \
                        completely (\(RunDirectory.reason(error))); delete it yourself
                        """
                }
                hasAside = false
            } else {
                restore()
                warning = hasAside
                    ? "the earlier output is kept aside as \(aside.path): the command failed and it could not be put back; move it back to \(url.path)"
                    : "the command failed: the earlier output in \(url.path) was put back unchanged"
            }
        }
        release()
        return warning
    }

    /// Removes the new directory and renames the old one back.
    private func restore() {
        guard hasAside else { return }
        if prepared || FileManager.default.fileExists(atPath: url.path) { try? FileManager.default.removeItem(at: url) }
        if rename(aside.path, url.path) == 0 { hasAside = false }
        prepared = false
    }

    private func release() {
        guard descriptor >= 0 else { return }
        if !FileManager.default.fileExists(atPath: url.path) {
            for p in createdParents.reversed() { rmdir(p.path) }  // only if empty
        }
        if !lockIsDirectory { unlink(lockFile.path) }  // while still holding the lock; see lock()
        close(descriptor)
        descriptor = -1
    }

    private func createParents(_ parent: URL) throws {
        var missing: [URL] = []
        var p = parent
        while !FileManager.default.fileExists(atPath: p.path) && p.path != "/" {
            missing.append(p)
            p = p.deletingLastPathComponent()
        }
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError.cannotWrite(path: url.path, reason: RunDirectory.reason(error))
        }
        createdParents = missing.reversed()
    }

    /// Takes the lock without waiting. Another process may unlink the lock file between our open and flock;
    /// a lock on an unlinked file excludes nobody, so the lock is taken only on the file the path names now.
    /// The lock file is opened with `O_NOFOLLOW` and must be a regular file with one link: a symbolic link, a hard
    /// link or anything else planted at its name is refused before a byte is written (Docs/CLI.md#guarantees).
    private func lock() throws {
        while true {
            let fd = open(lockFile.path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let code = errno
                if let found = Self.unsafeLockFile(lockFile, openError: code) {
                    for p in createdParents.reversed() { rmdir(p.path) }
                    throw OutputError.unsafeLockFile(path: url.path, lockFile: lockFile.path, found: found)
                }
                if [EACCES, EPERM, EROFS].contains(code) && OutputInventory.isDirectory(url) {
                    return try lockDirectoryItself()
                }
                let reason = String(cString: strerror(code))
                for p in createdParents.reversed() { rmdir(p.path) }
                throw OutputError.cannotWrite(path: url.path, reason: "cannot create its lock file \(lockFile.path): \(reason)")
            }
            var opened = stat()
            if fstat(fd, &opened) == 0, let found = Self.unsafeLockFile(opened) {
                close(fd)
                throw OutputError.unsafeLockFile(path: url.path, lockFile: lockFile.path, found: found)
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = Self.readPid(fd)
                close(fd)
                throw OutputError.locked(path: url.path, lockFile: lockFile.path, holder: holder)
            }
            var named = stat()
            if lstat(lockFile.path, &named) == 0, opened.st_ino == named.st_ino, opened.st_dev == named.st_dev {
                let text = "\(getpid())\n"
                _ = ftruncate(fd, 0)
                _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
                descriptor = fd
                return
            }
            close(fd)
        }
    }

    /// What stands at the lock file's name when `open` failed with `openError` and it is not a file the tool may
    /// use (a symbolic link, which `O_NOFOLLOW` refused, or a directory); nil for any other failure.
    private static func unsafeLockFile(_ lockFile: URL, openError: Int32) -> String? {
        var s = stat()
        guard lstat(lockFile.path, &s) == 0 else { return nil }
        if s.st_mode & S_IFMT == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: lockFile.path)) ?? "?"
            return "a symbolic link to '\(target)'"
        }
        return unsafeLockFile(s)
    }

    /// Why an opened lock file is not one the tool may write its pid into: not a regular file, or a regular file with
    /// more than one link (a hard link to someone's file); nil when it may.
    private static func unsafeLockFile(_ s: stat) -> String? {
        switch s.st_mode & S_IFMT {
        case S_IFREG: return s.st_nlink > 1 ? "a file with \(s.st_nlink) hard links (another name of some other file)" : nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a named pipe"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "not a regular file"
        }
    }

    /// Whether another process holds the lock of the output directory `path`, without taking it or creating
    /// anything: a shared `flock` on its lock file (opened with `O_NOFOLLOW`, never created), or on the directory
    /// itself, that cannot be had.
    ///
    /// - Returns: ``OutputError/locked(path:lockFile:holder:)`` when it is held; nil when it is free, or unknown.
    public static func heldLock(_ path: URL) -> OutputError? {
        guard let url = try? resolve(path) else { return nil }
        let lockFile = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).ntk-lock")
        for (file, flags) in [(lockFile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK), (url, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)] {
            let fd = open(file.path, flags | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK {
                return .locked(path: url.path, lockFile: file.path, holder: file == lockFile ? readPid(fd) : nil)
            }
        }
        return nil
    }

    /// The fallback of a parent folder that may not be written: `--force` cannot rename the directory there
    /// anyway, so locking its inode is enough.
    private func lockDirectoryItself() throws {
        lockFile = url
        lockIsDirectory = true
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw OutputError.cannotWrite(path: url.path, reason: "cannot open it to lock it: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw OutputError.locked(path: url.path, lockFile: url.path, holder: nil)
        }
        descriptor = fd
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A copy set aside by a command that was killed: put it back when its place is free, and only when it is an
    /// output the tool wrote (marker and layout, as for `--force`; Docs/CLI.md#guarantees).
    private func recoverAside() throws {
        let fm = FileManager.default
        guard let type = OutputInventory.fileType(aside) else { return }
        guard type == S_IFDIR else {
            throw OutputError.foreignAside(path: url.path, aside: aside.path, found: type == S_IFLNK ? "a symbolic link" : "not a directory")
        }
        if case .failure(let error) = OutputInventory.classify(aside) {
            guard case let .notAnOutput(_, reason) = error else { throw error }
            throw OutputError.foreignAside(path: url.path, aside: aside.path, found: "not an output of ntk-dynamics (\(reason))")
        }
        if OutputInventory.fileType(url) == nil {
            guard rename(aside.path, url.path) == 0 else {
                throw OutputError.leftAside(path: url.path, aside: aside.path)
            }
        } else if OutputInventory.isDirectory(url), (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true {
            rmdir(url.path)
            if rename(aside.path, url.path) != 0 { throw OutputError.leftAside(path: url.path, aside: aside.path) }
        } else {
            throw OutputError.leftAside(path: url.path, aside: aside.path)
        }
    }

    /// `path` made absolute with every symbolic link resolved, component by component as the kernel does: a `..`
    /// steps up from where the links before it led (so `link/../x` is beside the link's target, not beside the
    /// link), and a missing component is taken as the folder that will be created there.
    ///
    /// - Throws: ``OutputError/fileInTheWay(path:file:)`` when a folder on the way is a file,
    ///   ``OutputError/danglingSymlink(path:link:target:)`` for a link to nothing,
    ///   ``OutputError/cannotWrite(path:reason:)`` for a loop of links, ``OutputError/nameTooLong(path:bytes:limit:)``
    ///   for a last component longer than ``maximumNameBytes``.
    public static func resolve(_ path: URL) throws -> URL {
        let given = path.path
        var current = "/"
        let components = given.split(separator: "/").map(String.init)
        for (i, component) in components.enumerated() {
            if component == "." { continue }
            if component == ".." {
                current = current == "/" ? "/" : (current as NSString).deletingLastPathComponent
                continue
            }
            let candidate = current == "/" ? "/" + component : current + "/" + component
            var s = stat()
            guard lstat(candidate, &s) == 0 else {
                current = candidate  // missing: a folder the command will create
                continue
            }
            var resolvedPath = candidate
            if s.st_mode & S_IFMT == S_IFLNK {
                guard let real = realpath(candidate, nil) else {
                    let code = errno
                    if code == ELOOP {
                        throw OutputError.cannotWrite(path: given, reason: "'\(candidate)' is a loop of symbolic links")
                    }
                    var target = (try? FileManager.default.destinationOfSymbolicLink(atPath: candidate)) ?? "?"
                    if !target.hasPrefix("/") && target != "?" {
                        target = URL(fileURLWithPath: target, relativeTo: URL(fileURLWithPath: current, isDirectory: true))
                            .standardizedFileURL.path
                    }
                    throw OutputError.danglingSymlink(path: given, link: candidate, target: target)
                }
                resolvedPath = String(cString: real)
                free(real)
                guard stat(resolvedPath, &s) == 0 else {
                    throw OutputError.cannotWrite(path: given, reason: "cannot read '\(resolvedPath)'")
                }
            }
            if s.st_mode & S_IFMT != S_IFDIR {
                if i == components.count - 1 { throw OutputError.notADirectory(path: given) }
                throw OutputError.fileInTheWay(path: given, file: candidate)
            }
            current = resolvedPath
        }
        let name = (current as NSString).lastPathComponent
        guard name.utf8.count <= maximumNameBytes else {
            throw OutputError.nameTooLong(path: given, bytes: name.utf8.count, limit: maximumNameBytes)
        }
        return URL(fileURLWithPath: current)
    }

    /// The longest output directory name, in bytes: its lock file `.<name>.ntk-lock` (10 bytes more) must fit in
    /// NAME_MAX, 255 bytes on Linux's filesystems (Docs/CLI.md#guarantees).
    public static let maximumNameBytes = 255 - ".ntk-lock".utf8.count - 1
}
