/// How weights enter the forward pass, how they are drawn and how fast GD moves them
/// (Docs/Parameterizations.md, Docs/Conventions.md#parameterizations): the per-layer numbers of every ``DenseLayer``.
///
/// - `ntk`: z_l = (σ_w/√n_{l−1})·a_{l−1}W_l + σ_b·b_l with every raw entry of W_l and b_l drawn N(0, 1).
/// - `standard`: z_l = a_{l−1}W_l + b_l with W ~ N(0, σ_w²/n_{l−1}) and b ~ N(0, σ_b²).
/// - `mup`: the maximal-update parameterization μP of Yang & Hu 2021 (arXiv 2011.14522, Table 3) in its
///   abc form with one learning-rate exponent c = 0: multipliers n^(−a_l) with a = −½, 0, ½ (input, hidden,
///   readout), draws of std n^(−½), biases of hidden units treated like input weights.
/// - `meanField`: the mean-field parameterization MFP of the same table, defined for one hidden layer only:
///   f = (1/n)·Σ_i v_i·φ(z_i) with O(1) draws and c = −1 (every layer moves by η·n·∇L).
///
/// ntk and standard give the same function distribution at initialization; they differ in the gradients,
/// hence in the NTK and in the learning rate GD needs. mup and meanField have no fixed infinite-width
/// kernel (``hasKernelLimit``).
public enum Parameterization: String, CaseIterable, Codable, Sendable {
    case ntk
    case standard
    case mup
    case meanField = "mean-field"

    /// Whether GD at infinite width is kernel gradient descent with a fixed kernel Θ (ntk, standard), the
    /// premise of ``AnalyticNTK`` and of `--kernel analytic`. Under mup and mean-field the kernel moves by O(1)
    /// during training at every width (feature learning), so no fixed kernel describes training
    /// (Docs/Parameterizations.md#infinite-width).
    public var hasKernelLimit: Bool {
        switch self {
        case .ntk, .standard: return true
        case .mup, .meanField: return false
        }
    }

    /// Why `depth` hidden layers cannot be built in this parameterization, or nil when they can.
    ///
    /// mup and mean-field scale layers by the hidden width n, which `--depth 0` does not have; Yang & Hu's
    /// Table 3 gives MFP for one hidden layer only (for more, μP is its generalization).
    public func unsupportedDepthReason(_ depth: Int) -> String? {
        switch self {
        case .ntk, .standard: return nil
        case .mup:
            return depth >= 1 ? nil
                : """
                    --parameterization mup needs at least one hidden layer (--depth 1 or more): it scales the layers by the hidden width \
                    n, and --depth 0 has none.
                    """
        case .meanField:
            return depth == 1 ? nil
                : """
                    --parameterization mean-field is defined for one hidden layer only (--depth 1), the 1/n output of Mei–Montanari and \
                    Chizat–Bach; Yang & Hu 2021 give no mean-field row for other depths. Use --parameterization mup, its generalization \
                    to deeper networks.
                    """
        }
    }

    /// Why a network of this `family` and `depth` cannot be built in this parameterization, or nil when it can: the
    /// one check for every family (the command line prints the text and refuses the run).
    ///
    /// - mlp: ``unsupportedDepthReason(_:)``.
    /// - resnet: ntk, standard and mup at any depth (the input layer gives the width n even at depth 0). mup is the
    ///   μP rows above (input, hidden for every branch, readout; rate 1) with the branch scale s on every branch:
    ///   with s = 1/√L, Depth-μP as Tensor Programs VI (Yang, Yu, Zhu & Hayou 2023, arXiv 2310.02244) states it for
    ///   SGD, branch multiplier L^(−1/2) and a learning rate constant in L; Bordelon et al. 2023 (arXiv 2309.16620)
    ///   scale the branches the same way (Docs/Conventions.md#resnet). mean-field is refused: it is defined for one
    ///   hidden layer.
    /// - cnn: ntk and standard only; the tool has no μP or mean-field table for convolutions.
    public func unsupportedReason(family: ArchitectureFamily, depth: Int) -> String? {
        switch (family, self) {
        case (.mlp, _):
            return unsupportedDepthReason(depth)
        case (.resnet, .ntk), (.resnet, .standard), (.resnet, .mup), (.cnn, .ntk), (.cnn, .standard):
            return nil
        case (.resnet, .meanField):
            return """
                --parameterization mean-field is defined for an MLP with one hidden layer (--depth 1), not for \
                --architecture resnet: use --parameterization mup (with --branch-scale sqrt-depth for depth-μP), ntk or standard.
                """
        case (.cnn, .mup), (.cnn, .meanField):
            return """
                --parameterization \(rawValue) is not defined for --architecture cnn: the tool has no μP or mean-field table \
                for convolutions. Use --parameterization ntk or standard (stax Conv conventions).
                """
        }
    }

    /// Where a weight layer sits, which decides its row in the mup and mean-field tables: the input layer maps the
    /// O(1) input dimension d to the width n, hidden layers map n to n, the readout maps n to the O(1) outputs k.
    public enum Position: Sendable {
        case input, hidden, readout
        /// The one layer of `--depth 0` (d → k, no width; ntk and standard only).
        case inputAndReadout

        /// The position of code layer `l` (0-based) among `depth + 1` layers.
        public init(layer l: Int, depth: Int) {
            if depth == 0 { self = .inputAndReadout } else if l == 0 { self = .input } else if l == depth { self = .readout } else { self = .hidden }
        }
    }

    /// The layer mapping `fanIn` → `fanOut` inputs to units at `position` in a network of hidden width `width`,
    /// followed by `activation` (nil for the readout). n = `width`, d and k the O(1) fan-in of the input
    /// layer and fan-out of the readout.
    ///
    /// | | c_l | s_l | v_l | u_l | r_l | Σ weight | Θ weight | Θ bias |
    /// |---|---|---|---|---|---|---|---|---|
    /// | ntk | σ_w/√n_{l−1} | σ_b | 1 | 1 | 1 | σ_w² | σ_w² | σ_b² |
    /// | standard | 1 | 1 | σ_w/√n_{l−1} | σ_b | 1 | σ_w² | n_{l−1} | 1 |
    /// | mup input | √n | √n | σ_w/√(d·n) | σ_b/√n | 1 | σ_w² | n·d | n |
    /// | mup hidden | 1 | √n | σ_w/√n | σ_b/√n | 1 | σ_w² | n | n |
    /// | mup readout | 1/√n | 1 | σ_w/√n | σ_b | 1 | σ_w²/n | 1 | 1 |
    /// | mean-field input | 1 | 1 | σ_w/√d | σ_b | n | σ_w² | n·d | n |
    /// | mean-field readout | 1/n | 1/√n | σ_w | σ_b·√n | n | σ_w²/n | 1 | 1 |
    ///
    /// Without biases s_l, the Σ bias σ_b² and the Θ bias are 0. Under mup and mean-field the last three columns
    /// are the layer's maps at width n, which grow or vanish with n: these parameterizations have no fixed
    /// infinite-width kernel (``hasKernelLimit``), and ``AnalyticNTK`` refuses them.
    public func layer(position: Position, fanIn: Int, fanOut: Int, width: Int, activation: Activation?,
                      weightStd: Double, biasStd: Double, hasBias: Bool) -> DenseLayer {
        let nngpBias = hasBias ? biasStd * biasStd : 0
        let n = Double(width), rootN = n.squareRoot()
        func make(_ c: Double, _ s: Double, _ v: Double, _ u: Double, rate r: Double, sigma: Double,
                  theta: Double, thetaBias: Double) -> DenseLayer {
            DenseLayer(fanIn: fanIn, fanOut: fanOut, hasBias: hasBias, weightMultiplier: c,
                       biasMultiplier: hasBias ? s : 0, weightInitStd: v, biasInitStd: u, learningRateScale: r,
                       activation: activation, nngpWeightVariance: sigma, nngpBiasVariance: nngpBias,
                       ntkWeightFactor: theta, ntkBiasFactor: hasBias ? thetaBias : 0)
        }
        switch (self, position) {
        case (.ntk, _):
            return DenseLayer(fanIn: fanIn, fanOut: fanOut, hasBias: hasBias,
                              weightMultiplier: weightStd / Double(fanIn).squareRoot(), biasMultiplier: hasBias ? biasStd : 0,
                              weightInitStd: 1, biasInitStd: 1, activation: activation,
                              nngpWeightVariance: weightStd * weightStd, nngpBiasVariance: nngpBias,
                              ntkWeightFactor: weightStd * weightStd, ntkBiasFactor: nngpBias)
        case (.standard, _):
            return DenseLayer(fanIn: fanIn, fanOut: fanOut, hasBias: hasBias,
                              weightMultiplier: 1, biasMultiplier: hasBias ? 1 : 0,
                              weightInitStd: weightStd / Double(fanIn).squareRoot(), biasInitStd: biasStd, activation: activation,
                              nngpWeightVariance: weightStd * weightStd, nngpBiasVariance: nngpBias,
                              ntkWeightFactor: Double(fanIn), ntkBiasFactor: hasBias ? 1 : 0)
        // μP, abc form (a, b) with c = 0: input (−½, ½), hidden (0, ½), readout (½, ½); a bias is a weight from
        // the constant input 1, so hidden-unit biases take the input row (−½, ½) and the readout's bias, from 1 to
        // the k outputs (both O(1)), takes (0, 0).
        case (.mup, .input):
            return make(rootN, rootN, weightStd / (Double(fanIn) * n).squareRoot(), biasStd / rootN, rate: 1,
                        sigma: weightStd * weightStd, theta: n * Double(fanIn), thetaBias: n)
        case (.mup, .hidden):
            return make(1, rootN, weightStd / rootN, biasStd / rootN, rate: 1,
                        sigma: weightStd * weightStd, theta: n, thetaBias: n)
        case (.mup, .readout):
            return make(1 / rootN, 1, weightStd / rootN, biasStd, rate: 1,
                        sigma: weightStd * weightStd / n, theta: 1, thetaBias: 1)
        // MFP, one hidden layer: μP's row moved by the abc symmetry with θ = ½ (a + ½, b − ½, c − 1), Yang & Hu's
        // MFP (input (0, 0), readout (1, 0), c = −1); the readout bias (½, −½) follows from μP's (0, 0) the same way.
        case (.meanField, .input):
            return make(1, 1, weightStd / Double(fanIn).squareRoot(), biasStd, rate: n,
                        sigma: weightStd * weightStd, theta: n * Double(fanIn), thetaBias: n)
        case (.meanField, .readout):
            return make(1 / n, 1 / rootN, weightStd, biasStd * rootN, rate: n,
                        sigma: weightStd * weightStd / n, theta: 1, thetaBias: 1)
        case (.mup, .inputAndReadout), (.meanField, .inputAndReadout), (.meanField, .hidden):
            preconditionFailure(unsupportedDepthReason(position == .hidden ? 2 : 0) ?? "unsupported layer")
        }
    }
}
