import ArgumentParser
import Foundation
import NTKDynamics

/// What the command line prints, in one place (the library never prints; Docs/CLI.md#printed-output): results and
/// progress on stdout, warnings, notes and errors on stderr.
struct Console {
    /// `--quiet`: no progress or description lines (results, warnings and errors still appear).
    var quiet = false

    /// A line of progress or description on stdout, flushed at once; nothing under `--quiet`.
    func say(_ line: String) {
        guard !quiet else { return }
        print(line)
        fflush(nil)
    }

    /// `Error: …` on stderr.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    }

    /// `warning: …` on stderr, under `--quiet` too.
    static func warn(_ line: String) {
        FileHandle.standardError.write(Data("warning: \(line)\n".utf8))
    }

    /// A plain line on stderr (a sweep's progress notes).
    static func note(_ line: String) {
        FileHandle.standardError.write(Data("\(line)\n".utf8))
    }

    /// Prints `Error: message` and returns the usage exit status, for a refusal whose cause the usage text would
    /// not explain (a memory estimate, a sweep that cannot be resumed).
    static func refusal(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode(NTKExitStatus.usage)
    }

    /// Refuses a command whose memory estimate does not fit: "`subject` need(s) about … of memory and this machine
    /// has …; `advice`".
    static func memoryRefusal(_ need: MemoryEstimate, subject: String, advice: String) -> ExitCode {
        refusal("\(subject) about \(MemoryEstimate.describe(need.bytes)) of memory and this machine has \(MemoryEstimate.describe(MemoryEstimate.physicalMemory)) (runs are limited to \(Int(MemoryEstimate.allowedShare * 100))%); \(advice)")
    }

    /// `s` right-aligned in `width` columns, with at least one space before it.
    static func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - s.count)) + s
    }
}
