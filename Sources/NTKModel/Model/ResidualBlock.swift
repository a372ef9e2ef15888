/// The maps of a ``NetworkBlock/residual(_:)`` block of a ResNet (Docs/Conventions.md#resnet):
///
///     h ← h + s·(c·φ(h)W + s_b·b)
///
/// with the branch scale s = ``BranchScale/factor(depth:)`` folded into the block's ``DenseLayer``: its
/// `weightMultiplier` is s·c, its `biasMultiplier` s·s_b, and its infinite-width maps carry s² (under ntk, stax's
/// `Dense(W_std = s·σ_w, b_std = s·σ_b)` on the branch). Its `activation` is the φ applied to the block's input.
///
/// - Forward: A = φ(h) is what W multiplies (kept in ``ForwardPass/inputs``), φ′(h) is kept for the backward pass,
///   and the branch is added to h in place (bias rows added, then one gemm with β = 1).
/// - Backward: with G = ∂f/∂h_out, the tensor's signal is Δ = G itself (the branch output enters f only through
///   h_out), and ∂f/∂h_in = G + (s·c·ΔWᵀ) ⊙ φ′(h_in).
/// - Gradient and empirical kernel: those of a dense tensor (``DenseBlock``) with these multipliers, so the kernel
///   term is r·(D Dᵀ) ⊙ (s²c²·φ(h)φ(h)ᵀ + s²s_b²) with D = ∂f/∂h_out; the Jacobian is never formed.
public enum ResidualBlock {
    /// h + s·(c·φ(h)W + s_b·b) on the rows of `h`, appending φ(h) to `inputs` and φ′(h) to `derivatives`.
    ///
    /// - Complexity: one gemm, 2·N·n² flops, plus O(N·n) pointwise work.
    @inlinable
    static func forward<Scalar: NetworkScalar>(_ layer: DenseLayer, _ w: DenseMatrix<Scalar>, _ bias: [Scalar], _ h: DenseMatrix<Scalar>,
                                               inputs: inout [DenseMatrix<Scalar>], derivatives: inout [DenseMatrix<Scalar>]) -> DenseMatrix<Scalar> {
        guard let activation = layer.activation else { preconditionFailure("a residual block applies φ to its input") }
        var a = h
        derivatives.append(Scalar.activate(activation, &a))
        inputs.append(a)
        var out = h
        let sb = Scalar(layer.biasMultiplier)
        if sb != 0 {
            let n = out.cols
            let row = bias.map { sb * $0 }
            out.data.withUnsafeMutableBufferPointer { p in
                row.withUnsafeBufferPointer { pb in
                    for i in 0..<out.rows {
                        let dst = p.baseAddress! + i * n
                        for j in 0..<n { dst[j] += pb[j] }
                    }
                }
            }
        }
        BLAS.gemm(a, w, alpha: Scalar(layer.weightMultiplier), beta: 1, into: &out)
        return out
    }

    /// ∂f/∂h_in = G + (s·c·G Wᵀ) ⊙ φ′(h_in) for G = ∂f/∂h_out (R rows; row r belongs to sample r / `rowsPerSample`).
    ///
    /// - Complexity: one gemm, 2·R·n² flops.
    @inlinable
    static func inputGradient<Scalar: BLASScalar>(_ layer: DenseLayer, _ w: DenseMatrix<Scalar>, _ upstream: DenseMatrix<Scalar>,
                                                  derivative: DenseMatrix<Scalar>, rowsPerSample: Int) -> DenseMatrix<Scalar> {
        var d = DenseBlock.inputGradient(layer, w, upstream)
        multiplyRows(&d, by: derivative, rowsPerSample: rowsPerSample)
        BLAS.axpy(1, upstream.data, &d.data)
        return d
    }
}
