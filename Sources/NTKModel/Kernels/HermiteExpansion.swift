/// The kernel maps of a smooth activation for many pairs of inputs at once, by Mehler's formula.
///
/// With h_k = He_k/√k! the orthonormal (probabilists') Hermite polynomials and (u, v) ~ N(0, [[q₁, c], [c, q₂]]),
/// write u = √q₁·z₁, v = √q₂·z₂ with (z₁, z₂) standard normals of correlation ρ = c/√(q₁q₂). Mehler's
/// formula E[h_j(z₁)·h_k(z₂)] = δ_jk·ρ^k gives
///
///     E[f(u)·g(v)] = Σ_k a_k(q₁)·b_k(q₂)·ρ^k,   a_k(q) = E[f(√q·Z)·h_k(Z)],  b_k(q) = E[g(√q·Z)·h_k(Z)].
///
/// The coefficients depend on one input's variance only. Computed once per input (one gemm against the
/// rule's ``GaussHermiteRule/orthonormalBasis``), they turn each kernel-map entry from a two-dimensional
/// quadrature (about 0.4·n² evaluations of φ) into a dot product of a few dozen terms.
///
/// **Truncation, with a bound.** By Cauchy–Schwarz the terms after k sum to at most
/// |ρ|^{k+1}·‖a_{>k}‖·‖b_{>k}‖, with ‖a_{>k}‖² = Σ_{m>k} a_m². A sum stops at the first k where that bound is
/// below `tolerance`·‖a‖·‖b‖, where ‖a‖² = Σ a_k² = E[f(u)²], so ‖a‖·‖b‖ bounds |E[f(u)g(v)]| (the entry's
/// natural scale). Only the first half of the n coefficients an n-point rule gives are used: for k < n/2 the
/// rule integrates h_k exactly against polynomial parts of f up to degree 1.5·n, while the upper half
/// holds what the rule cannot resolve (aliasing). Where the bound is not met within them (|ρ| near 1 and
/// coefficients decaying slowly: a large variance for tanh, or a kink), ``maps(_:_:_:correlation:)`` returns
/// nil and the caller integrates that entry by quadrature.
///
/// The bound covers the truncation of the series only. The coefficients are those of the n-point rule's
/// discrete transform, so they carry the rule's one-dimensional quadrature error for f(√q·z)·h_k(z), which
/// the bound does not see (it grows with the variance: for tanh at q = 10 and n = 256 the series errs by
/// about 2e-7 although its truncation is below 1e-12); Docs/InfiniteWidth.md has the measured accuracy.
struct HermiteExpansion: Sendable {
    /// The stopping tolerance, relative to the natural scale ‖a‖·‖b‖ of an entry.
    static let tolerance = 1e-12

    /// Terms available per input (half the rule's degree).
    let terms: Int
    /// Row i: a_0 … a_{terms−1} of φ(√q_i·z), then of φ′(√q_i·z).
    private let coefficients: [Double]
    /// Row i: ‖a_{>k}‖ for k < terms (φ), then for φ′.
    private let tails: [Double]
    /// ‖a‖ for φ and φ′ per input.
    private let norms: [(Double, Double)]

    /// Expands φ(√q·z) and φ′(√q·z) for each variance q in `variances`.
    ///
    /// - Parameters:
    ///   - rule: its degree n sets the terms (n/2) and the accuracy of the coefficients.
    ///   - gh: returns (φ(z), φ′(z)), as ``Activation/valueAndDerivative(_:)``.
    /// - Complexity: n evaluations of `gh` per input and a gemm of 2·(2N)·n² flops.
    init(variances: [Double], rule: GaussHermiteRule, _ gh: (Double) -> (Double, Double)) {
        let n = rule.degree, count = variances.count
        terms = n / 2
        // Sampled functions, √w_a·f(√q_i·z_a): rows 2i (φ) and 2i + 1 (φ′).
        var sampled = Matrix(rows: 2 * count, cols: n)
        for (i, q) in variances.enumerated() {
            let scale = max(q, 0).squareRoot()
            for a in 0..<n {
                let (f, fPrime) = gh(scale * rule.nodes[a])
                let root = rule.weights[a].squareRoot()
                sampled[2 * i, a] = root * f
                sampled[2 * i + 1, a] = root * fPrime
            }
        }
        // a_k = Σ_a √w_a f(√q z_a) · √w_a h_k(z_a): one gemm against the basis (k, a).
        let all = BLAS.product(sampled, rule.orthonormalBasis, transB: .transposed)
        let t = terms
        var coefficients = [Double](repeating: 0, count: 2 * count * t)
        var tails = [Double](repeating: 0, count: 2 * count * t)
        var rowNorms = [Double](repeating: 0, count: 2 * count)
        for row in 0..<(2 * count) {
            // Σ_{m>k} a_m² over all n coefficients (the upper half included), accumulated from the end.
            var tail = 0.0
            for m in stride(from: n - 1, through: t, by: -1) { tail += all[row, m] * all[row, m] }
            for k in stride(from: t - 1, through: 0, by: -1) {
                tails[row * t + k] = tail.squareRoot()
                coefficients[row * t + k] = all[row, k]
                tail += all[row, k] * all[row, k]
            }
            rowNorms[row] = tail.squareRoot()
        }
        self.coefficients = coefficients
        self.tails = tails
        self.norms = (0..<count).map { (rowNorms[2 * $0], rowNorms[2 * $0 + 1]) }
    }

    /// T = E[φ(u)φ(v)] and Ṫ = E[φ′(u)φ′(v)] for input i of this expansion and input j of `other`, with
    /// correlation ρ = c/√(q_i·q_j); nil when the truncation bound is not met within ``terms`` terms.
    ///
    /// The sum is symmetric in its arguments (each term multiplies the product of the two coefficients by ρ^k,
    /// and the stopping test compares products formed the same way), so T(i, j) and T(j, i) are equal to the
    /// last bit. `rho` must lie in [−1, 1] (the caller clamps round-off).
    /// - Complexity: at most ``terms`` multiply-adds for each of T and Ṫ; about log(tolerance)/log|ρ| for
    ///   coefficients that do not decay.
    @inline(__always)
    func maps(_ i: Int, _ other: HermiteExpansion, _ j: Int, correlation rho: Double) -> (t: Double, tDot: Double)? {
        let t = terms
        precondition(other.terms == t, "expansions of different degrees")
        assert(Swift.abs(rho) <= 1, "correlation \(rho) outside [−1, 1]")
        let scaleT = Self.tolerance * (norms[i].0 * other.norms[j].0)
        let scaleD = Self.tolerance * (norms[i].1 * other.norms[j].1)
        let magnitude = Swift.abs(rho)
        return coefficients.withUnsafeBufferPointer { ca in
            other.coefficients.withUnsafeBufferPointer { cb in
                tails.withUnsafeBufferPointer { ta in
                    other.tails.withUnsafeBufferPointer { tb in
                        let av = 2 * i * t, ad = av + t, bv = 2 * j * t, bd = bv + t
                        var sumT = 0.0, sumD = 0.0, power = 1.0, bound = magnitude
                        for k in 0..<t {
                            sumT += (ca[av + k] * cb[bv + k]) * power
                            sumD += (ca[ad + k] * cb[bd + k]) * power
                            power *= rho
                            if bound * (ta[av + k] * tb[bv + k]) <= scaleT && bound * (ta[ad + k] * tb[bd + k]) <= scaleD {
                                return (sumT, sumD)
                            }
                            bound *= magnitude
                        }
                        return nil
                    }
                }
            }
        }
    }
}
