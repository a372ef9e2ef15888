import ArgumentParser
import Foundation
import NTKDynamics

extension OutputClaim {
    /// Takes the lock on a command's output directory; a directory held by another command ends this one
    /// with ``NTKExitStatus/locked`` (Docs/CLI.md#guarantees).
    static func take(_ url: URL) throws -> OutputClaim {
        do {
            return try OutputClaim(url)
        } catch let error as OutputError {
            guard case .locked = error else { throw error }
            Console.error(error.description)
            throw ExitCode(NTKExitStatus.locked)
        }
    }

    /// ``RunDirectory/checkWritable(_:force:replaceable:)`` before the lock is taken, as validation: a refusal is a
    /// usage error (64). A directory that another command is writing (or replacing) meanwhile is not what it will
    /// be, so when the check fails and that command holds the lock, this one ends with ``NTKExitStatus/locked``
    /// instead, as it would when taking the lock (Docs/CLI.md#guarantees).
    static func checkWritable(_ url: URL, force: Bool) throws {
        do {
            try RunDirectory.checkWritable(url, force: force)
        } catch is OutputError {
            if let held = heldLock(url) {
                Console.error(held.description)
                throw ExitCode(NTKExitStatus.locked)
            }
            do {
                try RunDirectory.checkWritable(url, force: force)  // the holder may have ended in between
            } catch let again as OutputError {
                throw ValidationError("--out: \(again.description)")
            }
        }
    }

    /// Takes `out`, or without it the first free name of `defaultBase`, `defaultBase-2`, …: a name that
    /// exists, or that another command has just locked, is skipped, so two commands started in the same
    /// second never share a default directory.
    ///
    /// - Returns: the directory as the command names it, and the claim on it.
    static func take(out: String?, defaultBase: String) throws -> (URL, OutputClaim) {
        if let out {
            let url = URL(fileURLWithPath: out)
            return (url, try take(url))
        }
        let fm = FileManager.default
        for n in 1... {
            let candidate = URL(fileURLWithPath: n == 1 ? defaultBase : "\(defaultBase)-\(n)")
            guard !fm.fileExists(atPath: candidate.path) else { continue }
            let claim: OutputClaim
            do {
                claim = try OutputClaim(candidate)
            } catch OutputError.locked {
                continue
            }
            if fm.fileExists(atPath: candidate.path) {
                claim.finish(keepingNew: true)
                continue
            }
            return (candidate, claim)
        }
        fatalError("unreachable: the loop above ends only by returning")
    }

    /// Runs `body`, which writes the directory, then ends the claim: the new output is kept when `body`
    /// returns or ends with an exit status (a diverged, interrupted or rate-checked run has written its
    /// directory); after any other error an output set aside by `--force` is put back.
    func writing<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            report(finish(keepingNew: true))
            return result
        } catch let exit as ExitCode {
            report(finish(keepingNew: true))
            throw exit
        } catch {
            report(finish(keepingNew: false))
            throw error
        }
    }

    private func report(_ warning: String?) {
        guard let warning else { return }
        Console.warn(TerminalText.escaped(warning))
    }
}
