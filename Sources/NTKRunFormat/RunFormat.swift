/// The names of the files and folders the tool writes (Docs/LogFormat.md), and the kinds of directory they make up.
/// The writers, the report, `merge`, resume and ``OutputInventory`` name files through this, so a new output file
/// is added here and in the layout of its kind.
public enum RunFormat {
    /// A run: `config.json` (every resolved setting, ``RunConfiguration``; a kernel study's too), `steps.csv` (one row
    /// per logged step, ``StepRecord``), `modes.csv` (the residuals along the top eigenmodes), `spectrum.csv` (one row
    /// per eigenmode of K̃₀), `summary.json` (the final figures; a kernel study's too), `report.html` (the page
    /// `report` draws, in every kind of directory) and the folder `arrays/` of `.npy` arrays.
    public static let config = "config.json", steps = "steps.csv", modes = "modes.csv", spectrum = "spectrum.csv",
                      summary = "summary.json", report = "report.html", arrays = "arrays"
    /// A width list's table (one row per width), and a kernel study's (one row per width and seed).
    public static let widths = "widths.csv", kernel = "kernel.csv"
    /// A sweep: `sweep_config.json` (what makes two directories parts of the same sweep), `sweep.csv` (one row per
    /// run), `sweep_summary.json` (fitted exponents and collapse) and the folder `runs/` of its runs.
    public static let sweepConfig = "sweep_config.json", sweep = "sweep.csv", sweepSummary = "sweep_summary.json", sweepRuns = "runs"

    /// `arrays/<name>.npy`, the path of an array inside its directory.
    public static func array(_ name: String) -> String { "\(arrays)/\(name).npy" }

    /// The files at the top of each kind of directory (besides its folders: ``arrays``, ``sweepRuns``, `w<width>/`).
    public static func files(of kind: OutputKind) -> Set<String> {
        switch kind {
        case .run: [config, steps, modes, spectrum, summary, report]
        case .kernel: [config, kernel, summary, report]
        case .sweep, .merge: [sweepConfig, sweep, sweepSummary, report]
        case .widthList: [widths, report]
        }
    }
}

/// The kinds of output directory the tool writes (Docs/LogFormat.md): what ``OutputInventory`` recognises before
/// `--force` replaces one, and what the report draws.
public enum OutputKind: String, Sendable, CaseIterable {
    /// One run: config.json and/or steps.csv (summary.json may be missing if it was killed).
    case run
    /// A width list: widths.csv and `w<width>/` run directories.
    case widthList = "width list"
    /// A sweep (`ntk-dynamics sweep`): sweep_config.json and sweep.csv, runs in `runs/`.
    case sweep
    /// A merged sweep (`ntk-dynamics merge`): a sweep's files, `"shard": "merged"`, without runs.
    case merge
    /// A kernel study (`ntk-dynamics kernel`): config.json with `"subcommand": "kernel"`, kernel.csv, arrays/.
    case kernel

    /// A sweep or a merged sweep: the report draws both alike.
    public var isSweep: Bool { self == .sweep || self == .merge }
}
