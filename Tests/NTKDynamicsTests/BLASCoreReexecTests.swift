import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The tool re-executes itself with another OpenBLAS kernel family (Docs/CLI.md, "OpenBLAS threads and
/// kernels"). On a machine whose library does not fall back, NTK_DYNAMICS_TEST_TREAT_AS_FALLBACK=1 makes the
/// tool take that path anyway. These tests never set OPENBLAS_CORETYPE: where the environment sets it, the
/// tool must leave it alone, and the tests check that instead.
@Suite(.tags(.endToEnd), .endToEndEnabled)
struct BLASCoreReexecTests {
    /// OPENBLAS_CORETYPE as the environment of the test run sets it (never changed here).
    static let userCoreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]

    /// The test variable on, and no opt-out or marker inherited from the caller.
    static func forced(_ extra: [String: String?] = [:]) -> [String: String?] {
        var e: [String: String?] = ["NTK_DYNAMICS_TEST_TREAT_AS_FALLBACK": "1", "NTK_DYNAMICS_BLAS_CORE": nil,
                                    "NTK_DYNAMICS_BLAS_CORE_CHANGED": nil, "NTK_DYNAMICS_TEST_FAIL_SELF_CHECK": nil]
        for (k, v) in extra { e[k] = v }
        return e
    }

    static func config(_ url: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// A short run into `scratch/name`: its result and its config.json.
    static func smallRun(_ scratch: ScratchDirectory, _ name: String, quiet: Bool = false,
                         environment: [String: String?]) throws -> (ToolProcess.Result, [String: Any]) {
        let r = try ToolProcess.run(["run", "--samples", "8", "--test-samples", "0", "--width", "8", "--steps", "1",
                                     "--out", scratch.file(name).path] + (quiet ? ["--quiet"] : []),
                                    environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        return (r, try config(scratch.file(name).appendingPathComponent("config.json")))
    }

    /// The family this machine's library takes on its own, from a run without the test variable.
    static func libraryCore(_ scratch: ScratchDirectory) throws -> String {
        let (r, c) = try smallRun(scratch, "plain", quiet: true, environment: [
            "NTK_DYNAMICS_TEST_TREAT_AS_FALLBACK": nil, "NTK_DYNAMICS_BLAS_CORE": nil, "NTK_DYNAMICS_BLAS_CORE_CHANGED": nil])
        #expect(!r.stderr.contains("OpenBLAS kernels:"))
        return try #require(c["blas_core"] as? String)
    }

    static let csv = "x1,x2,y\n" + (0..<24).map { i in
        let a = Double(i) / 24, b = Double((i * 7) % 24) / 24
        return "\(a),\(b),\(a - 2 * b)"
    }.joined(separator: "\n") + "\n"

    /// Arguments with spaces and non-ASCII characters, data read from stdin, and status 0 survive; config.json
    /// records the family, the library's own and the reason; stderr has the one line.
    @Test(.tags(.endToEnd), .endToEndEnabled) func argumentsStdinAndSuccessSurviveTheReexecution() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let library = try Self.libraryCore(scratch)
        let out = scratch.file("run dir ü 🙂").path
        let arguments = ["run", "--data", "/dev/stdin", "--width", "8", "--steps", "2", "--out", out]
        // A file as standard input (the tool reads --data from a file, not from a pipe).
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let input = scratch.file("data.csv")
        try Self.csv.write(to: input, atomically: true, encoding: .utf8)
        let r = try ToolProcess.run(arguments, environment: Self.forced(), stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let c = try Self.config(URL(fileURLWithPath: out).appendingPathComponent("config.json"))
        #expect(Array((c["command"] as? [String] ?? []).dropFirst()) == arguments)
        let source = c["data_source"] as? [String: Any]
        #expect(source?["file"] as? String == "/dev/stdin")
        #expect(c["samples"] as? Int ?? 0 > 0)
        let lines = r.stderr.split(separator: "\n").filter { $0.contains("OpenBLAS") }
        if let user = Self.userCoreType {
            #expect(c["blas_core_reason"] as? String == "environment")
            #expect(c["blas_core"] as? String == library)
            #expect(c["blas_core_library"] is NSNull)
            #expect(lines.isEmpty, "OPENBLAS_CORETYPE=\(user) is the user's")
        } else {
            let chosen = try #require(OpenBLASFamily.best(for: CPUFeatures.current()), "no family to choose on this processor")
            #expect(c["blas_core_reason"] as? String == "automatic")
            #expect(c["blas_core_library"] as? String == library)
            #expect(c["blas_core"] as? String == chosen)
            #expect(lines.count == 1)
            #expect(lines.first?.contains(chosen) == true && lines.first?.contains(library) == true)
        }
    }

    /// A usage error keeps its status 64 and its message through the re-execution; an empty argument and a
    /// non-ASCII one arrive as they were given.
    @Test(.tags(.endToEnd), .endToEndEnabled) func usageErrorsSurviveTheReexecution() throws {
        let empty = try ToolProcess.run(["run", "--width", "8", "--out", ""], environment: Self.forced())
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("--out is empty"))
        let unicode = try ToolProcess.run(["run", "--activation", "relü"], environment: Self.forced())
        #expect(unicode.status == 64)
        #expect(unicode.stderr.contains("relü"))
    }

    /// --quiet drops the line, not the record; NTK_DYNAMICS_BLAS_CORE=library keeps the library's family.
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: userCoreType == nil, "OPENBLAS_CORETYPE is set: the tool changes nothing"))
    func quietAndOptOut() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let library = try Self.libraryCore(scratch)
        let (quiet, q) = try Self.smallRun(scratch, "quiet", quiet: true, environment: Self.forced())
        #expect(!quiet.stderr.contains("OpenBLAS"))
        #expect(q["blas_core_reason"] as? String == "automatic")

        let (kept, c) = try Self.smallRun(scratch, "kept", environment: Self.forced(["NTK_DYNAMICS_BLAS_CORE": "library"]))
        #expect(!kept.stderr.contains("OpenBLAS"))
        #expect(c["blas_core_reason"] as? String == "opt-out")
        #expect(c["blas_core"] as? String == library)
        #expect(c["blas_core_library"] as? String == library)
    }

    /// A family that fails the self-check is replaced by the library's own, with a warning (even under --quiet).
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: userCoreType == nil, "OPENBLAS_CORETYPE is set: the tool changes nothing"))
    func failedSelfCheckGoesBackToTheLibrary() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let library = try Self.libraryCore(scratch)
        let (r, c) = try Self.smallRun(scratch, "back", quiet: true,
                                       environment: Self.forced(["NTK_DYNAMICS_TEST_FAIL_SELF_CHECK": "1"]))
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: OpenBLAS") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("self-check") == true)
        #expect(c["blas_core_reason"] as? String == "self-check-failed")
        #expect(c["blas_core"] as? String == library)
        #expect(c["blas_core_library"] as? String == library)
    }

    /// `kernel` and the runs of a `sweep` record the same keys.
    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: userCoreType == nil, "OPENBLAS_CORETYPE is set: the tool changes nothing"))
    func kernelAndSweepRecordTheFamily() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let chosen = try #require(OpenBLASFamily.best(for: CPUFeatures.current()))
        let kernel = try ToolProcess.run(["kernel", "--samples", "8", "--width", "8,16", "--seeds", "1",
                                          "--out", scratch.file("kernel").path], environment: Self.forced())
        #expect(kernel.status == 0, "\(kernel.stderr)")
        #expect(kernel.stderr.split(separator: "\n").filter { $0.contains("OpenBLAS kernels:") }.count == 1)
        let k = try Self.config(scratch.file("kernel/config.json"))
        #expect(k["blas_core"] as? String == chosen)
        #expect(k["blas_core_reason"] as? String == "automatic")

        let sweep = try ToolProcess.run(["sweep", "--widths", "8,16", "--seeds", "1", "--samples", "8", "--steps", "2",
                                         "--lr", "0.1", "--jobs", "2", "--out", scratch.file("sweep").path],
                                        environment: Self.forced())
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stderr.split(separator: "\n").filter { $0.contains("OpenBLAS kernels:") }.count == 1)
        for run in ["w8-s0", "w16-s0"] {
            let c = try Self.config(scratch.file("sweep/runs/\(run)/config.json"))
            #expect(c["blas_core"] as? String == chosen)
            #expect(c["blas_core_reason"] as? String == "automatic")
            #expect(c["blas_core_library"] is String)
        }
    }
}
