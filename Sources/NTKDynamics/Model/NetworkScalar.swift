import Foundation

/// The precision a network computes in: a ``BLASScalar`` with the elementary functions the activations need.
///
/// `Double` (the default) and `Float` (`--precision float32`) conform through Foundation's libm overloads, so
/// ``Activation`` writes φ and φ′ once, generically, and each precision gets its own specialized copy: the
/// generic code is `@inlinable`, and the requirements are static calls that inline to `tanh`/`tanhf` and so on.
public protocol NetworkScalar: BLASScalar {
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
}

extension Double: NetworkScalar {
    @inlinable @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable @inline(__always) public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inlinable @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
}

extension Float: NetworkScalar {
    @inlinable @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inlinable @inline(__always) public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    @inlinable @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
}
