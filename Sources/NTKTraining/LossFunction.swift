/// Which loss a run trains on (`--loss mse|cross-entropy`, config key `loss_function`). The normalization ν of
/// ``LossNormalization`` (`mean`: N·k, `sum`: 1) applies to both, so K̃ = K/ν is the same effective kernel.
public enum LossFunction: String, CaseIterable, Codable, Sendable {
    /// Squared loss L = 1/(2ν)·Σ‖f − y‖² (the default, Docs/Conventions.md).
    case mse
    /// Softmax cross-entropy for k ≥ 2 one-hot targets, logistic loss for k = 1 with ±1 targets (``CrossEntropyLoss``).
    case crossEntropy = "cross-entropy"

    /// L(f, y) of `samples` points with `outputs` outputs, sample-major.
    public func loss(_ f: [Double], _ y: [Double], samples: Int, outputs: Int, normalization: LossNormalization) -> Double {
        switch self {
        case .mse: return normalization.loss(f, y, samples: samples, outputs: outputs)
        case .crossEntropy:
            return CrossEntropyLoss.loss(f, y, outputs: outputs, normalizer: normalization.normalizer(samples: samples, outputs: outputs))
        }
    }

    /// ∂L/∂f, sample-major: (f − y)/ν for squared loss, ``CrossEntropyLoss/gradient(_:_:outputs:normalizer:)`` otherwise.
    public func gradient(_ f: [Double], _ y: [Double], samples: Int, outputs: Int, normalization: LossNormalization) -> [Double] {
        let nu = normalization.normalizer(samples: samples, outputs: outputs)
        switch self {
        case .mse:
            var r = f
            BLAS.axpy(-1, y, &r)
            BLAS.scale(&r, by: 1 / nu)
            return r
        case .crossEntropy: return CrossEntropyLoss.gradient(f, y, outputs: outputs, normalizer: nu)
        }
    }

    /// Why the targets `y` do not suit this loss, in words; nil when they do (squared loss takes any targets).
    public func targetProblem(_ y: [Double], outputs: Int) -> String? {
        self == .crossEntropy ? CrossEntropyLoss.targetProblem(y, outputs: outputs) : nil
    }

    /// Whether the linearized training has a spectral closed form (per-mode rates, the flow): squared loss only.
    public var hasClosedForm: Bool { self == .mse }
}
