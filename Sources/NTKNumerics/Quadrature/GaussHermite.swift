import Foundation

/// An n-point Gauss–Hermite rule for the standard normal weight:
///
///     E[f(Z)] = ∫ f(z)·e^{−z²/2}/√(2π) dz ≈ Σ_i w_i·f(z_i),   Σ_i w_i = 1,
///
/// exact for polynomials of degree ≤ 2n − 1. Nodes and weights come from the Golub–Welsch algorithm:
/// the probabilists' Hermite polynomials satisfy He_{k+1}(z) = z·He_k(z) − k·He_{k−1}(z), so their Jacobi
/// matrix is symmetric tridiagonal with zero diagonal and off-diagonal √1, √2, …, √(n−1); its eigenvalues
/// (LAPACKE `dstev`) are the nodes z_i and the squared first components of its unit eigenvectors the
/// weights w_i (Golub & Welsch 1969).
///
/// Accuracy: nodes to about 1e-15·√n absolute; weights to about 1e-16 absolute (so the tiny weights of
/// the outermost nodes have few correct digits, which does not matter since they are below 1e-16).
/// Bivariate sums drop the node pairs whose weight product is below ``pairCutoff`` (their total mass is
/// below n²·1e-20): 1600 of the 4096 pairs remain for n = 64.
public struct GaussHermiteRule: Equatable, Sendable {
    /// The degree the command line uses unless `--quadrature-degree` says otherwise.
    public static let defaultDegree = 128
    /// The degrees accepted: 1 node (the rule E f(Z) ≈ f(0)) up to 1024 nodes.
    public static let degreeRange = 1...1024
    /// Node pairs (a, b) with w_a·w_b below this are left out of bivariate sums.
    public static let pairCutoff = 1e-20

    /// n, the number of nodes.
    public let degree: Int
    /// z_1 < … < z_n, symmetric about 0.
    public let nodes: [Double]
    /// w_i > 0, symmetric, summing to 1.
    public let weights: [Double]
    /// The orthonormal Hermite basis sampled at the nodes (empty for ``nodesAndWeights(degree:)``): entry (k, i)
    /// is √w_i·h_k(z_i), k, i < n, with
    /// h_k = He_k/√k! (E[h_j(Z)·h_k(Z)] = δ_jk). It is the Golub–Welsch eigenvector matrix with each
    /// eigenvector's sign chosen so that its first component (√w_i·h_0) is positive; being orthogonal, it
    /// makes the rule's discrete Hermite transform exact in norm: Σ_k (Σ_i w_i f(z_i) h_k(z_i))² = Σ_i w_i f(z_i)².
    /// Read by ``HermiteExpansion``; computed from the eigenvectors rather than the three-term recurrence,
    /// which would underflow at the outer nodes of large rules (w_i < 1e-308 from n ≈ 360).
    public let orthonormalBasis: Matrix
    /// The node indices a with w_a ≥ ``pairCutoff`` (a contiguous range: the weights fall off monotonically
    /// from the middle), and for each a in it the range of b with w_a·w_b ≥ ``pairCutoff``.
    let outerRange: Range<Int>
    let innerRanges: [Range<Int>]
    /// Smaller rules (8, 12, 16, 24, 32, 48, … nodes, below n) for the inner sums of
    /// ``productExpectations(q1:c:q2:_:)`` when the conditional variance of v given u is small.
    let coarserRules: [GaussHermiteRule]
    /// The polar rule of the same degree for functions with a kink at 0 (max(n/4, 16) angular nodes per arc and
    /// max(n/4, 2) radial nodes, at most 100): ``Activation/quadratureKernelMaps(q1:c:q2:rule:)`` uses it for
    /// activations that are not smooth. nil for ``nodesAndWeights(degree:)``.
    public let polarRule: PolarGaussRule?

    /// What a rule carries beyond its nodes and weights.
    public struct Components: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// ``orthonormalBasis`` (Golub–Welsch with eigenvectors, O(n³)); without it the weights are Christoffel
        /// numbers (O(n²)).
        public static let basis = Components(rawValue: 1)
        /// ``coarserRules`` for the inner sums of the product rule.
        public static let coarserRules = Components(rawValue: 2)
        /// ``polarRule`` for activations with a kink.
        public static let polarRule = Components(rawValue: 4)
        public static let all: Components = [.basis, .coarserRules, .polarRule]
    }

    /// Computes the n-point rule by Golub–Welsch, with its ``orthonormalBasis``, ``coarserRules`` and ``polarRule``.
    ///
    /// - Complexity: O(n³) (`dstev` with eigenvectors): about 10 ms for n = 128 and 0.5 s for n = 1024.
    /// - Throws: ``LAPACKError`` if `dstev` fails.
    public init(degree n: Int) throws {
        try self.init(degree: n, components: .all)
    }

    /// The n-point rule's nodes and weights alone, for one-dimensional sums: the nodes are the eigenvalues of the
    /// Jacobi matrix (`dstev` without vectors) and the weights the Christoffel numbers
    /// w_i = 1/Σ_{k<n} h_k(z_i)², which equal the squared first eigenvector components. ``orthonormalBasis`` is
    /// empty, and there are no ``coarserRules`` and no ``polarRule``.
    ///
    /// - Complexity: O(n²).
    /// - Throws: ``LAPACKError`` if `dstev` fails.
    public static func nodesAndWeights(degree n: Int) throws -> GaussHermiteRule {
        try GaussHermiteRule(degree: n, components: [])
    }

    /// The n-point rule with only the `components` asked for (nodes and weights always).
    ///
    /// - Complexity: O(n³) with ``Components/basis``, O(n²) without.
    /// - Throws: ``LAPACKError`` if `dstev` or `dsterf` fails.
    public init(degree n: Int, components: Components) throws {
        precondition(Self.degreeRange.contains(n), "Gauss–Hermite degree \(n) is outside \(Self.degreeRange)")
        let offDiagonal = (1..<max(n, 1)).map { Double($0).squareRoot() }
        let diagonal = [Double](repeating: 0, count: n)
        var z: [Double], w: [Double]
        if components.contains(.basis) {
            let eigen = try SymmetricEigendecomposition(tridiagonal: diagonal, offDiagonal: offDiagonal)
            z = eigen.values
            w = (0..<n).map { i -> Double in
                let v = eigen.vectors[0, i]
                return v * v
            }
            var basis = eigen.vectors
            for i in 0..<n where basis[0, i] < 0 {
                for k in 0..<n { basis[k, i] = -basis[k, i] }
            }
            orthonormalBasis = basis
        } else {
            z = try SymmetricEigendecomposition.eigenvalues(tridiagonal: diagonal, offDiagonal: offDiagonal)
            w = z.map { Self.christoffelNumber(at: $0, degree: n) }
            orthonormalBasis = Matrix(rows: 0, cols: 0)
        }
        // Impose the exact symmetry z_i = −z_{n−1−i}, w_i = w_{n−1−i} (removes round-off asymmetry, and
        // makes odd moments vanish exactly); the middle node of an odd rule is exactly 0.
        for i in 0..<(n / 2) {
            let j = n - 1 - i
            let zi = 0.5 * (z[j] - z[i]), wi = 0.5 * (w[i] + w[j])
            z[i] = -zi; z[j] = zi
            w[i] = wi; w[j] = wi
        }
        if n % 2 == 1 { z[n / 2] = 0 }
        let total = w.reduce(0, +)
        w = w.map { $0 / total }
        self.degree = n
        self.nodes = z
        self.weights = w

        let cutoff = Self.pairCutoff
        let outer = (0..<n).filter { w[$0] >= cutoff }
        outerRange = (outer.first ?? 0)..<((outer.last ?? -1) + 1)
        innerRanges = (0..<n).map { a in
            let bs = (0..<n).filter { w[a] * w[$0] >= cutoff }
            return (bs.first ?? 0)..<((bs.last ?? -1) + 1)
        }
        coarserRules = components.contains(.coarserRules)
            ? try Self.coarserDegrees(below: n).map { try Self.nodesAndWeights(degree: $0) } : []
        polarRule = components.contains(.polarRule)
            ? try PolarGaussRule(angular: max(n / 4, 16), radial: min(max(n / 4, 2), 100)) : nil
    }

    /// 1/Σ_{k<n} h_k(z)² for the orthonormal Hermite polynomials h_k = He_k/√k!, by their three-term recurrence
    /// h_{k+1} = (z·h_k − √k·h_{k−1})/√(k+1), rescaled whenever it exceeds 1e100 so that it cannot overflow at the
    /// outer nodes (where the result underflows to 0, as the weight does).
    static func christoffelNumber(at z: Double, degree n: Int) -> Double {
        var previous = 0.0, current = 1.0, sum = 0.0, logScale = 0.0
        for k in 0..<n {
            sum += current * current
            if k == n - 1 { break }
            let next = (z * current - Double(k).squareRoot() * previous) / Double(k + 1).squareRoot()
            previous = current
            current = next
            if Swift.abs(current) > 1e100 {
                previous *= 1e-100
                current *= 1e-100
                sum *= 1e-200
                logScale += 200 * Foundation.log(10.0)
            }
        }
        return Foundation.exp(-(Foundation.log(sum) + logScale))
    }

    /// 8, 12, 16, 24, 32, 48, … (each about √2 times the last), below n.
    static func coarserDegrees(below n: Int) -> [Int] {
        var degrees: [Int] = []
        var power = 8
        while power < n {
            degrees.append(power)
            if power / 2 * 3 < n { degrees.append(power / 2 * 3) }
            power *= 2
        }
        return degrees
    }

    /// The rule for the inner sum over v | u ~ N(m, s²) when the outer variable u has variance `q` (the smaller
    /// of the two): the smallest rule with at least 2n·s²/q nodes (at least 8), or this rule.
    ///
    /// For φ analytic in a strip (tanh: poles at ±iπ/2), an m-point rule on φ(m + s·z) errs by about
    /// e^{−(π/2)·√(2m)/s}, and the outer n-point rule on φ(√q·z) by about e^{−(π/2)·√(2n/q)}; m ≥ n·s²/q nodes
    /// keep the inner error below the outer one, and the factor 2 is margin. (Measured for tanh at q₁ = 0.5,
    /// q₂ = 9, ρ = 0.95: within 2× of the full inner rule; scaling by the larger variance instead lost 2 digits.)
    /// A nearly perfectly correlated pair (small s) costs a few evaluations per outer node instead of n.
    @inline(__always)
    func innerRule(conditionalVariance s2: Double, outerVariance q: Double) -> GaussHermiteRule? {
        guard q > 0, !coarserRules.isEmpty else { return nil }
        let needed = 2 * Double(degree) * s2 / q
        return coarserRules.first { Double($0.degree) >= needed }
    }

    /// E[f(Z)] for Z ~ N(0, 1).
    public func expectation(_ f: (Double) -> Double) -> Double {
        var s = 0.0
        for i in 0..<degree { s += weights[i] * f(nodes[i]) }
        return s
    }

    /// E[f(u, v)] for (u, v) ~ N(0, [[q1, c], [c, q2]]) by the product rule on the Cholesky factor:
    /// u = √q1·z_a, v = (c/√q1)·z_a + √(q2 − c²/q1)·z_b, summed with weights w_a·w_b.
    ///
    /// - Complexity: about n² evaluations of f (fewer after dropping negligible pairs), n when |c| = √(q1q2).
    public func expectation(q1: Double, c: Double, q2: Double, _ f: (Double, Double) -> Double) -> Double {
        let (l11, l21, l22) = Self.cholesky(q1: q1, c: c, q2: q2)
        var total = 0.0
        if l22 == 0 {
            for a in 0..<degree { total += weights[a] * f(l11 * nodes[a], l21 * nodes[a]) }
            return total
        }
        for a in outerRange {
            let u = l11 * nodes[a], m = l21 * nodes[a]
            var inner = 0.0
            for b in innerRanges[a] { inner += weights[b] * f(u, m + l22 * nodes[b]) }
            total += weights[a] * inner
        }
        return total
    }

    /// E[g(u)·g(v)] and E[h(u)·h(v)] together, for (u, v) ~ N(0, [[q1, c], [c, q2]]), where
    /// `gh(z)` returns (g(z), h(z)) in one evaluation (φ and φ′ share work for tanh and gelu).
    ///
    /// This is the kernel-map quadrature of ``Activation/quadratureKernelMaps(q1:c:q2:rule:)``. When the
    /// conditional variance s² = q2 − c²/q1 of v given u is small against q1 (callers put the smaller variance
    /// first), the inner sums use a coarser rule (``innerRule(conditionalVariance:outerVariance:)``).
    /// - Complexity: one `gh` per node pair kept (1600 of 4096 for n = 64); about n·max(8, 2n·s²/q1) with a
    ///   coarser inner rule; n when |c| = √(q1q2).
    @inline(__always)
    public func productExpectations(q1: Double, c: Double, q2: Double,
                                    _ gh: (Double) -> (Double, Double)) -> (Double, Double) {
        let (l11, l21, l22) = Self.cholesky(q1: q1, c: c, q2: q2)
        var sg = 0.0, sh = 0.0
        return nodes.withUnsafeBufferPointer { z in
            weights.withUnsafeBufferPointer { w in
                if l22 == 0 {
                    // Perfectly correlated (a diagonal entry): a one-dimensional rule.
                    for a in 0..<degree {
                        let (gu, hu) = gh(l11 * z[a]), (gv, hv) = gh(l21 * z[a])
                        sg += w[a] * gu * gv
                        sh += w[a] * hu * hv
                    }
                    return (sg, sh)
                }
                // Σ_a w_a·g(u_a)·Σ_b w′_b·g(v_ab) (and h), with inner nodes and weights (z′, w′) over `inner(a)`.
                func sums(_ zi: UnsafeBufferPointer<Double>, _ wi: UnsafeBufferPointer<Double>,
                          _ inner: (Int) -> Range<Int>) -> (Double, Double) {
                    for a in outerRange {
                        let (gu, hu) = gh(l11 * z[a])
                        let m = l21 * z[a]
                        var ig = 0.0, ih = 0.0
                        for b in inner(a) {
                            let (gv, hv) = gh(m + l22 * zi[b])
                            ig += wi[b] * gv
                            ih += wi[b] * hv
                        }
                        sg += w[a] * gu * ig
                        sh += w[a] * hu * ih
                    }
                    return (sg, sh)
                }
                if let coarse = innerRule(conditionalVariance: l22 * l22, outerVariance: q1) {
                    // A small conditional variance: a coarser rule for the inner sums (see innerRule).
                    return coarse.nodes.withUnsafeBufferPointer { zi in
                        coarse.weights.withUnsafeBufferPointer { wi in sums(zi, wi) { _ in 0..<coarse.degree } }
                    }
                }
                return sums(z, w) { innerRanges[$0] }
            }
        }
    }

    /// E[g(u)·G(v)] and E[h(u)·H(v)] when the expectations over v given u are known in closed form:
    /// with u = √q1·z_a, v | u ~ N(l21·z_a, l22²), `inner(m, s)` returns (E[G(m + sZ)], E[H(m + sZ)]) and
    /// `outer(u)` returns (g(u), h(u)); one n-point rule over z_a does the rest.
    ///
    /// - Complexity: one `outer` and one `inner` per node kept.
    @inline(__always)
    public func conditionalExpectations(q1: Double, c: Double, q2: Double,
                                        outer: (Double) -> (Double, Double),
                                        inner: (Double, Double) -> (Double, Double)) -> (Double, Double) {
        let (l11, l21, l22) = Self.cholesky(q1: q1, c: c, q2: q2)
        var sg = 0.0, sh = 0.0
        return nodes.withUnsafeBufferPointer { z in
            weights.withUnsafeBufferPointer { w in
                for a in outerRange {
                    let (gu, hu) = outer(l11 * z[a])
                    let (gv, hv) = inner(l21 * z[a], l22)
                    sg += w[a] * gu * gv
                    sh += w[a] * hu * hv
                }
                return (sg, sh)
            }
        }
    }

    /// The lower Cholesky factor [[l11, 0], [l21, l22]] of [[q1, c], [c, q2]], with l22 clamped at 0 for a
    /// covariance that round-off left slightly indefinite, and u ≡ 0 for q1 = 0.
    @inline(__always)
    static func cholesky(q1: Double, c: Double, q2: Double) -> (Double, Double, Double) {
        guard q1 > 0 else { return (0, 0, max(q2, 0).squareRoot()) }
        let l11 = q1.squareRoot()
        let l21 = c / l11
        let rest = q2 - l21 * l21
        // Below a few ulps of q2 the remainder is round-off: treat the pair as perfectly correlated.
        let l22 = rest > 4 * Double.ulpOfOne * q2 ? rest.squareRoot() : 0
        return (l11, l21, l22)
    }
}
