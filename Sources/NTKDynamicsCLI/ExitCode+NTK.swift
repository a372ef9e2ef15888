import ArgumentParser

/// Exit statuses of the tool (Docs/CLI.md lists them).
public enum NTKExitStatus {
    /// Bad command-line input (argument-parser's usage errors, EX_USAGE).
    public static let usage: Int32 = 64
    /// A runtime failure: an output path that cannot be written, a LAPACK error.
    public static let failure: Int32 = 1
    /// A data file (`--data`, `--test-data`) cannot be used: missing, unreadable, malformed (EX_DATAERR).
    public static let dataError: Int32 = 65
    /// Training diverged (a loss became NaN or infinite); the logs up to that step are kept.
    public static let diverged: Int32 = 3
    /// `--check-rates TOL` found a measured per-mode rate further than TOL (relative) from its prediction.
    public static let rateCheckFailed: Int32 = 4
    /// The output directory is in use: another command holds its lock (EX_TEMPFAIL; Docs/CLI.md#guarantees).
    public static let locked: Int32 = 75
    /// Interrupted by SIGINT (128 + 2).
    public static let interrupted: Int32 = 130
    /// Interrupted by SIGTERM (128 + 15).
    public static let terminated: Int32 = 143
    /// Interrupted by SIGHUP (128 + 1): the terminal closed or the ssh session was lost.
    public static let hangup: Int32 = 129

    /// 128 + the signal's number, the status a shell shows for a process that a signal ended.
    public static func afterSignal(_ signal: Int32) -> Int32 { 128 + signal }
}
