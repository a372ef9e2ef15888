import CLapack

/// A floating-point type BLAS computes in: `Double` (the d-routines, the default everywhere) and `Float`
/// (the s-routines, for the network's passes under `--precision float32`).
///
/// The requirements are the raw CBLAS calls on row-major storage; ``BLAS`` wraps them for ``DenseMatrix``.
/// Every conformance does the same arithmetic in its own precision: generic code (``MLPNetwork``,
/// ``GradientDescent``) is written once and specialized per type.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable {
    /// C ← α·op(A)·op(B) + β·C, row-major, leading dimensions `lda`, `ldb`, `ldc` (`cblas_?gemm`).
    static func gemm(_ transA: BLAS.Transpose, _ transB: BLAS.Transpose, m: Int, n: Int, k: Int, alpha: Self,
                     _ a: UnsafePointer<Self>, lda: Int, _ b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, _ c: UnsafeMutablePointer<Self>, ldc: Int)
    /// The upper triangle of C ← α·A·Aᵀ + β·C for an n × k row-major A (`cblas_?syrk`).
    static func syrkUpper(n: Int, k: Int, alpha: Self, _ a: UnsafePointer<Self>, lda: Int,
                          beta: Self, _ c: UnsafeMutablePointer<Self>, ldc: Int)
    /// y ← α·op(A)·x + β·y for an m × n row-major A (`cblas_?gemv`).
    static func gemv(_ transA: BLAS.Transpose, m: Int, n: Int, alpha: Self, _ a: UnsafePointer<Self>, lda: Int,
                     _ x: UnsafePointer<Self>, beta: Self, _ y: UnsafeMutablePointer<Self>)
    /// y ← α·x + y (`cblas_?axpy`).
    static func axpy(count: Int, alpha: Self, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>)
    /// x ← α·x (`cblas_?scal`).
    static func scal(count: Int, alpha: Self, _ x: UnsafeMutablePointer<Self>)
    /// ‖x‖₂ (`cblas_?nrm2`), in this precision.
    static func nrm2(count: Int, _ x: UnsafePointer<Self>) -> Self

    /// The values of a float64 matrix in this precision (rounded to nearest; no copy for `Double`).
    static func converting(_ m: Matrix) -> DenseMatrix<Self>
    /// The values as float64 (exact; no copy for `Double`).
    static func float64(_ m: DenseMatrix<Self>) -> Matrix
}

extension Double: BLASScalar {
    @inline(__always)
    public static func gemm(_ transA: BLAS.Transpose, _ transB: BLAS.Transpose, m: Int, n: Int, k: Int, alpha: Double,
                            _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    @inline(__always)
    public static func syrkUpper(n: Int, k: Int, alpha: Double, _ a: UnsafePointer<Double>, lda: Int,
                                 beta: Double, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(n), blasint(k), alpha, a, blasint(lda),
                    beta, c, blasint(ldc))
    }

    @inline(__always)
    public static func gemv(_ transA: BLAS.Transpose, m: Int, n: Int, alpha: Double, _ a: UnsafePointer<Double>, lda: Int,
                            _ x: UnsafePointer<Double>, beta: Double, _ y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, transA.cblas, blasint(m), blasint(n), alpha, a, blasint(lda), x, 1, beta, y, 1)
    }

    @inline(__always)
    public static func axpy(count: Int, alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasint(count), alpha, x, 1, y, 1)
    }

    @inline(__always)
    public static func scal(count: Int, alpha: Double, _ x: UnsafeMutablePointer<Double>) {
        cblas_dscal(blasint(count), alpha, x, 1)
    }

    @inline(__always)
    public static func nrm2(count: Int, _ x: UnsafePointer<Double>) -> Double {
        cblas_dnrm2(blasint(count), x, 1)
    }

    @inline(__always)
    public static func converting(_ m: Matrix) -> Matrix { m }

    @inline(__always)
    public static func float64(_ m: Matrix) -> Matrix { m }
}

extension Float: BLASScalar {
    @inline(__always)
    public static func gemm(_ transA: BLAS.Transpose, _ transB: BLAS.Transpose, m: Int, n: Int, k: Int, alpha: Float,
                            _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    @inline(__always)
    public static func syrkUpper(n: Int, k: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
                                 beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(n), blasint(k), alpha, a, blasint(lda),
                    beta, c, blasint(ldc))
    }

    @inline(__always)
    public static func gemv(_ transA: BLAS.Transpose, m: Int, n: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
                            _ x: UnsafePointer<Float>, beta: Float, _ y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, transA.cblas, blasint(m), blasint(n), alpha, a, blasint(lda), x, 1, beta, y, 1)
    }

    @inline(__always)
    public static func axpy(count: Int, alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(count), alpha, x, 1, y, 1)
    }

    @inline(__always)
    public static func scal(count: Int, alpha: Float, _ x: UnsafeMutablePointer<Float>) {
        cblas_sscal(blasint(count), alpha, x, 1)
    }

    @inline(__always)
    public static func nrm2(count: Int, _ x: UnsafePointer<Float>) -> Float {
        cblas_snrm2(blasint(count), x, 1)
    }

    public static func converting(_ m: Matrix) -> DenseMatrix<Float> {
        DenseMatrix(rows: m.rows, cols: m.cols, data: m.data.map { Float($0) })
    }

    public static func float64(_ m: DenseMatrix<Float>) -> Matrix {
        Matrix(rows: m.rows, cols: m.cols, data: m.data.map { Double($0) })
    }
}
