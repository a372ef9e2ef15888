import Foundation

/// The late-phase convergence rate of the training loss, measured against the NTK's.
///
/// Late in training the loss is dominated by the slowest mode, L_t ∝ |1 − ηλ_min|^{2t}, so the predicted
/// per-step loss rate is −2·log|1 − ηλ_min|. Within a finite run the slowest modes may barely move, so the
/// rate measured on GD's loss is reported beside the rate of the linearized model's loss fitted over the
/// same window (the last quarter of the steps): those two are directly comparable.
public struct LossRates: Sendable {
    /// −2·log|1 − ηλ_min|.
    public let predictedFromLambdaMin: Double
    /// −(slope of log L_t^GD) over `window`.
    public let measuredGD: Double
    /// −(slope of log L_t^NTK, discrete) over `window`.
    public let measuredNTK: Double
    /// The steps fitted, nil when the run is too short (fewer than 4 steps).
    public let window: ClosedRange<Int>?

    public init(lossesGD: [Double], lossesNTK: [Double], lambdaMin: Double, learningRate: Double) {
        predictedFromLambdaMin = 0 - 2 * Foundation.log(abs(1 - learningRate * lambdaMin))  // 0 −: no −0 when λ_min = 0
        let n = min(lossesGD.count, lossesNTK.count)
        guard n >= 4 else {
            window = nil
            measuredGD = .nan
            measuredNTK = .nan
            return
        }
        let w = (n - 1 - (n - 1) / 4)...(n - 1)
        window = w
        func rate(_ l: [Double]) -> Double {
            let fit = LinearFit(w.compactMap { t in l[t] > 0 ? (Double(t), Foundation.log(l[t])) : nil })
            return -fit.slope
        }
        measuredGD = rate(lossesGD)
        measuredNTK = rate(lossesNTK)
    }
}

/// What GD's training loss did, especially above η_crit where the linearized model diverges.
public enum GDOutcome: String, Codable, Sendable {
    /// The loss ended below its initial value without ever exceeding it.
    case converged
    /// The loss rose above its initial value, then ended below it (Lewkowycz et al. 2020's catapult).
    case catapult
    /// The loss did not end below its initial value.
    case notConverged = "not_converged"
    /// A loss or parameter became non-finite.
    case diverged

    public init(status: RunStatus, losses: [Double]) {
        guard status != .diverged else { self = .diverged; return }
        guard let first = losses.first, let last = losses.last else { self = .notConverged; return }
        if last >= first {
            self = .notConverged
        } else {
            self = losses.contains { $0 > first } ? .catapult : .converged
        }
    }
}
