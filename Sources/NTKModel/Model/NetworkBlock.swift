/// One block of a network, as stax composes layers (Docs/Architecture.md#blocks): the network is a list of blocks
/// applied in order, each with its forward map, its backward map (to its input and to its parameters) and its
/// contribution to the structured empirical kernel (``EmpiricalNTK``). An MLP is `.dense` blocks only, a ResNet is
/// an input `.dense`, `.residual` blocks and a readout `.dense` (``NetworkArchitecture/blocks``).
///
/// Each kind's arithmetic lives in its own file (DenseBlock.swift, ResidualBlock.swift, ConvolutionBlock.swift,
/// SpatialPooling.swift); this file only dispatches.
/// Adding a kind (a convolution, a pooling) is one new file with its four maps, one case here and one arm in each
/// switch below. A block holds zero or one parameter tensor: tensor t (a weight matrix W_t and bias b_t of
/// ``NetworkParameters``) is described by a ``DenseLayer``, and ``ForwardPass/inputs``[t] keeps what W_t multiplies.
/// A parameterless block (a pooling) keeps nothing and owns no tensor index.
///
/// An enum rather than a protocol: the passes switch once per block and then run loops specialized on `Scalar`
/// (no existential and no witness table per entry).
public enum NetworkBlock: Equatable, Sendable {
    /// z = c·aW + s·b, followed by φ when the layer has an activation (a hidden layer) and linear otherwise
    /// (an input layer of a ResNet, a readout). ``DenseBlock``.
    case dense(DenseLayer)
    /// h ← h + c·φ(h)W + s·b, with the branch scale already folded into c and s (``ResidualBlock``): the layer's
    /// activation is the φ applied to the block's input.
    case residual(DenseLayer)
    /// a = φ(c·P·W + s·b) on (N·H·W) × C maps, P the im2col patches of the input map (``ConvolutionBlock``): a SAME,
    /// stride-1 convolution of this geometry; the layer's fan-in is K²·C_in.
    case convolution(DenseLayer, ConvolutionGeometry)
    /// gap or flatten of a map of `positions` rows per sample and `channels` columns (``SpatialPooling``); no parameters.
    case pooling(Pooling, positions: Int, channels: Int)

    /// The description of the block's parameter tensor, or nil for a parameterless block.
    public var layer: DenseLayer? {
        switch self {
        case .dense(let layer), .residual(let layer), .convolution(let layer, _): layer
        case .pooling: nil
        }
    }

    /// The forward map of the block on `input` (N × its input width), with tensor `tensor`'s parameters.
    /// Appends to `inputs` what the tensor multiplies and to `derivatives` φ′ of every activation it applies,
    /// in the order the backward pass pops them.
    @inlinable
    func forward<Scalar: NetworkScalar>(_ input: DenseMatrix<Scalar>, _ parameters: NetworkParameters<Scalar>, tensor: Int,
                                        inputs: inout [DenseMatrix<Scalar>], derivatives: inout [DenseMatrix<Scalar>]) -> DenseMatrix<Scalar> {
        switch self {
        case .dense(let layer):
            inputs.append(input)
            return DenseBlock.forward(layer, parameters.weights[tensor], parameters.biases[tensor], input, derivatives: &derivatives)
        case .residual(let layer):
            return ResidualBlock.forward(layer, parameters.weights[tensor], parameters.biases[tensor], input,
                                         inputs: &inputs, derivatives: &derivatives)
        case .convolution(let layer, let geometry):
            return ConvolutionBlock.forward(layer, geometry: geometry, parameters.weights[tensor], parameters.biases[tensor], input,
                                            inputs: &inputs, derivatives: &derivatives)
        case .pooling(let pooling, let positions, _):
            return SpatialPooling.forward(input, pooling: pooling, positions: positions)
        }
    }

    /// The backward map: `upstream` (R × the block's output width) holds ∂f/∂(block output) per row on entry, and
    /// ∂f/∂(block input) on return when `needsInputGradient` (else it is left undefined). Stores the tensor's backward
    /// signal ∂f/∂z_t (z_t = c·A_tW_t + s·b_t) in `deltas[tensor]` and pops the φ′ it uses from `activation`, an index
    /// into `pass.derivatives` counting down. Row r of `upstream` belongs to sample r / `rowsPerSample`.
    @inlinable
    func backward<Scalar: NetworkScalar>(_ upstream: inout DenseMatrix<Scalar>, _ pass: ForwardPass<Scalar>,
                                         _ parameters: NetworkParameters<Scalar>, tensor: Int, activation: inout Int,
                                         rowsPerSample: Int, deltas: inout [DenseMatrix<Scalar>], needsInputGradient: Bool) {
        switch self {
        case .dense(let layer):
            if layer.activation != nil {
                activation -= 1
                multiplyRows(&upstream, by: pass.derivatives[activation], rowsPerSample: rowsPerSample)
            }
            deltas[tensor] = upstream
            if needsInputGradient { upstream = DenseBlock.inputGradient(layer, parameters.weights[tensor], deltas[tensor]) }
        case .residual(let layer):
            activation -= 1
            deltas[tensor] = upstream
            if needsInputGradient {
                upstream = ResidualBlock.inputGradient(layer, parameters.weights[tensor], upstream,
                                                       derivative: pass.derivatives[activation], rowsPerSample: rowsPerSample)
            }
        case .convolution(let layer, let geometry):
            activation -= 1
            ConvolutionBlock.delta(&upstream, derivative: pass.derivatives[activation], geometry: geometry, rowsPerSample: rowsPerSample)
            deltas[tensor] = upstream
            if needsInputGradient { upstream = ConvolutionBlock.inputGradient(layer, geometry: geometry, parameters.weights[tensor], upstream) }
        case .pooling(let pooling, let positions, let channels):
            upstream = SpatialPooling.backward(upstream, pooling: pooling, positions: positions, channels: channels)
        }
    }

    /// Adds this block's rows `samples` (upper triangle) of the structured empirical kernel into `result`
    /// (``EmpiricalNTK/kernel(_:_:derivatives:)``); `g` and `h` are scratch panels of the sizes that function allocates.
    @inlinable
    func accumulateKernelPanel<Scalar: BLASScalar>(_ result: inout Matrix, inputs: DenseMatrix<Scalar>, derivatives: DenseMatrix<Scalar>,
                                                   samples: Range<Int>, outputs k: Int, g: inout [Scalar], h: inout [Scalar]) {
        switch self {
        case .dense(let layer), .residual(let layer):
            // A residual branch is a dense map of φ(h) whose output is added to h: its tensor's Jacobian is a dense
            // layer's, with the branch scale inside c and s (ResidualBlock).
            DenseBlock.accumulateKernelPanel(layer, &result, inputs: inputs, derivatives: derivatives, samples: samples, outputs: k, g: &g, h: &h)
        case .convolution(let layer, let geometry):
            // The per-sample gradients fill the whole term at once (ConvolutionKernel), with the first panel; the
            // kernel's lower triangle is then mirrored from the upper as for every block.
            guard samples.lowerBound == 0 else { return }
            ConvolutionKernel.accumulate(into: &result, patches: inputs, derivatives: derivatives, positions: geometry.positions,
                                         layer: ConvolutionBlock.factors(layer))
        case .pooling:
            return
        }
    }

    /// Adds this block's term of the cross-kernel K(X₁, X₂) into `result` (``EmpiricalNTK/kernel(_:_:_:)``).
    @inlinable
    func accumulateCrossKernel<Scalar: BLASScalar>(_ result: inout Matrix, inputs1: DenseMatrix<Scalar>, derivatives1: DenseMatrix<Scalar>,
                                                   inputs2: DenseMatrix<Scalar>, derivatives2: DenseMatrix<Scalar>, outputs k: Int) {
        switch self {
        case .dense(let layer), .residual(let layer):
            DenseBlock.accumulateCrossKernel(layer, &result, inputs1: inputs1, derivatives1: derivatives1,
                                             inputs2: inputs2, derivatives2: derivatives2, outputs: k)
        case .convolution(let layer, let geometry):
            ConvolutionKernel.accumulate(into: &result, patches1: inputs1, derivatives1: derivatives1, patches2: inputs2,
                                         derivatives2: derivatives2, positions: geometry.positions, layer: ConvolutionBlock.factors(layer))
        case .pooling:
            return
        }
    }

    /// The gradient of tensor `tensor` from its backward signal `delta` and what it multiplied, `input`.
    @inlinable
    func gradient<Scalar: NetworkScalar>(input: DenseMatrix<Scalar>, delta: DenseMatrix<Scalar>) -> (weights: DenseMatrix<Scalar>, bias: [Scalar]) {
        switch self {
        case .dense(let layer), .residual(let layer):
            DenseBlock.gradient(layer, input: input, delta: delta)
        case .convolution(let layer, _):
            ConvolutionBlock.gradient(layer, patches: input, delta: delta)
        case .pooling:
            preconditionFailure("a pooling block has no parameters")
        }
    }
}

/// m[r, j] ← m[r, j]·d[r / rowsPerSample, j]: the Hadamard product with φ′ of each row's sample.
@inlinable
func multiplyRows<Scalar: BLASScalar>(_ m: inout DenseMatrix<Scalar>, by d: DenseMatrix<Scalar>, rowsPerSample: Int) {
    let n = m.cols
    m.data.withUnsafeMutableBufferPointer { pd in
        d.data.withUnsafeBufferPointer { pp in
            for r in 0..<m.rows {
                // Row pointers: the inner loop has no index arithmetic to check.
                let dst = pd.baseAddress! + r * n, src = pp.baseAddress! + (r / rowsPerSample) * n
                for j in 0..<n { dst[j] *= src[j] }
            }
        }
    }
}
