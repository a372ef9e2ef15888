/// The shape and initialization law of a fully connected network (Docs/Conventions.md).
///
/// Layer l = 1…depth+1 maps n_{l−1} → n_l with n_0 = `inputDim`, n_1…n_depth = `width`,
/// n_{depth+1} = `outputs`. Hidden layers apply `activation`; the last layer is linear.
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

    /// Number of weight layers, depth + 1.
    public var layerCount: Int { depth + 1 }

    /// [n_0, n_1, …, n_{depth+1}].
    public var layerSizes: [Int] { [inputDim] + Array(repeating: width, count: depth) + [outputs] }

    /// The weight layers l = 1…depth+1 (index 0..<layerCount), each with its multipliers, initialization,
    /// learning-rate scale and infinite-width maps as the parameterization defines them (or ``explicitLayers``).
    ///
    /// - Precondition: the parameterization supports `depth` (``Parameterization/unsupportedDepthReason(_:)``;
    ///   the command line refuses the others first).
    public var layers: [DenseLayer] {
        if let explicitLayers { return explicitLayers }
        if let reason = parameterization.unsupportedDepthReason(depth) { preconditionFailure(reason) }
        let s = layerSizes
        return (0..<layerCount).map { l in
            parameterization.layer(position: .init(layer: l, depth: depth), fanIn: s[l], fanOut: s[l + 1], width: width,
                                   activation: l < depth ? activation : nil,
                                   weightStd: weightStd, biasStd: biasStd, hasBias: hasBias)
        }
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
