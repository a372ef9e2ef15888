import ArgumentParser
import Foundation
import NTKDynamics

/// Where a run writes, and how much it says.
public struct OutputOptions: ParsableArguments {
    @Option(help: "Run directory (default runs/<timestamp>-w<width>). An existing non-empty one is refused without --force.")
    public var out: String?

    @Flag(help: "Replace an existing output directory that holds an earlier ntk-dynamics output, atomically.")
    public var force = false

    @Option(name: .customLong("print-every"), parsing: .unconditional, help: "Print a table row every this many steps (default: about 20 rows per run).")
    public var printEvery: Int?

    @Option(parsing: .unconditional, help: """
        OpenBLAS threads (default: every core; on the 2-core machines measured, two threads run dgemm 1.9× as fast as one \
        and the default run 1.8× as fast; see Docs/Performance.md).
        """)
    public var threads: Int?

    /// Every active core. Measured with ntk-bench on the project's 2-core machines when nothing else ran: dgemm
    /// 126 GFLOP/s with two OpenBLAS threads against 66 with one; the GD step (n 256, width 1024) 15.0 ms against
    /// 27.1 ms, the structured NTK 13.3 ms against 23.8 ms. (With another process busy on one core, a second
    /// thread gains nothing and costs hand-offs: that is what an earlier measurement, taken beside a compiler, saw.)
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

    @Flag(help: "Print only warnings, errors and the final summary.")
    public var quiet = false

    @Option(name: .customLong("check-rates"), parsing: .unconditional, help: """
        Exit with status 4 when a measured per-mode convergence rate differs from the NTK prediction by more than this \
        relative tolerance (a regression test for CI).
        """)
    public var checkRates: Double?

    @Option(name: .customLong("check-modes"), parsing: .unconditional, help: """
        With --check-rates, check only the top this many eigenmodes (default: every measured mode).
        """)
    public var checkModes: Int?

    public init() {}

    public func validate() throws {
        if let p = printEvery, p < 1 {
            throw ValidationError("--print-every \(p) is invalid; print every 1 or more steps.")
        }
        if let t = threads, t < 1 || t > 1024 {
            throw ValidationError("--threads \(t) is out of range; use 1 to 1024 BLAS threads.")
        }
        if let tol = checkRates, !(tol.isFinite && tol > 0) {
            throw ValidationError("--check-rates \(tol) is invalid; give a relative tolerance > 0, e.g. 0.05 for 5%.")
        }
        if let k = checkModes {
            guard k >= 1 else { throw ValidationError("--check-modes \(k) is invalid; check 1 or more modes.") }
            guard checkRates != nil else {
                throw ValidationError("--check-modes needs --check-rates TOL: it limits which modes that check covers.")
            }
        }
        if let out, out.isEmpty {
            throw ValidationError("--out is empty; give a directory path.")
        }
        // Checked while parsing, so a refused directory costs nothing and is left as it is.
        if let out { try OutputClaim.checkWritable(URL(fileURLWithPath: out), force: force) }
    }

    /// Sets the OpenBLAS thread count: `--threads`, or every core. OpenBLAS silently caps a count above the
    /// number it was built for (64 for Debian's); that cap is returned as a warning instead of going unsaid.
    public func applyThreads() -> String? {
        let requested = threads ?? Self.defaultThreads
        BLAS.threadCount = requested
        let used = BLAS.threadCount
        guard used < requested, let threads else { return nil }
        return "--threads \(threads) is more than this OpenBLAS runs (at most \(used) threads); using \(used)."
    }

    /// The default name without `--out`: `runs/<yyyyMMdd-HHmmss>-<suffix>` (``OutputClaim/take(out:defaultBase:)``
    /// appends `-2`, `-3`, … while the name is taken).
    public static func defaultName(suffix: String) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.locale = Locale(identifier: "en_US_POSIX")
        return "runs/\(f.string(from: Date()))-\(suffix)"
    }
}
