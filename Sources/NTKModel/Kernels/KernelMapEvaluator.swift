/// The activation's kernel maps T(Σ) and Ṫ(Σ) for one entry of a kernel recursion, choosing between the
/// closed form, Mehler's series (``HermiteExpansion``) and Gauss–Hermite quadrature as Docs/InfiniteWidth.md
/// describes ("Kernel maps of each activation"). Shared by the MLP and ResNet recursion (``AnalyticNTK``) and the
/// convolutional one (``ConvolutionalNTK``), so that every architecture reads the same numbers for the same
/// covariance; the maps themselves live in ``Activation/kernelMaps(q1:c:q2:rule:)``.
struct KernelMapEvaluator: Sendable {
    let activation: Activation
    /// The rule for the bivariate entries (2 points, never read, for the closed forms).
    let rule: GaussHermiteRule
    /// The rule whose Hermite transform gives Mehler's coefficients; nil for the closed forms.
    let expansionRule: GaussHermiteRule?
    /// The large rule of the one-dimensional integrals (variances, perfectly correlated pairs).
    let diagonalRule: GaussHermiteRule

    /// Whether the activation is integrated numerically (tanh, gelu).
    var quadrature: Bool { !activation.hasClosedFormKernelMaps }

    /// Mehler's coefficients for each variance in `variances` (nil for the closed forms).
    func expansion(_ variances: [Double]) -> HermiteExpansion? {
        expansionRule.map { HermiteExpansion(variances: variances, rule: $0, activation.valueAndDerivative) }
    }

    /// T(q) = E[φ(u)²] and Ṫ(q) = E[φ′(u)²] for u ~ N(0, q): a variance, on the large one-dimensional rule.
    @inline(__always)
    func variance(_ q: Double) -> (t: Double, tDot: Double) {
        activation.kernelMaps(q1: q, c: q, q2: q, rule: diagonalRule)
    }

    /// T and Ṫ of the 2×2 covariance [[qi, c], [c, qj]], where `qi` is variance `i` of `rowExpansion` and `qj`
    /// variance `j` of `colExpansion`.
    ///
    /// - Parameters:
    ///   - exactDiagonal: the entry pairs a unit with itself (c = qi = qj by construction): a 1-D integral on the
    ///     large rule, the one that gives the variances, so that the entry and the variance agree to the last bit.
    ///   - snapPerfectCorrelation: (quadrature only) treat |c| within ``AnalyticNTK/perfectCorrelation`` of
    ///     √(qi·qj) as a perfectly correlated pair, c = ±√(qi·qj), on the large 1-D rule (an input repeated in X₁ and X₂).
    @inline(__always)
    func maps(qi: Double, c: Double, qj: Double, exactDiagonal: Bool, snapPerfectCorrelation: Bool,
              _ rowExpansion: HermiteExpansion?, _ i: Int, _ colExpansion: HermiteExpansion?, _ j: Int) -> (t: Double, tDot: Double) {
        let scale = (qi * qj).squareRoot()
        if exactDiagonal {
            return activation.kernelMaps(q1: qi, c: c, q2: qj, rule: diagonalRule)
        }
        if snapPerfectCorrelation && quadrature && scale > 0
            && Swift.abs(Swift.abs(c) - scale) <= AnalyticNTK.perfectCorrelation * scale {
            return activation.kernelMaps(q1: qi, c: c < 0 ? -scale : scale, q2: qj, rule: diagonalRule)
        }
        if let rowExpansion, let colExpansion,
           let m = rowExpansion.maps(i, colExpansion, j, correlation: scale > 0 ? Swift.min(Swift.max(c / scale, -1), 1) : 0) {
            return m
        }
        return activation.kernelMaps(q1: qi, c: c, q2: qj, rule: rule)
    }
}
