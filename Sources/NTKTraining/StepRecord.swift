/// One logged step of a run: GD beside its NTK prediction (the columns of `steps.csv`).
public struct StepRecord: Sendable, Equatable {
    /// t, the number of GD updates taken so far.
    public var step: Int
    /// Wall-clock seconds since training started.
    public var time: Double
    public var trainLossGD: Double
    /// Loss of the flow prediction on the training points.
    public var trainLossNTK: Double
    /// Loss of the discrete prediction (exact GD on the linearized model).
    public var trainLossNTKDiscrete: Double
    /// GD loss on the test points, on the steps where the test set was evaluated (`testEvery`).
    public var testLossGD: Double?
    /// nil without a test set.
    public var testLossNTK: Double?
    public var testLossNTKDiscrete: Double?
    /// ‖f_t^GD − f_t^discrete‖/‖f_0 − y‖ on the training points.
    public var gap: Double
    /// ‖f_t^GD − f_t^flow‖/‖f_0 − y‖ on the training points.
    public var gapFlow: Double
    /// ‖f_t^GD − f_t^discrete‖/‖f_0(X*) − y*‖ on the test points.
    public var testGap: Double?
    /// ‖K_t − K_0‖_F/‖K_0‖_F, on the steps where the kernel was measured.
    public var kernelDrift: Double?
    /// ‖θ_t − θ_0‖/‖θ_0‖.
    public var weightChange: Double
    /// Residuals along the top eigenmodes of K̃_0 (rows of `modes.csv`).
    public var modes: [ModeSample] = []
    /// Test accuracy of GD and of the discrete NTK prediction, for a classification dataset on the steps
    /// where the test set was evaluated (``ClassTargets/accuracy(_:_:outputs:)``).
    public var testAccuracyGD: Double? = nil
    public var testAccuracyNTK: Double? = nil
    /// Losses of the discrete prediction from the analytic infinite-width Θ, and its gap to GD on the
    /// training points, when the run computes Θ (`--kernel analytic`).
    public var trainLossAnalytic: Double? = nil
    public var testLossAnalytic: Double? = nil
    public var gapAnalytic: Double? = nil
    /// Whether the flow columns (`train_loss_ntk`, `test_loss_ntk`, `gap_flow`) are defined: false for cross-entropy,
    /// whose linearized training has no closed-form flow (their cells are empty).
    public var flowDefined = true
    /// The linearized network trained in function space with the same optimizer and batches (``FunctionSpaceTwin``;
    /// for full-batch squared loss the discrete prediction itself): its losses and test accuracy.
    public var trainLossLinearized: Double? = nil
    public var testLossLinearized: Double? = nil
    public var testAccuracyLinearized: Double? = nil
    /// ‖f_t^GD − f_t^lin‖/‖f_0 − y‖: what nonlinearity (finite width) adds, with the batches held equal.
    public var gapNonlinearity: Double? = nil
    /// ‖f_t^lin − f_t^discrete‖/‖f_0 − y‖: what the minibatches add to the linearized model (0 for full batches).
    public var gapMinibatch: Double? = nil
    /// Training accuracy and smallest margin (``CrossEntropyLoss/minimumMargin(_:_:outputs:)``) of the network and of
    /// the linearized counterpart, for classification datasets.
    public var trainAccuracyGD: Double? = nil
    public var trainAccuracyLinearized: Double? = nil
    public var trainMarginGD: Double? = nil
    public var trainMarginLinearized: Double? = nil
    /// ‖W_l(t) − W_l(0)‖_F/‖W_l(0)‖_F of each layer's weights (biases aside), input layer first, readout last: the
    /// `weight_change_layer_<l>` columns (``columns(layers:)``). Under NTK scaling each falls as 1/√n; under μP a
    /// hidden layer's relative Frobenius change falls as 1/√n too, and what stays O(1) is the spectral one,
    /// ``layerSpectralChanges`` (Docs/Parameterizations.md).
    public var layerWeightChanges: [Double] = []
    /// λ_max(K̃_t), λ_min(K̃_t), the kernel–target alignment, the CKA with K₀ and the principal angles of the top
    /// eigenvectors (``KernelObservables``), at the steps K_t is measured (and t = 0); nil elsewhere.
    public var kernelObservables: KernelObservables? = nil
    /// ‖W_l(t) − W_l(0)‖₂/‖W_l(0)‖₂ of each layer (spectral norms, ``SpectralNorm``), at the steps K_t is measured
    /// (and t = 0); nil elsewhere: the `weight_change_spectral_layer_<l>` columns.
    public var layerSpectralChanges: [Double]? = nil
    /// λ_max(R^{1/2}·∇²L(θ_t)·R^{1/2}) at the steps `--sharpness-every` measures it (``HessianSharpness``); nil elsewhere:
    /// the `sharpness` column.
    public var sharpness: Double? = nil

    /// Column names, in order, as written to `steps.csv`.
    public static let columns = [
        "step", "time", "train_loss_gd", "train_loss_ntk", "train_loss_ntk_discrete",
        "test_loss_gd", "test_loss_ntk", "test_loss_ntk_discrete",
        "gap", "gap_flow", "test_gap", "kernel_drift", "weight_change",
        "test_accuracy_gd", "test_accuracy_ntk",
        "train_loss_ntk_analytic", "test_loss_ntk_analytic", "gap_analytic",
        "train_loss_lin", "test_loss_lin", "gap_nonlinearity", "gap_minibatch",
        "train_accuracy_gd", "train_accuracy_lin", "test_accuracy_lin", "train_margin_gd", "train_margin_lin",
    ]

    /// The columns of the measured kernel (``kernelObservables``), written after the per-layer weight changes.
    public static let kernelColumns = [
        "kernel_lambda_max", "kernel_lambda_min", "kernel_target_alignment", "kernel_cka", "eigenvector_angle_max",
    ]

    /// ``columns``, then one `weight_change_layer_<l>` per layer, l = 1 (input) … `layers` (readout), then
    /// ``kernelColumns``, one `weight_change_spectral_layer_<l>` per layer and `sharpness` (added later, so appended).
    public static func columns(layers: Int) -> [String] {
        columns + (0..<layers).map { "weight_change_layer_\($0 + 1)" } + kernelColumns
            + (0..<layers).map { "weight_change_spectral_layer_\($0 + 1)" } + ["sharpness"]
    }

    /// The values of ``kernelColumns``; nil where K_t was not measured. The largest principal angle is nil with
    /// `--modes 0`.
    public var kernelValues: [Double?] {
        guard let k = kernelObservables else { return Array(repeating: nil, count: Self.kernelColumns.count) }
        return [k.lambdaMax, k.lambdaMin, k.targetAlignment, k.centredAlignment, k.principalAngles.max()]
    }

    /// The values in the order of ``columns``; nil for a value not measured at this step.
    public var values: [Double?] {
        [Double(step), time, trainLossGD, flowDefined ? trainLossNTK : nil, trainLossNTKDiscrete,
         testLossGD, testLossNTK, testLossNTKDiscrete, gap, flowDefined ? gapFlow : nil, testGap, kernelDrift, weightChange,
         testAccuracyGD, testAccuracyNTK, trainLossAnalytic, testLossAnalytic, gapAnalytic,
         trainLossLinearized, testLossLinearized, gapNonlinearity, gapMinibatch,
         trainAccuracyGD, trainAccuracyLinearized, testAccuracyLinearized, trainMarginGD, trainMarginLinearized]
    }
}

/// The residual along one eigenmode of K̃_0 at one step: GD against the linearized prediction.
public struct ModeSample: Sendable, Equatable {
    /// 0 for the largest eigenvalue.
    public var rank: Int
    public var eigenvalue: Double
    /// v_iᵀ(f_t − y) for GD.
    public var residualGD: Double
    /// (1 − ηλ_i)^t·v_iᵀ(f_0 − y), the discrete linearized prediction.
    public var residualNTK: Double
    /// The (rank + 1)-th smallest principal angle between the top eigenvectors of K̃₀ and K̃_t, at the steps K_t
    /// is measured; nil elsewhere.
    public var principalAngle: Double? = nil

    /// Columns of `modes.csv`.
    public static let columns = ["step", "mode", "eigenvalue", "residual_gd", "residual_ntk", "principal_angle"]
}
