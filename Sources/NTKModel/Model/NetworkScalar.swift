import Foundation
// Exported: Activation's inlinable φ and φ′ call `Real`'s functions, and a client of a `NetworkScalar` sees them.
@_exported import RealModule

/// The precision a network computes in: a ``BLASScalar`` that is a swift-numerics `Real`, whose elementary
/// functions (`tanh`, `erf`, `exp`, …) the activations use.
///
/// `Double` (the default) and `Float` (`--precision float32`) are `Real` in swift-numerics' RealModule, which
/// evaluates them with the platform's libm (the same functions Foundation calls, so the same bits), and
/// ``Activation`` writes φ and φ′ once, generically. ``activate(_:_:)`` is the one call per matrix through which
/// generic code (``Network``, possibly in another module) reaches the loop specialized for its precision inside
/// this module: a generic `apply` inlined across modules was left unspecialized and ran φ through a witness
/// table per entry (the forward pass took 1.4× as long).
public protocol NetworkScalar: BLASScalar, Real {
    /// Applies φ to every entry of `z` in place and returns φ′ at the original entries (``Activation/apply(_:)``).
    static func activate(_ activation: Activation, _ z: inout DenseMatrix<Self>) -> DenseMatrix<Self>
    /// relu in place, z ← max(z, 0), returning φ′ = 1 where z > 0 and 0 elsewhere. Each precision's witness is a
    /// concrete function into which ``reluInPlace(_:)`` is inlined: the same loop compiled from generic code became
    /// a branch per entry (signs are random, so it mispredicts half the time; the forward pass took 1.4× as long),
    /// while the concrete loop compiles to vectorized selects.
    static func relu(_ z: inout DenseMatrix<Self>) -> DenseMatrix<Self>
}

extension NetworkScalar {
    public static func activate(_ activation: Activation, _ z: inout DenseMatrix<Self>) -> DenseMatrix<Self> {
        activation.apply(&z)
    }
}

/// The loop of ``NetworkScalar/relu(_:)``, written once and inlined into each precision's concrete witness.
///
/// The comparison is made once, into `positive`, against constants of type `T`: written as `v > 0 ? 1 : 0` and
/// `v > 0 ? v : 0` the specialized loop became one branch per entry, as a generic default witness did; written
/// this way it compiles to the same vectorized selects as a loop on `Double` or `Float` (checked in the disassembly
/// of the release build: the float64 witness is instruction for instruction the concrete loop it replaces).
@inline(__always)
private func reluInPlace<T: BinaryFloatingPoint>(_ z: inout DenseMatrix<T>) -> DenseMatrix<T> {
    var d = DenseMatrix<T>(rows: z.rows, cols: z.cols)
    let n = z.data.count
    let one: T = 1, zero: T = 0
    z.data.withUnsafeMutableBufferPointer { pz in
        d.data.withUnsafeMutableBufferPointer { pd in
            for i in 0..<n {
                let v = pz[i]
                let positive = v > zero
                pd[i] = positive ? one : zero
                pz[i] = positive ? v : zero
            }
        }
    }
    return d
}

extension Double: NetworkScalar {
    public static func relu(_ z: inout Matrix) -> Matrix { reluInPlace(&z) }
}

extension Float: NetworkScalar {
    public static func relu(_ z: inout DenseMatrix<Float>) -> DenseMatrix<Float> { reluInPlace(&z) }
}
