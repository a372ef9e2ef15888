extension StepRecord {
    /// The row of `steps.csv` (Docs/LogFormat.md#stepscsv): the step as an integer, numbers in full precision, an
    /// empty cell for a value not measured at this step; then the per-layer weight changes, the kernel's observables
    /// the per-layer spectral changes and the sharpness (``columns(layers:)``).
    public var cells: [String] {
        let f = CSVLogWriter.format
        return [String(step)] + values.dropFirst().map { $0.map(f) ?? "" } + layerWeightChanges.map(f)
            + kernelValues.map { $0.map(f) ?? "" }
            + (layerSpectralChanges?.map(f) ?? Array(repeating: "", count: layerWeightChanges.count))
            + [sharpness.map(f) ?? ""]
    }
}
