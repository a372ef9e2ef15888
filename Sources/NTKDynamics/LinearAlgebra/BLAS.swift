import CLapack

/// Thin, typed wrappers over CBLAS (OpenBLAS). All matrices are row-major ``Matrix`` values.
///
/// Shapes are checked with `precondition`; the arithmetic is BLAS's.
public enum BLAS {
    /// Whether an operand is used as is or transposed.
    public enum Transpose: Sendable {
        case none, transposed
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// C ← α·op(A)·op(B) + β·C  (`cblas_dgemm`).
    ///
    /// - Complexity: 2·m·n·k flops for an m×n result with inner dimension k.
    public static func gemm(_ a: Matrix, _ b: Matrix, transA: Transpose = .none, transB: Transpose = .none,
                            alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
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
                    cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas,
                                blasint(m), blasint(n), blasint(k), alpha,
                                pa.baseAddress, blasint(a.cols), pb.baseAddress, blasint(b.cols),
                                beta, pc.baseAddress, blasint(n))
                }
            }
        }
    }

    /// α·op(A)·op(B) as a new matrix.
    public static func product(_ a: Matrix, _ b: Matrix, transA: Transpose = .none, transB: Transpose = .none,
                               alpha: Double = 1) -> Matrix {
        let m = transA == .none ? a.rows : a.cols
        let n = transB == .none ? b.cols : b.rows
        var c = Matrix(rows: m, cols: n)
        gemm(a, b, transA: transA, transB: transB, alpha: alpha, into: &c)
        return c
    }

    /// The Gram matrix α·A·Aᵀ (n×n for an n×k matrix A), both triangles filled (`cblas_dsyrk`).
    ///
    /// - Complexity: n·(n+1)·k flops, half a gemm.
    public static func gram(_ a: Matrix, alpha: Double = 1) -> Matrix {
        let n = a.rows
        var c = Matrix(rows: n, cols: n)
        guard n > 0, a.cols > 0 else { return c }
        a.data.withUnsafeBufferPointer { pa in
            c.data.withUnsafeMutableBufferPointer { pc in
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(n), blasint(a.cols),
                            alpha, pa.baseAddress, blasint(a.cols), 0, pc.baseAddress, blasint(n))
            }
        }
        symmetrizeFromUpper(&c)
        return c
    }

    /// Copies the upper triangle of a square matrix into its lower triangle.
    public static func symmetrizeFromUpper(_ c: inout Matrix) {
        let n = c.rows
        c.data.withUnsafeMutableBufferPointer { p in
            for i in 1..<max(n, 1) {
                for j in 0..<i { p[i * n + j] = p[j * n + i] }
            }
        }
    }

    /// y ← α·op(A)·x + β·y  (`cblas_dgemv`).
    public static func gemv(_ a: Matrix, _ x: [Double], transA: Transpose = .none,
                            alpha: Double = 1, beta: Double = 0, into y: inout [Double]) {
        let m = transA == .none ? a.rows : a.cols
        let n = transA == .none ? a.cols : a.rows
        precondition(x.count == n && y.count == m, "gemv shapes: A is \(a.rows)×\(a.cols), x \(x.count), y \(y.count)")
        guard m > 0 else { return }
        if n == 0 { scale(&y, by: beta); return }
        a.data.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_dgemv(CblasRowMajor, transA.cblas, blasint(a.rows), blasint(a.cols), alpha,
                                pa.baseAddress, blasint(a.cols), px.baseAddress, 1, beta, py.baseAddress, 1)
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

    /// y ← α·x + y  (`cblas_daxpy`).
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "axpy lengths \(x.count) and \(y.count) differ")
        guard !x.isEmpty else { return }
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                cblas_daxpy(blasint(x.count), alpha, px.baseAddress, 1, py.baseAddress, 1)
            }
        }
    }

    /// x ← α·x  (`cblas_dscal`).
    public static func scale(_ x: inout [Double], by alpha: Double) {
        guard !x.isEmpty else { return }
        if alpha == 0 { for i in x.indices { x[i] = 0 }; return }
        let n = x.count
        x.withUnsafeMutableBufferPointer { px in cblas_dscal(blasint(n), alpha, px.baseAddress, 1) }
    }

    /// xᵀy  (`cblas_ddot`).
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "dot lengths \(x.count) and \(y.count) differ")
        guard !x.isEmpty else { return 0 }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in cblas_ddot(blasint(x.count), px.baseAddress, 1, py.baseAddress, 1) }
        }
    }

    /// ‖x‖₂  (`cblas_dnrm2`).
    public static func norm(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        return x.withUnsafeBufferPointer { cblas_dnrm2(blasint(x.count), $0.baseAddress, 1) }
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
