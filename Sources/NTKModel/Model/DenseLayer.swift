/// One weight layer of an MLP, z_l = c_l·a_{l−1}W_l + s_l·b_l, with every number that the forward pass,
/// backpropagation, the initialization, gradient descent and the empirical and infinite-width kernels read
/// (Docs/Conventions.md#parameterizations).
///
/// The ``Parameterization`` fills these in per layer (``NetworkArchitecture/layers``), so the shape of the
/// network is written once, in the spirit of neural-tangents' stax, where each layer carries its apply and
/// kernel functions. Raw parameters are drawn W_l ~ N(0, v_l²) and b_l ~ N(0, u_l²) and GD moves them by
/// η·r_l·∇L, with r_l the layer's learning-rate scale.
///
/// In the notation of Yang & Hu's abc-parameterizations, c_l = n^(−a_l), v_l = n^(−b_l), r_l = n^(−c_l).
public struct DenseLayer: Equatable, Sendable {
    /// n_{l−1}, the number of inputs (d for the first layer, then the width).
    public var fanIn: Int
    /// n_l, the number of units (the width, or k for the readout).
    public var fanOut: Int
    /// c_l, the factor on a_{l−1}W_l.
    public var weightMultiplier: Double
    /// Whether the layer has trainable biases b_l (`--no-bias` removes them).
    public var hasBias: Bool
    /// s_l, the factor on b_l; 0 without biases.
    public var biasMultiplier: Double
    /// v_l, the standard deviation of a raw weight draw.
    public var weightInitStd: Double
    /// u_l, the standard deviation of a raw bias draw (no draw is made without biases).
    public var biasInitStd: Double
    /// r_l: GD moves this layer's parameters by η·r_l·∇L (n under mean-field, 1 in the other parameterizations).
    public var learningRateScale: Double
    /// φ applied to z_l, or nil for the readout layer, which is linear.
    public var activation: Activation?

    /// The infinite-width maps of the layer: with E the per-unit covariance of its inputs a_{l−1} and Ė that of
    /// their derivatives,
    ///
    ///     Σ_l = nngpWeightVariance·E + nngpBiasVariance
    ///     Θ_l = ntkWeightFactor·E + ntkBiasFactor + nngpWeightVariance·Ė·Θ_{l−1}
    ///
    /// Mathematically nngpWeightVariance = c_l²·v_l²·n_{l−1}, nngpBiasVariance = s_l²·u_l²,
    /// ntkWeightFactor = r_l·c_l²·n_{l−1} and ntkBiasFactor = r_l·s_l²; the parameterization states each
    /// in its own closed form (σ_w² rather than (σ_w/√n)²·n) so that the kernels do not carry the rounding
    /// of a square root taken and squared again.
    public var nngpWeightVariance: Double
    /// See ``nngpWeightVariance``.
    public var nngpBiasVariance: Double
    /// See ``nngpWeightVariance``.
    public var ntkWeightFactor: Double
    /// See ``nngpWeightVariance``.
    public var ntkBiasFactor: Double

    public init(fanIn: Int, fanOut: Int, hasBias: Bool, weightMultiplier: Double, biasMultiplier: Double,
                weightInitStd: Double, biasInitStd: Double, learningRateScale: Double = 1,
                activation: Activation?, nngpWeightVariance: Double, nngpBiasVariance: Double,
                ntkWeightFactor: Double, ntkBiasFactor: Double) {
        self.fanIn = fanIn
        self.fanOut = fanOut
        self.hasBias = hasBias
        self.weightMultiplier = weightMultiplier
        self.biasMultiplier = biasMultiplier
        self.weightInitStd = weightInitStd
        self.biasInitStd = biasInitStd
        self.learningRateScale = learningRateScale
        self.activation = activation
        self.nngpWeightVariance = nngpWeightVariance
        self.nngpBiasVariance = nngpBiasVariance
        self.ntkWeightFactor = ntkWeightFactor
        self.ntkBiasFactor = ntkBiasFactor
    }

    /// The number of trainable parameters, n_{l−1}·n_l weights plus n_l biases when the layer has them.
    public var parameterCount: Int { fanIn * fanOut + (hasBias ? fanOut : 0) }

    /// The layer on a residual branch scaled by s (``ResidualBlock``): c and s_b become s·c and s·s_b, and the four
    /// infinite-width maps take the factor s²; init and rate unchanged. Under ntk this is stax's
    /// `Dense(W_std = s·σ_w, b_std = s·σ_b)`; under standard, s multiplies the Dense's output (Docs/Conventions.md#resnet).
    public func scaledBranch(_ s: Double) -> DenseLayer {
        var layer = self
        layer.weightMultiplier *= s
        layer.biasMultiplier *= s
        layer.nngpWeightVariance *= s * s
        layer.nngpBiasVariance *= s * s
        layer.ntkWeightFactor *= s * s
        layer.ntkBiasFactor *= s * s
        return layer
    }
}
