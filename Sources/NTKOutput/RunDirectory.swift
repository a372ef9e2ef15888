import Foundation

/// A run directory (Docs/LogFormat.md): `config.json`, `steps.csv`, `summary.json`, `arrays/*.npy`.
///
/// Creating one never touches a non-empty directory: replacing an earlier output (`--force`) is
/// ``OutputClaim``'s, and only for a directory ``OutputInventory`` recognises. JSON files are written
/// atomically (temporary file, then rename; ``SafeFile``).
public struct RunDirectory: Sendable {
    public let url: URL

    /// Creates the directory at `url` (absent or empty) with its `arrays/params_init` folder.
    ///
    /// - Throws: ``OutputError/directoryNotEmpty(path:)``, ``OutputError/notADirectory(path:)``,
    ///   ``OutputError/cannotWrite(path:reason:)``.
    public static func create(at url: URL) throws -> RunDirectory {
        try prepare(url)
        let dir = RunDirectory(url: url)
        try dir.makeDirectory(url.appendingPathComponent("arrays/params_init"))
        return dir
    }

    /// Checks that `url` is absent or empty, and creates it (empty).
    public static func prepare(_ url: URL) throws {
        try checkWritable(url, force: false)
        try RunDirectory(url: url).makeDirectory(url)
    }

    /// Checks, without changing anything, that `url` may be used as an output directory.
    ///
    /// - Returns: the kind of earlier output that `force` allows replacing; nil when `url` is absent or empty.
    /// - Throws: ``OutputError/directoryNotEmpty(path:)`` when it holds files and `force` is false;
    ///   ``OutputError/notAnOutput(path:reason:)`` when `force` is true but ``OutputInventory`` does not
    ///   recognise it as an output of a kind in `replaceable` (so `--force` cannot wipe an unrelated folder);
    ///   ``OutputError/notADirectory(path:)``; the path errors of ``OutputClaim/resolve(_:)``.
    @discardableResult
    public static func checkWritable(_ url: URL, force: Bool,
                                     replaceable: Set<OutputKind> = Set(OutputKind.allCases)) throws -> OutputKind? {
        let resolved = try OutputClaim.resolve(url)
        guard OutputInventory.fileType(resolved) != nil else { return nil }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: resolved.path)) ?? []
        if contents.isEmpty { return nil }
        guard force else { throw OutputError.directoryNotEmpty(path: url.path) }
        switch OutputInventory.classify(resolved) {
        case .failure(let error):
            throw error
        case .success(let kind):
            guard replaceable.contains(kind) else {
                let names = OutputKind.allCases.filter(replaceable.contains).map(\.rawValue).joined(separator: " or ")
                throw OutputError.notAnOutput(path: url.path, reason: "it holds an ntk-dynamics \(kind.rawValue), and this command replaces only a \(names)")
            }
            return kind
        }
    }

    /// The reason of a Foundation file error in words: the POSIX error beneath it when there is one (its own
    /// text is often only "NSCocoaErrorDomain error 512").
    public static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        var code: Int32?
        if ns.domain == NSPOSIXErrorDomain {
            code = Int32(ns.code)
        } else if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? any Error,
                  (underlying as NSError).domain == NSPOSIXErrorDomain {
            code = Int32((underlying as NSError).code)
        }
        guard let code else { return error.localizedDescription }
        let text = String(cString: strerror(code))
        return (ns.userInfo[NSFilePathErrorKey] as? String).map { "\($0): \(text)" } ?? text
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
        try write(NPYWriter.encode(values, shape: shape), to: RunFormat.array(name))
    }

    /// Writes a matrix to `arrays/<name>.npy`.
    /// Writes an N × k matrix of outputs or targets as `arrays/<name>.npy`: shape (N,) for k = 1, (N, k) otherwise.
    public func writeOutputs(_ name: String, _ y: Matrix) throws {
        try writeArray(name, y.data, shape: y.cols == 1 ? [y.rows] : [y.rows, y.cols])
    }

    /// Writes the data of a run or a kernel study: `x_train`, `y_train`, `x_test`, `y_test` (Docs/LogFormat.md#arraysnpy).
    public func writeDataset(_ d: Dataset) throws {
        try writeArray("x_train", d.trainInputs)
        try writeOutputs("y_train", d.trainTargets)
        try writeArray("x_test", d.testInputs)
        try writeOutputs("y_test", d.testTargets)
    }

    public func writeArray(_ name: String, _ m: Matrix) throws {
        try writeArray(name, m.data, shape: [m.rows, m.cols])
    }

    /// Removes the empty `arrays/` folder of a run that keeps no arrays.
    func removeArraysFolder() throws {
        try? FileManager.default.removeItem(at: url.appendingPathComponent(RunFormat.arrays))
    }

    /// Writes `data` to `name` atomically, never through a symbolic link (``SafeFile/writeAtomically(_:to:)``).
    public func write(_ data: Data, to name: String) throws {
        try SafeFile.writeAtomically(data, to: file(name))
    }

    /// Creates the folder `u` (and its parents).
    ///
    /// - Throws: ``OutputError/cannotWrite(path:reason:)``.
    public func makeDirectory(_ u: URL) throws {
        do {
            try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        } catch {
            throw OutputError.cannotWrite(path: u.path, reason: Self.reason(error))
        }
    }
}
