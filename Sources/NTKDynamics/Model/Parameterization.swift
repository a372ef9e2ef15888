/// How weights enter the forward pass and how they are drawn (Docs/Conventions.md#parameterizations): the
/// per-layer numbers of every ``DenseLayer``.
///
/// - `ntk`: z_l = (σ_w/√n_{l−1})·a_{l−1}W_l + σ_b·b_l with every raw entry of W_l and b_l drawn N(0, 1).
/// - `standard`: z_l = a_{l−1}W_l + b_l with W ~ N(0, σ_w²/n_{l−1}) and b ~ N(0, σ_b²).
///
/// Both give the same function distribution at initialization; they differ in the gradients,
/// hence in the NTK and in the learning rate GD needs.
public enum Parameterization: String, CaseIterable, Codable, Sendable {
    case ntk
    case standard

    /// The layer mapping `fanIn` → `fanOut` inputs to units, followed by `activation` (nil for the readout).
    ///
    /// | | c_l | s_l | v_l | u_l | r_l | Σ weight | Θ weight | Θ bias |
    /// |---|---|---|---|---|---|---|---|---|
    /// | ntk | σ_w/√n_{l−1} | σ_b | 1 | 1 | 1 | σ_w² | σ_w² | σ_b² |
    /// | standard | 1 | 1 | σ_w/√n_{l−1} | σ_b | 1 | σ_w² | n_{l−1} | 1 |
    ///
    /// Without biases s_l, the Σ bias σ_b² and the Θ bias are 0.
    public func layer(fanIn: Int, fanOut: Int, activation: Activation?, weightStd: Double, biasStd: Double,
                      hasBias: Bool) -> DenseLayer {
        let nngpBias = hasBias ? biasStd * biasStd : 0
        switch self {
        case .ntk:
            return DenseLayer(fanIn: fanIn, fanOut: fanOut, hasBias: hasBias,
                              weightMultiplier: weightStd / Double(fanIn).squareRoot(), biasMultiplier: hasBias ? biasStd : 0,
                              weightInitStd: 1, biasInitStd: 1, activation: activation,
                              nngpWeightVariance: weightStd * weightStd, nngpBiasVariance: nngpBias,
                              ntkWeightFactor: weightStd * weightStd, ntkBiasFactor: nngpBias)
        case .standard:
            return DenseLayer(fanIn: fanIn, fanOut: fanOut, hasBias: hasBias,
                              weightMultiplier: 1, biasMultiplier: hasBias ? 1 : 0,
                              weightInitStd: weightStd / Double(fanIn).squareRoot(), biasInitStd: biasStd, activation: activation,
                              nngpWeightVariance: weightStd * weightStd, nngpBiasVariance: nngpBias,
                              ntkWeightFactor: Double(fanIn), ntkBiasFactor: hasBias ? 1 : 0)
        }
    }
}
