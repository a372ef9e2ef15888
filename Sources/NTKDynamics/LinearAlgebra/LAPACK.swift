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
}

/// Eigendecomposition A = V·diag(λ)·Vᵀ of a real symmetric matrix.
public struct SymmetricEigendecomposition: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// Orthonormal eigenvectors as columns: column i belongs to `values[i]`.
    public let vectors: Matrix

    /// Decomposes the symmetric matrix `a` with LAPACKE `dsyevd` (divide and conquer).
    ///
    /// Only the upper triangle is read.
    /// - Complexity: O(n³) time, O(n²) memory.
    /// - Throws: ``LAPACKError`` when `info ≠ 0` or `a` is not finite.
    public init(_ a: Matrix) throws {
        precondition(a.rows == a.cols, "eigendecomposition needs a square matrix, got \(a.rows)×\(a.cols)")
        guard a.isFinite else { throw LAPACKError.nonFiniteInput(routine: "dsyevd") }
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
            if info < 0 { throw LAPACKError.illegalArgument(routine: "dsyevd", argument: Int(-info)) }
            if info > 0 { throw LAPACKError.eigenSolverDidNotConverge(routine: "dsyevd", info: Int(info)) }
        }
        self.values = w
        self.vectors = v
    }
}
