import ArgumentParser
import Foundation
import NTKDynamics

/// `ntk-dynamics merge`: joins the shard directories of one sweep into one sweep.csv and summary.
public struct MergeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the shard directories of one sweep (--shard I/N) into one sweep.csv and sweep_summary.json.",
        discussion: "Refuses shards whose settings differ, and a (width, seed) that two shards report differently."
    )

    @Argument(help: "Shard directories, each written by `ntk-dynamics sweep --shard I/N --out DIR`.")
    var directories: [String]

    @Option(help: "Directory for the merged sweep.csv, sweep_summary.json and sweep_config.json.")
    var out: String

    @Flag(help: "Replace an existing --out that holds an earlier merge.")
    var force = false

    public init() {}

    public func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one shard directory to merge.") }
        for d in directories {
            let c = URL(fileURLWithPath: d).appendingPathComponent(RunFormat.sweepConfig).path
            guard FileManager.default.fileExists(atPath: c) else {
                throw ValidationError("'\(d)' is not a sweep directory (no sweep_config.json); give directories written by `ntk-dynamics sweep`.")
            }
        }
        try checkOverlap()
    }

    /// Refuses an `--out` that is a shard or inside one, and a shard inside `--out`, compared as
    /// symlink-free paths: `--force` would delete the shard's runs (Docs/CLI.md#guarantees).
    private func checkOverlap() throws {
        let target: URL
        do {
            target = try OutputClaim.resolve(URL(fileURLWithPath: out))
        } catch let error as OutputError {
            throw ValidationError("--out: \(error.description)")
        }
        func within(_ a: String, _ b: String) -> Bool { a == b || a.hasPrefix(b.hasSuffix("/") ? b : b + "/") }
        for d in directories {
            guard let shard = try? OutputClaim.resolve(URL(fileURLWithPath: d)) else { continue }
            if within(target.path, shard.path) {
                let where_ = target.path == shard.path ? "is the shard" : "is inside the shard"
                throw ValidationError("""
                    --out \(Console.shown(out)) \(where_) '\(Console.shown(d))' (\(Console.shown(shard.path))); merging into it would \
                    overwrite the shard's files. Give --out a directory outside every shard.
                    """)
            }
            if within(shard.path, target.path) {
                throw ValidationError("""
                    the shard '\(Console.shown(d))' is inside --out \(Console.shown(out)) (\(Console.shown(target.path))); replacing \
                    --out would delete it. Give --out a directory outside every shard.
                    """)
            }
        }
    }

    public func run() throws {
        let claim = try OutputClaim.take(URL(fileURLWithPath: out))
        try claim.writing { try mergeReportingErrors(claim) }
    }

    private func mergeReportingErrors(_ claim: OutputClaim) throws {
        do {
            try merge(claim)
        } catch let error as SweepError {
            throw ValidationError(error.description)
        } catch let error as OutputError {
            // A directory that cannot be created, renamed (a mount point under --force) or written is a runtime
            // failure, exit 1, as for `run`; the refusals of --out are usage errors (Docs/CLI.md#exit-status).
            if case .cannotWrite = error { throw error }
            throw ValidationError("--out: \(error.description)")
        }
    }

    private func merge(_ claim: OutputClaim) throws {
        var config: SweepConfiguration?
        var byCell: [SweepCell: (row: SweepRow, path: String)] = [:]
        for d in directories {
            let url = URL(fileURLWithPath: d)
            let c = try SweepConfiguration.read(url.appendingPathComponent(RunFormat.sweepConfig))
            if let first = config, let difference = first.sameSweep(as: c) {
                throw SweepError.inconsistent(path: d, reason: difference)
            }
            if config == nil { config = c }
            let csv = url.appendingPathComponent(RunFormat.sweep)
            guard FileManager.default.fileExists(atPath: csv.path) else {
                throw SweepError.malformed(path: d, reason: "no sweep.csv: the shard has not finished; rerun its sweep command to complete it")
            }
            for row in try SweepRow.read(csv, grid: c.sweep.grid, defaults: c.rowDefaults) {
                if let seen = byCell[row.cell] {
                    var a = seen.row, b = row
                    a.values[SweepColumn.wallTime] = nil
                    b.values[SweepColumn.wallTime] = nil
                    guard a == b else {
                        throw SweepError.duplicateCell(run: row.cell.directoryName, paths: [seen.path, d])
                    }
                } else {
                    byCell[row.cell] = (row, d)
                }
            }
        }
        var merged = config!
        merged.sweep.shard = "merged"
        merged.format = FormatRecord()   // this version writes the merged directory, whatever its shards' format
        let grid = Set(merged.sweep.grid.cells)
        let missing = grid.subtracting(byCell.keys).sorted()
        let root = URL(fileURLWithPath: out)
        if force, let kind = try RunDirectory.checkWritable(root, force: true), kind != .merge && kind != .sweep {
            throw ValidationError("""
                --out \(out) holds an ntk-dynamics \(kind.rawValue), not a merge or sweep; merge --force replaces only an earlier \
                merge. Choose another --out.
                """)
        }
        try claim.prepare(force: force, replaceable: [.merge, .sweep])
        try RunDirectory(url: root).writeJSON(merged, to: RunFormat.sweepConfig)
        let rows = byCell.values.map(\.row).sorted { $0.cell < $1.cell }
        let summary = try SweepReport.write(rows: rows, config: merged, to: root)
        Console.out(SweepReport.render(summary, rows: rows))
        SweepReport.writeHTML(root)
        Console.out("merged \(rows.count) runs from \(directories.count) shards into \(Console.shown(root.appendingPathComponent(RunFormat.sweep).path))")
        if !missing.isEmpty {
            Console.warn("""
                \(missing.count) of \(grid.count) grid cells are in no shard, e.g. \(missing[0].directoryName); merge every shard of \
                the sweep for the full grid.
                """)
        }
    }
}
