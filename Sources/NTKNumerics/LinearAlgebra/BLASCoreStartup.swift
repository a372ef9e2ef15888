import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Puts the OpenBLAS kernel family of ``BLASCoreChoice`` in place, for the executables that own the process
/// (`ntk-dynamics`, `ntk-bench`), and keeps the resulting ``BLASCoreStatus`` for config.json. Docs/CLI.md,
/// "OpenBLAS threads and kernels", describes the behaviour; nothing here prints.
///
/// OpenBLAS picks its kernels once, when it is loaded, from `OPENBLAS_CORETYPE` or the processor. To change
/// them, ``start()`` sets that variable and a ``BLASCoreMarker`` and executes the program again
/// (`/proc/self/exe` with the original argv: the arguments, the environment otherwise, the open standard
/// streams and the parent's view of the exit status stay the same). The new process sees the marker, runs
/// ``BLASSelfCheck`` and, if it fails, executes once more with `OPENBLAS_CORETYPE` removed: the library's own
/// choice. Every path executes at most twice, and never when `OPENBLAS_CORETYPE` was set by the user.
public enum BLASCoreStartup {
    /// The status of this process: the one ``start()`` found, or else observed from the environment.
    public static var status: BLASCoreStatus {
        storage.withLock { value in
            if value == nil { value = BLASCoreStatus.observe(core: BLAS.coreName, environment: ProcessInfo.processInfo.environment) }
            return value!
        }
    }

    /// Decides the family and, when it must change, executes the program again (so it returns only in the
    /// process that keeps its family). Call it first thing in `main`, before any BLAS computation.
    @discardableResult
    public static func start() -> BLASCoreStatus {
        let environment = ProcessInfo.processInfo.environment
        let library = BLAS.coreName
        var observed = BLASCoreStatus.observe(core: library, environment: environment)
        switch observed.reason {
        case .automatic:
            // The re-executed process: the family asked for must be loaded and compute correctly.
            let marker = BLASCoreMarker(environment[BLASCoreMarker.variable]!)!
            let failure = library.lowercased() == marker.chosenCore.lowercased()
                ? BLASSelfCheck.run(forceFailure: environment[BLASSelfCheck.forceFailureVariable] == "1")
                : "OpenBLAS reports \(library), not \(marker.chosenCore)"
            if let failure {
                let back = BLASCoreMarker(reason: .selfCheckFailed, libraryCore: marker.libraryCore,
                                          chosenCore: marker.chosenCore, failure: failure)
                unsetenv(BLASCoreChoice.coreTypeVariable)
                setenv(BLASCoreMarker.variable, back.encoded, 1)
                let error = reexecute()
                // Still running the family that failed: say so; the caller decides what to do.
                observed = BLASCoreStatus(core: library, libraryCore: marker.libraryCore, reason: .automatic,
                                          rejectedCore: marker.chosenCore, failure: failure, reexecuteError: error)
            }
        case .library:
            let choice = BLASCoreChoice.decide(libraryCore: library, cpu: CPUFeatures.current(), environment: environment)
            if choice.reexecute {
                setenv(BLASCoreChoice.coreTypeVariable, choice.core, 1)
                setenv(BLASCoreMarker.variable,
                       BLASCoreMarker(reason: .automatic, libraryCore: library, chosenCore: choice.core).encoded, 1)
                let error = reexecute()
                unsetenv(BLASCoreChoice.coreTypeVariable)
                unsetenv(BLASCoreMarker.variable)
                observed.reexecuteError = error
            }
        case .environment, .optOut, .selfCheckFailed:
            break
        }
        let result = observed
        storage.withLock { $0 = result }
        return result
    }

    /// Executes this program again with its original argv; returns only if that failed, with errno.
    private static func reexecute() -> Int32 {
        fflush(nil)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        return errno
    }

    private static let storage = StatusBox()
}

private final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: BLASCoreStatus?

    func withLock<R>(_ body: (inout BLASCoreStatus?) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
