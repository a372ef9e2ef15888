import Foundation

/// Runs an ``NTKExperiment`` into a ``RunDirectory``, writing the whole run-directory contract of Docs/LogFormat.md.
///
/// Order: `config.json` and the initial arrays first, then `steps.csv` row by row as training goes,
/// then `arrays/ntk_final.npy`, `spectrum.csv` and `summary.json` (also for a diverged or interrupted run).
public enum RunRecorder {
    /// - Parameters:
    ///   - shouldContinue: asked before each step; false ends the run as interrupted.
    ///   - onRecord: called after each logged row is written (for progress output).
    /// - Returns: the summary, also written to `summary.json`.
    ///   - writeArrays: false leaves out `arrays/` (a sweep's many runs would hold gigabytes of weights).
    ///   - dataSeed: the seed the data came from when it is not the run's own (a sweep's runs).
    public static func record(_ experiment: NTKExperiment, data: DataSettings, command: [String],
                              into dir: RunDirectory, writeArrays: Bool = true, dataSeed: UInt64? = nil,
                              shouldContinue: () -> Bool = { true },
                              onRecord: (StepRecord) -> Void = { _ in }) throws -> RunSummary {
        var config = RunConfiguration(architecture: experiment.architecture, data: data,
                                      settings: experiment.settings, learningRate: experiment.learningRate,
                                      criticalLearningRate: experiment.predictor.criticalLearningRate,
                                      command: command, dataSeed: dataSeed)
        config.describe(experiment.dataset)
        try dir.writeJSON(config, to: RunFormat.config)
        if writeArrays { try writeInitialArrays(experiment, dir) } else { try dir.removeArraysFolder() }

        let stepColumns = StepColumn.table(layers: experiment.architecture.layerCount)
        let log = try CSVLogWriter(url: dir.file(RunFormat.steps), columns: stepColumns.names)
        let modes = try CSVLogWriter(url: dir.file(RunFormat.modes), columns: ModeColumn.table.names)
        var summary = try experiment.run(shouldContinue: shouldContinue) { record in
            try log.append(cells: stepColumns.cells(record))
            // A step's rows of modes.csv in one write (one write per row cost more than formatting them).
            try modes.append(rows: record.modes.map { ModeColumn.table.cells((record.step, $0)) })
            onRecord(record)
        }
        try log.close()
        try modes.close()
        if writeArrays {
            try writeFinalArrays(experiment, dir)
            try writeBatchIndices(experiment, summary, dir)
        }
        try writeSpectrum(experiment, dir)
        summary.architecture = experiment.architecture.family.kind
        try dir.writeJSON(summary, to: RunFormat.summary)
        return summary
    }

    static func writeFinalArrays(_ experiment: NTKExperiment, _ dir: RunDirectory) throws {
        try dir.writeOutputs("f_train_final", Matrix(rows: experiment.dataset.trainCount, cols: experiment.dataset.outputs,
                                                     data: experiment.latestTrainOutput))
        try dir.writeArray("ntk_final", experiment.latestKernel)
        // f on the test inputs at t = 0, T/4, T/2, T: (S, N*) for one output, (S, N*, k) otherwise.
        let snapshots = experiment.testSnapshots
        let data = experiment.dataset
        let shape = [snapshots.count, data.testCount] + (data.outputs == 1 ? [] : [data.outputs])
        try dir.writeArray("snapshot_steps", snapshots.map { Double($0.step) }, shape: [snapshots.count])
        try dir.writeArray("f_test_snapshots_gd", snapshots.flatMap(\.gd), shape: shape)
        try dir.writeArray("f_test_snapshots_ntk", snapshots.flatMap(\.ntk), shape: shape)
        // With --kernel analytic, the discrete prediction from Θ at the same steps (the report's 1-D function plot).
        if let theta = experiment.infiniteWidth?.predictor, data.testCount > 0 {
            try dir.writeArray("f_test_snapshots_analytic", snapshots.flatMap { theta.testOutput(step: $0.step, form: .discrete) },
                               shape: shape)
        }
        try writeOutputHistory(experiment, dir)
        try writeKernelHistory(experiment, dir)
    }

    /// With `--keep-kernel-every`: `ntk_history_steps.npy` (S,) and `ntk_history.npy` (S, N·k, N·k).
    static func writeKernelHistory(_ experiment: NTKExperiment, _ dir: RunDirectory) throws {
        guard experiment.settings.kernelHistoryEvery != nil else { return }
        let history = experiment.kernelHistory
        let r = experiment.initialKernel.rows
        try dir.writeArray("ntk_history_steps", history.map { Double($0.step) }, shape: [history.count])
        try dir.writeArray("ntk_history", history.flatMap(\.kernel.data), shape: [history.count, r, r])
    }

    /// With `--keep-outputs-every`: `history_steps.npy`, `f_train_history.npy` (S, N[, k]), `f_test_history.npy`
    /// (S, N*[, k]) and `params_final/` (Docs/LogFormat.md#arraysnpy).
    static func writeOutputHistory(_ experiment: NTKExperiment, _ dir: RunDirectory) throws {
        guard experiment.settings.outputHistoryEvery != nil else { return }
        let history = experiment.outputHistory
        let data = experiment.dataset
        let k = data.outputs == 1 ? [] : [data.outputs]
        try dir.writeArray("history_steps", history.map { Double($0.step) }, shape: [history.count])
        try dir.writeArray("f_train_history", history.flatMap(\.train), shape: [history.count, data.trainCount] + k)
        try dir.writeArray("f_test_history", history.flatMap(\.test), shape: [history.count, data.testCount] + k)
        guard let theta = experiment.finalParameters else { return }
        try dir.makeDirectory(dir.url.appendingPathComponent("arrays/params_final"))
        for l in theta.weights.indices {
            let w = theta.weights[l]
            try dir.writeArray("params_final/W\(l)", w.data, shape: experiment.architecture.exportedWeightShape(tensor: l) ?? [w.rows, w.cols])
            if experiment.architecture.hasBias {
                try dir.writeArray("params_final/b\(l)", theta.biases[l], shape: [theta.biases[l].count])
            }
        }
    }

    /// `arrays/batch_indices.npy` of a minibatch run: int64 of shape (U, B), row t the sample indices of the batch of
    /// the update θ_t → θ_{t+1} (ascending), for the U updates applied; −1 pads the shorter last batch of an epoch.
    static func writeBatchIndices(_ e: NTKExperiment, _ summary: RunSummary, _ dir: RunDirectory) throws {
        guard let b = e.settings.minibatchSize else { return }
        let updates = summary.status == .completed ? e.settings.steps : e.currentStep + 1
        let batches = BatchSchedule.sequence(samples: e.dataset.trainCount, batchSize: b, seed: e.settings.seed,
                                             steps: min(max(updates, 0), e.settings.steps))
        let values = batches.flatMap { batch in batch.map(Int64.init) + Array(repeating: -1, count: b - batch.count) }
        try dir.write(NPYWriter.encode(integers: values, shape: [batches.count, b]), to: "arrays/batch_indices.npy")
    }

    static func writeInitialArrays(_ e: NTKExperiment, _ dir: RunDirectory) throws {
        try dir.writeDataset(e.dataset)
        try dir.writeOutputs("f_train_init", e.initialTrainOutput)
        try dir.writeOutputs("f_test_init", e.initialTestOutput)
        try dir.writeArray("ntk_init", e.initialKernel)
        if let inf = e.infiniteWidth { try dir.writeArray("ntk_analytic", inf.kernel) }
        for l in e.initialParameters.weights.indices {
            let w = e.initialParameters.weights[l]
            try dir.writeArray("params_init/W\(l)", w.data, shape: e.architecture.exportedWeightShape(tensor: l) ?? [w.rows, w.cols])
            if e.architecture.hasBias {
                try dir.writeArray("params_init/b\(l)", e.initialParameters.biases[l], shape: [e.initialParameters.biases[l].count])
            }
        }
    }

    static func writeSpectrum(_ e: NTKExperiment, _ dir: RunDirectory) throws {
        let p = e.predictor
        let ntkResiduals = e.finalPredictedModeResiduals
        // The i-th largest eigenvalue of Θ̃ beside the i-th largest of K̃₀.
        let analyticValues = e.infiniteWidth?.predictor.eigen.values
        let csv = try CSVLogWriter(url: dir.file(RunFormat.spectrum), columns: SpectrumColumn.table.names)
        let n = p.eigen.values.count
        // A run that diverged at step 0 (a loss that overflows from the start) has no GD residuals: empty cells.
        let finalGD: [Double?] = e.latestModeResiduals.count == n ? e.latestModeResiduals : Array(repeating: nil, count: n)
        // Cross-entropy has no predicted rate: empty cells, not NaN.
        let predicted = e.settings.hasClosedFormPrediction
        for rate in e.modeRates {
            let i = n - 1 - rate.rank
            let row = SpectrumColumn.Row(
                rank: rate.rank, eigenvalue: p.eigen.values[i], predictedDiscrete: predicted ? rate.predictedDiscrete : nil,
                predictedFlow: predicted ? rate.predictedFlow : nil, measured: rate.measured, standardError: rate.standardError,
                fitSteps: rate.steps, relativeError: rate.relativeError, fitStatus: rate.status.rawValue,
                residualInit: p.initialModeResiduals[i], residualFinalGD: finalGD[i], residualFinalNTKDiscrete: ntkResiduals[i],
                eigenvalueAnalytic: analyticValues.map { $0[$0.count - 1 - rate.rank] }, momentumRegime: rate.regime?.rawValue)
            try csv.append(cells: SpectrumColumn.table.cells(row))
        }
        try csv.close()
    }
}
