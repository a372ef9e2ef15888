import Foundation

/// A run directory (DESIGN.md §3): `config.json`, `steps.csv`, `spectrum.csv`, `summary.json`, `arrays/*.npy`.
///
/// Creating one never touches a non-empty directory unless `force` is set, and even then only one that
/// holds an earlier ntk-dynamics run. JSON files are written atomically (temporary file, then rename).
public struct RunDirectory: Sendable {
    public let url: URL

    /// Files whose presence marks a directory as an ntk-dynamics output (one run or several widths).
    public static let markerFiles = ["config.json", "steps.csv", "widths.csv", "sweep_config.json", "sweep.csv"]

    /// Creates (or, with `force`, empties and reuses) the directory at `url`.
    ///
    /// - Throws: ``OutputError/directoryNotEmpty(path:)`` when it holds files and `force` is false, or when
    ///   `force` is true but it does not look like an ntk-dynamics output (so `--force` cannot wipe an
    ///   unrelated folder); ``OutputError/notADirectory(path:)``; ``OutputError/cannotWrite(path:reason:)``.
    public static func create(at url: URL, force: Bool) throws -> RunDirectory {
        try prepare(url, force: force)
        let dir = RunDirectory(url: url)
        try dir.makeDirectory(url.appendingPathComponent("arrays/params_init"))
        return dir
    }

    /// Checks that `url` may be written, and creates it (empty).
    public static func prepare(_ url: URL, force: Bool) throws {
        let fm = FileManager.default
        if try checkWritable(url, force: force) {
                do {
                    try fm.removeItem(at: url)
                } catch {
                    throw OutputError.cannotWrite(path: url.path, reason: "could not remove the earlier run: \(error.localizedDescription)")
                }
        }
        try RunDirectory(url: url).makeDirectory(url)
    }

    /// Checks, without changing anything, that `url` may be used as an output directory.
    ///
    /// - Returns: true when it holds an earlier run that `force` allows replacing.
    /// - Throws: the errors of ``create(at:force:)``.
    @discardableResult
    public static func checkWritable(_ url: URL, force: Bool) throws -> Bool {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return false }
        guard isDir.boolValue else { throw OutputError.notADirectory(path: url.path) }
        let contents = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
        if contents.isEmpty { return false }
        guard force else { throw OutputError.directoryNotEmpty(path: url.path) }
        guard contents.contains(where: markerFiles.contains) else {
            throw OutputError.cannotWrite(
                path: url.path,
                reason: "it is not empty and holds no earlier ntk-dynamics run (no config.json, steps.csv, widths.csv or sweep_config.json), so --force will not delete it; choose another --out")
        }
        return true
    }

    public init(url: URL) { self.url = url }

    /// The URL of `name` inside the directory.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// A decoder for the JSON files this type writes (non-finite numbers are the strings "nan", "inf", "-inf").
    public static var jsonDecoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// Encodes `value` as pretty, key-sorted JSON into `name`, atomically; a non-finite number is `null`.
    public func writeJSON<T: Encodable>(_ value: T, to name: String) throws {
        // A stray NaN or ∞ must never make the summary of a finished run unwritable: it is written as null.
        try write(JSONText.encode(value), to: name)
    }

    /// Writes `arrays/<name>.npy` (name may contain a subfolder, e.g. "params_init/W0").
    public func writeArray(_ name: String, _ values: [Double], shape: [Int]) throws {
        try write(NPYWriter.encode(values, shape: shape), to: "arrays/\(name).npy")
    }

    /// Writes a matrix to `arrays/<name>.npy`.
    public func writeArray(_ name: String, _ m: Matrix) throws {
        try writeArray(name, m.data, shape: [m.rows, m.cols])
    }

    /// Removes the empty `arrays/` folder of a run that keeps no arrays.
    func removeArraysFolder() throws {
        try? FileManager.default.removeItem(at: url.appendingPathComponent("arrays"))
    }

    /// Writes `data` to `name` atomically.
    public func write(_ data: Data, to name: String) throws {
        let target = file(name)
        do {
            try data.write(to: target, options: .atomic)
        } catch {
            throw OutputError.cannotWrite(path: target.path, reason: error.localizedDescription)
        }
    }

    private func makeDirectory(_ u: URL) throws {
        do {
            try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        } catch {
            throw OutputError.cannotWrite(path: u.path, reason: error.localizedDescription)
        }
    }
}
