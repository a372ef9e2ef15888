/// The minibatches of a stochastic run (Docs/Optimizers.md#batches): each epoch is a fresh permutation of the
/// N training points, cut into consecutive batches of B (the last batch of an epoch holds the N mod B left over,
/// when B does not divide N). Each batch is returned in ascending order.
///
/// The permutation is Fisher–Yates on stream 7 (``RandomSource/Stream/batches``) of the run's seed:
/// for i = N−1 … 1, swap i with j = next() mod (i + 1). No other stream is touched, so the data and θ₀ are those
/// of the same seed under GD. `arrays/batch_indices.npy` records the sequence for replay.
public struct BatchSchedule: Sendable {
    public let samples: Int
    public let batchSize: Int
    private var rng: RandomSource
    private var permutation: [Int] = []
    private var position = 0

    public init(samples: Int, batchSize: Int, seed: UInt64) {
        precondition(samples >= 1 && batchSize >= 1 && batchSize <= samples)
        self.samples = samples
        self.batchSize = batchSize
        rng = RandomSource(seed: seed, stream: .batches)
    }

    /// Steps per epoch, ⌈N/B⌉.
    public var stepsPerEpoch: Int { (samples + batchSize - 1) / batchSize }

    /// The next batch B_t: sample indices, ascending.
    /// - Complexity: O(B log B), and O(N) at the start of an epoch.
    public mutating func next() -> [Int] {
        if position >= samples {
            position = 0
            permutation = []
        }
        if permutation.isEmpty {
            permutation = Array(0..<samples)
            var i = samples - 1
            while i > 0 {
                let j = Int(rng.next() % UInt64(i + 1))
                permutation.swapAt(i, j)
                i -= 1
            }
        }
        let end = min(position + batchSize, samples)
        let batch = permutation[position..<end].sorted()
        position = end
        return batch
    }

    /// The first `steps` batches of the schedule for `seed`.
    public static func sequence(samples: Int, batchSize: Int, seed: UInt64, steps: Int) -> [[Int]] {
        var s = BatchSchedule(samples: samples, batchSize: batchSize, seed: seed)
        return (0..<steps).map { _ in s.next() }
    }
}
