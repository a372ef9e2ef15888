/// A start-up check that the OpenBLAS kernels in use compute correct products: a few small dgemm, sgemm,
/// dsyrk and dgemv calls against plain loops, about a millisecond in a release build. Run after the tool
/// changed the kernel family (Docs/CLI.md, "OpenBLAS threads and kernels").
///
/// The sizes are odd and not multiples of any kernel's register block (OpenBLAS's x86-64 dgemm kernels
/// work on blocks of 4 to 24 rows and 2 to 8 columns), so every edge path runs; α ≠ 1 and β ≠ 0 on a
/// nonzero C exercise the scaling; one dgemm is large enough (m·n·k above OpenBLAS's threshold of
/// 262 144) to be split among threads when there are several.
public enum BLASSelfCheck {
    /// Tests only: `1` makes ``run()`` report a failure, to test the way back to the library's choice.
    public static let forceFailureVariable = "NTK_DYNAMICS_TEST_FAIL_SELF_CHECK"

    /// nil when every product agrees with its plain loop; otherwise which one did not, e.g.
    /// `dgemm 67×53×45: entry (3, 7) is 1.5, expected 0.25`.
    public static func run(forceFailure: Bool = false) -> String? {
        if forceFailure { return "failure forced by \(forceFailureVariable)" }
        return gemm(Double.self, "dgemm", m: 67, k: 53, n: 45, .none, .none)
            ?? gemm(Double.self, "dgemm", m: 101, k: 83, n: 71, .transposed, .none)
            ?? gemm(Float.self, "sgemm", m: 67, k: 53, n: 45, .none, .transposed)
            ?? syrk(n: 61, k: 47)
            ?? gemv(m: 67, n: 45, .none)
            ?? gemv(m: 67, n: 45, .transposed)
    }

    /// Entries in [−1, 1), the same on every run.
    static func values(_ count: Int, seed: Int) -> [Double] {
        (0..<count).map { Double(($0 * 7919 + seed * 104_729) % 2003) / 1001.5 - 1 }
    }

    /// |x − reference| within a few rounding errors of the sum of the magnitudes of the terms.
    static func agrees(_ x: Double, _ reference: Double, magnitude: Double, terms: Int, epsilon: Double) -> Bool {
        abs(x - reference) <= 4 * Double(terms) * epsilon * magnitude + Double.leastNormalMagnitude
    }

    static func describe(_ name: String, _ shape: String, _ i: Int, _ j: Int, _ got: Double, _ expected: Double) -> String {
        "\(name) \(shape): entry (\(i), \(j)) is \(got), expected \(expected)"
    }

    static func gemm<T: BLASScalar>(_: T.Type, _ name: String, m: Int, k: Int, n: Int,
                                    _ transA: BLAS.Transpose, _ transB: BLAS.Transpose) -> String? {
        let alpha = 0.75, beta = 0.5
        let (ar, ac) = transA == .none ? (m, k) : (k, m)
        let (br, bc) = transB == .none ? (k, n) : (n, k)
        let a = Matrix(rows: ar, cols: ac, data: values(ar * ac, seed: 1))
        let b = Matrix(rows: br, cols: bc, data: values(br * bc, seed: 2))
        let c0 = Matrix(rows: m, cols: n, data: values(m * n, seed: 3))
        var c = T.converting(c0)
        BLAS.gemm(T.converting(a), T.converting(b), transA: transA, transB: transB, alpha: T(alpha), beta: T(beta), into: &c)
        let result = T.float64(c)
        let epsilon = Double(T.ulpOfOne)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = transA == .none ? a.data[i * ac + p] : a.data[p * ac + i]
                    let y = transB == .none ? b.data[p * bc + j] : b.data[j * bc + p]
                    sum += x * y
                    magnitude += abs(x * y)
                }
                let expected = alpha * sum + beta * c0.data[i * n + j]
                if !agrees(result.data[i * n + j], expected, magnitude: alpha * magnitude + beta * abs(c0.data[i * n + j]),
                           terms: k + 1, epsilon: epsilon) {
                    return describe(name, "\(m)×\(k)×\(n)", i, j, result.data[i * n + j], expected)
                }
            }
        }
        return nil
    }

    static func syrk(n: Int, k: Int) -> String? {
        let a = Matrix(rows: n, cols: k, data: values(n * k, seed: 4))
        let g = BLAS.gram(a, alpha: 0.75)
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let t = a.data[i * k + p] * a.data[j * k + p]
                    sum += t
                    magnitude += abs(t)
                }
                if !agrees(g.data[i * n + j], 0.75 * sum, magnitude: 0.75 * magnitude, terms: k, epsilon: Double.ulpOfOne) {
                    return describe("dsyrk", "\(n)×\(k)", i, j, g.data[i * n + j], 0.75 * sum)
                }
            }
        }
        return nil
    }

    static func gemv(m: Int, n: Int, _ trans: BLAS.Transpose) -> String? {
        let a = Matrix(rows: m, cols: n, data: values(m * n, seed: 5))
        let (rows, inner) = trans == .none ? (m, n) : (n, m)
        let x = values(inner, seed: 6)
        let y0 = values(rows, seed: 7)
        var y = y0
        BLAS.gemv(a, x, transA: trans, alpha: 0.75, beta: 0.5, into: &y)
        for i in 0..<rows {
            var sum = 0.0, magnitude = 0.0
            for p in 0..<inner {
                let t = (trans == .none ? a.data[i * n + p] : a.data[p * n + i]) * x[p]
                sum += t
                magnitude += abs(t)
            }
            let expected = 0.75 * sum + 0.5 * y0[i]
            if !agrees(y[i], expected, magnitude: 0.75 * magnitude + 0.5 * abs(y0[i]), terms: inner + 1, epsilon: Double.ulpOfOne) {
                return describe(trans == .none ? "dgemv" : "dgemv (transposed)", "\(m)×\(n)", i, 0, y[i], expected)
            }
        }
        return nil
    }
}
