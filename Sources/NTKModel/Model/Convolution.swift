/// The arithmetic of one SAME, stride-1 convolution layer on (N·H·W) × C feature maps (Docs/Conventions.md,
/// convolutional networks), as stax `Conv` computes it:
///
///     z = c·P·W + s_b·1·bᵀ
///
/// with P the (N·H·W) × (K²·C_in) patches of the input (``ImagePatches``), W the (K²·C_in) × C_out filter matrix in
/// HWIO order, b the C_out biases, c the weight multiplier (σ_w/√(C_in·K²) under ntk, 1 under standard) and s_b the
/// bias multiplier. Each position is a row, so the layer is a dense layer applied to every patch with shared
/// weights; the backward maps below are its adjoints. Every product is a gemm through ``BLAS``.
public enum Convolution {
    /// z = c·P·W + s_b·b on every row: the (N·H·W) × C_out pre-activations from the patches P.
    ///
    /// - Complexity: one gemm, 2·N·H·W·K²·C_in·C_out flops.
    @inlinable
    public static func forward<Scalar: BLASScalar>(patches: DenseMatrix<Scalar>, weights: DenseMatrix<Scalar>, bias: [Scalar],
                                                   weightMultiplier c: Double, biasMultiplier sb: Double) -> DenseMatrix<Scalar> {
        precondition(patches.cols == weights.rows, "patches have \(patches.cols) columns, the filters \(weights.rows) rows")
        let rows = patches.rows, n = weights.cols
        var z = DenseMatrix<Scalar>(rows: rows, cols: n)
        if sb != 0 && !bias.isEmpty {
            precondition(bias.count == n)
            let row = bias.map { Scalar(sb) * $0 }
            row.withUnsafeBufferPointer { pb in
                z.data.withUnsafeMutableBufferPointer { p in
                    for i in 0..<rows { (p.baseAddress! + i * n).update(from: pb.baseAddress!, count: n) }
                }
            }
        }
        BLAS.gemm(patches, weights, alpha: Scalar(c), beta: 1, into: &z)
        return z
    }

    /// ∂/∂W = c·Pᵀ·Δ for a backward signal Δ = ∂(·)/∂z ((N·H·W) × C_out), summed over positions and images.
    @inlinable
    public static func weightGradient<Scalar: BLASScalar>(patches: DenseMatrix<Scalar>, delta: DenseMatrix<Scalar>,
                                                          weightMultiplier c: Double) -> DenseMatrix<Scalar> {
        BLAS.product(patches, delta, transA: .transposed, alpha: Scalar(c))
    }

    /// ∂/∂b = s_b·Σ_rows Δ (C_out entries).
    @inlinable
    public static func biasGradient<Scalar: BLASScalar>(delta: DenseMatrix<Scalar>, biasMultiplier sb: Double) -> [Scalar] {
        var g = [Scalar](repeating: 0, count: delta.cols)
        BLAS.gemv(delta, [Scalar](repeating: Scalar(sb), count: delta.rows), transA: .transposed, into: &g)
        return g
    }

    /// ∂/∂(input map) = col2im(c·Δ·Wᵀ): the (N·H·W) × C_in backward signal of the layer's input. Δ may hold R
    /// images of rows (several seeds per sample); the result then holds R maps.
    ///
    /// - Complexity: one gemm, 2·R·H·W·K²·C_in·C_out flops, and the col2im additions.
    @inlinable
    public static func inputGradient<Scalar: BLASScalar>(delta: DenseMatrix<Scalar>, weights: DenseMatrix<Scalar>,
                                                         weightMultiplier c: Double, geometry: ConvolutionGeometry) -> DenseMatrix<Scalar> {
        let patchDelta = BLAS.product(delta, weights, transB: .transposed, alpha: Scalar(c))
        return ImagePatches.accumulate(patchDelta, geometry: geometry)
    }

    /// Δ ⊙ φ′ where Δ holds `rowsPerSample` consecutive maps of `positions` rows per sample (seed rows of the
    /// empirical kernel) and φ′ one map per sample: row (r·HW + p) of Δ is multiplied by row ((r / rowsPerSample)·HW + p)
    /// of φ′.
    @inlinable
    public static func multiply<Scalar: BLASScalar>(_ delta: inout DenseMatrix<Scalar>, by phiPrime: DenseMatrix<Scalar>,
                                                    rowsPerSample: Int, positions: Int) {
        precondition(delta.cols == phiPrime.cols && delta.rows == phiPrime.rows * rowsPerSample)
        let block = positions * delta.cols, maps = delta.rows / positions
        delta.data.withUnsafeMutableBufferPointer { pd in
            phiPrime.data.withUnsafeBufferPointer { pp in
                for m in 0..<maps {
                    let dst = pd.baseAddress! + m * block, src = pp.baseAddress! + (m / rowsPerSample) * block
                    for j in 0..<block { dst[j] *= src[j] }
                }
            }
        }
    }
}

/// The numbers of one convolution layer that its kernel term reads: c, s_b (0 without biases) and r.
public struct ConvolutionFactors: Equatable, Sendable {
    /// c, the factor on P·W.
    public var weightMultiplier: Double
    /// s_b, the factor on b (0 without biases).
    public var biasMultiplier: Double
    /// r: GD moves the layer by η·r·∇L.
    public var learningRateScale: Double

    public init(weightMultiplier: Double, biasMultiplier: Double, learningRateScale: Double = 1) {
        self.weightMultiplier = weightMultiplier
        self.biasMultiplier = biasMultiplier
        self.learningRateScale = learningRateScale
    }
}
