/// The columns of a kernel study's `kernel.csv` (Docs/InfiniteWidth.md#ntk-dynamics-kernel): one row per width and seed
/// (``KernelStudy/SeedMeasurement``), written by NTKOutput's `KernelStudyRecorder` through ``table`` and read back
/// by the report (`KernelLogs`) through the names. A new column goes at the end.
public enum KernelStudyColumn {
    public static let width = "width", seed = "seed", relativeError = "relative_error", ridgeTestLoss = "ridge_test_loss"
    public static let ridgeJitter = "ridge_jitter", seconds = "seconds"

    /// ‖K₀ − Θ‖_F/‖Θ‖_F of one initialization, the test losses of ridge regression with K₀ (`--ridge`, else empty),
    /// the jitter it needed, and the seconds the measurement took.
    public static let table = ColumnTable<KernelStudy.SeedMeasurement>([
        .init(width, integer: { $0.width }), .init(seed, text: { String($0.seed) }),
        .init(relativeError, number: { $0.relativeError }), .init(ridgeTestLoss, number: { $0.ridgeTestLoss }),
        .init(ridgeJitter, number: { $0.ridgeJitter }), .init(seconds, number: { $0.seconds }),
    ])
}
