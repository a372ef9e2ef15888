/// The maps of a ``NetworkBlock/dense(_:)`` block: z = c·aW + s·b (one gemm), then a = φ(z) for a hidden layer
/// or the linear z for an input layer of a ResNet and for the readout (Docs/Conventions.md#model). c, s and φ come
/// from its ``DenseLayer``.
///
/// - Backward: with G = ∂f/∂a per row, Δ = G ⊙ φ′(z) (G itself without φ) is the tensor's signal ∂f/∂z, and
///   ∂f/∂(input) = c·ΔWᵀ.
/// - Gradient: ∂/∂W = c·AᵀΔ, ∂/∂b = s·Σ_rows Δ.
/// - Empirical kernel: r·(D Dᵀ) ⊙ (c²·A Aᵀ + s²), with D the per-(sample, output) signals and A the inputs
///   (Docs/Conventions.md#the-structured-empirical-ntk).
///
/// These are, operation for operation, the passes of the MLP before blocks existed, so every MLP output is
/// unchanged bit for bit (Scripts/check-reproduction.sh).
public enum DenseBlock {
    /// The block's output on `input`, appending φ′(z) to `derivatives` when the layer has an activation.
    ///
    /// - Complexity: one gemm, 2·N·fanIn·fanOut flops, plus O(N·fanOut) pointwise work.
    @inlinable
    static func forward<Scalar: NetworkScalar>(_ layer: DenseLayer, _ w: DenseMatrix<Scalar>, _ bias: [Scalar], _ input: DenseMatrix<Scalar>,
                                               derivatives: inout [DenseMatrix<Scalar>]) -> DenseMatrix<Scalar> {
        let sb = Scalar(layer.biasMultiplier)
        // Every entry is written below (the bias rows, or gemm with β = 0 over w.rows > 0 terms).
        var z = sb != 0 || w.rows > 0 ? DenseMatrix<Scalar>(uninitializedRows: input.rows, cols: w.cols)
            : DenseMatrix<Scalar>(rows: input.rows, cols: w.cols)
        if sb != 0 { setBiasRows(&z, sb, bias) }
        BLAS.gemm(input, w, alpha: Scalar(layer.weightMultiplier), beta: sb != 0 ? 1 : 0, into: &z)
        if let activation = layer.activation { derivatives.append(Scalar.activate(activation, &z)) }
        return z
    }

    /// Sets every row of `z` to s·b: one row computed, then copied (contiguous copies, no index arithmetic).
    @inlinable
    static func setBiasRows<Scalar: BLASScalar>(_ z: inout DenseMatrix<Scalar>, _ sb: Scalar, _ bias: [Scalar]) {
        let row = bias.map { sb * $0 }
        let n = z.cols, rows = z.rows
        row.withUnsafeBufferPointer { pb in
            z.data.withUnsafeMutableBufferPointer { p in
                for i in 0..<rows { (p.baseAddress! + i * n).update(from: pb.baseAddress!, count: n) }
            }
        }
    }

    /// ∂f/∂(input) = c·ΔWᵀ for the tensor's signal Δ (R × fanOut).
    ///
    /// - Complexity: one gemm, 2·R·fanIn·fanOut flops.
    @inlinable
    static func inputGradient<Scalar: BLASScalar>(_ layer: DenseLayer, _ w: DenseMatrix<Scalar>, _ delta: DenseMatrix<Scalar>) -> DenseMatrix<Scalar> {
        // gemm (β = 0) over fanOut > 0 terms writes every entry.
        var d = w.cols > 0 ? DenseMatrix<Scalar>(uninitializedRows: delta.rows, cols: w.rows)
            : DenseMatrix<Scalar>(rows: delta.rows, cols: w.rows)
        BLAS.gemm(delta, w, transB: .transposed, alpha: Scalar(layer.weightMultiplier), into: &d)
        return d
    }

    /// ∂/∂W = c·AᵀΔ and ∂/∂b = s·Σ_rows Δ (empty without biases), summed over the rows of `input` A and `delta` Δ.
    @inlinable
    static func gradient<Scalar: BLASScalar>(_ layer: DenseLayer, input: DenseMatrix<Scalar>, delta: DenseMatrix<Scalar>)
        -> (weights: DenseMatrix<Scalar>, bias: [Scalar]) {
        let gw = BLAS.product(input, delta, transA: .transposed, alpha: Scalar(layer.weightMultiplier))
        guard layer.hasBias else { return (gw, []) }
        var g = [Scalar](repeating: 0, count: delta.cols)
        BLAS.gemv(delta, [Scalar](repeating: Scalar(layer.biasMultiplier), count: delta.rows), transA: .transposed, into: &g)
        return (gw, g)
    }

    /// Adds r·(D Dᵀ) ⊙ (c²·A Aᵀ + s²) for the kernel rows of `samples` (upper triangle), through the panels of
    /// ``EmpiricalNTK/gramPanel(_:rows:alpha:into:)``.
    @inlinable
    static func accumulateKernelPanel<Scalar: BLASScalar>(_ layer: DenseLayer, _ result: inout Matrix, inputs: DenseMatrix<Scalar>,
                                                          derivatives: DenseMatrix<Scalar>, samples: Range<Int>, outputs k: Int,
                                                          g: inout [Scalar], h: inout [Scalar]) {
        EmpiricalNTK.gramPanel(derivatives, rows: (samples.lowerBound * k)..<(samples.upperBound * k), alpha: Scalar(layer.learningRateScale), into: &g)
        EmpiricalNTK.gramPanel(inputs, rows: samples, alpha: Scalar(layer.weightMultiplier * layer.weightMultiplier), into: &h)
        EmpiricalNTK.accumulatePanel(&result, g, h, samples: samples, outputs: k, biasTerm: layer.biasMultiplier * layer.biasMultiplier)
    }

    /// Adds r·(D₁ D₂ᵀ) ⊙ (c²·A₁ A₂ᵀ + s²) into the cross-kernel `result`.
    @inlinable
    static func accumulateCrossKernel<Scalar: BLASScalar>(_ layer: DenseLayer, _ result: inout Matrix, inputs1: DenseMatrix<Scalar>,
                                                          derivatives1: DenseMatrix<Scalar>, inputs2: DenseMatrix<Scalar>,
                                                          derivatives2: DenseMatrix<Scalar>, outputs k: Int) {
        let c = layer.weightMultiplier, s = layer.biasMultiplier
        let g = BLAS.product(derivatives1, derivatives2, transB: .transposed, alpha: Scalar(layer.learningRateScale))
        let h = BLAS.product(inputs1, inputs2, transB: .transposed, alpha: Scalar(c * c))
        EmpiricalNTK.accumulate(&result, g, h, outputs: k, biasTerm: s * s)
    }
}
