/// How weights enter the forward pass (DESIGN.md §2).
///
/// - `ntk`: z_l = (σ_w/√n_{l−1})·a_{l−1}W_l + σ_b·b_l with every raw entry of W_l and b_l drawn N(0, 1).
/// - `standard`: z_l = a_{l−1}W_l + b_l with W ~ N(0, σ_w²/n_{l−1}) and b ~ N(0, σ_b²).
///
/// Both give the same function distribution at initialization; they differ in the gradients,
/// hence in the NTK and in the learning rate GD needs.
public enum Parameterization: String, CaseIterable, Codable, Sendable {
    case ntk
    case standard

    /// The factor multiplying a_{l−1}W_l in layer l with fan-in `fanIn`.
    public func weightScale(weightStd: Double, fanIn: Int) -> Double {
        switch self {
        case .ntk: return weightStd / Double(fanIn).squareRoot()
        case .standard: return 1
        }
    }

    /// The factor multiplying b_l.
    public func biasScale(biasStd: Double) -> Double {
        switch self {
        case .ntk: return biasStd
        case .standard: return 1
        }
    }

    /// The standard deviation of a raw weight draw in a layer with fan-in `fanIn`.
    public func weightInitStd(weightStd: Double, fanIn: Int) -> Double {
        switch self {
        case .ntk: return 1
        case .standard: return weightStd / Double(fanIn).squareRoot()
        }
    }

    /// The standard deviation of a raw bias draw.
    public func biasInitStd(biasStd: Double) -> Double {
        switch self {
        case .ntk: return 1
        case .standard: return biasStd
        }
    }
}
