/// The phase of a run in Lewkowycz et al. (2020)'s sense, read from its training loss alone
/// (Docs/Sweep.md#the-learning-rate-axis):
///
/// - `lazy`: the loss never rose above its initial value L₀ (below η_crit = 2/λ_max(K̃₀) the linearized
///   dynamics decrease every mode);
/// - `catapult`: it rose above L₀ at some step, then came back and ended below it (η_crit < η < η_max: the
///   spike lowers λ_max(K̃_t) until η·λ_max < 2);
/// - `divergent`: the run diverged (Docs/Conventions.md#divergence), or its loss rose above L₀ and had not come
///   back below it by the last step.
///
/// A run whose loss neither rose nor ended below L₀ (no step, or η too small to move it) is `lazy`.
public enum GDPhase: String, Codable, Sendable, CaseIterable {
    case lazy, catapult, divergent

    /// - Parameters:
    ///   - losses: the training loss at every evaluated step, t = 0 first.
    public init(status: RunStatus, losses: [Double]) {
        guard status != .diverged else { self = .divergent; return }
        guard let first = losses.first, let last = losses.last, losses.contains(where: { $0 > first }) else {
            self = .lazy
            return
        }
        self = last < first ? .catapult : .divergent
    }

    /// The same rule from `gd_outcome` and `max_train_loss_gd`/`initial_train_loss` of a summary.
    public init(_ s: RunSummary) {
        switch s.gdOutcome {
        case .diverged: self = .divergent
        case .catapult: self = .catapult
        case .converged: self = .lazy
        case .notConverged:
            let rose = s.maxTrainLossGD.flatMap { m in s.initialTrainLoss.map { m > $0 } } ?? true
            self = rose ? .divergent : .lazy
        }
    }
}
