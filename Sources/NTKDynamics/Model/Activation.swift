import Foundation

/// A pointwise nonlinearity φ with its derivative φ′.
///
/// Every activation keeps everything it needs in this one type, so adding one touches this file:
/// `value` (φ), `derivative` (φ′), and `name` (the command-line spelling).
public enum Activation: String, CaseIterable, Codable, Sendable {
    /// φ(z) = max(0, z), φ′(z) = 1 for z > 0 and 0 otherwise.
    case relu
    /// φ(z) = tanh z, φ′(z) = 1 − tanh² z.
    case tanh
    /// φ(z) = erf z, φ′(z) = (2/√π)·e^{−z²}  (neural-tangents' `stax.Erf()`).
    case erf
    /// φ(z) = z·Φ(z) with Φ the standard normal CDF (exact GELU, `stax.Gelu(approximate=False)`),
    /// φ′(z) = Φ(z) + z·ϕ(z) with ϕ the standard normal density.
    case gelu
    /// φ(z) = z, φ′(z) = 1: the network is linear in its input, and its NTK is constant in training
    /// only when depth is 0 (with hidden layers it is multilinear in the weights).
    case linear

    /// φ(z).
    @inlinable
    public func value(_ z: Double) -> Double {
        switch self {
        case .relu: return z > 0 ? z : 0
        case .tanh: return Foundation.tanh(z)
        case .erf: return Foundation.erf(z)
        case .gelu: return 0.5 * z * (1 + Foundation.erf(z * 0.7071067811865476))
        case .linear: return z
        }
    }

    /// φ′(z).
    @inlinable
    public func derivative(_ z: Double) -> Double {
        switch self {
        case .relu: return z > 0 ? 1 : 0
        case .tanh:
            let t = Foundation.tanh(z)
            return 1 - t * t
        case .erf: return 1.1283791670955126 * Foundation.exp(-z * z)
        case .gelu:
            return 0.5 * (1 + Foundation.erf(z * 0.7071067811865476))
                + z * 0.3989422804014327 * Foundation.exp(-0.5 * z * z)
        case .linear: return 1
        }
    }

    /// Applies φ to every entry of `z` in place and returns φ′ at the original entries.
    ///
    /// - Complexity: O(rows·cols), one pass.
    public func apply(_ z: inout Matrix) -> Matrix {
        var d = Matrix(rows: z.rows, cols: z.cols)
        let n = z.data.count
        z.data.withUnsafeMutableBufferPointer { pz in
            d.data.withUnsafeMutableBufferPointer { pd in
                switch self {
                case .relu:
                    // Branch-free (signs are random, a branch mispredicts half the time); vectorizes.
                    for i in 0..<n {
                        let v = pz[i]
                        pd[i] = v > 0 ? 1 : 0
                        pz[i] = v > 0 ? v : 0
                    }
                case .linear:
                    for i in 0..<n { pd[i] = 1 }
                case .tanh:
                    for i in 0..<n {
                        let t = Foundation.tanh(pz[i])
                        pz[i] = t
                        pd[i] = 1 - t * t
                    }
                default:
                    for i in 0..<n {
                        let v = pz[i]
                        pd[i] = derivative(v)
                        pz[i] = value(v)
                    }
                }
            }
        }
        return d
    }
}
