/// The empirical neural tangent kernel K_θ[(i,a),(j,b)] = ⟨∂f_a(x_i)/∂θ, ∂f_b(x_j)/∂θ⟩ of a ``Network``,
/// computed by the structured per-tensor formula (Docs/Conventions.md#the-structured-empirical-ntk), never
/// through the N·k × P Jacobian: each block adds its tensor's term (``NetworkBlock``); for dense and residual blocks
///
///     K = Σ_l r_l·(D_l D_lᵀ) ⊙ (c_l²·A_{l−1}A_{l−1}ᵀ + s_l²)
///
/// with D_l = ∂f/∂z_l per (sample, output) row, A_{l−1} the layer's inputs, and c_l, s_l and the learning-rate
/// scale r_l from its ``DenseLayer``: the kernel of GD with per-layer rates η·r_l, which is the plain
/// K_θ = J Jᵀ when every r_l = 1 (ntk, standard, mup; n·J Jᵀ under mean-field). Rows and columns are sample-major: index
/// i·k + a for sample i and output a.
///
/// The network may run in float32 (``Network`` of `Float`): its passes and each layer's two Gram products
/// (`ssyrk`) are then single precision, and their entries are widened to float64 in the Hadamard
/// accumulation, so K itself (and everything computed from it) is a float64 matrix summed in float64.
public enum EmpiricalNTK {
    /// Seeds e_a for every (sample, output), R = N·k rows, sample-major: backpropagated by
    /// ``MLP/backpropagate(_:seeds:rowsPerSample:)`` with `rowsPerSample: k` they give D_l.
    @inlinable
    public static func unitSeeds<Scalar: BLASScalar>(samples: Int, outputs k: Int, as _: Scalar.Type = Double.self) -> DenseMatrix<Scalar> {
        var s = DenseMatrix<Scalar>(rows: samples * k, cols: k)
        for i in 0..<samples {
            for a in 0..<k { s[i * k + a, a] = 1 }
        }
        return s
    }

    /// The per-(sample, output) derivatives D_l of `model` on a forward pass.
    @inlinable
    public static func outputDerivatives<Scalar>(_ model: Network<Scalar>, _ pass: ForwardPass<Scalar>) -> [DenseMatrix<Scalar>] {
        let k = model.architecture.outputs
        return model.backpropagate(pass, seeds: unitSeeds(samples: pass.output.rows, outputs: k, as: Scalar.self), rowsPerSample: k)
    }

    /// K_θ(X, X), an (N·k) × (N·k) symmetric matrix.
    ///
    /// - Complexity: O(L·(N·k)²·width) for the Gram products (syrk) plus O(L·N·k·width²) for backpropagation;
    ///   O((N·k)² + N·k·width) memory.
    @inlinable
    public static func kernel<Scalar>(_ model: Network<Scalar>, _ x: Matrix) -> Matrix {
        let pass = model.forward(Scalar.converting(x))
        return kernel(model.architecture, pass, derivatives: outputDerivatives(model, pass))
    }

    /// K_θ(X, X) from a forward pass and its derivatives D_l (shares work with a GD step).
    @inlinable
    public static func kernel<Scalar>(_ architecture: NetworkArchitecture, _ pass: ForwardPass<Scalar>,
                                      derivatives: [DenseMatrix<Scalar>]) -> Matrix {
        let k = architecture.outputs
        let r = pass.output.rows * k
        let blocks = architecture.blocks
        let n = pass.output.rows
        var result = Matrix(rows: r, cols: r)
        guard r > 0 else { return result }
        // K is symmetric: its upper triangle is accumulated in panels of rows, and the lower triangle filled once.
        // A panel holds rows r0..<r1 of each layer's two Gram products from column r0 on (syrk on the diagonal
        // block, gemm right of it: the flops of syrk), so they never take (N·k)² memory (at N = 4096, allocating
        // and zeroing six 128 MB products cost more than their syrk). With N·k ≤ panelRows it is one syrk each.
        let samplesPerPanel = max(1, panelRows / k)
        // Only the entries a panel writes are read: the buffers need no zeroing.
        let gCount = min(n, samplesPerPanel) * k * r, hCount = min(n, samplesPerPanel) * n
        var g = [Scalar](unsafeUninitializedCapacity: gCount) { _, c in c = gCount }
        var h = [Scalar](unsafeUninitializedCapacity: hCount) { _, c in c = hCount }
        for i0 in stride(from: 0, to: n, by: samplesPerPanel) {
            let i1 = min(i0 + samplesPerPanel, n)
            // Each block adds its term (DenseBlock, ResidualBlock), tensor by tensor in order.
            var t = 0
            for block in blocks where block.layer != nil {
                block.accumulateKernelPanel(&result, inputs: pass.inputs[t], derivatives: derivatives[t], samples: i0..<i1, outputs: k, g: &g, h: &h)
                t += 1
            }
        }
        BLAS.symmetrizeFromUpper(&result)
        return result
    }

    /// Kernel rows per panel of ``kernel(_:_:derivatives:)``.
    @usableFromInline
    static let panelRows = 256

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

    /// K_θ(X₁, X₂), an (N₁·k) × (N₂·k) matrix: the cross-kernel between two sets of inputs.
    ///
    /// - Complexity: O(L·N₁·N₂·k²·width + L·(N₁+N₂)·k·width²).
    @inlinable
    public static func kernel<Scalar>(_ model: Network<Scalar>, _ x1: Matrix, _ x2: Matrix) -> Matrix {
        let p1 = model.forward(Scalar.converting(x1)), p2 = model.forward(Scalar.converting(x2))
        let d1 = outputDerivatives(model, p1), d2 = outputDerivatives(model, p2)
        let k = model.architecture.outputs
        var result = Matrix(rows: x1.rows * k, cols: x2.rows * k)
        var t = 0
        for block in model.architecture.blocks where block.layer != nil {
            block.accumulateCrossKernel(&result, inputs1: p1.inputs[t], derivatives1: d1[t], inputs2: p2.inputs[t], derivatives2: d2[t], outputs: k)
            t += 1
        }
        return result
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
