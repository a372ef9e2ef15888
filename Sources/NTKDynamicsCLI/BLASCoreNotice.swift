import ArgumentParser
import Foundation
import NTKDynamics

/// The one stderr line about the OpenBLAS kernel family, printed by the commands that compute (`run`,
/// `kernel`, `sweep`) once their options are parsed (Docs/CLI.md, "OpenBLAS threads and kernels").
enum BLASCoreNotice {
    /// The note when the tool changed the family (not under --quiet), or the warning when a change failed
    /// (always); nil when the family in use is the library's or the user's.
    static func line(_ s: BLASCoreStatus) -> (text: String, isWarning: Bool)? {
        let library = s.libraryCore ?? "?"
        if let error = s.reexecuteError {
            if let failure = s.failure {
                return ("""
                    warning: OpenBLAS \(s.rejectedCore ?? s.core) kernels failed the start-up self-check (\(failure)) and the program \
                    could not be executed again with the library's own \(library) kernels (\(String(cString: strerror(error)))); set \
                    \(BLASCoreChoice.preferenceVariable)=library.
                    """, true)
            }
            return ("""
                warning: OpenBLAS's own \(s.core) kernels are a generic fallback on this processor, and the program could not be \
                executed again to change them (\(String(cString: strerror(error)))); set \(BLASCoreChoice.coreTypeVariable) to \
                choose a family.
                """, true)
        }
        switch s.reason {
        case .automatic:
            let why = ProcessInfo.processInfo.environment[BLASCoreChoice.treatAsFallbackVariable] == "1"
                ? "treated as a fallback (\(BLASCoreChoice.treatAsFallbackVariable)=1)" : "a generic fallback on this processor"
            return ("""
                OpenBLAS kernels: \(s.core) instead of the library's own \(library), \(why) \
                (\(BLASCoreChoice.preferenceVariable)=library keeps the library's choice; Docs/CLI.md).
                """, false)
        case .selfCheckFailed:
            return ("""
                warning: OpenBLAS \(s.rejectedCore ?? "?") kernels failed the start-up self-check (\(s.failure ?? "?")); running \
                with the library's own \(s.core) kernels.
                """, true)
        case .library, .environment, .optOut:
            return nil
        }
    }

    /// Writes ``line(_:)`` for this process to stderr. A family that failed the self-check and could not be
    /// replaced ends the command (status 1) before it computes anything.
    static func announce(quiet: Bool) throws {
        let status = BLASCoreStartup.status
        guard let (text, isWarning) = line(status) else { return }
        if isWarning || !quiet { Console.note(text) }
        if status.failure != nil && status.reason == .automatic { throw ExitCode(NTKExitStatus.failure) }
    }
}
