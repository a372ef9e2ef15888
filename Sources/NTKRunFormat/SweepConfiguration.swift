import Foundation
import NTKDynamics

/// `sweep_config.json` (Docs/LogFormat.md#sweep_configjson): what makes two sweep directories parts of the same
/// sweep. Keys at top level but `data`: the network and training records shared with a run's `config.json`, and
/// the sweep's own.
struct SweepConfiguration: Codable, Equatable, Sendable {
    /// `format_version`: ``FormatRecord/current`` when written, 1 when read from a directory without the key.
    var format = FormatRecord()
    var network: NetworkRecord
    var training: TrainingRecord
    var sweep: SweepRecord

    /// What only a sweep's configuration records.
    struct SweepRecord: Codable, Equatable, Sendable {
        var tool = "ntk-dynamics"
        var version = NTKDynamicsVersion.current
        var widths: [Int]
        var seeds: [UInt64]
        var data: DataSettings
        var dataSeed: UInt64
        /// η, the same for every width.
        var lr: Double
        /// How η was chosen.
        var lrSource: String
        /// This directory's share of the grid ("0/1" for a whole sweep); not compared by merge.
        var shard: String
        /// The `--parameterizations` axis; absent without it (the network record's `parameterization` then
        /// holds the one parameterization; with it, the axis' first).
        var parameterizations: [Parameterization]?
        /// The `--output-scales` axis; absent without it (the training record's `output_scale` then holds the
        /// one α or null; with it, null).
        var outputScales: [Double]?
        /// The `--depths` axis; absent without it (the network record's `depth` then holds the one depth; with
        /// it, the axis' first).
        var depths: [Int]?
        /// η of each (parameterization, depth) of the axes, when derived from η_crit (each network has its own
        /// kernel, so its own η_crit); `lr` is then the first one's. Absent otherwise.
        var lrPerNetwork: [NetworkRate]?
        /// Where real data came from (`--data`, `--dataset digits`); absent for synthetic data, whose `data`
        /// settings say everything.
        var dataSource: DataSource?

        enum CodingKeys: String, CodingKey {
            case tool, version, widths, seeds, data, dataSeed = "data_seed", lr, lrSource = "lr_source", shard
            case parameterizations, outputScales = "output_scales", depths, lrPerNetwork = "lr_per_network"
            case dataSource = "data_source"
        }

        /// The grid these settings describe.
        var grid: SweepGrid {
            SweepGrid(widths: widths, seedCount: seeds.count, baseSeed: seeds[0], parameterizations: parameterizations,
                      outputScales: outputScales, depths: depths)
        }

        /// η of the network with this parameterization and depth.
        func learningRate(_ parameterization: Parameterization, depth: Int) -> Double {
            lrPerNetwork?.first { $0.parameterization == parameterization && $0.depth == depth }?.lr ?? lr
        }
    }

    /// η of one (parameterization, depth) of a sweep with those axes.
    struct NetworkRate: Codable, Equatable, Sendable {
        var parameterization: Parameterization
        var depth: Int
        var lr: Double
    }

    /// The sweep's one parameterization and depth: those of its first network when it has axes.
    var rowDefaults: SweepRow.Defaults {
        SweepRow.Defaults(parameterization: network.parameterization, depth: network.depth, outputScale: training.outputScale)
    }

    init(network: NetworkRecord, training: TrainingRecord, sweep: SweepRecord) {
        self.network = network
        self.training = training
        self.sweep = sweep
    }

    init(from decoder: any Decoder) throws {
        format = try FormatRecord(from: decoder)
        network = try NetworkRecord(from: decoder)
        training = try TrainingRecord(from: decoder)
        sweep = try SweepRecord(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        try JSONText.encode(format, network, training, sweep, to: encoder)
    }

    /// How far apart two η derived from η_crit may be and still be the same sweep: 10⁻⁹ relative.
    ///
    /// λ_max(K̃₀), and so η_crit = 2/λ_max, depends on how OpenBLAS splits its sums, which changes with the
    /// thread count (`--jobs 1` runs with every core, `--jobs 2` with one thread each) and the kernel family;
    /// the difference reported in issue 14 is one bit (about 10⁻¹⁶ relative); sums reordered over a larger kernel
    /// can differ by a few hundred ulps. 10⁻⁹ is far above that and far below
    /// any η the user would choose on purpose. An η given with `--lr` is compared exactly (Docs/Sweep.md).
    static let derivedLearningRateTolerance = 1e-9

    /// The settings that must agree between shards and between a sweep and its resumption.
    func sameSweep(as other: SweepConfiguration) -> String? {
        var a = self, b = other
        a.sweep.shard = ""; b.sweep.shard = ""
        a.sweep.version = ""; b.sweep.version = ""
        // A sweep written before format_version existed (format 1) resumes and merges with this version's.
        a.format = FormatRecord(); b.format = FormatRecord()
        a.training.precision = a.training.precision ?? .float64; b.training.precision = b.training.precision ?? .float64
        // Sweeps written before --optimizer and --loss cross-entropy existed are gd on mse.
        a.training.optimizer = a.training.optimizer ?? .gd; b.training.optimizer = b.training.optimizer ?? .gd
        a.training.lossFunction = a.training.lossFunction ?? .mse; b.training.lossFunction = b.training.lossFunction ?? .mse
        // η derived from η_crit (not given with --lr): equal within the tolerance, and its description
        // without the printed η_crit, which can differ in its last digit for the same reason.
        func close(_ x: Double, _ y: Double) -> Bool {
            abs(x - y) <= Self.derivedLearningRateTolerance * max(abs(x), abs(y))
        }
        let (ra, rb) = (a.sweep.lrPerNetwork ?? [], b.sweep.lrPerNetwork ?? [])
        let ratesClose = ra.count == rb.count && zip(ra, rb).allSatisfy { x, y in
            x.parameterization == y.parameterization && x.depth == y.depth && close(x.lr, y.lr)
        }
        if a.sweep.lrSource != "--lr" && b.sweep.lrSource != "--lr", close(a.sweep.lr, b.sweep.lr), ratesClose {
            b.sweep.lr = a.sweep.lr
            b.sweep.lrPerNetwork = a.sweep.lrPerNetwork
            a.sweep.lrSource = Self.withoutPrintedCriticalRate(a.sweep.lrSource)
            b.sweep.lrSource = Self.withoutPrintedCriticalRate(b.sweep.lrSource)
        }
        guard a != b else { return nil }
        let ea = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(a))) as? [String: Any] ?? [:]
        let eb = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(b))) as? [String: Any] ?? [:]
        // Compare each value as key-sorted JSON: the text of a nested dictionary has no fixed key order.
        func canonical(_ v: Any?) -> Data? {
            v.flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: [.sortedKeys]) }
        }
        let differing = Set(ea.keys).union(eb.keys).sorted().filter { canonical(ea[$0]) != canonical(eb[$0]) }
        return "they differ in " + differing.joined(separator: ", ")
    }

    /// `lr_source` without its "(η_crit = …)" figures.
    static func withoutPrintedCriticalRate(_ source: String) -> String {
        guard let r = source.range(of: " (η_crit = ") else { return source }
        return String(source[..<r.lowerBound])
    }

    static func read(_ url: URL) throws -> SweepConfiguration {
        do {
            return try JSONDecoder().decode(SweepConfiguration.self, from: Data(contentsOf: url))
        } catch {
            throw SweepError.malformed(path: url.path, reason: "not a readable sweep_config.json (\(error))")
        }
    }
}
