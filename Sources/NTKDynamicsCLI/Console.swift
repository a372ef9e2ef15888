import ArgumentParser
import Foundation
import NTKDynamics

/// What the command line prints, in one place (the library never prints; Docs/CLI.md#printed-output): results and
/// progress on stdout, warnings, notes and errors on stderr.
///
/// * Control characters (ESC of an escape sequence, a carriage return, …) are written as visible escapes
///   (``TerminalText``); a path is passed through ``shown(_:)``, which escapes its newlines too.
/// * Before every write to stderr, stdout is flushed, and each stderr text goes out with one `write`: when both
///   streams go to one file (`2>&1`, a Slurm log), a note never lands inside a line of the table.
struct Console {
    /// `--quiet`: no progress or description lines (results, warnings and errors still appear).
    var quiet = false

    /// A line of progress or description on stdout, flushed at once; nothing under `--quiet`.
    func say(_ line: String) {
        guard !quiet else { return }
        Self.out(line)
        fflush(nil)
    }

    /// A line (or several) on stdout, under `--quiet` too.
    static func out(_ text: String) {
        print(TerminalText.escaped(text, keepingNewlines: true))
    }

    /// `path` for a message: every control character escaped, a newline too, so that it stays on its line.
    static func shown(_ path: String) -> String { TerminalText.escaped(path) }

    /// Writes `text` to stderr: stdout flushed first, then `text` (control characters but newlines escaped, unless
    /// `escaping` is false) with one `write` call (more only when the kernel takes part of it).
    static func toStandardError(_ text: String, escaping: Bool = true) {
        fflush(nil)
        let bytes = Array((escaping ? TerminalText.escaped(text, keepingNewlines: true) : text).utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }

    /// `Error: …` on stderr.
    static func error(_ message: String) {
        toStandardError("Error: \(message)\n")
    }

    /// `warning: …` on stderr, under `--quiet` too.
    static func warn(_ line: String) {
        toStandardError("warning: \(line)\n")
    }

    /// A plain line (or several) on stderr: a sweep's progress notes, a failed rate check.
    static func note(_ line: String) {
        toStandardError("\(line)\n")
    }

    /// Prints `Error: message` and returns the usage exit status, for a refusal whose cause the usage text would
    /// not explain (a memory estimate, a sweep that cannot be resumed).
    static func refusal(_ message: String) -> ExitCode {
        error(message)
        return ExitCode(NTKExitStatus.usage)
    }

    /// Refuses a command whose memory estimate does not fit: "`subject` need(s) about … of memory and this machine
    /// has …; `advice`".
    static func memoryRefusal(_ need: MemoryEstimate, subject: String, advice: String) -> ExitCode {
        refusal("""
            \(subject) about \(MemoryEstimate.describe(need.bytes)) of memory and this machine has \
            \(MemoryEstimate.describe(MemoryEstimate.physicalMemory)) (runs are limited to \
            \(Int(MemoryEstimate.allowedShare * 100))%); \(advice)
            """)
    }

    /// `s` right-aligned in `width` columns, with at least one space before it.
    static func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - s.count)) + s
    }
}
