/// Kernel ridge regression on the test points, the t → ∞ limit of the linearized prediction with a ridge:
/// f(X*) = f₀(X*) + K̃(X*, X)(K̃ + λI)⁻¹(y − f₀), with λ in the units of K̃'s eigenvalues.
public struct RidgeComparison: Codable, Sendable, Equatable {
    @NonFiniteAsNull public var ridge: Double
    /// Test loss with K₀.
    @NonFiniteAsNull public var testLossEmpirical: Double
    /// Diagonal jitter the Cholesky factorization of K̃₀ + λI needed (0 when none).
    @NonFiniteAsNull public var jitterEmpirical: Double
    /// Test loss with Θ, when the analytic kernel is computed.
    @NullEncoded public var testLossAnalytic: Double?
    @NullEncoded public var jitterAnalytic: Double?

    enum CodingKeys: String, CodingKey {
        case ridge, testLossEmpirical = "test_loss_empirical", jitterEmpirical = "jitter_empirical"
        case testLossAnalytic = "test_loss_analytic", jitterAnalytic = "jitter_analytic"
    }

    /// - Throws: ``KernelRidgeRegressionError`` when even the largest jitter leaves the matrix indefinite.
    public init(ridge: Double, experiment e: NTKExperiment) throws {
        self.ridge = ridge
        let data = e.dataset
        let k = data.outputs
        func solve(_ kernel: Matrix, _ cross: Matrix) throws -> (loss: Double, jitter: Double) {
            var kt = kernel, ct = cross
            BLAS.scale(&kt.data, by: 1 / e.normalizer)
            BLAS.scale(&ct.data, by: 1 / e.normalizer)
            let krr = try KernelRidgeRegression(kernel: kt, targets: Self.rowsPerOutput(data.trainTargets),
                                                ridge: ridge, initialOutput: Self.rowsPerOutput(e.initialTrainOutput))
            let f = try krr.predict(crossKernel: ct, initialOutput: Self.rowsPerOutput(e.initialTestOutput))
            return (e.settings.loss.loss(f.data, data.testTargets.data, samples: data.testCount, outputs: k), krr.jitter)
        }
        // initialCrossKernel is already in the run's kernel layout; the training kernel must match it.
        let empirical = try solve(e.settings.kernelLayout.arrange(e.initialKernel, outputs: k), e.initialCrossKernel)
        testLossEmpirical = empirical.loss
        jitterEmpirical = empirical.jitter
        if let inf = e.infiniteWidth {
            let analytic = try solve(inf.kernel, inf.crossKernel)
            testLossAnalytic = analytic.loss
            jitterAnalytic = analytic.jitter
        }
    }

    /// An N × k target matrix as the (N·k) × 1 column the sample-major kernel acts on.
    static func rowsPerOutput(_ m: Matrix) -> Matrix { Matrix(rows: m.rows * m.cols, cols: 1, data: m.data) }
}
