/// The shape and initialization law of a network (Docs/Conventions.md), of the ``family`` it belongs to.
///
/// For the MLP, layer l = 1…depth+1 maps n_{l−1} → n_l with n_0 = `inputDim`, n_1…n_depth = `width`,
/// n_{depth+1} = `outputs`. Hidden layers apply `activation`; the last layer is linear. A ResNet has an input layer
/// d → n, `depth` residual blocks n → n and a readout n → k (``blocks``).
public struct NetworkArchitecture: Codable, Equatable, Sendable {
    public var inputDim: Int
    public var width: Int
    /// Number of hidden layers H (0 gives a linear model f = σ_w/√d·xW + σ_b·b).
    public var depth: Int
    public var outputs: Int
    public var activation: Activation
    public var parameterization: Parameterization
    /// σ_w.
    public var weightStd: Double
    /// σ_b.
    public var biasStd: Double
    /// Whether the layers have (trainable) biases; `false` is neural-tangents' `b_std=None`.
    public var hasBias: Bool
    /// Layers given one by one instead of by `parameterization`, or nil (every run). The tests build the
    /// "per-layer init + per-layer learning rate" forms of Docs/Parameterizations.md#the-symmetry this way;
    /// not encoded (a run's config.json describes its parameterization).
    public var explicitLayers: [DenseLayer]? = nil
    /// The composition of blocks (``ArchitectureFamily``); `.mlp` unless `--architecture` says otherwise.
    /// Not encoded here: config.json records it under its own keys (Docs/LogFormat.md).
    public var family: ArchitectureFamily = .mlp

    public init(inputDim: Int, width: Int, depth: Int = 2, outputs: Int = 1,
                activation: Activation = .relu, parameterization: Parameterization = .ntk,
                weightStd: Double = 1.5, biasStd: Double = 0.05, hasBias: Bool = true) {
        self.inputDim = inputDim
        self.width = width
        self.depth = depth
        self.outputs = outputs
        self.activation = activation
        self.parameterization = parameterization
        self.weightStd = weightStd
        self.biasStd = biasStd
        self.hasBias = hasBias
    }

    private enum CodingKeys: String, CodingKey {
        case inputDim, width, depth, outputs, activation, parameterization, weightStd, biasStd, hasBias
    }

    /// Number of parameter tensors (weight matrix and bias vector each): depth + 1 for an MLP (depth hidden layers
    /// and the readout), depth + 2 for a ResNet (input layer, depth residual blocks, readout) and depth + 1 for a CNN
    /// (depth convolutions and the readout).
    public var layerCount: Int {
        switch family {
        case .mlp, .cnn: depth + 1
        case .resnet: depth + 2
        }
    }

    /// The fan-in of each tensor and, last, the outputs: tensor t maps layerSizes[t] → layerSizes[t + 1].
    /// MLP: [n_0, n_1, …, n_{depth+1}]; ResNet: [d, n, …, n, k] with depth + 1 entries n.
    public var layerSizes: [Int] {
        [inputDim] + Array(repeating: width, count: layerCount - 1) + [outputs]
    }

    /// The parameter tensors t = 0..<layerCount, each with its multipliers, initialization, learning-rate scale
    /// and infinite-width maps as the parameterization defines them (or ``explicitLayers``): for an MLP the weight
    /// layers l = 1…depth+1; for a ResNet the input layer (linear, d → n), the depth residual branches (hidden
    /// rows, with the branch scale folded in, ``ResidualBlock``) and the readout; for a CNN the depth convolutions
    /// (fan-in K²·C_in, ``ConvolutionBlock``) and the readout.
    ///
    /// - Precondition: the parameterization supports this family and depth
    ///   (``Parameterization/unsupportedReason(family:depth:)``; the command line refuses the others first).
    public var layers: [DenseLayer] {
        if let explicitLayers { return explicitLayers }
        if let reason = parameterization.unsupportedReason(family: family, depth: depth) { preconditionFailure(reason) }
        let s = layerSizes
        func layer(_ position: Parameterization.Position, _ l: Int, _ activation: Activation?) -> DenseLayer {
            parameterization.layer(position: position, fanIn: s[l], fanOut: s[l + 1], width: width, activation: activation,
                                   weightStd: weightStd, biasStd: biasStd, hasBias: hasBias)
        }
        switch family {
        case .mlp:
            return (0..<layerCount).map { l in layer(.init(layer: l, depth: depth), l, l < depth ? activation : nil) }
        case .resnet(let branchScale):
            let scale = branchScale.factor(depth: depth)
            return [layer(.input, 0, nil)] + (0..<depth).map { layer(.hidden, $0 + 1, activation).scaledBranch(scale) }
                + [layer(.readout, depth + 1, nil)]
        case .cnn(let shape):
            return convolutionLayers(shape)
        }
    }

    /// The network as a composition of blocks (``NetworkBlock``), built from ``family``: `.mlp` is one dense block per
    /// layer (exactly the layers of ``layers``); `.resnet` an input dense block, depth residual blocks and a dense
    /// readout; `.cnn` depth convolution blocks, a pooling block and a dense readout (NetworkArchitecture+Convolution.swift).
    public var blocks: [NetworkBlock] {
        let layers = self.layers
        switch family {
        case .mlp:
            return layers.map { .dense($0) }
        case .resnet:
            return [.dense(layers[0])] + layers[1...depth].map { .residual($0) } + [.dense(layers[depth + 1])]
        case .cnn(let shape):
            return convolutionBlocks(shape, layers)
        }
    }

    /// The shape under which tensor t's weights are exported (`arrays/params_init/W<t>.npy`, Docs/LogFormat.md) when it
    /// is not the stored matrix's own (fan_in, fan_out), or nil for a dense tensor (every MLP and ResNet tensor, a
    /// CNN's readout). A convolution's (K·K·C_in) × C_out matrix is stax's HWIO array (K, K, C_in, C_out) flattened,
    /// so it is exported with that 4-D shape and neural-tangents reads it as is.
    public func exportedWeightShape(tensor t: Int) -> [Int]? {
        guard case .cnn(let shape) = family, t < depth else { return nil }
        return [shape.kernelSize, shape.kernelSize, t == 0 ? shape.inputChannels : width, width]
    }

    /// The same architecture with hidden width `width`.
    ///
    /// - Precondition: no ``explicitLayers`` (their sizes are fixed).
    public func withWidth(_ width: Int) -> NetworkArchitecture {
        precondition(explicitLayers == nil || width == self.width, "explicit layers have a fixed width")
        var a = self
        a.width = width
        return a
    }

    /// Number of trainable parameters P.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
}
