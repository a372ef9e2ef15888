/// The floating-point precision of the network's parameters and passes (`--precision`).
///
/// `float32` runs the forward pass, backpropagation, the per-layer Gram products of the empirical NTK,
/// the loss gradient and the GD update in single precision (sgemm, ssyrk): about twice the BLAS
/// throughput and half the memory traffic. Everything downstream stays float64: K_t is accumulated in
/// float64, eigendecomposed by dsyevd, and the linearized prediction, gaps, drift and losses are float64
/// computations on float64 values of the network's outputs. Parameters are drawn in float64 (and recorded
/// so in `params_init/`); the float32 network starts from their rounding. Docs/Performance.md has the
/// speed-up and the accuracy it costs.
public enum Precision: String, CaseIterable, Codable, Sendable {
    case float64
    case float32

    /// Bytes per value of the network's arrays.
    public var bytesPerValue: Int { self == .float64 ? 8 : 4 }

    /// The largest finite value, in the shortest text that reads back to it: 1.797693e+308 or 3.402823e+38.
    public var largestFinite: String { self == .float64 ? "\(Double.greatestFiniteMagnitude)" : "\(Float.greatestFiniteMagnitude)" }

    /// ε, the spacing of the values just above 1: 2⁻⁵² for float64, 2⁻²³ for float32.
    public var machineEpsilon: Double { self == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne) }

    /// The largest output scale α (`--output-scale`) this precision resolves: 1/√ε, 2²⁶ ≈ 6.7·10⁷ for float64 and
    /// 2^11.5 ≈ 2896 for float32 (Docs/Parameterizations.md#the-output-scale-α).
    ///
    /// F = α·(f − f₀) is formed from two network outputs of order one, so F carries an absolute round-off of about
    /// α·ε, growing with α, while the effect the scale exists to show, GD's departure from its linearization, falls
    /// as 1/α. The two meet at α = 1/√ε: beyond it the measured gap and drift are round-off, and from α ≈ 1/ε on a
    /// step cannot move f by one ulp at all (GD stands still, or its loss rises).
    public var maximumOutputScale: Double { 1 / machineEpsilon.squareRoot() }
}
