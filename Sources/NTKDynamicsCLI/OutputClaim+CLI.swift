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
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode(NTKExitStatus.locked)
        }
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
        FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
    }
}
