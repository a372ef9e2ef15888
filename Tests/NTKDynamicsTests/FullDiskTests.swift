import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamicsCLI

/// Mounting a small tmpfs to play a full disk (needs root, as CI and the sessions here are).
enum Tmpfs {
    static func shell(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static let canMount: Bool = {
        let probe = ScratchDirectory()
        try? FileManager.default.createDirectory(at: probe.url, withIntermediateDirectories: true)
        defer { _ = shell(["umount", probe.path]); probe.cleanup() }
        return shell(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", probe.path]) == 0
    }()
}

/// A disk that fills up mid-run is a clear error naming the file, not a crash.
@Suite(.serialized, .enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root"))
struct FullDiskTests {
    /// 64 KiB fills while writing the initial arrays, 400 KiB while streaming steps.csv/modes.csv.
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: ["64k", "400k"])
    func fullDiskIsAClearErrorNamingTheFile(size: String) throws {
        let disk = ScratchDirectory()
        try FileManager.default.createDirectory(at: disk.url, withIntermediateDirectories: true)
        #expect(Tmpfs.shell(["mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", disk.path]) == 0)
        defer { _ = Tmpfs.shell(["umount", disk.path]); disk.cleanup() }
        let out = disk.file("run")
        let r = try ToolProcess.run(["--width", "64", "--samples", "64", "--steps", "400", "--out", out.path, "--quiet"])
        #expect(r.status == NTKExitStatus.failure)
        #expect(r.stderr.contains("cannot write '\(out.path)/"), "\(r.stderr)")
        #expect(r.stderr.contains("space"))
        #expect(!r.stderr.contains("Fatal error"))
    }
}
