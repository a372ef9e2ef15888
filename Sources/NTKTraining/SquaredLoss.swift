/// Squared loss over N points with k outputs (Docs/Conventions.md):
/// `mean`: L = 1/(2·N·k)·Σ‖f(x_i) − y_i‖²,  `sum`: L = 1/2·Σ‖f(x_i) − y_i‖².
public enum LossNormalization: String, CaseIterable, Codable, Sendable {
    case mean
    case sum

    /// The divisor ν in L = 1/(2ν)·Σ‖f − y‖²: N·k for `mean`, 1 for `sum`.
    /// The effective kernel is K̃ = K/ν and ∂L/∂f = (f − y)/ν.
    public func normalizer(samples: Int, outputs: Int) -> Double {
        switch self {
        case .mean: return Double(samples * outputs)
        case .sum: return 1
        }
    }

    /// L(f, y) for predictions and targets in the same sample-major layout.
    public func loss(_ f: [Double], _ y: [Double], samples: Int, outputs: Int) -> Double {
        let d = distance(f, y)
        return 0.5 * d * d / normalizer(samples: samples, outputs: outputs)
    }
}
