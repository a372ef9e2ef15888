/// The infinite-width counterpart of a run: the linearized prediction from the analytic NTK Θ of the
/// architecture instead of this network's K₀ (Lee et al. 2019, the infinite-width GD prediction), from the
/// same initial outputs f₀, targets and η; and how far K₀ is from Θ.
public struct InfiniteWidthPrediction: Sendable {
    /// Θ(X, X) ⊗ I_k, scaled like K₀.
    public let kernel: Matrix
    /// Θ(X*, X) ⊗ I_k.
    public let crossKernel: Matrix
    /// Prediction from Θ̃ = Θ/ν.
    public let predictor: LinearizedPredictor
    /// ‖K₀ − Θ‖_F/‖Θ‖_F.
    public let kernelDistance: Double
    public let seconds: Double

    /// - Throws: ``LAPACKError`` from the quadrature rule or the eigendecomposition.
    public init(architecture: NetworkArchitecture, dataset: Dataset, initialKernel: Matrix, initialTrainOutput: Matrix,
                initialTestOutput: Matrix, normalizer: Double, learningRate: Double, quadratureDegree: Int,
                momentum: Double? = nil) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let analytic = try AnalyticNTK(architecture: architecture, quadratureDegree: quadratureDegree)
        kernel = analytic.ntk(dataset.trainInputs)
        crossKernel = analytic.ntk(dataset.testInputs, dataset.trainInputs)
        var effective = kernel, cross = crossKernel
        BLAS.scale(&effective.data, by: 1 / normalizer)
        BLAS.scale(&cross.data, by: 1 / normalizer)
        predictor = try LinearizedPredictor(effectiveKernel: effective, effectiveCrossKernel: cross,
                                            initialOutput: initialTrainOutput.data, targets: dataset.trainTargets.data,
                                            initialTestOutput: initialTestOutput.data, learningRate: learningRate,
                                            momentum: momentum)
        kernelDistance = initialKernel.frobeniusDistance(to: kernel) / kernel.frobeniusNorm
        seconds = (clock.now - start).seconds
    }
}
