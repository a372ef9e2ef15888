import Foundation

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) with normal draws.
///
/// The same seed gives the same stream on every machine: the tool's reproducibility rests on it.
public struct RandomSource: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// The independent uses of one seed (Docs/Conventions.md#seeding). A stream's number is part of every
    /// recorded run's reproducibility: never renumber one; add new uses at the end.
    public enum Stream: UInt64, Sendable {
        /// The training inputs of a synthetic dataset.
        case trainInputs = 1
        /// The network's initial parameters, layer by layer (`run`, `sweep` and `kernel` draw the same network
        /// from the same seed through this stream).
        case parameters = 2
        /// The test inputs of a synthetic dataset.
        case testInputs = 3
        /// The training targets' noise.
        case trainNoise = 4
        /// The permutation that splits and selects the rows of a real dataset.
        case trainRows = 5
        /// The permutation of the rows of `--test-data`.
        case testRows = 6
        /// The minibatch permutations of `--optimizer sgd` and of momentum with `--batch-size` (``BatchSchedule``).
        case batches = 7
    }

    /// A generator for `seed` on one of its named streams.
    public init(seed: UInt64, stream: Stream) {
        self.init(seed: seed, stream: stream.rawValue)
    }

    /// A generator for `seed`; `stream` separates independent uses of one seed (data, parameters, …).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform draw in [a, b).
    public mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * uniform()
    }

    /// A standard normal draw (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        var u = uniform()
        while u == 0 { u = uniform() }
        let v = uniform()
        let r = (-2 * Foundation.log(u)).squareRoot()
        spareNormal = r * Foundation.sin(2 * Double.pi * v)
        return r * Foundation.cos(2 * Double.pi * v)
    }

    /// `count` independent N(0, std²) draws.
    public mutating func normals(_ count: Int, std: Double = 1) -> [Double] {
        (0..<count).map { _ in std * normal() }
    }
}
