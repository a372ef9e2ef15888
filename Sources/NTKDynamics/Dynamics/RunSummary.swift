/// How a run ended.
public enum RunStatus: String, Codable, Sendable {
    case completed
    /// The training loss or a parameter became NaN or infinite (η too large).
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
    public var divergedAtStep: Int?
    /// λ_min(K̃_0) after clipping at 0.
    public var lambdaMin: Double
    public var lambdaMax: Double
    /// λ_max/λ_min; nil when λ_min = 0.
    public var conditionNumber: Double?
    /// Eigenvalues of K̃_0 below 0 (round-off) that were set to 0.
    public var clippedEigenvalues: Int
    public var learningRate: Double
    public var criticalLearningRate: Double
    /// η/η_crit.
    public var learningRateRatio: Double
    public var finalTrainLossGD: Double?
    public var finalTrainLossNTK: Double?
    public var finalTrainLossNTKDiscrete: Double?
    public var finalTestLossGD: Double?
    public var finalTestLossNTK: Double?
    public var finalTestLossNTKDiscrete: Double?
    public var initialTrainLoss: Double?
    public var finalGap: Double?
    public var maxGap: Double?
    public var maxGapFlow: Double?
    public var maxTestGap: Double?
    /// Drift at the last step where K_t was measured.
    public var finalKernelDrift: Double?
    public var maxKernelDrift: Double?
    public var finalWeightChange: Double?
    /// The step at which `arrays/ntk_final.npy` (the last measured K_t) was measured.
    public var finalKernelStep: Int
    public var parameterCount: Int
    public var initialKernelSeconds: Double
    public var eigendecompositionSeconds: Double
    public var trainingSeconds: Double
    /// −2·log|1 − ηλ_min|: the late-phase loss rate per step the NTK predicts.
    public var lossRatePredictedLambdaMin: Double?
    /// −(slope of log L^GD) over the last quarter of the steps.
    public var lossRateMeasuredGD: Double?
    /// −(slope of log L^NTK) over the same steps.
    public var lossRateNTK: Double?
    /// [first, last] step of the loss-rate fit.
    public var lossRateWindow: [Int]?
    public var maxTrainLossGD: Double?
    public var maxTrainLossStep: Int?
    public var gdOutcome: GDOutcome
    /// Eigenmodes whose rate was measured (spectrum.csv, fit_status "measured").
    public var measuredModes: Int
    /// Test accuracy at the last evaluated step, GD and discrete NTK prediction (classification datasets).
    public var finalTestAccuracyGD: Double? = nil
    public var finalTestAccuracyNTK: Double? = nil
    /// λ_max(Θ̃) of the analytic infinite-width NTK (`--kernel analytic`).
    public var lambdaMaxAnalytic: Double? = nil
    /// ‖K₀ − Θ‖_F/‖Θ‖_F.
    public var kernelDistanceAnalytic: Double? = nil
    /// Final losses of the prediction from Θ, and its largest gap to GD on the training points.
    public var finalTrainLossAnalytic: Double? = nil
    public var finalTestLossAnalytic: Double? = nil
    public var maxGapAnalytic: Double? = nil
    /// Kernel ridge regression test losses with K₀ and Θ (`--ridge`), filled in by the caller.
    public var ridge: RidgeComparison? = nil

    /// Encodes every key, with JSON null for a missing value (readers find every key in every summary).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(lastStep, forKey: .lastStep)
        try c.encode(stepsRequested, forKey: .stepsRequested)
        try c.encode(divergedAtStep, forKey: .divergedAtStep)
        try c.encode(lambdaMin, forKey: .lambdaMin)
        try c.encode(lambdaMax, forKey: .lambdaMax)
        try c.encode(conditionNumber, forKey: .conditionNumber)
        try c.encode(clippedEigenvalues, forKey: .clippedEigenvalues)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(criticalLearningRate, forKey: .criticalLearningRate)
        try c.encode(learningRateRatio, forKey: .learningRateRatio)
        try c.encode(finalTrainLossGD, forKey: .finalTrainLossGD)
        try c.encode(finalTrainLossNTK, forKey: .finalTrainLossNTK)
        try c.encode(finalTrainLossNTKDiscrete, forKey: .finalTrainLossNTKDiscrete)
        try c.encode(finalTestLossGD, forKey: .finalTestLossGD)
        try c.encode(finalTestLossNTK, forKey: .finalTestLossNTK)
        try c.encode(finalTestLossNTKDiscrete, forKey: .finalTestLossNTKDiscrete)
        try c.encode(initialTrainLoss, forKey: .initialTrainLoss)
        try c.encode(finalGap, forKey: .finalGap)
        try c.encode(maxGap, forKey: .maxGap)
        try c.encode(maxGapFlow, forKey: .maxGapFlow)
        try c.encode(maxTestGap, forKey: .maxTestGap)
        try c.encode(finalKernelDrift, forKey: .finalKernelDrift)
        try c.encode(maxKernelDrift, forKey: .maxKernelDrift)
        try c.encode(finalWeightChange, forKey: .finalWeightChange)
        try c.encode(finalKernelStep, forKey: .finalKernelStep)
        try c.encode(parameterCount, forKey: .parameterCount)
        try c.encode(initialKernelSeconds, forKey: .initialKernelSeconds)
        try c.encode(eigendecompositionSeconds, forKey: .eigendecompositionSeconds)
        try c.encode(trainingSeconds, forKey: .trainingSeconds)
        try c.encode(lossRatePredictedLambdaMin, forKey: .lossRatePredictedLambdaMin)
        try c.encode(lossRateMeasuredGD, forKey: .lossRateMeasuredGD)
        try c.encode(lossRateNTK, forKey: .lossRateNTK)
        try c.encode(lossRateWindow, forKey: .lossRateWindow)
        try c.encode(maxTrainLossGD, forKey: .maxTrainLossGD)
        try c.encode(maxTrainLossStep, forKey: .maxTrainLossStep)
        try c.encode(gdOutcome, forKey: .gdOutcome)
        try c.encode(measuredModes, forKey: .measuredModes)
        try c.encode(finalTestAccuracyGD, forKey: .finalTestAccuracyGD)
        try c.encode(finalTestAccuracyNTK, forKey: .finalTestAccuracyNTK)
        try c.encode(lambdaMaxAnalytic, forKey: .lambdaMaxAnalytic)
        try c.encode(kernelDistanceAnalytic, forKey: .kernelDistanceAnalytic)
        try c.encode(finalTrainLossAnalytic, forKey: .finalTrainLossAnalytic)
        try c.encode(finalTestLossAnalytic, forKey: .finalTestLossAnalytic)
        try c.encode(maxGapAnalytic, forKey: .maxGapAnalytic)
        try c.encode(ridge, forKey: .ridge)
    }

    enum CodingKeys: String, CodingKey {
        case status, lastStep = "last_step", stepsRequested = "steps_requested", divergedAtStep = "diverged_at_step"
        case lambdaMin = "lambda_min", lambdaMax = "lambda_max", conditionNumber = "condition_number"
        case clippedEigenvalues = "clipped_eigenvalues", learningRate = "lr", criticalLearningRate = "lr_crit"
        case learningRateRatio = "lr_over_lr_crit"
        case finalTrainLossGD = "final_train_loss_gd", finalTrainLossNTK = "final_train_loss_ntk"
        case finalTrainLossNTKDiscrete = "final_train_loss_ntk_discrete"
        case finalTestLossGD = "final_test_loss_gd", finalTestLossNTK = "final_test_loss_ntk"
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
    }
}

/// x when finite, nil otherwise (JSON has no NaN or ∞).
@inlinable
func finiteOrNil(_ x: Double?) -> Double? {
    guard let x, x.isFinite else { return nil }
    return x
}
