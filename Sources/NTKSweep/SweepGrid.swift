import Foundation

/// One run of a sweep: a width and a seed, and, when the sweep has those axes, a parameterization, an
/// output scale α and a depth.
///
/// `parameterization`, `outputScale` and `depth` are nil when the sweep does not vary them
/// (`--parameterizations`, `--output-scales`, `--depths` not given): every cell then runs with the sweep's one
/// `--parameterization`, `--output-scale` and `--depth`, and the run's folder is named by width and seed alone,
/// as before these axes existed.
public struct SweepCell: Hashable, Comparable, Sendable {
    public var width: Int
    public var seed: UInt64
    /// This cell's parameterization on a `--parameterizations` axis, or nil (not an axis).
    public var parameterization: Parameterization?
    /// This cell's α on an `--output-scales` axis, or nil (not an axis).
    public var outputScale: Double?
    /// This cell's number of hidden layers on a `--depths` axis, or nil (not an axis).
    public var depth: Int?
    /// This cell's η/η_crit on an `--lr-factors` axis, or nil (not an axis): the run sets η from its own η_crit.
    public var learningRateFactor: Double? = nil
    /// This cell's architecture on an `--architectures` axis, or nil (not an axis).
    public var architecture: ArchitectureKind? = nil

    public init(width: Int, seed: UInt64, parameterization: Parameterization? = nil, outputScale: Double? = nil, depth: Int? = nil,
                learningRateFactor: Double? = nil, architecture: ArchitectureKind? = nil) {
        (self.width, self.seed, self.parameterization, self.outputScale, self.depth) = (width, seed, parameterization, outputScale, depth)
        self.learningRateFactor = learningRateFactor
        self.architecture = architecture
    }

    /// The run's folder name inside `OUT/runs/`: `w<width>-s<seed>`, after `<architecture>-`, `<parameterization>-`,
    /// `a<α>-`, `d<depth>-` and `lr<factor>-` for the axes the sweep has (e.g. `mup-a0.1-w256-s0`, `d4-w1024-s2`,
    /// `lr1.5-w64-s0`, `resnet-d8-w512-s0`).
    public var directoryName: String {
        (architecture.map { "\($0.rawValue)-" } ?? "")
            + (parameterization.map { "\($0.rawValue)-" } ?? "") + (outputScale.map { "a\(Self.text($0))-" } ?? "")
            + (depth.map { "d\($0)-" } ?? "") + (learningRateFactor.map { "lr\(Self.text($0))-" } ?? "") + "w\(width)-s\(seed)"
    }

    /// α as it is written in folder names and messages: the shortest text that reads back as the same Double,
    /// without a trailing ".0" (100, 0.01, 1e-05).
    public static func text(_ alpha: Double) -> String {
        alpha == alpha.rounded() && abs(alpha) < 1e15 ? String(Int64(alpha)) : "\(alpha)"
    }

    /// The sort key after the architecture: parameterization (in ``Parameterization/allCases`` order), α, depth,
    /// η/η_crit, width, seed.
    private var key: (Int, Double, Int, Double, Int, UInt64) {
        (parameterization.flatMap { Parameterization.allCases.firstIndex(of: $0) } ?? -1,
         outputScale ?? -.infinity, depth ?? -1, learningRateFactor ?? -.infinity, width, seed)
    }

    /// The architecture's place in ``ArchitectureKind/allCases`` (−1 off the axis), the first sort key.
    private var architectureIndex: Int { architecture.flatMap { ArchitectureKind.allCases.firstIndex(of: $0) } ?? -1 }

    public static func < (a: SweepCell, b: SweepCell) -> Bool {
        a.architectureIndex != b.architectureIndex ? a.architectureIndex < b.architectureIndex : a.key < b.key
    }
}

/// Which share of a grid one process runs: `--shard I/N` takes every N-th cell starting at I (0-based),
/// in the grid's order (architecture, parameterization, α, depth, width, seed), so each shard gets a mix of cheap and expensive
/// widths.
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

/// The grid of a sweep: the product of its parameterizations, output scales, depths, widths (ascending) and
/// seeds (base, base+1, …).
public struct SweepGrid: Equatable, Sendable {
    public var widths: [Int]
    public var seeds: [UInt64]
    /// The `--parameterizations` axis in ``Parameterization/allCases`` order, or nil when the sweep has one.
    public var parameterizations: [Parameterization]?
    /// The `--output-scales` axis, ascending, or nil when the sweep has none.
    public var outputScales: [Double]?
    /// The `--depths` axis, ascending, or nil when the sweep has none.
    public var depths: [Int]?
    /// The `--lr-factors` axis (η/η_crit of each run), ascending, or nil when the sweep has none.
    public var learningRateFactors: [Double]?
    /// The `--architectures` axis in ``ArchitectureKind/allCases`` order (mlp, resnet, cnn), or nil when the sweep has one.
    public var architectures: [ArchitectureKind]?

    public init(widths: [Int], seedCount: Int, baseSeed: UInt64, parameterizations: [Parameterization]? = nil,
                outputScales: [Double]? = nil, depths: [Int]? = nil, learningRateFactors: [Double]? = nil,
                architectures: [ArchitectureKind]? = nil) {
        self.architectures = architectures.map { a in ArchitectureKind.allCases.filter(a.contains) }
        self.widths = widths.sorted()
        self.seeds = (0..<UInt64(seedCount)).map { baseSeed &+ $0 }
        self.parameterizations = parameterizations.map { p in Parameterization.allCases.filter(p.contains) }
        self.outputScales = outputScales.map { Array(Set($0)).sorted() }
        self.depths = depths.map { Array(Set($0)).sorted() }
        self.learningRateFactors = learningRateFactors.map { Array(Set($0)).sorted() }
    }

    /// Every cell: by architecture, then parameterization, then α, then depth, then η/η_crit, then width, then seed.
    public var cells: [SweepCell] {
        let kinds: [ArchitectureKind?] = architectures ?? [nil]
        return kinds.flatMap { kind in cells(architecture: kind) }
    }

    /// The cells of one architecture of the axis (nil: no axis).
    private func cells(architecture: ArchitectureKind?) -> [SweepCell] {
        let ps: [Parameterization?] = parameterizations ?? [nil]
        let alphas: [Double?] = outputScales ?? [nil]
        let ds: [Int?] = depths ?? [nil]
        let fs: [Double?] = learningRateFactors ?? [nil]
        return ps.flatMap { p in
            alphas.flatMap { a in
                ds.flatMap { d in
                    fs.flatMap { f in
                        widths.flatMap { w in
                            seeds.map {
                                SweepCell(width: w, seed: $0, parameterization: p, outputScale: a, depth: d, learningRateFactor: f,
                                          architecture: architecture)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The cells of one shard.
    public func cells(in shard: ShardSpec) -> [SweepCell] {
        cells.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
    }
}
