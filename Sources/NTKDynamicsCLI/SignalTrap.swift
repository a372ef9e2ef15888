import Foundation

/// The signal that asked the run to stop (0 while none has arrived).
nonisolated(unsafe) private var pendingSignal: Int32 = 0

/// Turns SIGINT, SIGTERM and SIGHUP into a flag the training loop polls, so the run can finish its current
/// step, close its logs and write `summary.json` before exiting with 130, 143 or 129 (Docs/CLI.md, "Signals").
/// SIGHUP is what a closed terminal or a lost ssh session sends: without a handler it would kill the run
/// before its summary. A SIGHUP that was ignored when the tool started (`nohup`) stays ignored.
enum SignalTrap {
    static func install() {
        signal(SIGINT) { pendingSignal = $0 }
        signal(SIGTERM) { pendingSignal = $0 }
        // Under `nohup` (or any parent that ignores SIGHUP) the hang-up is meant to pass the run by: keep it ignored.
        var hangUp = sigaction()
        // The handler union holds SIG_IGN, i.e. the address 1, when the signal is ignored (glibc).
        if sigaction(SIGHUP, nil, &hangUp) != 0 || unsafeBitCast(hangUp.__sigaction_handler, to: Int.self) != 1 {
            signal(SIGHUP) { pendingSignal = $0 }
        }
        // `ntk-dynamics … | head` closes stdout early: keep training and writing the run directory instead of
        // dying halfway (printing to the closed pipe then fails quietly).
        signal(SIGPIPE, SIG_IGN)
        // A parent may start us with these signals blocked (a blocked mask survives exec; Foundation's
        // Process started from a dispatch thread does this): unblock them, or they would never arrive.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// The signal received, if any.
    static var received: Int32? { pendingSignal == 0 ? nil : pendingSignal }
}
