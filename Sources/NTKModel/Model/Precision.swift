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
}
