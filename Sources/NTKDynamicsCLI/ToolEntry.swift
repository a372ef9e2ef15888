import ArgumentParser
import Foundation
import NTKDynamics

/// C's `stdout` stream. Swift 6 refuses every use of the C global as shared mutable state, so it is
/// looked up by name (glibc's RTLD_DEFAULT is the null handle).
private func standardOutputStream() -> UnsafeMutablePointer<FILE>? {
    dlsym(nil, "stdout")?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
}

extension NTKDynamicsCommand {
    /// The tool's entry point: ArgumentParser's `main()`, plus two checks it lacks (Docs/CLI.md, "Exit status").
    ///
    /// * `help TOPIC` with a TOPIC that is no subcommand is a usage error (exit 64); ArgumentParser printed the
    ///   top-level help and exited 0, which hides a typo.
    /// * Output that could not be written to stdout (`>/dev/full`, a full disk) is reported on stderr, and a
    ///   command that otherwise succeeded exits 1. A pipe whose reader went away (`| head`) is not an error:
    ///   SIGPIPE is ignored so that the run completes its directory (SignalTrap).
    public static func runAsTool() -> Never {
        if let problem = invalidUTF8Argument(rawArguments()) {
            Console.error(problem)
            Foundation.exit(NTKExitStatus.usage)
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let topic = unknownHelpTopic(arguments) {
            Console.error("'help \(topic)': no such command; the commands are \(commandNames.joined(separator: ", ")) (try 'ntk-dynamics help run').")
            Foundation.exit(NTKExitStatus.usage)
        }
        do {
            var command = try parseAsRoot(arguments)
            do {
                try command.run()
            } catch let late as ValidationError {
                // A check that needed the data or the directory (after validate()): the sentence alone, exit 64; the
                // usage text says nothing about its cause.
                throw Console.refusal(late.message)
            }
            if reportStandardOutputFailure() { Foundation.exit(NTKExitStatus.failure) }
            exit()
        } catch where exitCode(for: error).isSuccess {
            // --help and --version: printed here, so that a failed write is noticed too.
            let text = fullMessage(for: error)
            if !text.isEmpty { Console.out(text) }
            Foundation.exit(reportStandardOutputFailure() ? NTKExitStatus.failure : 0)
        } catch {
            reportStandardOutputFailure()
            // ArgumentParser's own exit(withError:) would print the same text, but past Console (Docs/CLI.md#printed-output).
            let text = fullMessage(for: error)
            if !text.isEmpty { Console.toStandardError(text + "\n") }
            Foundation.exit(exitCode(for: error).rawValue)
        }
    }

    /// The arguments as the bytes the process was given, without the program's name.
    static func rawArguments() -> [[UInt8]] {
        (1..<Int(CommandLine.argc)).compactMap { i in
            CommandLine.unsafeArgv[i].map { p in Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))) }
        }
    }

    /// Why the first argument that is not valid UTF-8 is refused; nil when all are. Swift reads such an argument with
    /// U+FFFD in place of the bad bytes, so a path (`--out`, `--data`) would name another file or folder.
    static func invalidUTF8Argument(_ arguments: [[UInt8]]) -> String? {
        guard let i = arguments.firstIndex(where: { !TerminalText.isValidUTF8($0) }) else { return nil }
        let previous = i > 0 ? String(decoding: arguments[i - 1], as: UTF8.self) : ""
        let what = previous.hasPrefix("-") && !previous.contains("=") ? "the value of \(previous)" : "argument \(i + 1)"
        return "\(what), '\(TerminalText.shown(bytes: arguments[i]))', is not valid UTF-8: ntk-dynamics reads its arguments as UTF-8 "
            + "and would use another path than the one given. Rename the file or folder to a UTF-8 name, or give a symbolic link with one."
    }

    /// The subcommands' names.
    static var commandNames: [String] { configuration.subcommands.compactMap { $0.configuration.commandName } }

    /// The topic of `help TOPIC…` when it names no subcommand; nil otherwise.
    static func unknownHelpTopic(_ arguments: [String]) -> String? {
        guard arguments.first == "help" else { return nil }
        return arguments.dropFirst().first { !$0.hasPrefix("-") && !commandNames.contains($0) }
    }

    /// Flushes stdout; if what was printed could not all be written to a file or device, says so on stderr.
    /// - Returns: whether a write to stdout failed.
    @discardableResult
    static func reportStandardOutputFailure() -> Bool {
        let flushed = fflush(nil) == 0
        let failed = !flushed || standardOutputStream().map { ferror($0) != 0 } ?? false
        let reason = String(cString: strerror(errno))
        guard failed else { return false }
        var info = stat()
        if fstat(1, &info) == 0, info.st_mode & S_IFMT == S_IFIFO || info.st_mode & S_IFMT == S_IFSOCK {
            return false  // the reader closed the pipe: `ntk-dynamics … | head`
        }
        Console.error("""
            could not write to standard output (\(reason)); what the command printed there is lost (files it wrote, such as a \
            run directory, are not affected).
            """)
        return true
    }
}
