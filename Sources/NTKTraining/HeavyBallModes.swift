import Foundation

/// Whether a mode of heavy-ball GD on the linearized model decays monotonically in its roots or oscillates.
public enum MomentumRegime: String, Codable, Sendable {
    /// Real roots (a double root included): the residual is a combination of two geometric sequences.
    case real
    /// Complex roots ρ·e^{±iω}, ρ = √β: the residual oscillates inside the envelope ρ^t.
    case oscillating
}

/// The closed form of heavy-ball momentum on the linearized model, per eigenmode of K̃₀ (Docs/Optimizers.md#momentum).
///
/// With x = ηλ the residual r_t = v_λᵀ(f_t − y) of full-batch heavy ball obeys
///
///     r_{t+1} = (1 + β − x)·r_t − β·r_{t−1},      r_1 = (1 − x)·r_0   (v_0 = 0)
///
/// whose characteristic polynomial is z² − (1 + β − x)·z + β. With roots z₁, z₂ the residual is
/// r_t = g_t·r_0 with
///
///     distinct real roots:  g_t = [(r₁ − z₂)·z₁^t − (r₁ − z₁)·z₂^t]/(z₁ − z₂),  r₁ = 1 − x
///     double root z:        g_t = z^t + t·z^{t−1}·(r₁ − z)
///     complex ρe^{±iω}:     g_t = ρ^t·[cos ωt + (r₁ − ρ cos ω)/(ρ sin ω)·sin ωt]
///
/// The predicted rate is −ln max|z|, and the mode is stable when max|z| < 1, that is 0 < x < 2(1 + β):
/// η_crit = 2(1 + β)/λ_max. With β = 0 all of this is GD's (1 − x)^t.
public enum HeavyBallModes {
    /// The roots of z² − (1 + β − x)·z + β: real parts and imaginary part (the pair is re ± i·im when complex).
    public static func roots(x: Double, momentum beta: Double) -> (first: Double, second: Double, imaginary: Double) {
        let a = 1 + beta - x
        let disc = a * a - 4 * beta
        if disc >= 0 {
            // The larger-modulus root without cancellation; the other from z₁·z₂ = β.
            let z1 = (a + (a >= 0 ? 1 : -1) * disc.squareRoot()) / 2
            return (z1, z1 != 0 ? beta / z1 : 0, 0)
        }
        return (a / 2, a / 2, (-disc).squareRoot() / 2)
    }

    /// Real or oscillating roots.
    public static func regime(x: Double, momentum beta: Double) -> MomentumRegime {
        let a = 1 + beta - x
        return a * a - 4 * beta >= 0 ? .real : .oscillating
    }

    /// The larger root modulus max|z|.
    public static func spectralRadius(x: Double, momentum beta: Double) -> Double {
        let z = roots(x: x, momentum: beta)
        if z.imaginary > 0 { return beta.squareRoot() }
        return max(abs(z.first), abs(z.second))
    }

    /// −ln max|z|: the per-step decay rate of the mode (negative when it grows).
    public static func rate(x: Double, momentum beta: Double) -> Double {
        -Foundation.log(spectralRadius(x: x, momentum: beta))
    }

    /// η_crit = 2(1 + β)/λ_max.
    public static func criticalLearningRate(lambdaMax: Double, momentum beta: Double) -> Double {
        2 * (1 + beta) / max(lambdaMax, 0)
    }

    /// g_t: the residual factor r_t/r_0 after t steps, in closed form from the roots.
    /// - Complexity: O(1).
    public static func factor(x: Double, momentum beta: Double, step t: Int) -> Double {
        guard t > 0 else { return 1 }
        let a = 1 + beta - x, r1 = 1 - x
        let disc = a * a - 4 * beta
        let n = Double(t)
        // A double root to round-off: the distinct-root formula would divide by z₁ − z₂ ≈ 0.
        if abs(disc) <= 1e-14 * (a * a + 4 * beta) {
            let z = a / 2
            return Foundation.pow(z, n) + n * Foundation.pow(z, n - 1) * (r1 - z)
        }
        if disc > 0 {
            let z = roots(x: x, momentum: beta)
            return ((r1 - z.second) * Foundation.pow(z.first, n) - (r1 - z.first) * Foundation.pow(z.second, n))
                / (z.first - z.second)
        }
        let rho = beta.squareRoot()
        let omega = Foundation.atan2((-disc).squareRoot(), a)   // cos ω = a/(2ρ), sin ω = √(−disc)/(2ρ)
        let sinOmega = (-disc).squareRoot() / (2 * rho)
        return Foundation.pow(rho, n) * (Foundation.cos(omega * n) + (r1 - a / 2) / (rho * sinOmega) * Foundation.sin(omega * n))
    }

    /// Σ_{s=1}^{t} (1 − β^s)/(1 − β): the limit of (1 − g_t)/(ηλ) as λ → 0, the mode's accumulated step count
    /// (the heavy-ball counterpart of GD's t, used for the test outputs of a zero mode).
    public static func zeroModeSteps(momentum beta: Double, step t: Int) -> Double {
        let n = Double(max(t, 0))
        guard beta > 0 else { return n }
        return (n - beta * -Foundation.expm1(n * Foundation.log(beta)) / (1 - beta)) / (1 - beta)
    }
}
