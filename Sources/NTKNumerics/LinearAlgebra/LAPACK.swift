import CLapack

/// A LAPACK routine reported `info ≠ 0`.
public enum LAPACKError: Error, Equatable, CustomStringConvertible, Sendable {
    /// `info < 0`: argument number `argument` had an illegal value (a bug in the caller).
    case illegalArgument(routine: String, argument: Int)
    /// `dsyevd` with `info > 0`: the divide-and-conquer iteration failed to converge.
    case eigenSolverDidNotConverge(routine: String, info: Int)
    /// `dpotrf` with `info > 0`: the leading minor of order `order` is not positive definite.
    case notPositiveDefinite(routine: String, order: Int)
    /// A matrix handed to LAPACK contained NaN or ±∞.
    case nonFiniteInput(routine: String)

    public var description: String {
        switch self {
        case let .illegalArgument(routine, argument):
            return "\(routine): argument \(argument) had an illegal value (info = -\(argument))"
        case let .eigenSolverDidNotConverge(routine, info):
            return "\(routine): the eigensolver failed to converge (info = \(info)); the matrix may be badly scaled"
        case let .notPositiveDefinite(routine, order):
            return "\(routine): the leading minor of order \(order) is not positive definite (info = \(order))"
        case let .nonFiniteInput(routine):
            return "\(routine): the matrix contains NaN or infinite entries"
        }
    }

    /// Throws for the `info` that `routine` returned: ``illegalArgument(routine:argument:)`` when it is negative,
    /// `positive(info)` (what a positive `info` means for this routine) when it is positive.
    static func check(_ info: Int32, _ routine: String, positive: (Int) -> LAPACKError) throws {
        if info < 0 { throw illegalArgument(routine: routine, argument: Int(-info)) }
        if info > 0 { throw positive(Int(info)) }
    }

    /// Checks that `a` is square (`what` needs it) and finite (else ``nonFiniteInput(routine:)``).
    static func checkSquareFinite(_ a: Matrix, _ routine: String, _ what: String) throws {
        precondition(a.rows == a.cols, "\(what) needs a square matrix, got \(a.rows)×\(a.cols)")
        guard a.isFinite else { throw nonFiniteInput(routine: routine) }
    }
}

/// Eigendecomposition A = V·diag(λ)·Vᵀ of a real symmetric matrix.
public struct SymmetricEigendecomposition: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// Orthonormal eigenvectors as columns: column i belongs to `values[i]`.
    public let vectors: Matrix

    /// The decomposition with these eigenvalues (ascending) and eigenvectors (columns), for the layers that
    /// assemble one from another (``KernelLayout``).
    package init(values: [Double], vectors: Matrix) {
        self.values = values
        self.vectors = vectors
    }

    /// Decomposes the symmetric matrix `a` with LAPACKE `dsyevd` (divide and conquer).
    ///
    /// Only the upper triangle is read.
    /// - Complexity: O(n³) time, O(n²) memory.
    /// - Throws: ``LAPACKError`` when `info ≠ 0` or `a` is not finite.
    public init(_ a: Matrix) throws {
        try LAPACKError.checkSquareFinite(a, "dsyevd", "eigendecomposition")
        let n = a.rows
        var v = a
        var w = [Double](repeating: 0, count: n)
        if n > 0 {
            let info = v.data.withUnsafeMutableBufferPointer { pv in
                w.withUnsafeMutableBufferPointer { pw in
                    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")),
                                   Int32(n), pv.baseAddress, Int32(n), pw.baseAddress)
                }
            }
            try LAPACKError.check(info, "dsyevd") { .eigenSolverDidNotConverge(routine: "dsyevd", info: $0) }
        }
        self.values = w
        self.vectors = v
    }
}

extension SymmetricEigendecomposition {
    /// Decomposes the symmetric tridiagonal matrix with `diagonal` (n entries) and `offDiagonal` (n − 1
    /// entries) with LAPACKE `dstev` (implicit QL/QR).
    ///
    /// Used by Golub–Welsch (``GaussHermiteRule``): the eigenvalues of the Jacobi matrix are the nodes of a
    /// Gauss rule and the squared first components of its eigenvectors the weights.
    /// - Complexity: O(n²) time for the eigenvalues and O(n³) for the vectors, O(n²) memory.
    /// - Throws: ``LAPACKError`` when `info ≠ 0` or an entry is not finite.
    public init(tridiagonal diagonal: [Double], offDiagonal: [Double]) throws {
        let n = diagonal.count
        try Self.checkTridiagonal(diagonal, offDiagonal, routine: "dstev")
        var d = diagonal
        // dstev wants an e of length max(1, n − 1); it is overwritten.
        var e = offDiagonal.isEmpty ? [0] : offDiagonal
        var z = Matrix(rows: n, cols: n)
        if n > 0 {
            let info = d.withUnsafeMutableBufferPointer { pd in
                e.withUnsafeMutableBufferPointer { pe in
                    z.data.withUnsafeMutableBufferPointer { pz in
                        LAPACKE_dstev(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), Int32(n),
                                      pd.baseAddress, pe.baseAddress, pz.baseAddress, Int32(n))
                    }
                }
            }
            try LAPACKError.check(info, "dstev") { .eigenSolverDidNotConverge(routine: "dstev", info: $0) }
        }
        self.values = d
        self.vectors = z
    }

    /// The eigenvalues alone (ascending) of the symmetric tridiagonal matrix with `diagonal` and `offDiagonal`,
    /// by LAPACKE `dsterf` (Pal–Walker–Kahan QL/QR).
    ///
    /// - Complexity: O(n²) time, O(n) memory.
    /// - Throws: ``LAPACKError`` when `info ≠ 0` or an entry is not finite.
    public static func eigenvalues(tridiagonal diagonal: [Double], offDiagonal: [Double]) throws -> [Double] {
        let n = diagonal.count
        try checkTridiagonal(diagonal, offDiagonal, routine: "dsterf")
        var d = diagonal
        var e = offDiagonal.isEmpty ? [0] : offDiagonal
        if n > 0 {
            let info = d.withUnsafeMutableBufferPointer { pd in
                e.withUnsafeMutableBufferPointer { pe in
                    LAPACKE_dsterf(Int32(n), pd.baseAddress, pe.baseAddress)
                }
            }
            try LAPACKError.check(info, "dsterf") { .eigenSolverDidNotConverge(routine: "dsterf", info: $0) }
        }
        return d
    }

    /// Checks the shape (n − 1 off-diagonal entries) and that every entry is finite.
    private static func checkTridiagonal(_ diagonal: [Double], _ offDiagonal: [Double], routine: String) throws {
        let n = diagonal.count
        precondition(offDiagonal.count == max(n - 1, 0), """
            a tridiagonal matrix of order \(n) has \(max(n - 1, 0)) off-diagonal entries, got \(offDiagonal.count)
            """)
        guard diagonal.allSatisfy(\.isFinite), offDiagonal.allSatisfy(\.isFinite) else {
            throw LAPACKError.nonFiniteInput(routine: routine)
        }
    }
}

/// The Cholesky factorization A = UᵀU of a symmetric positive definite matrix (LAPACKE `dpotrf`,
/// upper triangle), and solves with it (`dpotrs`).
public struct CholeskyFactorization: Sendable {
    /// The factor U in the upper triangle; the strictly lower triangle holds A's entries, unused.
    public let factor: Matrix

    /// Factors `a`; only its upper triangle is read.
    ///
    /// - Complexity: n³/3 flops.
    /// - Throws: ``LAPACKError/notPositiveDefinite(routine:order:)`` when a leading minor is not positive
    ///   definite, ``LAPACKError/nonFiniteInput(routine:)``, ``LAPACKError/illegalArgument(routine:argument:)``.
    public init(_ a: Matrix) throws {
        try LAPACKError.checkSquareFinite(a, "dpotrf", "Cholesky")
        let n = a.rows
        var u = a
        if n > 0 {
            let info = u.data.withUnsafeMutableBufferPointer { pu in
                LAPACKE_dpotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(n), pu.baseAddress, Int32(n))
            }
            try LAPACKError.check(info, "dpotrf") { .notPositiveDefinite(routine: "dpotrf", order: $0) }
        }
        factor = u
    }

    /// X = A⁻¹B for the columns of `b` (n × m), by `dpotrs`.
    ///
    /// - Complexity: 2·n²·m flops.
    /// - Throws: ``LAPACKError/nonFiniteInput(routine:)`` or ``LAPACKError/illegalArgument(routine:argument:)``.
    public func solve(_ b: Matrix) throws -> Matrix {
        let n = factor.rows
        precondition(b.rows == n, "right-hand side has \(b.rows) rows, the matrix is \(n)×\(n)")
        guard b.isFinite else { throw LAPACKError.nonFiniteInput(routine: "dpotrs") }
        var x = b
        guard n > 0, b.cols > 0 else { return x }
        let info = factor.data.withUnsafeBufferPointer { pa in
            x.data.withUnsafeMutableBufferPointer { px in
                LAPACKE_dpotrs(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), Int32(n), Int32(b.cols),
                               pa.baseAddress, Int32(n), px.baseAddress, Int32(b.cols))
            }
        }
        if info < 0 { throw LAPACKError.illegalArgument(routine: "dpotrs", argument: Int(-info)) }
        return x
    }
}
