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

/// The optimizer of a run with its batch size and momentum, as ``TrainingSettings`` holds them.
extension TrainingSettings {
    /// β of the heavy ball, when the optimizer is `momentum`.
    public var heavyBall: Double? { optimizer == .momentum ? (momentum ?? 0) : nil }

    /// The minibatch size when the run draws minibatches (`sgd`, or `momentum` with a batch size); nil for full batches.
    public var minibatchSize: Int? { optimizer == .gd ? nil : batchSize }
}
