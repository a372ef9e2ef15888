/// A network as a composition of blocks (``NetworkBlock``, ``NetworkArchitecture/blocks``): for the MLP
/// f(x) = z_{H+1}, z_l = c_l·a_{l−1}W_l + s_b·b_l, a_l = φ(z_l), a_0 = x, with c_l and s_b from each layer's
/// ``DenseLayer`` description (Docs/Conventions.md#model); for a ResNet an input dense layer, residual blocks and a
/// readout (``ResidualBlock``). Inputs are rows of a matrix.
///
/// `Scalar` is the precision of the parameters and of every pass: `Double` (``MLP``), or `Float` for
/// `--precision float32`, where each gemm is an sgemm. The arithmetic is the same; only its rounding differs.
/// The passes are `@inlinable` so that callers in other modules (ntk-bench, the tests) get code specialized
/// to their scalar instead of the unspecialized generic loops.
public struct Network<Scalar: NetworkScalar>: Sendable {
    public let architecture: NetworkArchitecture
    public var parameters: NetworkParameters<Scalar>

    @inlinable
    public init(architecture: NetworkArchitecture, parameters: NetworkParameters<Scalar>) {
        precondition(parameters.weights.count == architecture.layerCount)
        self.architecture = architecture
        self.parameters = parameters
    }

    /// The network with the same architecture and `other`'s parameters rounded to this precision.
    @inlinable
    public init<Other: NetworkScalar>(converting other: Network<Other>) {
        self.init(architecture: other.architecture, parameters: NetworkParameters(converting: other.parameters))
    }

    /// The forward pass on the rows of `x` (N × n_0), keeping what backpropagation needs: the blocks of
    /// ``NetworkArchitecture/blocks`` applied in order (``NetworkBlock``).
    ///
    /// - Complexity: one gemm per parameter tensor, 2·N·fanIn·fanOut flops, plus O(N·width) pointwise work.
    @inlinable
    public func forward(_ x: DenseMatrix<Scalar>) -> ForwardPass<Scalar> {
        precondition(x.cols == architecture.inputDim, "input has \(x.cols) columns, the network expects \(architecture.inputDim)")
        var inputs: [DenseMatrix<Scalar>] = []
        var derivatives: [DenseMatrix<Scalar>] = []
        var current = x
        var tensor = 0
        for block in architecture.blocks {
            current = block.forward(current, parameters, tensor: tensor, inputs: &inputs, derivatives: &derivatives)
            if block.layer != nil { tensor += 1 }
        }
        return ForwardPass(inputs: inputs, derivatives: derivatives, output: current)
    }

    /// The forward pass on float64 inputs (rounded to `Scalar`; no copy for `Double`).
    @inlinable
    public func forward(_ x: Matrix) -> ForwardPass<Scalar> where Scalar == Float {
        forward(Scalar.converting(x))
    }

    /// f(x) for the rows of `x`, an N × k float64 matrix (computed in `Scalar`).
    @inlinable
    public func callAsFunction(_ x: Matrix) -> Matrix { Scalar.float64(forward(Scalar.converting(x)).output) }

    /// Backpropagates output-side seeds through a forward pass, block by block from the readout back
    /// (``NetworkBlock``).
    ///
    /// Row r of `seeds` (R × k) is a covector on the output of sample r / `rowsPerSample`. The result holds, for
    /// each parameter tensor t = 0..<layerCount, Δ_t = ∂(seed·f)/∂z_t (R × fanOut_t), with z_t = c_t·A_tW_t + s_t·b_t
    /// the tensor's affine output: for an MLP Δ_last = seeds and Δ_{l−1} = (c_l·Δ_l·W_lᵀ) ⊙ φ′(z_{l−1}); a residual
    /// block adds its skip (``ResidualBlock``).
    /// Seeds e_a for every (sample, output) give D_t = ∂f_a(x_i)/∂z_t (used by the NTK); seeds equal to
    /// ∂L/∂f give the loss gradient's backward signal.
    ///
    /// - Complexity: one gemm per tensor after the first, 2·R·fanIn·fanOut flops.
    @inlinable
    public func backpropagate(_ pass: ForwardPass<Scalar>, seeds: DenseMatrix<Scalar>, rowsPerSample: Int = 1) -> [DenseMatrix<Scalar>] {
        precondition(seeds.cols == architecture.outputs && seeds.rows == pass.output.rows * rowsPerSample)
        var deltas = [DenseMatrix<Scalar>](repeating: DenseMatrix(rows: 0, cols: 0), count: architecture.layerCount)
        let blocks = architecture.blocks
        var upstream = seeds
        var tensor = architecture.layerCount
        var activation = pass.derivatives.count
        // The first block's input is x: nothing below it needs ∂f/∂x.
        let firstTensorBlock = blocks.firstIndex { $0.layer != nil } ?? 0
        for b in blocks.indices.reversed() {
            if blocks[b].layer != nil { tensor -= 1 }
            blocks[b].backward(&upstream, pass, parameters, tensor: tensor, activation: &activation, rowsPerSample: rowsPerSample,
                               deltas: &deltas, needsInputGradient: b > firstTensorBlock)
        }
        return deltas
    }

    /// The gradient Σ_r ∂/∂θ of the backward signals `deltas` (one row per sample, from
    /// ``backpropagate(_:seeds:rowsPerSample:)`` with one row per sample).
    ///
    /// For each tensor ∂/∂W_t = c_t·A_tᵀΔ_t and ∂/∂b_t = s_t·Σ_rows Δ_t (``DenseBlock``).
    /// - Complexity: one gemm per tensor, 2·N·fanIn·fanOut flops.
    @inlinable
    public func gradient(_ pass: ForwardPass<Scalar>, deltas: [DenseMatrix<Scalar>]) -> NetworkParameters<Scalar> {
        var gw: [DenseMatrix<Scalar>] = []
        var gb: [[Scalar]] = []
        for block in architecture.blocks where block.layer != nil {
            let t = gw.count
            let g = block.gradient(input: pass.inputs[t], delta: deltas[t])
            gw.append(g.weights)
            gb.append(g.bias)
        }
        return NetworkParameters(weights: gw, biases: gb)
    }
}

extension Network where Scalar == Double {
    /// A float64 network with parameters drawn from `rng`.
    public init(architecture: NetworkArchitecture, rng: inout RandomSource) {
        self.init(architecture: architecture, parameters: NetworkParameters<Double>(initializing: architecture, rng: &rng))
    }
}

/// What a forward pass keeps for backpropagation and for the NTK, in the network's precision.
public struct ForwardPass<Scalar: NetworkScalar>: Sendable {
    /// A_t for each parameter tensor t: what W_t multiplies (N × fanIn_t). MLP: A_0 = X, A_1, …, A_H; ResNet:
    /// X, φ(h_0), …, φ(h_{L−1}), h_L.
    public let inputs: [DenseMatrix<Scalar>]
    /// φ′ of every activation the blocks apply, in forward order (N × its width). MLP: φ′(z_1), …, φ′(z_H);
    /// ResNet: φ′(h_0), …, φ′(h_{L−1}).
    public let derivatives: [DenseMatrix<Scalar>]
    /// f(X), N × k.
    public let output: DenseMatrix<Scalar>

    @inlinable
    public init(inputs: [DenseMatrix<Scalar>], derivatives: [DenseMatrix<Scalar>], output: DenseMatrix<Scalar>) {
        self.inputs = inputs
        self.derivatives = derivatives
        self.output = output
    }
}
