import Foundation

/// Recognises a directory the tool wrote, so that `--force` removes nothing else (Docs/CLI.md#guarantees).
///
/// A directory is recognised by its own marker (`config.json` or `sweep_config.json` with
/// `"tool": "ntk-dynamics"`; a width list by the marked `config.json` of a `w<width>/` run) and by its
/// layout: every entry, at every depth, must be one the tool writes for that kind. A `config.json` without
/// the `tool` key is not recognised (every version of the tool has written that key).
public enum OutputInventory {
    static let runFiles = RunFormat.files(of: .run)
    static let kernelFiles = RunFormat.files(of: .kernel)
    static let sweepFiles = RunFormat.files(of: .sweep)
    static let widthListFiles = RunFormat.files(of: .widthList)

    /// The kind of output at `url` (an existing, non-empty directory), or why it is not one.
    public static func classify(_ url: URL) -> Result<OutputKind, OutputError> {
        let kind: OutputKind
        switch marker(of: url) {
        case .failure(let error): return .failure(error)
        case .success(let k): kind = k
        }
        var foreign: [String] = []
        switch kind {
        case .run: checkRun(url, "", &foreign)
        case .kernel: checkFlat(url, "", files: kernelFiles, &foreign)
        case .merge: checkFlat(url, "", files: sweepFiles, subfolders: [], &foreign)
        case .sweep:
            checkFlat(url, "", files: sweepFiles, subfolders: [RunFormat.sweepRuns], &foreign)
            let runs = url.appendingPathComponent(RunFormat.sweepRuns)
            if isDirectory(runs) {
                for name in names(in: runs) {
                    if isCellName(name) && isDirectory(runs.appendingPathComponent(name)) {
                        checkRun(runs.appendingPathComponent(name), "runs/\(name)/", &foreign)
                    } else {
                        foreign.append(decorated(runs, name, prefix: "runs/"))
                    }
                }
            }
        case .widthList:
            for name in names(in: url) {
                let u = url.appendingPathComponent(name)
                if isWidthName(name) && isDirectory(u) {
                    checkRun(u, "\(name)/", &foreign)
                } else if !(widthListFiles.contains(name) && isRegularFile(u)) && !isAtomicWriteLeftover(name, u) {
                    foreign.append(decorated(url, name))
                }
            }
        }
        guard foreign.isEmpty else {
            return .failure(notOurs(url, "it looks like an ntk-dynamics \(kind.rawValue) but holds \(list(foreign)) which ntk-dynamics did not write"))
        }
        return .success(kind)
    }

    /// The kind of output that the marker of the directory `url` names (its `sweep_config.json` or `config.json` with
    /// `"tool": "ntk-dynamics"`, or for a width list the marked `config.json` of a `w<width>/` run), or why it has none.
    /// The first half of ``classify(_:)``: it does not look at the layout.
    public static func marker(of url: URL) -> Result<OutputKind, OutputError> {
        let entries = names(in: url)
        if entries.contains(RunFormat.sweepConfig) {
            guard let object = toolJSON(url.appendingPathComponent(RunFormat.sweepConfig)) else {
                return .failure(unmarked(url, entries, marker: RunFormat.sweepConfig))
            }
            return .success(object["shard"] as? String == "merged" ? .merge : .sweep)
        } else if entries.contains(RunFormat.config) {
            guard let object = toolJSON(url.appendingPathComponent(RunFormat.config)) else {
                return .failure(unmarked(url, entries, marker: RunFormat.config))
            }
            return .success(object["subcommand"] as? String == "kernel" ? .kernel : .run)
        } else if entries.contains(where: { isWidthName($0) && toolJSON(url.appendingPathComponent($0).appendingPathComponent(RunFormat.config)) != nil }) {
            return .success(.widthList)
        }
        return .failure(unmarked(url, entries, marker: nil))
    }

    /// The entries of the run directory `url` that the tool does not write (`name/` for a folder).
    public static func foreignEntries(ofRun url: URL) -> [String] {
        var foreign: [String] = []
        checkRun(url, "", &foreign)
        return foreign
    }

    // MARK: - Layout checks

    /// A run directory: its files and `arrays/` (`*.npy`, `params_init/*.npy` and `params_final/*.npy`).
    private static func checkRun(_ url: URL, _ prefix: String, _ foreign: inout [String]) {
        checkFlat(url, prefix, files: runFiles, subfolders: [RunFormat.arrays], &foreign)
    }

    /// Regular files from `files`, and for `arrays/` only `.npy` files (and `params_init/`, `params_final/` of them).
    private static func checkFlat(_ url: URL, _ prefix: String, files: Set<String>, subfolders: Set<String> = [RunFormat.arrays],
                                  _ foreign: inout [String]) {
        for name in names(in: url) {
            let u = url.appendingPathComponent(name)
            if files.contains(name) && isRegularFile(u) || isAtomicWriteLeftover(name, u) { continue }
            if subfolders.contains(name) && isDirectory(u) {
                if name == RunFormat.arrays { checkArrays(u, "\(prefix)arrays/", allowParams: true, &foreign) }
                continue
            }
            foreign.append(decorated(url, name, prefix: prefix))
        }
    }

    private static func checkArrays(_ url: URL, _ prefix: String, allowParams: Bool, _ foreign: inout [String]) {
        for name in names(in: url) {
            let u = url.appendingPathComponent(name)
            if name.hasSuffix(".npy") && isRegularFile(u) || isAtomicWriteLeftover(name, u) { continue }
            if allowParams && (name == "params_init" || name == "params_final") && isDirectory(u) {
                checkArrays(u, "\(prefix)\(name)/", allowParams: false, &foreign)
                continue
            }
            foreign.append(decorated(url, name, prefix: prefix))
        }
    }

    // MARK: - Helpers

    /// The temporary file of an atomic write that a killed command left before its rename: `.<name>.ntk-tmp<hex>`
    /// (``SafeFile``), or `.dat.nosync<hex>.<random>` (Foundation's name, which earlier versions wrote).
    static func isAtomicWriteLeftover(_ name: String, _ url: URL) -> Bool {
        (name.hasPrefix(".dat.nosync") || SafeFile.isTemporaryName(name)) && isRegularFile(url)
    }

    /// The JSON object in `url` when it is one the tool wrote (`"tool": "ntk-dynamics"`).
    static func toolJSON(_ url: URL) -> [String: Any]? {
        guard isRegularFile(url), let data = try? Data(contentsOf: url),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              object["tool"] as? String == "ntk-dynamics" else { return nil }
        return object
    }

    /// `w<width>`, the folder of one width of a list.
    static func isWidthName(_ name: String) -> Bool {
        name.count > 1 && name.hasPrefix("w") && name.dropFirst().allSatisfy(\.isASCIIDigitCharacter)
    }

    /// `w<width>-s<seed>`, the folder of one sweep cell.
    static func isCellName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && isWidthName(String(parts[0])) && parts[1].count > 1 && parts[1].hasPrefix("s")
            && parts[1].dropFirst().allSatisfy(\.isASCIIDigitCharacter)
    }

    static func names(in url: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    /// Not following symbolic links: the tool writes none, so a link is never one of its entries.
    public static func fileType(_ url: URL) -> mode_t? {
        var s = stat()
        guard lstat(url.path, &s) == 0 else { return nil }
        return s.st_mode & S_IFMT
    }

    package static func isDirectory(_ url: URL) -> Bool { fileType(url) == S_IFDIR }
    static func isRegularFile(_ url: URL) -> Bool { fileType(url) == S_IFREG }

    /// `name`, with a trailing `/` for a folder.
    private static func decorated(_ parent: URL, _ name: String, prefix: String = "") -> String {
        prefix + name + (isDirectory(parent.appendingPathComponent(name)) ? "/" : "")
    }

    /// Up to six names, then how many more.
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(6).joined(separator: ", ")
        return names.count > 6 ? "\(shown) and \(names.count - 6) more" : shown
    }

    /// No marker of the tool: what was found, the names the tool never writes at a top level first.
    private static func unmarked(_ url: URL, _ entries: [String], marker: String?) -> OutputError {
        let known = runFiles.union(kernelFiles).union(sweepFiles).union(widthListFiles).union([RunFormat.arrays, RunFormat.sweepRuns])
        let strange = entries.filter { !known.contains($0) && !isWidthName($0) }.map { decorated(url, $0) }
        let what = marker.map { "its \($0) was not written by ntk-dynamics (it has no \"tool\": \"ntk-dynamics\")" }
            ?? "it has no config.json or sweep_config.json of ntk-dynamics"
        return notOurs(url, strange.isEmpty ? "\(what); it holds \(list(entries.map { decorated(url, $0) }))"
                                            : "\(what), and it holds \(list(strange)) which ntk-dynamics did not write")
    }

    private static func notOurs(_ url: URL, _ reason: String) -> OutputError {
        .notAnOutput(path: url.path, reason: reason)
    }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
