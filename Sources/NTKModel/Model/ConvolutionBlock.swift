/// The maps of a convolution block of a CNN (Docs/Conventions.md, convolutional networks): a SAME, stride-1
/// convolution with K × K filters followed by φ,
///
///     z = c·P·W + s_b·b,   a = φ(z)
///
/// on (N·H·W) × C feature maps (``ConvolutionGeometry``), with P the im2col patches of the input (``ImagePatches``)
/// and W the (K²·C_in) × C_out filter matrix in HWIO order. The tensor's ``DenseLayer`` has fan-in K²·C_in and
/// fan-out C_out, so the parameterization's rules give stax `Conv`'s: c = σ_w/√(C_in·K²) under ntk, raw W ~ N(0, 1).
///
/// - Forward: the patches are what W multiplies (kept as the tensor's input), φ′(z) is kept for the backward pass.
/// - Backward: with G = ∂f/∂a per (sample, output) map, the tensor's signal is Δ = G ⊙ φ′(z) and ∂f/∂(input) =
///   col2im(c·Δ·Wᵀ) (``Convolution``).
/// - Gradient: ∂/∂W = c·Pᵀ·Δ, ∂/∂b = s_b·Σ_rows Δ.
/// - Empirical kernel: from per-sample gradients of the one layer (``ConvolutionKernel``), never the Jacobian.
public enum ConvolutionBlock {
    /// φ(c·P·W + s_b·b) on the input map, appending the patches P to `inputs` and φ′(z) to `derivatives`.
    ///
    /// - Complexity: one gemm, 2·N·H·W·K²·C_in·C_out flops, the im2col copies and O(N·H·W·C_out) pointwise work.
    @inlinable
    static func forward<Scalar: NetworkScalar>(_ layer: DenseLayer, geometry: ConvolutionGeometry, _ w: DenseMatrix<Scalar>,
                                               _ bias: [Scalar], _ input: DenseMatrix<Scalar>, inputs: inout [DenseMatrix<Scalar>],
                                               derivatives: inout [DenseMatrix<Scalar>]) -> DenseMatrix<Scalar> {
        let patches = ImagePatches.extract(input, geometry: geometry)
        inputs.append(patches)
        var z = Convolution.forward(patches: patches, weights: w, bias: bias, weightMultiplier: layer.weightMultiplier,
                                    biasMultiplier: layer.biasMultiplier)
        guard let activation = layer.activation else { return z }
        derivatives.append(Scalar.activate(activation, &z))
        return z
    }

    /// Δ = G ⊙ φ′(z) for the upstream maps G (R·H·W rows, H·W per (sample, output) row of the seeds).
    @inlinable
    static func delta<Scalar: BLASScalar>(_ upstream: inout DenseMatrix<Scalar>, derivative: DenseMatrix<Scalar>,
                                          geometry: ConvolutionGeometry, rowsPerSample: Int) {
        Convolution.multiply(&upstream, by: derivative, rowsPerSample: rowsPerSample, positions: geometry.positions)
    }

    /// ∂f/∂(input map) = col2im(c·Δ·Wᵀ).
    @inlinable
    static func inputGradient<Scalar: BLASScalar>(_ layer: DenseLayer, geometry: ConvolutionGeometry, _ w: DenseMatrix<Scalar>,
                                                  _ delta: DenseMatrix<Scalar>) -> DenseMatrix<Scalar> {
        Convolution.inputGradient(delta: delta, weights: w, weightMultiplier: layer.weightMultiplier, geometry: geometry)
    }

    /// ∂/∂W = c·Pᵀ·Δ and ∂/∂b = s_b·Σ_rows Δ (empty without biases), from the patches P kept by the forward pass.
    @inlinable
    static func gradient<Scalar: BLASScalar>(_ layer: DenseLayer, patches: DenseMatrix<Scalar>, delta: DenseMatrix<Scalar>)
        -> (weights: DenseMatrix<Scalar>, bias: [Scalar]) {
        let gw = Convolution.weightGradient(patches: patches, delta: delta, weightMultiplier: layer.weightMultiplier)
        guard layer.hasBias else { return (gw, []) }
        return (gw, Convolution.biasGradient(delta: delta, biasMultiplier: layer.biasMultiplier))
    }

    /// The numbers the kernel term reads.
    @inlinable
    static func factors(_ layer: DenseLayer) -> ConvolutionFactors {
        ConvolutionFactors(weightMultiplier: layer.weightMultiplier, biasMultiplier: layer.hasBias ? layer.biasMultiplier : 0,
                           learningRateScale: layer.learningRateScale)
    }
}
