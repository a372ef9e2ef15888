import CLapack

/// The spectral norm ‖A‖₂ = σ_max(A) and the singular values of small matrices.
public enum SpectralNorm {
    /// ‖A‖₂, the largest singular value, by power iteration on the Gram matrix G = AᵀA (or AAᵀ, whichever is
    /// smaller), accelerated as the Lanczos iteration: every iterate G^j q₀ is kept (orthonormalized twice, full
    /// reorthogonalization), and λ_max(G) is the largest eigenvalue of the tridiagonal projection T_j of G onto
    /// that Krylov space (LAPACK `dsterf`). σ_max = √λ_max(G). The iteration stops when that estimate changes by
    /// less than `tolerance` (relative), when the Krylov space is invariant (then exact), or after
    /// `maxIterations` products; the estimate never exceeds σ_max and converges from below.
    ///
    /// The start vector is fixed (q₀,i ∝ frac((i + 1)·0.618…) − ½), so the result is reproducible.
    /// - Complexity: per iteration two matrix–vector products (4·m·n flops) and O(j·min(m, n)) for the
    ///   reorthogonalization.
    /// - Throws: ``LAPACKError`` from `dsterf`, or ``LAPACKError/nonFiniteInput(routine:)`` for a non-finite A.
    public static func largestSingularValue(_ a: Matrix, maxIterations: Int = 80, tolerance: Double = 1e-10) throws -> Double {
        guard a.isFinite else { throw LAPACKError.nonFiniteInput(routine: "dsterf") }
        let rowSide = a.rows < a.cols
        let d = rowSide ? a.rows : a.cols
        guard d > 0, a.data.contains(where: { $0 != 0 }) else { return 0 }
        // G·q: Aᵀ(A q), or A(Aᵀ q) on the row side.
        func apply(_ q: [Double]) -> [Double] {
            rowSide ? BLAS.matvec(a, BLAS.matvec(a, q, transA: .transposed))
                : BLAS.matvec(a, BLAS.matvec(a, q), transA: .transposed)
        }
        let estimate = try largestEigenvalue(dimension: d, maxIterations: maxIterations, tolerance: tolerance, apply: apply)
        return max(estimate, 0).squareRoot()
    }

    /// λ_max of a symmetric operator `apply` on vectors of `dimension` entries, by the Lanczos iteration with full
    /// reorthogonalization (every basis vector kept, orthogonalized against twice): λ_max is the largest eigenvalue of
    /// the tridiagonal projection T_j onto the Krylov space of the fixed start vector (LAPACK `dsterf`). It stops when
    /// that estimate changes by less than `tolerance`·|estimate| between iterations, when the Krylov space is invariant
    /// (then exact), or after `maxIterations` products. The operator may be indefinite (a Hessian): the estimate is the
    /// algebraically largest Ritz value, which converges from below to λ_max, never to a negative eigenvalue of larger
    /// magnitude as power iteration would.
    ///
    /// The start vector is fixed (q₀,i ∝ frac((i + 1)·0.618…) − ½), so the result is reproducible.
    /// - Complexity: `maxIterations` products at most, O(j·dimension) for the j-th reorthogonalization, and memory for
    ///   up to `maxIterations` vectors of `dimension` numbers.
    /// - Throws: ``LAPACKError`` from `dsterf` (a non-finite product among them).
    public static func largestEigenvalue(dimension d: Int, maxIterations: Int, tolerance: Double,
                                         apply: ([Double]) throws -> [Double]) throws -> Double {
        var q = (0..<d).map { i -> Double in
            let x = Double(i + 1) * 0.6180339887498949
            return x - x.rounded(.down) - 0.5
        }
        BLAS.scale(&q, by: 1 / BLAS.norm(q))
        var basis: [[Double]] = []
        var diagonal: [Double] = [], offDiagonal: [Double] = []
        var estimate = 0.0
        for j in 0..<min(d, maxIterations) {
            basis.append(q)
            var w = try apply(q)
            diagonal.append(BLAS.dot(w, q))
            for _ in 0..<2 {
                for v in basis { BLAS.axpy(-BLAS.dot(w, v), v, &w) }
            }
            let previous = estimate
            estimate = try SymmetricEigendecomposition.eigenvalues(tridiagonal: diagonal, offDiagonal: offDiagonal).last ?? 0
            let beta = BLAS.norm(w)
            let size = abs(estimate)
            if (j > 0 && abs(estimate - previous) <= tolerance * size) || beta <= 1e-13 * max(size, .leastNormalMagnitude) {
                break
            }
            offDiagonal.append(beta)
            q = w
            BLAS.scale(&q, by: 1 / beta)
        }
        return estimate
    }

    /// The singular values of A, descending (LAPACKE `dgesdd`, values only). For the small matrices of
    /// principal angles (m × m, m = `--modes`).
    ///
    /// - Complexity: O(m·n·min(m, n)).
    /// - Throws: ``LAPACKError`` when `info ≠ 0` or A is not finite.
    public static func singularValues(_ a: Matrix) throws -> [Double] {
        guard a.isFinite else { throw LAPACKError.nonFiniteInput(routine: "dgesdd") }
        let k = min(a.rows, a.cols)
        guard k > 0 else { return [] }
        var copy = a.data
        var s = [Double](repeating: 0, count: k)
        var unused = [Double](repeating: 0, count: 1)
        let info = copy.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                unused.withUnsafeMutableBufferPointer { pu in
                    // U and Vᵀ are not referenced with jobz = N, but row-major LAPACKE checks ldvt ≥ n.
                    LAPACKE_dgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), Int32(a.rows), Int32(a.cols), pa.baseAddress,
                                   Int32(a.cols), ps.baseAddress, pu.baseAddress, 1, pu.baseAddress, Int32(a.cols))
                }
            }
        }
        try LAPACKError.check(info, "dgesdd") { .eigenSolverDidNotConverge(routine: "dgesdd", info: $0) }
        return s
    }
}
