/// The columns of `steps.csv` (Docs/LogFormat.md#stepscsv), one row per logged ``StepRecord``: the names the
/// writer and the report share, and ``table(layers:)``, the one list of (name, value) pairs the writer uses.
///
/// A new column is a name here, a value in ``table(layers:)`` (appended after the existing ones, so that a reader
/// taking columns by position keeps working) and a line in Docs/LogFormat.md.
public enum StepColumn {
    public static let step = "step", time = "time"
    /// The losses of one set of points, training or test: GD, the flow and discrete predictions, the analytic Θ's
    /// prediction, the linearized network on the same batches; `prefix` begins every loss column of the set.
    public struct Losses: Sendable {
        public let prefix: String, gd: String, flow: String, discrete: String, analytic: String, linearized: String

        init(_ set: String) {
            prefix = "\(set)_loss_"
            (gd, flow, discrete) = (prefix + "gd", prefix + "ntk", prefix + "ntk_discrete")
            (analytic, linearized) = (prefix + "ntk_analytic", prefix + "lin")
        }
    }
    public static let train = Losses("train"), test = Losses("test")
    public static let gap = "gap", gapFlow = "gap_flow", testGap = "test_gap", kernelDrift = "kernel_drift"
    public static let weightChange = "weight_change"
    public static let testAccuracyGD = "test_accuracy_gd", testAccuracyNTK = "test_accuracy_ntk", gapAnalytic = "gap_analytic"
    public static let gapNonlinearity = "gap_nonlinearity", gapMinibatch = "gap_minibatch"
    public static let trainAccuracyGD = "train_accuracy_gd", trainAccuracyLinearized = "train_accuracy_lin"
    public static let testAccuracyLinearized = "test_accuracy_lin", trainMarginGD = "train_margin_gd"
    public static let trainMarginLinearized = "train_margin_lin"
    /// The measured kernel's observables (``KernelObservables``), at the steps K_t is measured.
    public static let kernelLambdaMax = "kernel_lambda_max", kernelLambdaMin = "kernel_lambda_min"
    public static let kernelTargetAlignment = "kernel_target_alignment", kernelCKA = "kernel_cka"
    public static let eigenvectorAngleMax = "eigenvector_angle_max"
    /// λ_max(R^{1/2}·∇²L·R^{1/2}) at the steps `--sharpness-every` measures it (``HessianSharpness``).
    public static let sharpness = "sharpness"
    /// `weight_change_layer_<l>` and `weight_change_spectral_layer_<l>`, l = 1 (input) … L + 1 (readout).
    public static let layerWeightChangePrefix = "weight_change_layer_", layerSpectralChangePrefix = "weight_change_spectral_layer_"

    /// The columns of a run whose network has `layers` weight matrices, in the order they are written: the
    /// per-step figures, one `weight_change_layer_<l>` per layer, the kernel's observables (empty where K_t was not
    /// measured; the largest principal angle is empty with `--modes 0`), one `weight_change_spectral_layer_<l>`
    /// per layer (empty where K_t was not measured), then the sharpness (empty where it was not measured). The flow
    /// columns are empty when ``StepRecord/flowDefined`` is false.
    public static func table(layers: Int) -> ColumnTable<StepRecord> {
        let figures: [Column<StepRecord>] = [
            .init(step, integer: { $0.step }), .init(time, number: { $0.time }), .init(train.gd, number: { $0.trainLossGD }),
            .init(train.flow, number: { $0.flowDefined ? $0.trainLossNTK : nil }), .init(train.discrete, number: { $0.trainLossNTKDiscrete }),
            .init(test.gd, number: { $0.testLossGD }), .init(test.flow, number: { $0.testLossNTK }),
            .init(test.discrete, number: { $0.testLossNTKDiscrete }),
            .init(gap, number: { $0.gap }), .init(gapFlow, number: { $0.flowDefined ? $0.gapFlow : nil }),
            .init(testGap, number: { $0.testGap }),
            .init(kernelDrift, number: { $0.kernelDrift }), .init(weightChange, number: { $0.weightChange }),
            .init(testAccuracyGD, number: { $0.testAccuracyGD }), .init(testAccuracyNTK, number: { $0.testAccuracyNTK }),
            .init(train.analytic, number: { $0.trainLossAnalytic }), .init(test.analytic, number: { $0.testLossAnalytic }),
            .init(gapAnalytic, number: { $0.gapAnalytic }),
            .init(train.linearized, number: { $0.trainLossLinearized }), .init(test.linearized, number: { $0.testLossLinearized }),
            .init(gapNonlinearity, number: { $0.gapNonlinearity }), .init(gapMinibatch, number: { $0.gapMinibatch }),
            .init(trainAccuracyGD, number: { $0.trainAccuracyGD }), .init(trainAccuracyLinearized, number: { $0.trainAccuracyLinearized }),
            .init(testAccuracyLinearized, number: { $0.testAccuracyLinearized }), .init(trainMarginGD, number: { $0.trainMarginGD }),
            .init(trainMarginLinearized, number: { $0.trainMarginLinearized }),
        ]
        let kernel: [Column<StepRecord>] = [
            .init(kernelLambdaMax, number: { $0.kernelObservables?.lambdaMax }),
            .init(kernelLambdaMin, number: { $0.kernelObservables?.lambdaMin }),
            .init(kernelTargetAlignment, number: { $0.kernelObservables?.targetAlignment }),
            .init(kernelCKA, number: { $0.kernelObservables?.centredAlignment }),
            .init(eigenvectorAngleMax, number: { $0.kernelObservables?.principalAngles.max() }),
        ]
        let weights = (0..<layers).map { l in
            Column<StepRecord>(layerWeightChangePrefix + "\(l + 1)", number: { l < $0.layerWeightChanges.count ? $0.layerWeightChanges[l] : nil })
        }
        let spectral = (0..<layers).map { l in
            Column<StepRecord>(layerSpectralChangePrefix + "\(l + 1)", number: { $0.layerSpectralChanges?[l] })
        }
        // A new column goes at the end (after `sharpness`), so that a reader taking columns by position keeps working.
        let added: [Column<StepRecord>] = [
            .init(sharpness, number: { $0.sharpness }),
        ]
        return ColumnTable(figures + weights + kernel + spectral + added)
    }

    /// The layer l of a per-layer column name (`weight_change_layer_3` → 3 for `prefix` ``layerWeightChangePrefix``),
    /// nil for another column.
    public static func layer(of name: String, prefix: String) -> Int? {
        name.hasPrefix(prefix) ? Int(name.dropFirst(prefix.count)) : nil
    }
}

/// The columns of `modes.csv` (Docs/LogFormat.md#modescsv): at each logged step, one row per tracked eigenmode of
/// K̃₀ (``ModeSample``).
public enum ModeColumn {
    public static let step = "step", mode = "mode", eigenvalue = "eigenvalue", residualGD = "residual_gd"
    public static let residualNTK = "residual_ntk", principalAngle = "principal_angle"

    /// The row of mode `sample` at step `step`.
    public typealias Row = (step: Int, sample: ModeSample)

    public static let table = ColumnTable<Row>([
        .init(step, integer: { $0.step }), .init(mode, integer: { $0.sample.rank }),
        .init(eigenvalue, number: { $0.sample.eigenvalue }), .init(residualGD, number: { $0.sample.residualGD }),
        .init(residualNTK, number: { $0.sample.residualNTK }), .init(principalAngle, number: { $0.sample.principalAngle }),
    ])
}

/// The columns of `spectrum.csv` (Docs/LogFormat.md#spectrumcsv): one row per eigenmode of K̃₀, largest eigenvalue
/// first, written by NTKOutput's `RunRecorder` through ``table`` and read back by the report through the names.
public enum SpectrumColumn {
    public static let mode = "mode", eigenvalue = "eigenvalue", predictedRateDiscrete = "predicted_rate_discrete"
    public static let predictedRateFlow = "predicted_rate_flow", measuredRate = "measured_rate"
    public static let measuredRateStderr = "measured_rate_stderr", fitSteps = "fit_steps", rateRelativeError = "rate_relative_error"
    public static let fitStatus = "fit_status", residualInit = "residual_init", residualFinalGD = "residual_final_gd"
    public static let residualFinalNTKDiscrete = "residual_final_ntk_discrete", eigenvalueAnalytic = "eigenvalue_analytic"
    public static let momentumRegime = "momentum_regime"

    /// One eigenmode i of K̃₀ (rank 0 the largest): λᵢ, the predicted rates −ln|1 − ηλᵢ| and ηλᵢ (nil without a
    /// closed form, e.g. cross-entropy), the measured rate with its standard error, the steps of its fit, its relative
    /// error and the fit's status, the residuals vᵢᵀ(f − y) at t = 0 and at the end (GD, nil for a run that diverged
    /// at step 0, and the discrete prediction), the i-th largest eigenvalue of Θ̃ (`--kernel analytic`) and, with
    /// momentum, whether the mode's characteristic roots are real or complex.
    public struct Row: Sendable {
        public var rank: Int, eigenvalue: Double, predictedDiscrete: Double?, predictedFlow: Double?
        public var measured: Double?, standardError: Double?, fitSteps: Int, relativeError: Double?, fitStatus: String
        public var residualInit: Double, residualFinalGD: Double?, residualFinalNTKDiscrete: Double
        public var eigenvalueAnalytic: Double?, momentumRegime: String?

        public init(rank: Int, eigenvalue: Double, predictedDiscrete: Double?, predictedFlow: Double?, measured: Double?,
                    standardError: Double?, fitSteps: Int, relativeError: Double?, fitStatus: String, residualInit: Double,
                    residualFinalGD: Double?, residualFinalNTKDiscrete: Double, eigenvalueAnalytic: Double?, momentumRegime: String?) {
            (self.rank, self.eigenvalue, self.predictedDiscrete, self.predictedFlow) = (rank, eigenvalue, predictedDiscrete, predictedFlow)
            (self.measured, self.standardError, self.fitSteps, self.relativeError) = (measured, standardError, fitSteps, relativeError)
            (self.fitStatus, self.residualInit, self.residualFinalGD) = (fitStatus, residualInit, residualFinalGD)
            (self.residualFinalNTKDiscrete, self.eigenvalueAnalytic, self.momentumRegime) = (residualFinalNTKDiscrete, eigenvalueAnalytic, momentumRegime)
        }
    }

    /// The columns in the order they are written; a new one goes at the end.
    public static let table = ColumnTable<Row>([
        .init(mode, integer: { $0.rank }), .init(eigenvalue, number: { $0.eigenvalue }),
        .init(predictedRateDiscrete, number: { $0.predictedDiscrete }), .init(predictedRateFlow, number: { $0.predictedFlow }),
        .init(measuredRate, number: { $0.measured }), .init(measuredRateStderr, number: { $0.standardError }),
        .init(fitSteps, integer: { $0.fitSteps }), .init(rateRelativeError, number: { $0.relativeError }),
        .init(fitStatus, text: { $0.fitStatus }), .init(residualInit, number: { $0.residualInit }),
        .init(residualFinalGD, number: { $0.residualFinalGD }), .init(residualFinalNTKDiscrete, number: { $0.residualFinalNTKDiscrete }),
        .init(eigenvalueAnalytic, number: { $0.eigenvalueAnalytic }), .init(momentumRegime, text: { $0.momentumRegime ?? "" }),
    ])
}
