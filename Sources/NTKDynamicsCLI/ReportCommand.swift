import ArgumentParser
import Foundation
import NTKDynamics

/// `ntk-dynamics report DIR`: (re)writes DIR/report.html from the logs alone.
public struct ReportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write DIR/report.html (plots of the run, inline SVG, no network needed) from a run directory's logs.",
        discussion: """
            DIR is a run directory (config.json, steps.csv, …), a width list (widths.csv and w<width>/), \
            a sweep or merge directory (sweep_config.json) or a kernel study (kernel.csv). \
            For a width list the report of each w<width>/ run is rewritten too, unless --no-runs is given. \
            Works for a diverged, interrupted or still running run as well: it plots what the logs hold. \
            See Docs/Report.md.
            """
    )

    @Argument(help: "The run directory (or width-list, sweep or kernel directory) to report on.")
    public var directory: String

    @Flag(name: .customLong("no-runs"), help: "For a width list, write only OUT/report.html, not the report of each width.")
    public var noRuns = false

    @Option(name: .customLong("figures"), help: ArgumentHelp(
        "Also write each figure of the page as a standalone SVG file, fig<NN>-<id>.svg, into this directory "
            + "(created if missing; an existing file is never overwritten).",
        valueName: "dir"))
    public var figures: String?

    public init() {}

    public func validate() throws {
        guard !directory.isEmpty else { throw ValidationError("DIR is empty; give a run directory.") }
        if figures?.isEmpty == true { throw ValidationError("--figures is empty; give the directory to write the SVG files into.") }
        do {
            _ = try RunLogs.kind(of: URL(fileURLWithPath: directory))
        } catch let error as ReportError {
            throw ValidationError(error.description)
        }
        do {
            _ = try OutputClaim.resolve(URL(fileURLWithPath: directory))  // a name its lock cannot be made for
        } catch let error as OutputError {
            throw ValidationError(error.description)
        }
        try checkOverwrite()
    }

    /// Refuses to replace a `report.html` in a directory without the tool's marker (the rule of `--force`,
    /// Docs/CLI.md#guarantees): that file may be someone else's.
    private func checkOverwrite() throws {
        let root = URL(fileURLWithPath: directory)
        var targets = [root]
        if !noRuns, (try? RunLogs.kind(of: root)) == .widthList {
            targets += WidthListLogs.subrunDirectories(of: root).map { root.appendingPathComponent($0.name) }
        }
        for dir in targets where OutputInventory.fileType(dir.appendingPathComponent(RunReport.fileName)) != nil {
            guard case .failure(.notAnOutput(_, let reason)) = OutputInventory.marker(of: dir) else { continue }
            let file = dir.appendingPathComponent(RunReport.fileName).path
            throw ValidationError("'\(Console.shown(file))' exists, and '\(Console.shown(dir.path))' is not an output directory of ntk-dynamics: "
                + "\(reason); report replaces only a report.html in a directory ntk-dynamics wrote (the rule of --force), "
                + "so move '\(Console.shown(file))' away and rerun")
        }
    }

    public func run() throws {
        // report.html is replaced atomically and only read logs go into it, so a report may be drawn while a run
        // still writes the directory (the run rewrites report.html when it ends); otherwise it holds the lock
        // like every writer (Docs/CLI.md#guarantees).
        var claim: OutputClaim?
        do {
            claim = try OutputClaim(URL(fileURLWithPath: directory))
        } catch let error as OutputError {
            guard case let .locked(path, _, holder) = error else { throw error }
            Console.note("""
                note: '\(Console.shown(path))' is being written by another ntk-dynamics command \
                (\(holder.map { "pid \($0)" } ?? "holder unknown")); this report shows its logs so far, and that command rewrites \
                report.html when it ends
                """)
        }
        defer { claim?.finish(keepingNew: true) }
        let written: [URL]
        do {
            written = try RunReport.write(runDirectory: URL(fileURLWithPath: directory), includeWidthRuns: !noRuns)
        } catch let error as ReportError {
            Console.error(TerminalText.escaped(error.description))
            throw ExitCode(NTKExitStatus.failure)
        }
        for url in written { Console.out("report: \(Console.shown(url.path))") }
        if let figures { try writeFigures(to: URL(fileURLWithPath: figures)) }
        // The page notes them too; say so where a script sees it.
        let root = URL(fileURLWithPath: directory)
        let runs = [root] + WidthListLogs.subrunDirectories(of: root).map { root.appendingPathComponent($0.name) }
        for run in runs {
            for name in RunLogs.cutShortLogs(in: run) {
                Console.warn("""
                    \(Console.shown(run.appendingPathComponent(name).path)) ends in a row that was cut short (a write that failed \
                    partway, e.g. a full disk); the report leaves that row out.
                    """)
            }
        }
    }

    /// `--figures DIR`: the standalone SVG files; a file in the way is a usage error (64), a failed write 1.
    private func writeFigures(to out: URL) throws {
        do {
            let files = try FigureFiles.write(of: URL(fileURLWithPath: directory), to: out)
            Console.out("figures: \(files.count) SVG file\(files.count == 1 ? "" : "s") in \(Console.shown(out.path))")
        } catch let error as ReportError {
            Console.error(TerminalText.escaped(error.description))
            if case .figureFilesRefused = error { throw ExitCode(NTKExitStatus.usage) }
            throw ExitCode(NTKExitStatus.failure)
        }
    }
}
