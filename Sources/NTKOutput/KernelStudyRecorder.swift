import Foundation

/// Writes a ``KernelStudy`` into a kernel directory (Docs/InfiniteWidth.md#ntk-dynamics-kernel): `config.json`,
/// the data and the analytic kernels in `arrays/` up front, one `kernel.csv` row per initialization as it is
/// measured, the seed-averaged K₀ per width, and `summary.json` at the end.
public final class KernelStudyRecorder {
    public let directory: RunDirectory
    private let study: KernelStudy
    private let csv: CSVLogWriter

    /// Writes the configuration, the data and Θ, Σ into `directory` (already created and empty) and opens `kernel.csv`.
    ///
    /// - Throws: ``OutputError`` when a file cannot be written.
    public init(directory: RunDirectory, study: KernelStudy, configuration: KernelConfiguration) throws {
        self.directory = directory
        self.study = study
        try directory.makeDirectory(directory.file(RunFormat.arrays))
        try directory.writeJSON(configuration, to: RunFormat.config)
        try directory.writeDataset(study.dataset)
        try directory.writeArray("ntk_analytic", study.theta)
        try directory.writeArray("nngp_analytic", study.nngp)
        let widths = study.settings.widths
        if study.architecture.parameterization == .standard && widths.count > 1 {
            for w in widths { try directory.writeArray("ntk_analytic_w\(w)", study.theta(width: w)) }
        }
        csv = try CSVLogWriter(url: directory.file(RunFormat.kernel), columns: KernelStudyColumn.table.names)
    }

    /// Appends one initialization's row to `kernel.csv`.
    public func record(_ m: KernelStudy.SeedMeasurement) throws {
        try csv.append(cells: KernelStudyColumn.table.cells(m))
    }

    /// Writes a width's seed-averaged K₀: `ntk_empirical_mean_w<width>` with several widths (and also
    /// `ntk_empirical_mean` for the largest), `ntk_empirical_mean` with one.
    public func record(_ result: KernelStudy.WidthResult) throws {
        let several = study.settings.widths.count > 1
        let w = result.row.width
        try directory.writeArray(several ? "ntk_empirical_mean_w\(w)" : "ntk_empirical_mean", result.meanKernel)
        if several && w == study.largestWidth { try directory.writeArray("ntk_empirical_mean", result.meanKernel) }
    }

    /// Closes `kernel.csv` and writes `summary.json`.
    public func finish(_ summary: KernelSummary) throws {
        try csv.close()
        try directory.writeJSON(summary, to: RunFormat.summary)
    }
}
