import Foundation

/// Runs the built `ntk-dynamics` executable as a child process (test helper).
package struct ToolProcess {
    package struct Result {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// The executable next to the test bundle (`swift build --build-tests` builds both into one folder).
    package static var executable: URL {
        let candidates: [URL] = [
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent("ntk-dynamics") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Starts the tool with `arguments`; `environment` adds (or, with nil, removes) variables of this
    /// process's environment; `stdin`, when given, is a file opened as the tool's standard input.
    package static func start(_ arguments: [String], environment changes: [String: String?] = [:],
                              stdin: URL? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        for (name, value) in changes { environment[name] = value }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        try process.run()
        return (process, out, err)
    }

    /// Runs the tool to completion.
    package static func run(_ arguments: [String], environment: [String: String?] = [:], stdin: URL? = nil) throws -> Result {
        let (process, out, err) = try start(arguments, environment: environment, stdin: stdin)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }
}

/// A fresh temporary directory path (not created), removed by `cleanup`.
package struct ScratchDirectory {
    package let url = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-test-\(UUID().uuidString)")
    package var path: String { url.path }
    package func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    package func cleanup() { try? FileManager.default.removeItem(at: url) }

    package init() {}
}
