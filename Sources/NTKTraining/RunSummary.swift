/// How a run ended.
public enum RunStatus: String, Codable, Sendable {
    case completed
    /// A GD quantity became NaN or infinite, or the loss passed 10¹⁰ × its initial value (Docs/Conventions.md).
    case diverged
    /// Stopped from outside (a signal) before the last step.
    case interrupted
}

/// The final figures of a run (`summary.json`). Values that are not finite are stored as nil (JSON null).
public struct RunSummary: Codable, Equatable, Sendable {
    public var status: RunStatus
    /// The last step t that was evaluated and logged.
    public var lastStep: Int
    public var stepsRequested: Int
    /// The step at which a non-finite value appeared, for a diverged run.
    @NullEncoded public var divergedAtStep: Int?
    /// What made the run diverge, in words (Docs/Conventions.md, "Divergence"); nil unless `status` is diverged.
    @NullEncoded public var divergedBecause: String? = nil
    /// λ_min(K̃_0) after clipping at 0.
    @NonFiniteAsNull public var lambdaMin: Double
    @NonFiniteAsNull public var lambdaMax: Double
    /// λ_max/λ_min; nil when λ_min = 0.
    @NullEncoded public var conditionNumber: Double?
    /// Eigenvalues of K̃_0 below 0 (round-off) that were set to 0.
    public var clippedEigenvalues: Int
    @NonFiniteAsNull public var learningRate: Double
    @NonFiniteAsNull public var criticalLearningRate: Double
    /// η/η_crit.
    @NonFiniteAsNull public var learningRateRatio: Double
    @NullEncoded public var finalTrainLossGD: Double?
    @NullEncoded public var finalTrainLossNTK: Double?
    @NullEncoded public var finalTrainLossNTKDiscrete: Double?
    @NullEncoded public var finalTestLossGD: Double?
    /// The step of `final_test_loss_gd`: the last step the test set was evaluated (`--test-every`).
    @NullEncoded public var finalTestStep: Int?
    @NullEncoded public var finalTestLossNTK: Double?
    @NullEncoded public var finalTestLossNTKDiscrete: Double?
    @NullEncoded public var initialTrainLoss: Double?
    @NullEncoded public var finalGap: Double?
    @NullEncoded public var maxGap: Double?
    @NullEncoded public var maxGapFlow: Double?
    @NullEncoded public var maxTestGap: Double?
    /// Drift at the last step where K_t was measured.
    @NullEncoded public var finalKernelDrift: Double?
    @NullEncoded public var maxKernelDrift: Double?
    @NullEncoded public var finalWeightChange: Double?
    /// The step at which `arrays/ntk_final.npy` (the last measured K_t) was measured.
    public var finalKernelStep: Int
    public var parameterCount: Int
    @NonFiniteAsNull public var initialKernelSeconds: Double
    @NonFiniteAsNull public var eigendecompositionSeconds: Double
    @NonFiniteAsNull public var trainingSeconds: Double
    /// −2·log|1 − ηλ_min|: the late-phase loss rate per step the NTK predicts.
    @NullEncoded public var lossRatePredictedLambdaMin: Double?
    /// −(slope of log L^GD) over the last quarter of the steps.
    @NullEncoded public var lossRateMeasuredGD: Double?
    /// −(slope of log L^NTK) over the same steps.
    @NullEncoded public var lossRateNTK: Double?
    /// [first, last] step of the loss-rate fit.
    @NullEncoded public var lossRateWindow: [Int]?
    @NullEncoded public var maxTrainLossGD: Double?
    @NullEncoded public var maxTrainLossStep: Int?
    public var gdOutcome: GDOutcome
    /// Eigenmodes whose rate was measured (spectrum.csv, fit_status "measured").
    public var measuredModes: Int
    /// Test accuracy at the last evaluated step, GD and discrete NTK prediction (classification datasets).
    @NullEncoded public var finalTestAccuracyGD: Double? = nil
    @NullEncoded public var finalTestAccuracyNTK: Double? = nil
    /// λ_max(Θ̃) of the analytic infinite-width NTK (`--kernel analytic`).
    @NullEncoded public var lambdaMaxAnalytic: Double? = nil
    /// ‖K₀ − Θ‖_F/‖Θ‖_F.
    @NullEncoded public var kernelDistanceAnalytic: Double? = nil
    /// Final losses of the prediction from Θ, and its largest gap to GD on the training points.
    @NullEncoded public var finalTrainLossAnalytic: Double? = nil
    @NullEncoded public var finalTestLossAnalytic: Double? = nil
    @NullEncoded public var maxGapAnalytic: Double? = nil
    /// Kernel ridge regression test losses with K₀ and Θ (`--ridge`).
    @NullEncoded public var ridge: RidgeComparison? = nil
    /// The linearized counterpart trained with the same optimizer and batches (``FunctionSpaceTwin``; Docs/Optimizers.md):
    /// its final losses and test accuracy, and the two gaps that split `gap`: nonlinearity (network vs counterpart)
    /// and minibatch noise (counterpart vs full-batch prediction), last and largest.
    @NullEncoded public var finalTrainLossLinearized: Double? = nil
    @NullEncoded public var finalTestLossLinearized: Double? = nil
    @NullEncoded public var finalTestAccuracyLinearized: Double? = nil
    @NullEncoded public var finalGapNonlinearity: Double? = nil
    @NullEncoded public var maxGapNonlinearity: Double? = nil
    @NullEncoded public var finalGapMinibatch: Double? = nil
    @NullEncoded public var maxGapMinibatch: Double? = nil
    /// Training accuracy and smallest margin of the network and of the counterpart (classification datasets).
    @NullEncoded public var finalTrainAccuracyGD: Double? = nil
    @NullEncoded public var finalTrainAccuracyLinearized: Double? = nil
    @NullEncoded public var finalTrainMarginGD: Double? = nil
    @NullEncoded public var finalTrainMarginLinearized: Double? = nil
    /// Whether per-mode rates are predicted (false for cross-entropy: no spectral closed form; spectrum.csv leaves
    /// the predicted columns empty). nil in files written before the option existed.
    @NullEncoded public var modeRatesDefined: Bool? = nil
    /// With momentum: how many eigenmodes of K̃₀ have real characteristic roots, and how many complex (oscillating).
    @NullEncoded public var modesRealRoots: Int? = nil
    @NullEncoded public var modesOscillating: Int? = nil
    /// At the last step K_t was measured (K₀ if none was): λ_max and λ_min of K̃_t, η·λ_max(K̃_t) (above 2 the
    /// linearized dynamics are unstable), the kernel–target alignment, the CKA with K₀, the largest principal angle
    /// between the top eigenvectors of K̃₀ and K̃_t (``KernelObservables``), and ‖ΔW_l‖₂/‖W_l(0)‖₂ per layer.
    @NullEncoded public var finalKernelLambdaMax: Double? = nil
    @NullEncoded public var finalKernelLambdaMin: Double? = nil
    @NullEncoded public var finalLearningRateKernelLambdaMax: Double? = nil
    @NullEncoded public var finalKernelTargetAlignment: Double? = nil
    @NullEncoded public var finalKernelCKA: Double? = nil
    @NullEncoded public var finalEigenvectorAngleMax: Double? = nil
    @NullEncoded public var finalWeightChangeSpectralLayers: [Double]? = nil
    /// The largest λ_max(K̃_t) over every measurement, and the alignment of K₀ with the targets.
    @NullEncoded public var maxKernelLambdaMax: Double? = nil
    @NullEncoded public var initialKernelTargetAlignment: Double? = nil
    /// ``GDPhase`` of the run: lazy, catapult or divergent (nil in files written before it existed).
    @NullEncoded public var phase: GDPhase? = nil
    /// With `--sharpness-every`: λ_max(R^{1/2}·∇²L·R^{1/2}) at the last step it was measured, and its largest value
    /// (``HessianSharpness``; compare with 2/η). null without the option.
    @NullEncoded public var finalSharpness: Double? = nil
    @NullEncoded public var maxSharpness: Double? = nil
    /// The network's architecture (mlp, resnet, cnn), as config.json names it; null in files written before it existed
    /// (they are mlp).
    @NullEncoded public var architecture: ArchitectureKind? = nil

    package enum CodingKeys: String, CodingKey {
        case status, lastStep = "last_step", stepsRequested = "steps_requested", divergedAtStep = "diverged_at_step"
        case divergedBecause = "diverged_because"
        case lambdaMin = "lambda_min", lambdaMax = "lambda_max", conditionNumber = "condition_number"
        case clippedEigenvalues = "clipped_eigenvalues", learningRate = "lr", criticalLearningRate = "lr_crit"
        case learningRateRatio = "lr_over_lr_crit"
        case finalTrainLossGD = "final_train_loss_gd", finalTrainLossNTK = "final_train_loss_ntk"
        case finalTrainLossNTKDiscrete = "final_train_loss_ntk_discrete"
        case finalTestLossGD = "final_test_loss_gd", finalTestStep = "final_test_step", finalTestLossNTK = "final_test_loss_ntk"
        case finalTestLossNTKDiscrete = "final_test_loss_ntk_discrete", initialTrainLoss = "initial_train_loss"
        case finalGap = "final_gap", maxGap = "max_gap", maxGapFlow = "max_gap_flow", maxTestGap = "max_test_gap"
        case finalKernelDrift = "final_kernel_drift", maxKernelDrift = "max_kernel_drift"
        case finalWeightChange = "final_weight_change", finalKernelStep = "ntk_final_step"
        case parameterCount = "parameter_count"
        case initialKernelSeconds = "initial_kernel_seconds", eigendecompositionSeconds = "eigendecomposition_seconds"
        case trainingSeconds = "training_seconds"
        case lossRatePredictedLambdaMin = "loss_rate_predicted_lambda_min", lossRateMeasuredGD = "loss_rate_gd"
        case lossRateNTK = "loss_rate_ntk", lossRateWindow = "loss_rate_window", maxTrainLossGD = "max_train_loss_gd"
        case maxTrainLossStep = "max_train_loss_step", gdOutcome = "gd_outcome", measuredModes = "measured_modes"
        case finalTestAccuracyGD = "final_test_accuracy_gd", finalTestAccuracyNTK = "final_test_accuracy_ntk"
        case lambdaMaxAnalytic = "lambda_max_analytic", kernelDistanceAnalytic = "kernel_distance_analytic"
        case finalTrainLossAnalytic = "final_train_loss_ntk_analytic", finalTestLossAnalytic = "final_test_loss_ntk_analytic"
        case maxGapAnalytic = "max_gap_analytic", ridge
        case finalTrainLossLinearized = "final_train_loss_lin", finalTestLossLinearized = "final_test_loss_lin"
        case finalTestAccuracyLinearized = "final_test_accuracy_lin"
        case finalGapNonlinearity = "final_gap_nonlinearity", maxGapNonlinearity = "max_gap_nonlinearity"
        case finalGapMinibatch = "final_gap_minibatch", maxGapMinibatch = "max_gap_minibatch"
        case finalTrainAccuracyGD = "final_train_accuracy_gd", finalTrainAccuracyLinearized = "final_train_accuracy_lin"
        case finalTrainMarginGD = "final_train_margin_gd", finalTrainMarginLinearized = "final_train_margin_lin"
        case modeRatesDefined = "mode_rates_defined", modesRealRoots = "modes_real_roots", modesOscillating = "modes_oscillating"
        case finalKernelLambdaMax = "final_kernel_lambda_max", finalKernelLambdaMin = "final_kernel_lambda_min"
        case finalLearningRateKernelLambdaMax = "final_lr_kernel_lambda_max"
        case finalKernelTargetAlignment = "final_kernel_target_alignment", finalKernelCKA = "final_kernel_cka"
        case finalEigenvectorAngleMax = "final_eigenvector_angle_max"
        case finalWeightChangeSpectralLayers = "final_weight_change_spectral_layers"
        case maxKernelLambdaMax = "max_kernel_lambda_max", initialKernelTargetAlignment = "initial_kernel_target_alignment"
        case phase
        case finalSharpness = "final_sharpness", maxSharpness = "max_sharpness"
        case architecture
    }
}

/// x when finite, nil otherwise (JSON has no NaN or ∞).
@inlinable
func finiteOrNil(_ x: Double?) -> Double? {
    guard let x, x.isFinite else { return nil }
    return x
}
