/// The Gram panels and Hadamard accumulations of the structured empirical kernel (Docs/Conventions.md#the-structured-empirical-ntk):
/// the arithmetic a block's kernel term is made of (``DenseBlock``), here in the Model folder so that the blocks can use
/// it; ``EmpiricalNTK`` drives it.
@usableFromInline
enum KernelGram {
    /// Rows `rows` of the upper triangle of α·A·Aᵀ from column `rows.lowerBound` on, into `buffer` with leading
    /// dimension A.rows − rows.lowerBound: `?syrk` for the diagonal block (its strict lower triangle is left as it
    /// was), `?gemm` for the block right of it.
    @inlinable
    static func gramPanel<Scalar: BLASScalar>(_ a: DenseMatrix<Scalar>, rows: Range<Int>, alpha: Scalar = 1,
                                              into buffer: inout [Scalar]) {
        let m = a.rows, w = a.cols, r0 = rows.lowerBound, r1 = rows.upperBound, b = rows.count
        let ld = m - r0
        precondition(r1 <= m && buffer.count >= b * ld)
        guard w > 0 else {
            for i in 0..<b { for j in i..<ld { buffer[i * ld + j] = 0 } }
            return
        }
        a.data.withUnsafeBufferPointer { pa in
            buffer.withUnsafeMutableBufferPointer { pc in
                let top = pa.baseAddress! + r0 * w
                Scalar.syrkUpper(n: b, k: w, alpha: alpha, top, lda: w, beta: 0, pc.baseAddress!, ldc: ld)
                if r1 < m {
                    Scalar.gemm(.none, .transposed, m: b, n: m - r1, k: w, alpha: alpha, top, lda: w,
                                pa.baseAddress! + r1 * w, ldb: w, beta: 0, pc.baseAddress! + b, ldc: ld)
                }
            }
        }
    }

    /// result[(i,a),(j,b)] += g[(i,a),(j,b)] · (h[i,j] + biasTerm) for the rows of samples `samples` and the
    /// columns on or right of the diagonal, from the panels of ``gramPanel(_:rows:alpha:into:)``: `g` for the
    /// kernel rows of `samples`, `h` for the samples (for j ≥ i the h entry is on or above its diagonal).
    /// In float64 (panel entries widened one by one); contiguous inner loops that vectorize.
    @inlinable
    static func accumulatePanel<G: BLASScalar>(_ result: inout Matrix, _ g: [G], _ h: [G], samples: Range<Int>,
                                               outputs k: Int, biasTerm: Double) {
        let rTotal = result.cols, n = rTotal / k
        let i0 = samples.lowerBound, r0 = i0 * k
        let ldg = rTotal - r0, ldh = n - i0
        result.data.withUnsafeMutableBufferPointer { pr in
            g.withUnsafeBufferPointer { pg in
                h.withUnsafeBufferPointer { ph in
                    for r in (samples.lowerBound * k)..<(samples.upperBound * k) {
                        let i = r / k
                        let base = r * rTotal                       // K row r
                        let grow = (r - r0) * ldg - r0              // g row of r, indexed by K column
                        let hrow = (i - i0) * ldh - i0              // h row of sample i, indexed by sample
                        if k == 1 {
                            for s in r..<rTotal { pr[base + s] += Double(pg[grow + s]) * (Double(ph[hrow + s]) + biasTerm) }
                        } else {
                            // The rest of sample i's block, then whole blocks of k columns per later sample j.
                            let hv = Double(ph[hrow + i]) + biasTerm
                            for s in r..<((i + 1) * k) { pr[base + s] += Double(pg[grow + s]) * hv }
                            for j in (i + 1)..<n {
                                let hv = Double(ph[hrow + j]) + biasTerm
                                for s in (j * k)..<((j + 1) * k) { pr[base + s] += Double(pg[grow + s]) * hv }
                            }
                        }
                    }
                }
            }
        }
    }

    /// result[(i,a),(j,b)] += g[(i,a),(j,b)] · (h[i,j] + biasTerm), in float64 (g and h widened entry by entry).
    ///
    /// Row by row, one h entry per (i, j) block of k columns: the inner loops are contiguous and vectorize.
    @inlinable
    static func accumulate<G: BLASScalar>(_ result: inout Matrix, _ g: DenseMatrix<G>, _ h: DenseMatrix<G>,
                                          outputs k: Int, biasTerm: Double) {
        let cols = result.cols, hc = h.cols
        precondition(g.rows == result.rows && g.cols == cols && h.rows * k == result.rows && hc * k == cols)
        result.data.withUnsafeMutableBufferPointer { pr in
            g.data.withUnsafeBufferPointer { pg in
                h.data.withUnsafeBufferPointer { ph in
                    for r in 0..<result.rows {
                        let hrow = (r / k) * hc
                        let base = r * cols
                        if k == 1 {
                            for s in 0..<cols { pr[base + s] += Double(pg[base + s]) * (Double(ph[hrow + s]) + biasTerm) }
                        } else {
                            for j in 0..<hc {
                                let hv = Double(ph[hrow + j]) + biasTerm
                                let b0 = base + j * k
                                for b in b0..<(b0 + k) { pr[b] += Double(pg[b]) * hv }
                            }
                        }
                    }
                }
            }
        }
    }
}
