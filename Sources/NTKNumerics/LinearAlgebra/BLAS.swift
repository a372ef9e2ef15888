import CLapack

/// Thin, typed wrappers over CBLAS (OpenBLAS). All matrices are row-major ``DenseMatrix`` values; the
/// routines are generic over the ``BLASScalar`` (`Double` calls the d-routines, `Float` the s-routines).
///
/// Shapes are checked with `precondition`; the arithmetic is BLAS's.
public enum BLAS {
    /// Whether an operand is used as is or transposed.
    public enum Transpose: Sendable {
        case none, transposed
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// C ← α·op(A)·op(B) + β·C  (`cblas_dgemm` / `cblas_sgemm`).
    ///
    /// - Complexity: 2·m·n·k flops for an m×n result with inner dimension k.
    @inlinable
    public static func gemm<T: BLASScalar>(_ a: DenseMatrix<T>, _ b: DenseMatrix<T>, transA: Transpose = .none, transB: Transpose = .none,
                                           alpha: T = 1, beta: T = 0, into c: inout DenseMatrix<T>) {
        let m = transA == .none ? a.rows : a.cols
        let k = transA == .none ? a.cols : a.rows
        let kb = transB == .none ? b.rows : b.cols
        let n = transB == .none ? b.cols : b.rows
        precondition(k == kb, "gemm inner dimensions \(k) and \(kb) differ")
        precondition(c.rows == m && c.cols == n, "gemm result is \(c.rows)×\(c.cols), expected \(m)×\(n)")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            scale(&c.data, by: beta)
            return
        }
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                c.data.withUnsafeMutableBufferPointer { pc in
                    T.gemm(transA, transB, m: m, n: n, k: k, alpha: alpha, pa.baseAddress!, lda: a.cols,
                           pb.baseAddress!, ldb: b.cols, beta: beta, pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// α·op(A)·op(B) as a new matrix.
    @inlinable
    public static func product<T: BLASScalar>(_ a: DenseMatrix<T>, _ b: DenseMatrix<T>, transA: Transpose = .none,
                                              transB: Transpose = .none, alpha: T = 1) -> DenseMatrix<T> {
        let m = transA == .none ? a.rows : a.cols
        let n = transB == .none ? b.cols : b.rows
        let k = transA == .none ? a.cols : a.rows
        // With k > 0, gemm (β = 0) writes every entry: no need to zero them first.
        var c = k > 0 ? DenseMatrix<T>(uninitializedRows: m, cols: n) : DenseMatrix<T>(rows: m, cols: n)
        gemm(a, b, transA: transA, transB: transB, alpha: alpha, into: &c)
        return c
    }

    /// The Gram matrix α·A·Aᵀ (n×n for an n×k matrix A), both triangles filled (`cblas_dsyrk` / `cblas_ssyrk`).
    ///
    /// - Complexity: n·(n+1)·k flops, half a gemm.
    @inlinable
    public static func gram<T: BLASScalar>(_ a: DenseMatrix<T>, alpha: T = 1) -> DenseMatrix<T> {
        let n = a.rows
        var c = DenseMatrix<T>(rows: n, cols: n)
        guard n > 0, a.cols > 0 else { return c }
        a.data.withUnsafeBufferPointer { pa in
            c.data.withUnsafeMutableBufferPointer { pc in
                T.syrkUpper(n: n, k: a.cols, alpha: alpha, pa.baseAddress!, lda: a.cols, beta: 0, pc.baseAddress!, ldc: n)
            }
        }
        symmetrizeFromUpper(&c)
        return c
    }

    /// Copies the upper triangle of a square matrix into its lower triangle.
    ///
    /// In 64 × 64 tiles, so that the column-wise reads of the upper triangle stay in cache (a row-by-row copy
    /// reads a new cache line for every entry: at n = 4096 it took 0.10–0.12 s against 0.04 s tiled).
    @inlinable
    public static func symmetrizeFromUpper<T: BLASScalar>(_ c: inout DenseMatrix<T>) {
        let n = c.rows
        let tile = 64
        c.data.withUnsafeMutableBufferPointer { p in
            for ib in stride(from: 0, to: n, by: tile) {
                let iEnd = min(ib + tile, n)
                for jb in stride(from: 0, through: ib, by: tile) {
                    for i in max(ib, 1)..<max(iEnd, 1) {
                        let jEnd = min(jb + tile, i)
                        guard jb < jEnd else { continue }
                        for j in jb..<jEnd { p[i * n + j] = p[j * n + i] }
                    }
                }
            }
        }
    }

    /// y ← α·op(A)·x + β·y  (`cblas_dgemv` / `cblas_sgemv`).
    @inlinable
    public static func gemv<T: BLASScalar>(_ a: DenseMatrix<T>, _ x: [T], transA: Transpose = .none,
                                           alpha: T = 1, beta: T = 0, into y: inout [T]) {
        let m = transA == .none ? a.rows : a.cols
        let n = transA == .none ? a.cols : a.rows
        precondition(x.count == n && y.count == m, "gemv shapes: A is \(a.rows)×\(a.cols), x \(x.count), y \(y.count)")
        guard m > 0 else { return }
        if n == 0 { scale(&y, by: beta); return }
        a.data.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    T.gemv(transA, m: a.rows, n: a.cols, alpha: alpha, pa.baseAddress!, lda: a.cols,
                           px.baseAddress!, beta: beta, py.baseAddress!)
                }
            }
        }
    }

    /// op(A)·x as a new vector.
    public static func matvec(_ a: Matrix, _ x: [Double], transA: Transpose = .none) -> [Double] {
        var y = [Double](repeating: 0, count: transA == .none ? a.rows : a.cols)
        gemv(a, x, transA: transA, into: &y)
        return y
    }

    /// y ← α·x + y  (`cblas_daxpy` / `cblas_saxpy`).
    @inlinable
    public static func axpy<T: BLASScalar>(_ alpha: T, _ x: [T], _ y: inout [T]) {
        precondition(x.count == y.count, "axpy lengths \(x.count) and \(y.count) differ")
        guard !x.isEmpty else { return }
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                T.axpy(count: x.count, alpha: alpha, px.baseAddress!, py.baseAddress!)
            }
        }
    }

    /// x ← α·x  (`cblas_dscal` / `cblas_sscal`).
    @inlinable
    public static func scale<T: BLASScalar>(_ x: inout [T], by alpha: T) {
        guard !x.isEmpty else { return }
        if alpha == 0 { for i in x.indices { x[i] = 0 }; return }
        let n = x.count
        x.withUnsafeMutableBufferPointer { px in T.scal(count: n, alpha: alpha, px.baseAddress!) }
    }

    /// xᵀy  (`cblas_ddot`).
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "dot lengths \(x.count) and \(y.count) differ")
        guard !x.isEmpty else { return 0 }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in cblas_ddot(blasint(x.count), px.baseAddress, 1, py.baseAddress, 1) }
        }
    }

    /// ‖x‖₂  (`cblas_dnrm2` / `cblas_snrm2`), in the precision of x.
    @inlinable
    public static func norm<T: BLASScalar>(_ x: [T]) -> T {
        guard !x.isEmpty else { return 0 }
        return x.withUnsafeBufferPointer { T.nrm2(count: x.count, $0.baseAddress!) }
    }

    /// The number of threads OpenBLAS uses.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// The CPU kernel family OpenBLAS selected, e.g. "Cooperlake".
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}
