import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// What `--force` may remove, the lock, the atomic replacement and the path messages (Docs/CLI.md#guarantees).
@Suite(.serialized)
struct OutputDirectoryTests {
    // MARK: - Fixtures

    /// Writes `files` (relative path → text) under `root`, creating folders on the way.
    static func lay(_ root: URL, _ files: [String: String]) throws {
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    static let marked = #"{"tool": "ntk-dynamics", "width": 8}"#

    /// A run directory as the tool lays it out (contents abbreviated).
    static let runLayout = ["config.json": marked, "steps.csv": "step\n0\n", "modes.csv": "", "spectrum.csv": "",
                            "summary.json": "{}", "report.html": "<html>", "arrays/x_train.npy": "npy",
                            "arrays/params_init/W0.npy": "npy"]

    /// Every file below `root` with its contents.
    static func snapshot(_ root: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let u = e?.nextObject() as? URL {
            if try u.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
                result[String(u.path.dropFirst(root.path.count))] = try Data(contentsOf: u)
            }
        }
        return result
    }

    static func hidden(in parent: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0.hasPrefix(".") }
    }

    static func refusal(_ url: URL, force: Bool = true) -> String? {
        do {
            try RunDirectory.checkWritable(url, force: force)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// `b/link/../x` with `b/link → a/real` names `a/x` (the kernel follows the link before `..`): the claim must
    /// set aside and replace `a/x`, never the run in `b/x` that a lexical `..` would point at.
    @Test func dotDotAfterASymlinkIsResolvedAsTheKernelDoes() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let a = scratch.file("a"), b = scratch.file("b")
        try FileManager.default.createDirectory(at: a.appendingPathComponent("real"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: b.appendingPathComponent("link").path, withDestinationPath: a.appendingPathComponent("real").path)
        try Self.lay(b.appendingPathComponent("x"), Self.runLayout)
        let before = try Self.snapshot(b.appendingPathComponent("x"))
        let out = URL(fileURLWithPath: b.path + "/link/../x")
        let real = try #require(realpath(a.path, nil).map { p in defer { free(p) }; return String(cString: p) })
        #expect(try OutputClaim.resolve(out).path == real + "/x")
        let claim = try OutputClaim(out)
        try claim.prepare(force: true)
        claim.finish(keepingNew: true)
        #expect(try Self.snapshot(b.appendingPathComponent("x")) == before, "the run in b/x is untouched")
        #expect(FileManager.default.fileExists(atPath: a.appendingPathComponent("x").path))
    }

    // MARK: - Item 1: --force recognises the tool's own directories only

    @Test func forceRefusesAProjectFolderAndNamesWhatItHolds() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try Self.lay(scratch.url, ["config.json": #"{"name": "my project"}"#, "src/main.c": "int main;", "README.md": "hi"])
        let before = try Self.snapshot(scratch.url)
        let message = try #require(Self.refusal(scratch.url))
        #expect(message.contains("README.md") && message.contains("src/"), "\(message)")
        #expect(message.contains("config.json") && message.contains("\"tool\""), "\(message)")
        let claim = try OutputClaim(scratch.url)
        #expect(throws: OutputError.self) { try claim.prepare(force: true) }
        claim.finish(keepingNew: false)
        #expect(try Self.snapshot(scratch.url) == before)
    }

    @Test func forceRefusesAnOutputThatAlsoHoldsForeignFiles() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try Self.lay(scratch.url, Self.runLayout.merging(["arrays/notes.txt": "mine", "README.md": "mine"]) { a, _ in a })
        let message = try #require(Self.refusal(scratch.url))
        #expect(message.contains("arrays/notes.txt") && message.contains("README.md"), "\(message)")
        #expect(!message.contains("steps.csv"), "only what the tool did not write is named: \(message)")
    }

    /// Every version has written "tool"; a config without it is not the tool's, whatever else matches.
    @Test func configWithoutTheToolKeyIsNotRecognised() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        var layout = Self.runLayout
        layout["config.json"] = #"{"version": "0.1.0", "width": 8, "depth": 1, "steps": 2}"#
        try Self.lay(scratch.url, layout)
        #expect(Self.refusal(scratch.url)?.contains("\"tool\": \"ntk-dynamics\"") == true)
    }

    @Test func recognisesEachKindTheToolWrites() throws {
        let cell = Dictionary(uniqueKeysWithValues: Self.runLayout.map { ("runs/w8-s0/\($0.key)", $0.value) })
        let width = Dictionary(uniqueKeysWithValues: Self.runLayout.map { ("w8/\($0.key)", $0.value) })
        let layouts: [(OutputKind, [String: String])] = [
            (.run, Self.runLayout),
            (.kernel, ["config.json": #"{"tool": "ntk-dynamics", "subcommand": "kernel"}"#, "kernel.csv": "",
                       "summary.json": "{}", "arrays/ntk_analytic.npy": "npy"]),
            (.sweep, cell.merging(["sweep_config.json": #"{"tool": "ntk-dynamics", "shard": "0/2"}"#, "sweep.csv": ""]) { a, _ in a }),
            (.merge, ["sweep_config.json": #"{"tool": "ntk-dynamics", "shard": "merged"}"#, "sweep.csv": "",
                      "sweep_summary.json": "{}", "report.html": ""]),
            (.widthList, width.merging(["widths.csv": "width\n", "report.html": ""]) { a, _ in a }),
        ]
        for (kind, layout) in layouts {
            let scratch = ScratchDirectory()
            defer { scratch.cleanup() }
            // With the temporary file of an atomic write that a killed command left (strace of Data.write(.atomic)).
            try Self.lay(scratch.url, layout.merging([".dat.nosync5D6E.5wNJT1": "{"]) { a, _ in a })
            #expect(try RunDirectory.checkWritable(scratch.url, force: true) == kind)
            // A merge has no runs/: a sweep's layout under a merge marker is not a merge.
            if kind == .merge {
                try Self.lay(scratch.url, ["runs/w8-s0/config.json": Self.marked])
                #expect(Self.refusal(scratch.url)?.contains("runs/") == true)
            }
        }
    }

    // MARK: - Item 4: atomic replacement

    @Test func replacementKeepsTheOldOutputUntilTheNewOneIsWritten() throws {
        let parent = ScratchDirectory()
        defer { parent.cleanup() }
        let out = parent.file("out")
        for keepingNew in [false, true] {
            try? FileManager.default.removeItem(at: out)
            try Self.lay(out, Self.runLayout)
            let old = try Self.snapshot(out)
            let claim = try OutputClaim(out)
            #expect(try claim.prepare(force: true) == .run)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty, "the new output starts empty")
            try Self.lay(out, ["config.json": Self.marked, "steps.csv": "new"])
            #expect(try Self.snapshot(claim.aside) == old, "the old output is whole while the new one is written")
            let warning = claim.finish(keepingNew: keepingNew)
            if keepingNew {
                #expect(try String(contentsOf: out.appendingPathComponent("steps.csv"), encoding: .utf8) == "new")
                #expect(warning == nil)
            } else {
                #expect(try Self.snapshot(out) == old)
                #expect(warning?.contains("put back") == true)
            }
            #expect(try Self.hidden(in: parent.url).isEmpty, "no lock file or old copy is left")
        }
    }

    @Test func aCopyLeftAsideByAKilledCommandIsPutBack() throws {
        let parent = ScratchDirectory()
        defer { parent.cleanup() }
        let out = parent.file("out")
        try Self.lay(parent.file(".out.ntk-old"), Self.runLayout)
        let old = try Self.snapshot(parent.file(".out.ntk-old"))
        try OutputClaim(out).finish(keepingNew: true)
        #expect(try Self.snapshot(out) == old)
        // With another output in its place, the command stops and names both.
        try Self.lay(parent.file(".out.ntk-old"), Self.runLayout)
        let error = #expect(throws: OutputError.self) { _ = try OutputClaim(out) }
        #expect(error == .leftAside(path: out.path, aside: parent.file(".out.ntk-old").path))
    }

    // MARK: - Item 3: the lock

    @Test func aSecondClaimOnTheSameDirectoryIsRefusedWithTheHoldersPid() throws {
        let parent = ScratchDirectory()
        defer { parent.cleanup() }
        let out = parent.file("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: parent.file("alias"), withDestinationURL: out)
        let first = try OutputClaim(out)
        for spelling in [out, parent.file("alias"), parent.url.appendingPathComponent("x/../out")] {
            let error = #expect(throws: OutputError.self) { _ = try OutputClaim(spelling) }
            #expect(error == .locked(path: out.path, lockFile: parent.file(".out.ntk-lock").path, holder: getpid()))
        }
        first.finish(keepingNew: true)
        #expect(!FileManager.default.fileExists(atPath: parent.file(".out.ntk-lock").path))
        try OutputClaim(out).finish(keepingNew: true)
    }

    // MARK: - Messages about --out

    @Test func aFileOnTheWayToOutIsNamed() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try Self.lay(scratch.url, ["notes": "a file"])
        let out = scratch.file("notes").appendingPathComponent("sub").path
        let error = #expect(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(["--out", out]) }
        let message = NTKDynamicsCommand.message(for: try #require(error))
        #expect(message.contains("'\(scratch.file("notes").path)' is a file"), "\(message)")
        #expect(!message.contains("NSCocoaErrorDomain"))
        #expect(NTKDynamicsCommand.exitCode(for: try #require(error)).rawValue == NTKExitStatus.usage)
    }

    @Test func aDanglingSymlinkAsOutIsNamedWithItsTarget() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let link = scratch.file("latest")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "gone")
        for arguments in [["--out", link.path], ["sweep", "--out", link.path], ["kernel", "--out", link.path, "--force"]] {
            let error = #expect(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(arguments) }
            let message = NTKDynamicsCommand.message(for: try #require(error))
            #expect(message.contains("dangling symbolic link") && message.contains(scratch.file("gone").path), "\(message)")
            #expect(!message.contains("already exists"))
        }
    }

    // MARK: - Item 2: merge --out against its inputs

    @Test func mergeRefusesAnOutThatOverlapsAShard() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let shard = scratch.file("shard"), inner = scratch.file("outer/shard")
        for dir in [shard, inner] { try Self.lay(dir, ["sweep_config.json": "{}", "runs/w8-s0/config.json": Self.marked]) }
        try FileManager.default.createSymbolicLink(at: scratch.file("alias"), withDestinationURL: shard)
        let cases: [([String], String)] = [
            (["merge", shard.path, "--out", shard.path, "--force"], "is the shard"),
            (["merge", shard.path, "--out", scratch.file("alias").path, "--force"], "is the shard"),
            (["merge", shard.path, "--out", shard.appendingPathComponent("runs").path, "--force"], "is inside the shard"),
            (["merge", inner.path, "--out", scratch.file("outer").path, "--force"], "is inside --out"),
        ]
        for (arguments, words) in cases {
            let error = #expect(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(arguments) }
            let message = NTKDynamicsCommand.message(for: try #require(error))
            #expect(message.contains(words), "\(arguments): \(message)")
        }
    }
}

/// The same guarantees through the built tool.
@Suite(.serialized, .tags(.endToEnd), .endToEndEnabled)
struct OutputDirectoryEndToEndTests {
    static let tiny = ["--width", "8", "--samples", "4", "--test-samples", "1", "--steps", "2", "--quiet"]

    @Test(.tags(.endToEnd), .endToEndEnabled) func forceLeavesAProjectFolderWhole() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try OutputDirectoryTests.lay(scratch.url, ["config.json": #"{"name": "my project"}"#, "src/main.c": "int main;",
                                                   "README.md": "hi"])
        let before = try OutputDirectoryTests.snapshot(scratch.url)
        for command in [Self.tiny, ["kernel", "--width", "8", "--samples", "4", "--seeds", "1"]] {
            let r = try ToolProcess.run(command + ["--out", scratch.path, "--force"])
            #expect(r.status == NTKExitStatus.usage, "\(r.stderr)")
            #expect(r.stderr.contains("README.md, src/"), "\(r.stderr)")
            #expect(try OutputDirectoryTests.snapshot(scratch.url) == before)
        }
    }

    /// What the tool really writes is recognised: each kind is replaced by a `--force` run, leaving nothing beside it.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [["--width", "8,16", "--samples", "4", "--steps", "2", "--quiet"],
                      ["kernel", "--width", "8,16", "--samples", "4", "--seeds", "2", "--quiet"],
                      ["sweep", "--widths", "8,16", "--seeds", "1", "--samples", "4", "--steps", "2", "--keep-arrays", "--quiet"],
                      ["--width", "8", "--samples", "4", "--steps", "2", "--quiet"]])
    func forceReplacesEachKindTheToolWrote(writer: [String]) throws {
        let parent = ScratchDirectory()
        defer { parent.cleanup() }
        let out = parent.file("out")
        #expect(try ToolProcess.run(writer + ["--out", out.path]).status == 0)
        let r = try ToolProcess.run(Self.tiny + ["--seed", "3", "--out", out.path, "--force"])
        #expect(r.status == 0, "\(writer): \(r.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as! [String: Any]
        #expect(config["seed"] as? Int == 3)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("runs").path)
                && !FileManager.default.fileExists(atPath: out.appendingPathComponent("w8").path), "nothing of the old output is left")
        #expect(try OutputDirectoryTests.hidden(in: parent.url).isEmpty)
    }

    /// The test holds the lock; every command that writes the directory stops at once with 75.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [["--width", "8", "--samples", "4", "--steps", "2", "--force"],
                      ["sweep", "--widths", "8", "--seeds", "1", "--samples", "4", "--steps", "2"],
                      ["kernel", "--width", "8", "--samples", "4", "--seeds", "1", "--force"]])
    func aCommandIntoALockedDirectoryExits75(command: [String]) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try OutputDirectoryTests.lay(scratch.url, ["config.json": OutputDirectoryTests.marked])
        let before = try OutputDirectoryTests.snapshot(scratch.url)
        let claim = try OutputClaim(scratch.url)
        defer { claim.finish(keepingNew: true) }
        let r = try ToolProcess.run(command + ["--out", scratch.path])
        #expect(r.status == NTKExitStatus.locked, "\(r.stderr)")
        #expect(r.stderr.contains(scratch.path) && r.stderr.contains("pid \(getpid())"), "\(r.stderr)")
        #expect(try OutputDirectoryTests.snapshot(scratch.url) == before)
    }

    /// `report` only reads the logs and replaces report.html atomically: on a directory a run still writes (here
    /// the test holds its lock) it draws the logs so far, says that another command holds it, and changes no log.
    @Test(.tags(.endToEnd), .endToEndEnabled)
    func reportDrawsADirectoryThatIsStillBeingWritten() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try ToolProcess.run(["--width", "8", "--samples", "4", "--test-samples", "2", "--steps", "3",
                                       "--out", scratch.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        try FileManager.default.removeItem(at: scratch.file("report.html"))
        let before = try OutputDirectoryTests.snapshot(scratch.url)
        let claim = try OutputClaim(scratch.url)
        defer { claim.finish(keepingNew: true) }
        let r = try ToolProcess.run(["report", scratch.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("pid \(getpid())"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.file("report.html").path))
        var after = try OutputDirectoryTests.snapshot(scratch.url)
        after.removeValue(forKey: "/report.html")
        #expect(after == before)
    }

    /// Where the parent may not be written (here a read-only mount), no lock file can be made beside the
    /// directory: the directory itself is locked, and `report` still works when nobody holds it.
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root"))
    func aDirectoryInAReadOnlyParentIsLockedItself() throws {
        let parent = ScratchDirectory()
        try FileManager.default.createDirectory(at: parent.url, withIntermediateDirectories: true)
        let run = parent.file("run")
        #expect(Tmpfs.shell(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", parent.path]) == 0)
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        #expect(Tmpfs.shell(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", run.path]) == 0)
        defer { _ = Tmpfs.shell(["umount", run.path]); _ = Tmpfs.shell(["umount", parent.path]); parent.cleanup() }
        try OutputDirectoryTests.lay(run, ["config.json": OutputDirectoryTests.marked, "steps.csv": "step\n0\n"])
        #expect(Tmpfs.shell(["mount", "-o", "remount,ro", parent.path]) == 0)

        let claim = try OutputClaim(run)
        let held = try ToolProcess.run(["report", run.path])
        #expect(held.status == 0 && held.stderr.contains("being written"), "\(held.stderr)")
        #expect(held.stderr.contains(run.path))
        claim.finish(keepingNew: true)
        let free = try ToolProcess.run(["report", run.path])
        #expect(free.status == 0, "\(free.stderr)")
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("report.html").path))
    }

    /// A full disk stops the new run: the old one must still be there, whole.
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root"))
    func aFailedReplacementLeavesTheOldRunWhole() throws {
        let disk = ScratchDirectory()
        try FileManager.default.createDirectory(at: disk.url, withIntermediateDirectories: true)
        #expect(Tmpfs.shell(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.path]) == 0)
        defer { _ = Tmpfs.shell(["umount", disk.path]); disk.cleanup() }
        let out = disk.file("run")
        #expect(try ToolProcess.run(Self.tiny + ["--out", out.path]).status == 0)
        let before = try OutputDirectoryTests.snapshot(out)
        let r = try ToolProcess.run(["--width", "64", "--samples", "64", "--steps", "400", "--quiet", "--out", out.path, "--force"])
        #expect(r.status == NTKExitStatus.failure, "\(r.stderr)")
        #expect(r.stderr.contains("space") && r.stderr.contains("put back"), "\(r.stderr)")
        #expect(try OutputDirectoryTests.snapshot(out) == before)
        #expect(try OutputDirectoryTests.hidden(in: disk.url).isEmpty)
    }

    /// Removing the old run fails partway (a folder in it is a mount point): the new run is written whole
    /// first, and the leftover is named.
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root"))
    func anOldRunThatCannotBeRemovedDoesNotCostTheNewOne() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let out = scratch.file("run"), aside = scratch.file(".run.ntk-old")
        #expect(try ToolProcess.run(Self.tiny + ["--out", out.path]).status == 0)
        let busy = out.appendingPathComponent("arrays/params_init")
        #expect(Tmpfs.shell(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", busy.path]) == 0)
        defer {
            for mount in [busy, aside.appendingPathComponent("arrays/params_init")] { _ = Tmpfs.shell(["umount", mount.path]) }
        }
        let r = try ToolProcess.run(Self.tiny + ["--seed", "9", "--out", out.path, "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["status"] as? String == "completed")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as! [String: Any]
        #expect(config["seed"] as? Int == 9)
        #expect(r.stderr.contains(aside.path) && r.stderr.contains("busy"), "\(r.stderr)")
    }

    /// --force through a symlink replaces the directory it points to; the link stays.
    @Test(.tags(.endToEnd), .endToEndEnabled) func forceThroughASymlinkWritesTheTargetAndKeepsTheLink() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let target = scratch.file("runs/today"), link = scratch.file("latest")
        #expect(try ToolProcess.run(Self.tiny + ["--out", target.path]).status == 0)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "runs/today")
        let r = try ToolProcess.run(Self.tiny + ["--seed", "5", "--out", link.path, "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "runs/today")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: target.appendingPathComponent("config.json"))) as! [String: Any]
        #expect(config["seed"] as? Int == 5)
        #expect(try OutputDirectoryTests.hidden(in: scratch.url).isEmpty && OutputDirectoryTests.hidden(in: scratch.file("runs")).isEmpty)
    }

    /// Resuming replaces a cell that did not finish, but never a file someone put into it.
    @Test(.tags(.endToEnd), .endToEndEnabled) func resumeKeepsForeignFilesInAnUnfinishedCell() throws {
        let sweep = ScratchDirectory()
        defer { sweep.cleanup() }
        let command = ["sweep", "--widths", "8", "--seeds", "1", "--samples", "4", "--test-samples", "1", "--steps", "2",
                       "--quiet", "--out", sweep.path]
        #expect(try ToolProcess.run(command).status == 0)
        let cell = sweep.file("runs/w8-s0")
        try FileManager.default.removeItem(at: cell.appendingPathComponent("summary.json"))  // as if killed
        try OutputDirectoryTests.lay(cell, ["notes.txt": "mine"])
        let r = try ToolProcess.run(command)
        #expect(r.status == NTKExitStatus.failure, "\(r.stderr)")
        #expect(r.stderr.contains("notes.txt") && r.stderr.contains(cell.path), "\(r.stderr)")
        #expect(try String(contentsOf: cell.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func mergeIntoItsOwnShardIsRefusedAndTheShardKept() throws {
        let shard = ScratchDirectory()
        defer { shard.cleanup() }
        let sweep = ["sweep", "--widths", "8", "--seeds", "1", "--samples", "4", "--test-samples", "1", "--steps", "2",
                     "--quiet", "--shard", "0/1", "--out", shard.path]
        #expect(try ToolProcess.run(sweep).status == 0)
        let before = try OutputDirectoryTests.snapshot(shard.url)
        let r = try ToolProcess.run(["merge", shard.path, "--out", shard.path, "--force"])
        #expect(r.status == NTKExitStatus.usage, "\(r.stderr)")
        #expect(r.stderr.contains("outside every shard"))
        #expect(try OutputDirectoryTests.snapshot(shard.url) == before)
    }
}
