/// A fully connected network f(x) = z_{H+1}, z_l = c_l·a_{l−1}W_l + s_b·b_l, a_l = φ(z_l), a_0 = x,
/// with c_l and s_b from each layer's ``DenseLayer`` description (Docs/Conventions.md#model). Inputs are rows of a matrix.
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

    /// The forward pass on the rows of `x` (N × n_0), keeping what backpropagation needs.
    ///
    /// - Complexity: one gemm per layer, 2·N·n_{l−1}·n_l flops, plus O(N·n_l) pointwise work.
    @inlinable
    public func forward(_ x: DenseMatrix<Scalar>) -> ForwardPass<Scalar> {
        precondition(x.cols == architecture.inputDim, "input has \(x.cols) columns, the network expects \(architecture.inputDim)")
        var inputs = [x]
        var derivatives: [DenseMatrix<Scalar>] = []
        for (l, layer) in architecture.layers.enumerated() {
            let w = parameters.weights[l]
            let sb = Scalar(layer.biasMultiplier)
            // Every entry is written below (the bias rows, or gemm with β = 0 over w.rows > 0 terms).
            var z = sb != 0 || w.rows > 0 ? DenseMatrix<Scalar>(uninitializedRows: x.rows, cols: w.cols)
                : DenseMatrix<Scalar>(rows: x.rows, cols: w.cols)
            if sb != 0 {
                // Each row starts as s_b·b_l: one row computed, then copied (contiguous copies, no index arithmetic).
                let row = parameters.biases[l].map { sb * $0 }
                let n = w.cols
                row.withUnsafeBufferPointer { pb in
                    z.data.withUnsafeMutableBufferPointer { p in
                        for i in 0..<x.rows { (p.baseAddress! + i * n).update(from: pb.baseAddress!, count: n) }
                    }
                }
            }
            BLAS.gemm(inputs[l], w, alpha: Scalar(layer.weightMultiplier), beta: sb != 0 ? 1 : 0, into: &z)
            guard let activation = layer.activation else {
                return ForwardPass(inputs: inputs, derivatives: derivatives, output: z)
            }
            derivatives.append(Scalar.activate(activation, &z))
            inputs.append(z)
        }
        fatalError("unreachable: the readout layer has no activation and returns")
    }

    /// The forward pass on float64 inputs (rounded to `Scalar`; no copy for `Double`).
    @inlinable
    public func forward(_ x: Matrix) -> ForwardPass<Scalar> where Scalar == Float {
        forward(Scalar.converting(x))
    }

    /// f(x) for the rows of `x`, an N × k float64 matrix (computed in `Scalar`).
    @inlinable
    public func callAsFunction(_ x: Matrix) -> Matrix { Scalar.float64(forward(Scalar.converting(x)).output) }

    /// Backpropagates output-side seeds through a forward pass.
    ///
    /// Row r of `seeds` (R × k) is a covector on the output of sample r / `rowsPerSample`. The result
    /// holds, for each layer l = 0..<layerCount, Δ_l (R × n_{l+1}) with Δ_last = seeds and
    /// Δ_{l−1} = (c_l·Δ_l·W_lᵀ) ⊙ φ′(z_{l−1}) for the sample of each row.
    /// Seeds e_a for every (sample, output) give D_l = ∂f_a(x_i)/∂z_l (used by the NTK); seeds equal to
    /// ∂L/∂f give the loss gradient's backward signal.
    ///
    /// - Complexity: one gemm per hidden layer, 2·R·n_l·n_{l−1} flops.
    @inlinable
    public func backpropagate(_ pass: ForwardPass<Scalar>, seeds: DenseMatrix<Scalar>, rowsPerSample: Int = 1) -> [DenseMatrix<Scalar>] {
        precondition(seeds.cols == architecture.outputs && seeds.rows == pass.output.rows * rowsPerSample)
        var deltas = [DenseMatrix<Scalar>](repeating: DenseMatrix(rows: 0, cols: 0), count: architecture.layerCount)
        deltas[architecture.depth] = seeds
        let layers = architecture.layers
        var l = architecture.depth
        while l > 0 {
            let w = parameters.weights[l]
            // gemm (β = 0) over n_{l+1} > 0 terms writes every entry.
            var d = w.cols > 0 ? DenseMatrix<Scalar>(uninitializedRows: seeds.rows, cols: w.rows)
                : DenseMatrix<Scalar>(rows: seeds.rows, cols: w.rows)
            BLAS.gemm(deltas[l], w, transB: .transposed, alpha: Scalar(layers[l].weightMultiplier), into: &d)
            let phiPrime = pass.derivatives[l - 1]
            let n = d.cols
            d.data.withUnsafeMutableBufferPointer { pd in
                phiPrime.data.withUnsafeBufferPointer { pp in
                    for r in 0..<d.rows {
                        // Row pointers: the inner loop has no index arithmetic to check.
                        let dst = pd.baseAddress! + r * n, src = pp.baseAddress! + (r / rowsPerSample) * n
                        for j in 0..<n { dst[j] *= src[j] }
                    }
                }
            }
            deltas[l - 1] = d
            l -= 1
        }
        return deltas
    }

    /// The gradient Σ_r ∂/∂θ of the backward signals `deltas` (one row per sample, from
    /// ``backpropagate(_:seeds:rowsPerSample:)`` with one row per sample).
    ///
    /// ∂/∂W_l = c_l·A_{l−1}ᵀΔ_l and ∂/∂b_l = s_b·Σ_rows Δ_l.
    /// - Complexity: one gemm per layer, 2·N·n_{l−1}·n_l flops.
    @inlinable
    public func gradient(_ pass: ForwardPass<Scalar>, deltas: [DenseMatrix<Scalar>]) -> NetworkParameters<Scalar> {
        var gw: [DenseMatrix<Scalar>] = []
        var gb: [[Scalar]] = []
        for (l, layer) in architecture.layers.enumerated() {
            let a = pass.inputs[l]
            gw.append(BLAS.product(a, deltas[l], transA: .transposed, alpha: Scalar(layer.weightMultiplier)))
            if layer.hasBias {
                var g = [Scalar](repeating: 0, count: deltas[l].cols)
                BLAS.gemv(deltas[l], [Scalar](repeating: Scalar(layer.biasMultiplier), count: deltas[l].rows), transA: .transposed, into: &g)
                gb.append(g)
            } else {
                gb.append([])
            }
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
    /// A_0 = X, A_1, …, A_H: the inputs of each weight layer (N × n_l).
    public let inputs: [DenseMatrix<Scalar>]
    /// φ′(z_1), …, φ′(z_H) (N × n_l).
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
