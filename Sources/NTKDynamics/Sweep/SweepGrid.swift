/// One (width, seed) run of a sweep.
public struct SweepCell: Hashable, Comparable, Sendable {
    public var width: Int
    public var seed: UInt64

    public init(width: Int, seed: UInt64) {
        self.width = width
        self.seed = seed
    }

    /// The run's folder name inside `OUT/runs/`.
    public var directoryName: String { "w\(width)-s\(seed)" }

    public static func < (a: SweepCell, b: SweepCell) -> Bool {
        (a.width, a.seed) < (b.width, b.seed)
    }
}

/// Which share of a grid one process runs: `--shard I/N` takes every N-th cell starting at I (0-based),
/// in the grid's width-major order, so each shard gets a mix of cheap and expensive widths.
public struct ShardSpec: Equatable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count)
        self.index = index
        self.count = count
    }

    /// Parses "I/N" with 0 ≤ I < N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    public static let whole = ShardSpec(index: 0, count: 1)
}

/// The (width, seed) grid of a sweep: widths ascending, seeds base, base+1, ….
public struct SweepGrid: Equatable, Sendable {
    public var widths: [Int]
    public var seeds: [UInt64]

    public init(widths: [Int], seedCount: Int, baseSeed: UInt64) {
        self.widths = widths.sorted()
        self.seeds = (0..<UInt64(seedCount)).map { baseSeed &+ $0 }
    }

    /// Every cell, width-major.
    public var cells: [SweepCell] {
        widths.flatMap { w in seeds.map { SweepCell(width: w, seed: $0) } }
    }

    /// The cells of one shard.
    public func cells(in shard: ShardSpec) -> [SweepCell] {
        cells.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
    }
}
