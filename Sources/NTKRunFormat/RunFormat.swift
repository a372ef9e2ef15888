/// The names of the files and folders the tool writes (Docs/LogFormat.md), and the kinds of directory they make up.
/// The writers, the report, `merge`, resume and ``OutputInventory`` name files through this, so a new output file
/// is added here and in the layout of its kind.
public enum RunFormat {
    /// Every resolved setting of a run or a kernel study (``RunConfiguration``, ``KernelConfiguration``).
    public static let config = "config.json"
    /// One row per logged step (``StepRecord``).
    public static let steps = "steps.csv"
    /// The residuals along the top eigenmodes, per logged step.
    public static let modes = "modes.csv"
    /// One row per eigenmode of K̃₀: predicted and measured rates.
    public static let spectrum = "spectrum.csv"
    /// The final figures of a run or a kernel study.
    public static let summary = "summary.json"
    /// The page `report` draws.
    public static let report = "report.html"
    /// The folder of the `.npy` arrays.
    public static let arrays = "arrays"
    /// A width list's table, one row per width.
    public static let widths = "widths.csv"
    /// What makes two sweep directories parts of the same sweep.
    public static let sweepConfig = "sweep_config.json"
    /// One row per run of a sweep.
    public static let sweep = "sweep.csv"
    /// A sweep's fitted exponents and collapse.
    public static let sweepSummary = "sweep_summary.json"
    /// The folder of a sweep's runs.
    public static let sweepRuns = "runs"
    /// A kernel study's table, one row per width and seed.
    public static let kernel = "kernel.csv"

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
