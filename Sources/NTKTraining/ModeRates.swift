import Foundation

/// How a mode's measured convergence rate came out.
public enum ModeFitStatus: String, Codable, Sendable {
    /// A rate was fitted over at least ``ModeRateTracker/minimumSteps`` steps.
    case measured
    /// The initial residual along the mode is a negligible share of ‖f_0 − y‖: what GD does there is
    /// noise (round-off, leakage from other modes), so no rate is reported.
    case negligibleResidual = "negligible_residual"
    /// The residual changed by less than ``ModeRateTracker/minimumLogChange`` in log over the run: the
    /// mode did not decay measurably.
    case noMeasurableDecay = "no_measurable_decay"
    /// The residual left its fit window within fewer than ``ModeRateTracker/minimumSteps`` steps
    /// (ηλ ≈ 1 kills a mode in one step).
    case tooFast = "too_fast"
}

/// The measured and predicted per-step convergence rate of one eigenmode of K̃_0.
public struct ModeRate: Sendable, Equatable {
    /// Rank of the mode, 0 for the largest eigenvalue.
    public var rank: Int
    public var eigenvalue: Double
    /// −log|1 − ηλ|: the rate of exact GD on the linearized model.
    public var predictedDiscrete: Double
    /// ηλ: the gradient-flow rate.
    public var predictedFlow: Double
    /// With heavy-ball momentum: whether the mode's characteristic roots are real or complex (``HeavyBallModes``).
    public var regime: MomentumRegime? = nil
    public var status: ModeFitStatus
    /// −(slope of log|r_i(t)| against t), when measured.
    public var measured: Double?
    public var standardError: Double?
    /// Steps in the fit window.
    public var steps: Int
    /// Whether the predicted discrete rate is too fast to measure: above ``ModeRateTracker/measurableRateLimit`` or
    /// infinite (ηλ = 1 exactly, or within round-off of it, where −log|1 − ηλ| is 36.7 and means nothing).
    public var predictedTooFast: Bool { !(predictedDiscrete <= ModeRateTracker.measurableRateLimit) && !predictedDiscrete.isNaN }
    /// measured/predicted − 1 against the discrete rate, when both are finite.
    public var relativeError: Double? {
        guard let measured, predictedDiscrete.isFinite, predictedDiscrete != 0 else { return nil }
        return measured / predictedDiscrete - 1
    }
}

/// Fits, for every eigenmode (λ_i, v_i) of K̃_0, the per-step rate of the GD residual
/// r_i(t) = v_iᵀ(f_t − y) while it runs: least squares of log|r_i(t)| on t over a window that starts at
/// t = 0 and ends when the residual first leaves the band
///
///     max(noise floor, windowDecay·|r_i(0)|) < |r_i(t)| < |r_i(0)|/windowDecay
///
/// so a mode is fitted over its first decade of decay (or growth), where the linearized dynamics hold best
/// and the residual is far above round-off and above the leakage from other modes that finite width brings.
/// The linearized model predicts |r_i(t)| = |1 − ηλ_i|^t·|r_i(0)|, a straight line of slope log|1 − ηλ_i|.
///
/// - Complexity: O(N·k) per step on top of the projection Vᵀ(f_t − y), O(N·k) memory.
public struct ModeRateTracker: Sendable {
    /// A mode whose |r_i(0)| is below this share of ‖f_0 − y‖ is ``ModeFitStatus/negligibleResidual``.
    public static let negligibleShare = 1e-3
    /// Fit window: |r_i| within this factor of |r_i(0)| (one decade).
    public static let windowDecay = 0.1
    /// Below this change of log|r_i| over the window a mode ``ModeFitStatus/noMeasurableDecay``.
    public static let minimumLogChange = 0.05
    /// Fewest steps for a rate with a standard error.
    public static let minimumSteps = 3
    /// The fastest rate the fit window can hold: a residual decaying at ρ per step stays within one decade
    /// (``windowDecay``) for ⌈ln 10/ρ⌉ steps, at least ``minimumSteps`` only while ρ < ln 10/(minimumSteps − 1) ≈ 1.15.
    /// A faster mode (ηλ within about 0.32 of 1) is ``ModeFitStatus/tooFast`` for the linearized model itself.
    public static let measurableRateLimit = -Foundation.log(windowDecay) / Double(minimumSteps - 1)
    /// Absolute floor, a multiple of the round-off of the projection: 1e-12·‖f_0 − y‖.
    public static let roundOffShare = 1e-12

    private let eigenvalues: [Double]
    private let learningRate: Double
    private let momentum: Double?
    private let predicted: Bool
    private let lower: [Double]
    private let upper: [Double]
    private let negligible: [Bool]
    private var open: [Bool]
    private var fits: [LinearFit]

    /// - Parameters:
    ///   - eigenvalues: λ_i of K̃_0 (after clipping) in ascending order, as LAPACK returns them.
    ///   - initialResiduals: r_i(0) = v_iᵀ(f_0 − y), in the same order.
    ///   - momentum: β of heavy ball: the predicted rate is then −ln max|z| of ``HeavyBallModes``.
    ///   - predicted: false when the loss has no spectral closed form (cross-entropy): the predicted rates are NaN.
    public init(eigenvalues: [Double], initialResiduals r0: [Double], learningRate: Double, momentum: Double? = nil,
                predicted: Bool = true) {
        self.momentum = momentum
        self.predicted = predicted
        precondition(eigenvalues.count == r0.count)
        assert(zip(eigenvalues, eigenvalues.dropFirst()).allSatisfy { $0 <= $1 }, "eigenvalues must ascend")
        self.eigenvalues = eigenvalues
        self.learningRate = learningRate
        let total = vectorNorm(r0)
        let floor = Self.roundOffShare * total
        negligible = r0.map { abs($0) < Self.negligibleShare * total }
        lower = r0.map { max(floor, Self.windowDecay * abs($0)) }
        upper = r0.map { abs($0) / Self.windowDecay }
        open = negligible.map { !$0 }
        fits = Array(repeating: LinearFit(), count: r0.count)
    }

    /// Adds the GD residuals r(t) = Vᵀ(f_t − y) of step `t` (steps in increasing order, starting at 0).
    public mutating func add(step t: Int, residuals r: [Double]) {
        for i in r.indices where open[i] {
            let a = abs(r[i])
            if a > lower[i] && a < upper[i] && a.isFinite {
                fits[i].add(Double(t), Foundation.log(a))
            } else {
                open[i] = false
            }
        }
    }

    /// The per-mode rates, largest eigenvalue first.
    public var rates: [ModeRate] {
        let n = eigenvalues.count
        return (0..<n).map { rank in
            let i = n - 1 - rank
            let x = learningRate * eigenvalues[i]
            var rate = ModeRate(rank: rank, eigenvalue: eigenvalues[i], predictedDiscrete: -Foundation.log(abs(1 - x)),
                                predictedFlow: x, status: .measured, measured: nil, standardError: nil,
                                steps: fits[i].count)
            if let beta = momentum {
                rate.predictedDiscrete = HeavyBallModes.rate(x: x, momentum: beta)
                rate.regime = HeavyBallModes.regime(x: x, momentum: beta)
            }
            if !predicted { (rate.predictedDiscrete, rate.predictedFlow, rate.regime) = (.nan, .nan, nil) }
            let fit = fits[i]
            if negligible[i] {
                rate.status = .negligibleResidual
            } else if fit.count < Self.minimumSteps {
                rate.status = .tooFast
            } else if abs(fit.slope) * fit.span < Self.minimumLogChange {
                rate.status = .noMeasurableDecay
            } else {
                rate.measured = -fit.slope
                rate.standardError = fit.slopeStandardError
            }
            return rate
        }
    }
}
