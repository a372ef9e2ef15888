import CLapack

/// A floating-point type BLAS computes in: `Double` (the d-routines, the default everywhere) and `Float`
/// (the s-routines, for the network's passes under `--precision float32`).
///
/// A conformance names its CBLAS routines (``CBLASRoutines``); the calls on row-major storage below are written
/// once for both, and ``BLAS`` wraps them for ``DenseMatrix``. Every conformance does the same arithmetic in its
/// own precision: generic code (``Network``, ``GradientDescent``) is written once and specialized per type.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable {
    /// The `cblas_d…` or `cblas_s…` routines.
    static var cblas: CBLASRoutines<Self> { get }
    /// The values of a float64 matrix in this precision (rounded to nearest; no copy for `Double`).
    static func converting(_ m: Matrix) -> DenseMatrix<Self>
    /// The values as float64 (exact; no copy for `Double`).
    static func float64(_ m: DenseMatrix<Self>) -> Matrix
}

/// The CBLAS routines of one precision, as the C library declares them (`cblas_dgemm` or `cblas_sgemm`, …):
/// the one thing the two ``BLASScalar`` conformances differ in.
public struct CBLASRoutines<T>: Sendable {
    let gemm: @Sendable (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, T,
                         UnsafePointer<T>?, blasint, UnsafePointer<T>?, blasint, T, UnsafeMutablePointer<T>?, blasint) -> Void
    let syrk: @Sendable (CBLAS_ORDER, CBLAS_UPLO, CBLAS_TRANSPOSE, blasint, blasint, T, UnsafePointer<T>?, blasint,
                         T, UnsafeMutablePointer<T>?, blasint) -> Void
    let gemv: @Sendable (CBLAS_ORDER, CBLAS_TRANSPOSE, blasint, blasint, T, UnsafePointer<T>?, blasint,
                         UnsafePointer<T>?, blasint, T, UnsafeMutablePointer<T>?, blasint) -> Void
    let axpy: @Sendable (blasint, T, UnsafePointer<T>?, blasint, UnsafeMutablePointer<T>?, blasint) -> Void
    let scal: @Sendable (blasint, T, UnsafeMutablePointer<T>?, blasint) -> Void
    let nrm2: @Sendable (blasint, UnsafePointer<T>?, blasint) -> T
}

extension BLASScalar {
    /// C ← α·op(A)·op(B) + β·C, row-major, leading dimensions `lda`, `ldb`, `ldc` (`cblas_?gemm`).
    @inline(__always)
    public static func gemm(_ transA: BLAS.Transpose, _ transB: BLAS.Transpose, m: Int, n: Int, k: Int, alpha: Self,
                            _ a: UnsafePointer<Self>, lda: Int, _ b: UnsafePointer<Self>, ldb: Int,
                            beta: Self, _ c: UnsafeMutablePointer<Self>, ldc: Int) {
        cblas.gemm(CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k), alpha,
                   a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// The upper triangle of C ← α·A·Aᵀ + β·C for an n × k row-major A (`cblas_?syrk`).
    @inline(__always)
    public static func syrkUpper(n: Int, k: Int, alpha: Self, _ a: UnsafePointer<Self>, lda: Int,
                                 beta: Self, _ c: UnsafeMutablePointer<Self>, ldc: Int) {
        cblas.syrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(n), blasint(k), alpha, a, blasint(lda),
                   beta, c, blasint(ldc))
    }

    /// y ← α·op(A)·x + β·y for an m × n row-major A (`cblas_?gemv`).
    @inline(__always)
    public static func gemv(_ transA: BLAS.Transpose, m: Int, n: Int, alpha: Self, _ a: UnsafePointer<Self>, lda: Int,
                            _ x: UnsafePointer<Self>, beta: Self, _ y: UnsafeMutablePointer<Self>) {
        cblas.gemv(CblasRowMajor, transA.cblas, blasint(m), blasint(n), alpha, a, blasint(lda), x, 1, beta, y, 1)
    }

    /// y ← α·x + y (`cblas_?axpy`).
    @inline(__always)
    public static func axpy(count: Int, alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>) {
        cblas.axpy(blasint(count), alpha, x, 1, y, 1)
    }

    /// x ← α·x (`cblas_?scal`).
    @inline(__always)
    public static func scal(count: Int, alpha: Self, _ x: UnsafeMutablePointer<Self>) {
        cblas.scal(blasint(count), alpha, x, 1)
    }

    /// ‖x‖₂ (`cblas_?nrm2`), in this precision.
    @inline(__always)
    public static func nrm2(count: Int, _ x: UnsafePointer<Self>) -> Self {
        cblas.nrm2(blasint(count), x, 1)
    }
}

extension Double: BLASScalar {
    public static let cblas = CBLASRoutines<Double>(gemm: cblas_dgemm, syrk: cblas_dsyrk, gemv: cblas_dgemv,
                                                    axpy: cblas_daxpy, scal: cblas_dscal, nrm2: cblas_dnrm2)

    @inline(__always)
    public static func converting(_ m: Matrix) -> Matrix { m }

    @inline(__always)
    public static func float64(_ m: Matrix) -> Matrix { m }
}

extension Float: BLASScalar {
    public static let cblas = CBLASRoutines<Float>(gemm: cblas_sgemm, syrk: cblas_ssyrk, gemv: cblas_sgemv,
                                                   axpy: cblas_saxpy, scal: cblas_sscal, nrm2: cblas_snrm2)

    public static func converting(_ m: Matrix) -> DenseMatrix<Float> {
        DenseMatrix(rows: m.rows, cols: m.cols, data: m.data.map { Float($0) })
    }

    public static func float64(_ m: DenseMatrix<Float>) -> Matrix {
        Matrix(rows: m.rows, cols: m.cols, data: m.data.map { Double($0) })
    }
}
