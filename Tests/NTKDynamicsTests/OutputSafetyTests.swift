import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKOutput
@testable import NTKDynamicsCLI

/// Planted symbolic links and other things at the names the tool writes (Docs/CLI.md#guarantees): nothing they
/// point to may change.
@Suite(.serialized)
struct OutputSafetyTests {
    static func seq(_ n: Int) -> String { (1...n).map(String.init).joined(separator: "\n") + "\n" }

    /// A symbolic link, a hard link or a directory at the lock file's name: the claim is refused, naming what it
    /// found, and the file behind it keeps every byte.
    @Test(arguments: ["symlink", "hardlink", "directory"])
    func aPlantedLockFileIsRefusedAndTheVictimKept(kind: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try OutputDirectoryTests.lay(scratch.url, ["victim": Self.seq(300)])
        let victim = scratch.file("victim"), lock = scratch.file(".r.ntk-lock")
        switch kind {
        case "symlink": try FileManager.default.createSymbolicLink(atPath: lock.path, withDestinationPath: "victim")
        case "hardlink": #expect(link(victim.path, lock.path) == 0)
        default: try FileManager.default.createDirectory(at: lock, withIntermediateDirectories: false)
        }
        let error = #expect(throws: OutputError.self) { _ = try OutputClaim(scratch.file("r")) }
        guard case let .unsafeLockFile(path, lockFile, found)? = error else {
            Issue.record("expected unsafeLockFile, got \(String(describing: error))")
            return
        }
        #expect(path == scratch.file("r").path && lockFile == lock.path)
        #expect(found.contains(["symlink": "symbolic link to 'victim'", "hardlink": "2 hard links", "directory": "a directory"][kind]!), "\(found)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == Self.seq(300))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("r").path), "nothing was created")
    }

    /// Item 2: only a marked output of the tool is put back from `.<name>.ntk-old`; a plain file, a link or a
    /// folder of someone else's is refused, both paths named, and left where it is.
    @Test(arguments: ["file", "symlink", "foreign folder", "unmarked run"])
    func aStrangeCopyAsideIsNotPutBack(kind: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let out = scratch.file("out"), aside = scratch.file(".out.ntk-old")
        switch kind {
        case "file": try OutputDirectoryTests.lay(scratch.url, [".out.ntk-old": "notes"])
        case "symlink":
            try OutputDirectoryTests.lay(scratch.url, ["mine/notes.txt": "notes"])
            try FileManager.default.createSymbolicLink(atPath: aside.path, withDestinationPath: "mine")
        case "foreign folder": try OutputDirectoryTests.lay(aside, ["notes.txt": "notes", "src/a.c": "int a;"])
        default: try OutputDirectoryTests.lay(aside, OutputDirectoryTests.runLayout.merging(["config.json": "{}"]) { _, b in b })
        }
        let before = try OutputDirectoryTests.snapshot(scratch.url)
        let error = #expect(throws: OutputError.self) { _ = try OutputClaim(out) }
        #expect(error.map { "\($0)" }.map { $0.contains(out.path) && $0.contains(aside.path) } == true, "\(String(describing: error))")
        guard case .foreignAside? = error else {
            Issue.record("expected foreignAside, got \(String(describing: error))")
            return
        }
        #expect(OutputInventory.fileType(out) == nil, "nothing was put at --out")
        #expect(try OutputDirectoryTests.snapshot(scratch.url) == before)
        #expect(!FileManager.default.fileExists(atPath: scratch.file(".out.ntk-lock").path), "the lock is released")
    }

    /// Item 12: the longest name whose lock file `.NAME.ntk-lock` fits in 255 bytes is 245 bytes; it is locked and
    /// written; one byte more is refused up front, naming the limit.
    @Test func aNameTooLongForItsLockFileIsRefusedUpFront() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let longest = scratch.file(String(repeating: "é", count: 122) + "x")  // 2·122 + 1 = 245 bytes
        #expect(longest.lastPathComponent.utf8.count == 245 && OutputClaim.maximumNameBytes == 245)
        let claim = try OutputClaim(longest)
        try claim.prepare(force: false)
        #expect(FileManager.default.fileExists(atPath: scratch.file(".\(longest.lastPathComponent).ntk-lock").path))
        claim.finish(keepingNew: true)
        let tooLong = scratch.file(String(repeating: "é", count: 123))  // 246 bytes
        let error = #expect(throws: OutputError.self) { _ = try OutputClaim.resolve(tooLong) }
        #expect(error == .nameTooLong(path: tooLong.path, bytes: 246, limit: 245))
        let parse = #expect(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(["--out", tooLong.path]) }
        #expect(NTKDynamicsCommand.exitCode(for: parse!).rawValue == NTKExitStatus.usage)
        #expect(NTKDynamicsCommand.message(for: parse!).contains("at most 245"), "\(NTKDynamicsCommand.message(for: parse!))")
        #expect(OutputInventory.fileType(tooLong) == nil)
    }

    /// A new log file is created with O_EXCL | O_NOFOLLOW: a link at its name is refused, its target untouched.
    @Test func aLogFileIsNeverOpenedThroughALink() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try OutputDirectoryTests.lay(scratch.url, ["victim": Self.seq(50)])
        try FileManager.default.createSymbolicLink(atPath: scratch.file("steps.csv").path, withDestinationPath: "victim")
        #expect(throws: OutputError.self) { _ = try CSVLogWriter(url: scratch.file("steps.csv"), columns: ["step"]) }
        #expect(try String(contentsOf: scratch.file("victim"), encoding: .utf8) == Self.seq(50))
    }

    /// An atomic write replaces a link at the target's name by the new file, leaves no temporary file, and the
    /// file the link pointed to keeps its bytes.
    @Test func anAtomicWriteReplacesALinkAndNotItsTarget() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try OutputDirectoryTests.lay(scratch.url, ["victim": Self.seq(50)])
        try FileManager.default.createSymbolicLink(atPath: scratch.file("summary.json").path, withDestinationPath: "victim")
        try RunDirectory(url: scratch.url).write(Data("{}".utf8), to: "summary.json")
        #expect(OutputInventory.isRegularFile(scratch.file("summary.json")))
        #expect(try String(contentsOf: scratch.file("summary.json"), encoding: .utf8) == "{}")
        #expect(try String(contentsOf: scratch.file("victim"), encoding: .utf8) == Self.seq(50))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["summary.json", "victim"])
    }

    /// The temporary file a killed atomic write leaves counts as the tool's (so `--force` may replace the run);
    /// a name that only looks similar does not.
    @Test func aLeftoverTemporaryFileIsRecognisedAsTheTools() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try OutputDirectoryTests.lay(scratch.url, OutputDirectoryTests.runLayout.merging([".summary.json.ntk-tmp00ff00ff00ff00ff": "{"]) { a, _ in a })
        #expect(try OutputInventory.classify(scratch.url).get() == .run)
        try OutputDirectoryTests.lay(scratch.url, [".summary.json.ntk-tmpXYZ": "{"])
        #expect(throws: OutputError.self) { try OutputInventory.classify(scratch.url).get() }
    }
}

@Suite(.serialized, .tags(.endToEnd), .endToEndEnabled)
struct OutputSafetyEndToEndTests {
    /// The reproduction of issue 22, item 1: `run` and `report` with their lock file planted as a link to a file.
    @Test(.tags(.endToEnd), .endToEndEnabled) func runAndReportRefuseALinkedLockFile() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let out = scratch.file("r")
        #expect(try ToolProcess.run(OutputDirectoryEndToEndTests.tiny + ["--out", out.path]).status == 0)
        try OutputDirectoryTests.lay(scratch.url, ["victim": OutputSafetyTests.seq(300)])
        try FileManager.default.createSymbolicLink(atPath: scratch.file(".r.ntk-lock").path, withDestinationPath: "victim")
        let before = try OutputDirectoryTests.snapshot(out)
        for command in [OutputDirectoryEndToEndTests.tiny + ["--out", out.path, "--force"], ["report", out.path]] {
            let r = try ToolProcess.run(command)
            #expect(r.status == NTKExitStatus.failure, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("symbolic link to 'victim'") && r.stderr.contains(".r.ntk-lock"), "\(r.stderr)")
            #expect(try String(contentsOf: scratch.file("victim"), encoding: .utf8) == OutputSafetyTests.seq(300))
            #expect(try OutputDirectoryTests.snapshot(out) == before)
        }
    }

    /// Item 3: `report` does not overwrite a report.html in a directory without the tool's marker (here a config.json
    /// without "tool"); with the marker it does.
    @Test(.tags(.endToEnd), .endToEndEnabled) func reportKeepsAReportHTMLThatIsNotTheTools() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let d = scratch.url
        try OutputDirectoryTests.lay(d, ["config.json": "{}", "report.html": "mine"])
        let r = try ToolProcess.run(["report", d.path])
        #expect(r.status == NTKExitStatus.usage, "\(r.stderr)")
        #expect(r.stderr.contains(d.appendingPathComponent("report.html").path) && r.stderr.contains("tool"), "\(r.stderr)")
        #expect(try String(contentsOf: d.appendingPathComponent("report.html"), encoding: .utf8) == "mine")
        #expect(try OutputDirectoryTests.hidden(in: d).isEmpty && OutputDirectoryTests.hidden(in: d.deletingLastPathComponent()).filter { $0.contains(d.lastPathComponent) }.isEmpty)
        try OutputDirectoryTests.lay(d, ["config.json": OutputDirectoryTests.marked, "steps.csv": "step,train_loss_gd\n0,1\n"])
        let marked = try ToolProcess.run(["report", d.path])
        #expect(marked.status == 0, "\(marked.stderr)")
        #expect(try String(contentsOf: d.appendingPathComponent("report.html"), encoding: .utf8).hasPrefix("<!DOCTYPE"))
    }

    /// Item 8: a `--force` command that finds the directory half written by another one (which holds the lock; here
    /// the test, with only the temporary file of config.json written so far) exits 75 like any loser of the lock,
    /// not 64 for "not an output of ntk-dynamics".
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [OutputDirectoryEndToEndTests.tiny,
                                                          ["kernel", "--width", "8", "--samples", "4", "--seeds", "1"]])
    func aForceIntoADirectoryBeingWrittenExits75(command: [String]) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let claim = try OutputClaim(scratch.url)
        defer { claim.finish(keepingNew: true) }
        try claim.prepare(force: false)
        try OutputDirectoryTests.lay(scratch.url, [".config.json.ntk-tmp0123456789abcdef": "{"])
        let r = try ToolProcess.run(command + ["--out", scratch.path, "--force"])
        #expect(r.status == NTKExitStatus.locked, "\(r.stderr)")
        #expect(r.stderr.contains("in use by another ntk-dynamics command (pid \(getpid())"), "\(r.stderr)")
    }
}

/// What the tool prints about paths and how its two streams meet (Docs/CLI.md#printed-output; issue 22, items 11, 15, 16).
@Suite struct TerminalOutputTests {
    @Test func controlCharactersAreEscapedAndValidTextKept() {
        #expect(TerminalText.escaped("a\u{1B}[31mb\nc\td\r\u{7F}\u{85}é") == #"a\x1B[31mb\nc\td\r\x7F\u{85}é"#)
        #expect(TerminalText.escaped("line 1\nline 2", keepingNewlines: true) == "line 1\nline 2")
        #expect(TerminalText.shown(bytes: [0x72, 0xFF, 0xC3, 0xA9, 0x0A, 0xE2, 0x82]) == #"r\xFFé\n\xE2\x82"#)
    }

    /// Item 11: an argument that is not UTF-8 is refused, named with its bytes, not read with U+FFFD.
    @Test func anArgumentThatIsNotUTF8IsNamed() throws {
        #expect(NTKDynamicsCommand.invalidUTF8Argument([Array("--out".utf8), Array("runs/ok".utf8)]) == nil)
        let message = try #require(NTKDynamicsCommand.invalidUTF8Argument([Array("--width".utf8), Array("8".utf8), Array("--out".utf8), [0x72, 0xFF]]))
        #expect(message.contains(#"the value of --out, 'r\xFF', is not valid UTF-8"#), "\(message)")
        #expect(NTKDynamicsCommand.invalidUTF8Argument([[0x72, 0xFF]])?.contains("argument 1") == true)
    }

    /// Item 15: a negative shard reaches validation and gets its own message, not "Missing value".
    @Test func aNegativeShardIsNamed() throws {
        let error = #expect(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(["sweep", "--shard", "-1/2"]) }
        let message = NTKDynamicsCommand.message(for: error!)
        #expect(message.contains("--shard -1/2 is invalid"), "\(message)")
    }
}

@Suite(.serialized, .tags(.endToEnd), .endToEndEnabled)
struct TerminalOutputEndToEndTests {
    /// Runs the tool through /bin/sh with `script` (the tool is "$0"), in `directory`, both streams into one file.
    static func shell(_ script: String, in directory: URL) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script + " > out.txt 2>&1", ToolProcess.executable.path]
        p.currentDirectoryURL = directory
        p.environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { _, b in b }
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOf: directory.appendingPathComponent("out.txt"), encoding: .utf8))
    }

    /// Item 11: `--out` with a byte that is not UTF-8 is refused with 64, and nothing is created under any name.
    @Test(.tags(.endToEnd), .endToEndEnabled) func anOutThatIsNotUTF8IsRefused() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let r = try Self.shell(#"exec "$0" --width 8 --samples 4 --steps 2 --quiet --out "$(printf 'r\377')""#, in: scratch.url)
        #expect(r.status == NTKExitStatus.usage, "\(r.output)")
        #expect(r.output.contains(#"'r\xFF'"#), "\(r.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["out.txt"])
    }

    /// Item 15: an escape sequence and a newline in a path come out escaped, on one line, on stderr and stdout.
    @Test(.tags(.endToEnd), .endToEndEnabled) func controlCharactersInPathsAreEscaped() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let odd = scratch.file("a\u{1B}[31mred\nline")
        try OutputDirectoryTests.lay(scratch.url, ["a\u{1B}[31mred\nline": "a file"])
        let refused = try ToolProcess.run(OutputDirectoryEndToEndTests.tiny + ["--out", odd.path])
        #expect(refused.status == NTKExitStatus.usage)
        #expect(!refused.stderr.contains("\u{1B}") && refused.stderr.contains(#"a\x1B[31mred\nline"#), "\(refused.stderr)")
        try FileManager.default.removeItem(at: odd)
        #expect(try ToolProcess.run(OutputDirectoryEndToEndTests.tiny + ["--out", odd.path]).status == 0)
        let report = try ToolProcess.run(["report", odd.path])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout == "report: \(TerminalText.escaped(odd.path))/report.html\n", "\(report.stdout)")
    }

    /// Item 16: with both streams in one file (a Slurm log), a note on stderr comes after what was printed on stdout
    /// before it, on a line of its own.
    @Test(.tags(.endToEnd), .endToEndEnabled) func stderrNotesNeverLandInsideStdoutLines() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let r = try Self.shell(#"exec "$0" sweep --widths 8,16 --seeds 2 --samples 4 --test-samples 1 --steps 30 --lr 50 --jobs 1 --out s"#,
                               in: scratch.url)
        #expect(r.status == NTKExitStatus.diverged, "\(r.output)")
        let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let table = try #require(lines.firstIndex { $0.hasPrefix("sweep table: ") }, "\(r.output)")
        let note = try #require(lines.firstIndex { $0.contains("some runs diverged") }, "\(r.output)")
        #expect(note > table && lines[note].hasPrefix("some runs diverged"), "\(r.output)")
    }
}

@Suite(.serialized, .tags(.endToEnd), .endToEndEnabled)
struct MergeMessagesEndToEndTests {
    static func shard(_ dir: ScratchDirectory) throws {
        let sweep = ["sweep", "--widths", "8", "--seeds", "1", "--samples", "4", "--test-samples", "1", "--steps", "2",
                     "--quiet", "--shard", "0/1", "--out", dir.path]
        let r = try ToolProcess.run(sweep)
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Item 13: a shard's sweep.csv that is not UTF-8 is a usage error naming the file, not a raw Foundation error.
    @Test(.tags(.endToEnd), .endToEndEnabled) func aSweepCSVThatIsNotUTF8IsNamed() throws {
        let shard = ScratchDirectory(), out = ScratchDirectory()
        defer { shard.cleanup(); out.cleanup() }
        try Self.shard(shard)
        var bytes = try [UInt8](Data(contentsOf: shard.file("sweep.csv")))
        bytes.insert(0xFF, at: 10)
        try Data(bytes).write(to: shard.file("sweep.csv"))
        let r = try ToolProcess.run(["merge", shard.path, "--out", out.path])
        #expect(r.status == NTKExitStatus.usage, "\(r.stderr)")
        #expect(r.stderr.contains("\(shard.file("sweep.csv").path)': is not UTF-8 text (byte 10 is not)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    /// Item 17: `merge --force` onto an --out that is a mount point cannot rename it aside: a runtime failure, exit 1
    /// as Docs/CLI.md#guarantees says (and as for `run`), with the earlier merge unchanged.
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root"))
    func mergeForceOntoAMountPointExits1() throws {
        let shard = ScratchDirectory(), out = ScratchDirectory()
        defer { shard.cleanup(); out.cleanup() }
        try Self.shard(shard)
        try FileManager.default.createDirectory(at: out.url, withIntermediateDirectories: true)
        #expect(Tmpfs.shell(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", out.path]) == 0)
        defer { _ = Tmpfs.shell(["umount", out.path]) }
        #expect(try ToolProcess.run(["merge", shard.path, "--out", out.path]).status == 0)
        let before = try OutputDirectoryTests.snapshot(out.url)
        let r = try ToolProcess.run(["merge", shard.path, "--out", out.path, "--force"])
        #expect(r.status == NTKExitStatus.failure, "\(r.stderr)")
        #expect(r.stderr.contains("could not set the earlier output aside") && r.stderr.contains(out.path), "\(r.stderr)")
        #expect(try OutputDirectoryTests.snapshot(out.url) == before)
    }
}
