import Foundation

/// How the linearized training is integrated in time.
public enum PredictionForm: String, CaseIterable, Codable, Sendable {
    /// Gradient flow: f_t = y + V·e^{−ηΛt}·Vᵀ(f_0 − y).
    case flow
    /// Exact GD on the linearized model: f_t = y + V·(I − ηΛ)^t·Vᵀ(f_0 − y); with momentum β, exact heavy ball:
    /// (I − ηΛ)^t becomes the per-mode closed form g_t of ``HeavyBallModes``.
    case discrete
}

/// The NTK prediction of training from the initial kernel (Docs/Conventions.md):
/// the network linearized at θ_0, trained by GD with learning rate η on squared loss.
///
/// With K̃_0 = K_0/ν = V·Λ·Vᵀ (eigenvalues clipped at 0) and c = Vᵀ(f_0 − y):
///
///     train:  f_t − y   = V·(g_t ⊙ c),                   g_t = e^{−ηλt} (flow) or (1 − ηλ)^t (discrete)
///     test:   f_t(X*)   = f_0(X*) − K̃(X*, X)·V·(h_t ⊙ c), h_t = (1 − g_t)/λ  (→ η·t as λ → 0)
///
/// where K̃(X*, X) = K_0(X*, X)/ν with the training normalizer ν (N·k for mean loss, 1 for sum).
public struct LinearizedPredictor: Sendable {
    /// Eigendecomposition of K̃_0 (ascending eigenvalues, as LAPACK returns them, before clipping).
    public let eigen: SymmetricEigendecomposition
    /// Eigenvalues with negatives (round-off) set to 0.
    public let clippedValues: [Double]
    /// How many eigenvalues were negative and clipped to 0.
    public let clippedCount: Int
    public let learningRate: Double
    /// β of heavy-ball momentum, when the run uses it: the discrete form is then heavy ball on the linearized model
    /// (``HeavyBallModes``); the flow form stays GD's gradient flow. nil for plain GD.
    public let momentum: Double?
    /// Training targets, flattened sample-major.
    public let targets: [Double]
    /// c = Vᵀ(f_0 − y).
    public let initialModeResiduals: [Double]
    /// f_0 on the test inputs, flattened sample-major.
    public let initialTestOutput: [Double]
    /// K̃(X*, X)·V, R* × R.
    private let testProjection: Matrix

    /// - Parameters:
    ///   - effectiveKernel: K̃_0 on the training inputs, (N·k) × (N·k).
    ///   - effectiveCrossKernel: K̃_0(X*, X), (N*·k) × (N·k) (may have 0 rows).
    ///   - initialOutput: f_0 on the training inputs, sample-major.
    /// - Throws: ``LAPACKError`` from `dsyevd`.
    /// - Complexity: O((N·k)³) for the eigendecomposition, O(N*·k·(N·k)²) for the test projection.
    public init(effectiveKernel: Matrix, effectiveCrossKernel: Matrix, initialOutput: [Double], targets: [Double],
                initialTestOutput: [Double], learningRate: Double, momentum: Double? = nil) throws {
        self.init(eigen: try SymmetricEigendecomposition(effectiveKernel), effectiveCrossKernel: effectiveCrossKernel,
                  initialOutput: initialOutput, targets: targets, initialTestOutput: initialTestOutput,
                  learningRate: learningRate, momentum: momentum)
    }

    /// The same from an eigendecomposition of K̃_0 already at hand.
    public init(eigen: SymmetricEigendecomposition, effectiveCrossKernel: Matrix, initialOutput: [Double],
                targets: [Double], initialTestOutput: [Double], learningRate: Double, momentum: Double? = nil) {
        precondition(eigen.values.count == initialOutput.count && initialOutput.count == targets.count)
        precondition(effectiveCrossKernel.cols == eigen.values.count && effectiveCrossKernel.rows == initialTestOutput.count)
        self.eigen = eigen
        self.clippedValues = eigen.values.map { max($0, 0) }
        self.clippedCount = eigen.values.filter { $0 < 0 }.count
        self.learningRate = learningRate
        self.momentum = momentum
        self.targets = targets
        var r0 = initialOutput
        BLAS.axpy(-1, targets, &r0)
        self.initialModeResiduals = BLAS.matvec(eigen.vectors, r0, transA: .transposed)
        self.initialTestOutput = initialTestOutput
        self.testProjection = BLAS.product(effectiveCrossKernel, eigen.vectors)
    }

    /// The prediction of a run trained with `optimizer` (Docs/Optimizers.md): heavy ball follows its β, gd and sgd
    /// plain GD (for minibatches, the full-batch run the batches scatter around). The one way the run
    /// (``NTKExperiment``) and the report (`RunReport.linearizedPredictor`) build it.
    public init(eigen: SymmetricEigendecomposition, effectiveCrossKernel: Matrix, initialOutput: [Double],
                targets: [Double], initialTestOutput: [Double], learningRate: Double, optimizer: OptimizerSpec) {
        self.init(eigen: eigen, effectiveCrossKernel: effectiveCrossKernel, initialOutput: initialOutput, targets: targets,
                  initialTestOutput: initialTestOutput, learningRate: learningRate, momentum: optimizer.heavyBall)
    }

    /// Whether the linearized training of `optimizer` on `lossFunction` has this closed form: squared loss only,
    /// for every optimizer (cross-entropy's linearized training has none; ``FunctionSpaceTwin`` iterates it).
    public static func hasClosedForm(optimizer: OptimizerSpec, lossFunction: LossFunction) -> Bool {
        // A new optimizer decides here (an adaptive one such as Adam has no spectral closed form).
        switch optimizer {
        case .gd, .sgd, .heavyBall: lossFunction.hasClosedForm
        }
    }

    /// λ_max(K̃_0).
    public var maxEigenvalue: Double { clippedValues.last ?? 0 }
    /// λ_min(K̃_0) after clipping.
    public var minEigenvalue: Double { clippedValues.first ?? 0 }
    /// η_crit = 2/λ_max(K̃_0) (2(1 + β)/λ_max with momentum): above it the linearized GD diverges along the top mode.
    public var criticalLearningRate: Double { Self.criticalLearningRate(eigen, momentum: momentum) }

    /// η_crit = 2/λ_max for an eigendecomposition of K̃_0; with heavy-ball momentum β, 2(1 + β)/λ_max.
    public static func criticalLearningRate(_ eigen: SymmetricEigendecomposition, momentum: Double? = nil) -> Double {
        guard let beta = momentum else { return 2 / max(eigen.values.last ?? 0, 0) }
        return HeavyBallModes.criticalLearningRate(lambdaMax: eigen.values.last ?? 0, momentum: beta)
    }

    /// The per-mode decay factor g_t(λ).
    public func decay(_ lambda: Double, step t: Int, form: PredictionForm) -> Double {
        let x = learningRate * lambda
        switch form {
        case .flow: return Foundation.exp(-x * Double(t))
        case .discrete:
            if let beta = momentum { return HeavyBallModes.factor(x: x, momentum: beta, step: t) }
            return Foundation.pow(1 - x, Double(t))
        }
    }

    /// 1 − g_t for ηλ = x, without cancellation when x·t is small (expm1, log1p).
    private func oneMinusDecay(_ x: Double, step t: Int, form: PredictionForm) -> Double {
        switch form {
        case .flow: return -Foundation.expm1(-x * Double(t))
        case .discrete:
            if let beta = momentum { return 1 - HeavyBallModes.factor(x: x, momentum: beta, step: t) }
            return x < 1 ? -Foundation.expm1(Double(t) * Foundation.log1p(-x)) : 1 - Foundation.pow(1 - x, Double(t))
        }
    }

    /// Predicted mode residuals Vᵀ(f_t − y) = g_t ⊙ c.
    public func modeResiduals(step t: Int, form: PredictionForm) -> [Double] {
        zip(clippedValues, initialModeResiduals).map { decay($0, step: t, form: form) * $1 }
    }

    /// Predicted f_t on the training inputs, sample-major.
    /// - Complexity: O((N·k)²), one gemv.
    public func trainOutput(step t: Int, form: PredictionForm) -> [Double] {
        var f = targets
        BLAS.gemv(eigen.vectors, modeResiduals(step: t, form: form), beta: 1, into: &f)
        return f
    }

    /// Predicted f_t on the test inputs, sample-major.
    /// - Complexity: O(N*·k·N·k), one gemv.
    public func testOutput(step t: Int, form: PredictionForm) -> [Double] {
        let h: [Double] = zip(clippedValues, initialModeResiduals).map { lambda, c in
            let x = learningRate * lambda
            let weight: Double
            if x < 1e-12 {
                // The limit of (1 − g_t)/λ as λ → 0: η·t, with momentum η·Σ_{s≤t}(1 − β^s)/(1 − β).
                weight = form == .discrete && momentum != nil
                    ? learningRate * HeavyBallModes.zeroModeSteps(momentum: momentum!, step: t)
                    : learningRate * Double(t)
            } else {
                weight = oneMinusDecay(x, step: t, form: form) / lambda
            }
            return weight * c
        }
        var f = initialTestOutput
        BLAS.gemv(testProjection, h, alpha: -1, beta: 1, into: &f)
        return f
    }
}
