/// How a run updates θ (`--optimizer`, config key `optimizer`; Docs/Optimizers.md):
///
///     gd:        θ_{t+1} = θ_t − η·R·∇L(θ_t)                                 (full batch, the default)
///     sgd:       θ_{t+1} = θ_t − η·R·∇L_{B_t}(θ_t)                           (``BatchSchedule``)
///     momentum:  v_{t+1} = β·v_t + ∇L_{B_t}(θ_t),  θ_{t+1} = θ_t − η·R·v_{t+1},  v_0 = 0   (heavy ball)
///
/// R scales layer l by its learning-rate scale r_l. Momentum is full-batch (B_t = all points) unless a batch
/// size is given.
public enum Optimizer: String, CaseIterable, Codable, Sendable {
    case gd
    case sgd
    case momentum
}

/// A run's optimizer with its parameters (Docs/Optimizers.md): the one value ``TrainingSettings/optimizer`` holds,
/// so a batch size or a β exists only for the optimizers that use it.
public enum OptimizerSpec: Codable, Equatable, Sendable {
    /// Full-batch GD.
    case gd
    /// SGD on minibatches of `batch` points, drawn without replacement each epoch (``BatchSchedule``).
    case sgd(batch: Int)
    /// Heavy ball with momentum β (0 ≤ β < 1), on full batches (`batch` nil) or on minibatches of `batch` points.
    case heavyBall(beta: Double, batch: Int?)

    /// The optimizer that the name, batch size and β of the options and of config.json (`optimizer`,
    /// `batch_size`, `momentum`) describe: gd ignores a batch size and β, sgd ignores β, and momentum without β
    /// is β = 0. nil for sgd without a batch size, which the options refuse.
    public init?(_ kind: Optimizer, batchSize: Int?, momentum: Double?) {
        switch kind {
        case .gd: self = .gd
        case .sgd:
            guard let batchSize else { return nil }
            self = .sgd(batch: batchSize)
        case .momentum: self = .heavyBall(beta: momentum ?? 0, batch: batchSize)
        }
    }

    /// The name of `--optimizer` and of config.json's `optimizer`.
    public var kind: Optimizer {
        switch self {
        case .gd: .gd
        case .sgd: .sgd
        case .heavyBall: .momentum
        }
    }

    /// β of the heavy ball; nil for gd and sgd.
    public var heavyBall: Double? {
        if case let .heavyBall(beta, _) = self { return beta }
        return nil
    }

    /// The minibatch size B when the optimizer draws minibatches; nil for full batches.
    public var minibatchSize: Int? {
        switch self {
        case .gd: nil
        case let .sgd(batch): batch
        case let .heavyBall(_, batch): batch
        }
    }
}

/// The optimizer of a run, as ``TrainingSettings`` holds it.
extension TrainingSettings {
    /// β of the heavy ball, when the optimizer is `momentum`.
    public var heavyBall: Double? { optimizer.heavyBall }

    /// The minibatch size when the run draws minibatches (`sgd`, or `momentum` with a batch size); nil for full batches.
    public var minibatchSize: Int? { optimizer.minibatchSize }

    /// What keeps these settings from training on `dataset`, the one statement of the rule that the run, the sweep
    /// and the experiment check (Docs/Optimizers.md): a minibatch larger than N, or cross-entropy on targets that
    /// are not classes. nil when there is none.
    public func problem(with dataset: Dataset) -> ExperimentError? {
        if let b = minibatchSize, b > dataset.trainCount {
            return .batchLargerThanData(batchSize: b, samples: dataset.trainCount)
        }
        return lossFunction.targetProblem(dataset.trainTargets.data, outputs: dataset.outputs).map { .targetsNotClasses($0) }
    }

    /// Whether the run's linearized training has the closed-form prediction of ``LinearizedPredictor``
    /// (``LinearizedPredictor/hasClosedForm(optimizer:lossFunction:)``).
    public var hasClosedFormPrediction: Bool { LinearizedPredictor.hasClosedForm(optimizer: optimizer, lossFunction: lossFunction) }
}
