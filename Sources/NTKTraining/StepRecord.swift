/// One logged step of a run: GD beside its NTK prediction (a row of `steps.csv`, whose columns are
/// `StepColumn.table(layers:)` in NTKRunFormat).
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
    /// `weight_change_layer_<l>` columns. Under NTK scaling each falls as 1/√n; under μP a
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
}
