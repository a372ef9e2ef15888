/// A convolution layer's term of the structured empirical NTK (Docs/Conventions.md, convolutional networks), from
/// per-sample weight gradients of that one layer, never the N·k × P Jacobian of the network:
///
///     G_(i,a) = (c·P_iᵀ·D_(i,a),  s_b·Σ_p D_(i,a),p)           K[(i,a),(j,b)] += r·⟨G_(i,a), G_(j,b)⟩
///
/// with P_i the H·W × K²·C_in patches of sample i (``ImagePatches``), D_(i,a) = ∂f_a(x_i)/∂z (H·W × C_out), c and
/// s_b the layer's multipliers and r its learning-rate scale. Rows are sample-major (i·k + a). The gradients of
/// all N·k rows are formed for a slice of the patch columns at a time (at most ``panelEntries`` entries) and
/// each slice is added by one syrk (or, between two input sets, one gemm).
///
/// Measured against Gram products over positions, Σ_{p,q} ⟨D_ip, D_jq⟩·(c²⟨P_ip, P_jq⟩ + s_b²), on N = 256
/// 8 × 8 images with 64 channels, K = 3 (Docs/Performance.md, "CNN kernel: per-sample gradients or Gram products").
public enum ConvolutionKernel {
    /// The most entries a slice of per-sample gradients holds (32 MB in float64).
    @usableFromInline
    static let panelEntries = 1 << 22

    /// result += r·G·Gᵀ for the layer's per-sample gradients G: its term of K_θ(X, X).
    ///
    /// - Parameters:
    ///   - patches: the (N·H·W) × K²·C_in patches of the layer's input.
    ///   - derivatives: the (N·k·H·W) × C_out derivatives ∂f_a(x_i)/∂z, H·W rows per (sample, output), sample-major.
    /// - Complexity: 2·N·k·H·W·K²·C_in·C_out flops for G, (N·k)²·(K²·C_in + 1)·C_out for the syrk.
    @inlinable
    public static func accumulate<Scalar: BLASScalar>(into result: inout Matrix, patches: DenseMatrix<Scalar>,
                                                      derivatives: DenseMatrix<Scalar>, positions: Int, layer: ConvolutionFactors,
                                                      sliceEntries: Int = panelEntries) {
        let rows = derivatives.rows / positions
        precondition(result.rows == rows && result.cols == rows, "the kernel is \(result.rows)×\(result.cols), the layer has \(rows) seed rows")
        var gram = DenseMatrix<Scalar>(rows: rows, cols: rows)
        guard rows > 0 else { return }
        var first = true
        forEachSlice(patches: patches, derivatives: derivatives, positions: positions, layer: layer, sliceEntries: sliceEntries) { g in
            g.data.withUnsafeBufferPointer { pg in
                gram.data.withUnsafeMutableBufferPointer { pk in
                    Scalar.syrkUpper(n: rows, k: g.cols, alpha: Scalar(layer.learningRateScale), pg.baseAddress!, lda: g.cols,
                                     beta: first ? 0 : 1, pk.baseAddress!, ldc: rows)
                }
            }
            first = false
        }
        BLAS.symmetrizeFromUpper(&gram)
        add(gram, to: &result)
    }

    /// result += r·G₁·G₂ᵀ: the layer's term of K_θ(X₁, X₂) from the patches and derivatives of the two input sets.
    @inlinable
    public static func accumulate<Scalar: BLASScalar>(into result: inout Matrix, patches1: DenseMatrix<Scalar>, derivatives1: DenseMatrix<Scalar>,
                                                      patches2: DenseMatrix<Scalar>, derivatives2: DenseMatrix<Scalar>,
                                                      positions: Int, layer: ConvolutionFactors, sliceEntries: Int = panelEntries) {
        let rows1 = derivatives1.rows / positions, rows2 = derivatives2.rows / positions
        precondition(result.rows == rows1 && result.cols == rows2)
        var cross = DenseMatrix<Scalar>(rows: rows1, cols: rows2)
        guard rows1 > 0 && rows2 > 0 else { return }
        // One slice width for both sets, so that their slices cover the same columns of G.
        let length = sliceLength(rows: max(rows1, rows2), patchLength: patches1.cols, channels: derivatives1.cols, entries: sliceEntries)
        let alpha = Scalar(layer.learningRateScale)
        for p0 in stride(from: 0, to: patches1.cols, by: length) {
            let columns = p0..<min(p0 + length, patches1.cols)
            let g1 = gradientSlice(patches: patches1, derivatives: derivatives1, positions: positions, layer: layer, patchColumns: columns)
            let g2 = gradientSlice(patches: patches2, derivatives: derivatives2, positions: positions, layer: layer, patchColumns: columns)
            BLAS.gemm(g1, g2, transB: .transposed, alpha: alpha, beta: 1, into: &cross)
        }
        if layer.biasMultiplier != 0 {
            let s1 = biasGradients(derivatives: derivatives1, positions: positions, layer: layer)
            let s2 = biasGradients(derivatives: derivatives2, positions: positions, layer: layer)
            BLAS.gemm(s1, s2, transB: .transposed, alpha: alpha, beta: 1, into: &cross)
        }
        add(cross, to: &result)
    }

    /// The number of patch columns per slice: as many as keep rows × columns × C_out within `entries`
    /// (``panelEntries`` unless a test asks for thinner slices).
    @inlinable
    static func sliceLength(rows: Int, patchLength: Int, channels: Int, entries: Int) -> Int {
        max(1, min(patchLength, entries / max(1, rows * channels)))
    }

    /// Calls `body` with the per-sample gradients G restricted to successive slices of the patch columns
    /// (``gradientSlice(patches:derivatives:positions:layer:patchColumns:)``), and last, when the layer has biases,
    /// with the bias gradients (``biasGradients(derivatives:positions:layer:)``).
    @inlinable
    static func forEachSlice<Scalar: BLASScalar>(patches: DenseMatrix<Scalar>, derivatives: DenseMatrix<Scalar>, positions: Int,
                                                 layer: ConvolutionFactors, sliceEntries: Int, _ body: (DenseMatrix<Scalar>) -> Void) {
        let pl = patches.cols
        let length = sliceLength(rows: derivatives.rows / positions, patchLength: pl, channels: derivatives.cols, entries: sliceEntries)
        for p0 in stride(from: 0, to: pl, by: length) {
            body(gradientSlice(patches: patches, derivatives: derivatives, positions: positions, layer: layer,
                               patchColumns: p0..<min(p0 + length, pl)))
        }
        if layer.biasMultiplier != 0 { body(biasGradients(derivatives: derivatives, positions: positions, layer: layer)) }
    }

    /// The R × (|columns|·C_out) slice of the per-sample weight gradients: row r = i·k + a is c·P_iᵀ·D_r on the patch
    /// columns `columns` (row-major, C_out per patch column). One small gemm per row.
    @inlinable
    static func gradientSlice<Scalar: BLASScalar>(patches: DenseMatrix<Scalar>, derivatives: DenseMatrix<Scalar>, positions: Int,
                                                  layer: ConvolutionFactors, patchColumns columns: Range<Int>) -> DenseMatrix<Scalar> {
        let pl = patches.cols, cOut = derivatives.cols, rows = derivatives.rows / positions
        let samples = patches.rows / positions
        precondition(samples > 0 && rows % samples == 0, "\(rows) seed rows for \(samples) samples")
        let k = rows / samples, len = columns.count, p0 = columns.lowerBound
        let c = Scalar(layer.weightMultiplier)
        var g = DenseMatrix<Scalar>(uninitializedRows: rows, cols: len * cOut)
        patches.data.withUnsafeBufferPointer { pp in
            derivatives.data.withUnsafeBufferPointer { pd in
                g.data.withUnsafeMutableBufferPointer { pg in
                    for r in 0..<rows {
                        Scalar.gemm(.transposed, .none, m: len, n: cOut, k: positions, alpha: c,
                                    pp.baseAddress! + (r / k) * positions * pl + p0, lda: pl,
                                    pd.baseAddress! + r * positions * cOut, ldb: cOut,
                                    beta: 0, pg.baseAddress! + r * len * cOut, ldc: cOut)
                    }
                }
            }
        }
        return g
    }

    /// The R × C_out bias gradients, row r: s_b·Σ_p D_r,p.
    @inlinable
    static func biasGradients<Scalar: BLASScalar>(derivatives: DenseMatrix<Scalar>, positions: Int,
                                                  layer: ConvolutionFactors) -> DenseMatrix<Scalar> {
        SpatialPooling.positionSums(derivatives, positions: positions, scale: Scalar(layer.biasMultiplier))
    }

    /// result += m, widened to float64 entry by entry.
    @inlinable
    static func add<Scalar: BLASScalar>(_ m: DenseMatrix<Scalar>, to result: inout Matrix) {
        precondition(m.rows == result.rows && m.cols == result.cols)
        result.data.withUnsafeMutableBufferPointer { pr in
            m.data.withUnsafeBufferPointer { pm in
                for i in 0..<pr.count { pr[i] += Double(pm[i]) }
            }
        }
    }
}
