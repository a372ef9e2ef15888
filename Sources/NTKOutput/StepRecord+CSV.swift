extension StepRecord {
    /// The row of `steps.csv` (Docs/LogFormat.md#stepscsv): the step as an integer, numbers in full precision, an
    /// empty cell for a value not measured at this step; the per-layer weight changes last (``columns(layers:)``).
    public var cells: [String] {
        [String(step)] + values.dropFirst().map { $0.map(CSVLogWriter.format) ?? "" } + layerWeightChanges.map(CSVLogWriter.format)
    }
}
