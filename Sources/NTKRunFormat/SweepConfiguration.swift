import Foundation

/// `sweep_config.json` (Docs/LogFormat.md#sweep_configjson): what makes two sweep directories parts of the same
/// sweep. Keys at top level but `data`: the network and training records shared with a run's `config.json`, and
/// the sweep's own.
public struct SweepConfiguration: Codable, Equatable, Sendable {
    /// `format_version`: ``FormatRecord/current`` when written, 1 when read from a directory without the key.
    public var format = FormatRecord()
    public var network: NetworkRecord
    public var training: TrainingRecord
    public var sweep: SweepRecord

    public init(network: NetworkRecord, training: TrainingRecord, sweep: SweepRecord) {
        self.network = network
        self.training = training
        self.sweep = sweep
    }

    public init(from decoder: any Decoder) throws {
        format = try FormatRecord(from: decoder)
        network = try NetworkRecord(from: decoder)
        training = try TrainingRecord(from: decoder)
        sweep = try SweepRecord(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONText.encode(format, network, training, sweep, to: encoder)
    }

    /// How far apart two η derived from η_crit may be and still be the same sweep: 10⁻⁹ relative.
    ///
    /// λ_max(K̃₀), and so η_crit = 2/λ_max, depends on how OpenBLAS splits its sums, which changes with the
    /// thread count (`--jobs 1` runs with every core, `--jobs 2` with one thread each) and the kernel family;
    /// the difference reported in issue 14 is one bit (about 10⁻¹⁶ relative); sums reordered over a larger kernel
    /// can differ by a few hundred ulps. 10⁻⁹ is far above that and far below
    /// any η the user would choose on purpose. An η given with `--lr` is compared exactly (Docs/Sweep.md).
    public static let derivedLearningRateTolerance = 1e-9

    /// The settings that must agree between shards and between a sweep and its resumption.
    public func sameSweep(as other: SweepConfiguration) -> String? {
        var a = self, b = other
        a.sweep.shard = ""; b.sweep.shard = ""
        a.sweep.version = ""; b.sweep.version = ""
        // A sweep written before format_version existed (format 1) resumes and merges with this version's.
        a.format = FormatRecord(); b.format = FormatRecord()
        a.training.precision = a.training.precision ?? .float64; b.training.precision = b.training.precision ?? .float64
        // Sweeps written before --optimizer and --loss cross-entropy existed are gd on mse.
        a.training.optimizer = a.training.optimizer ?? .gd; b.training.optimizer = b.training.optimizer ?? .gd
        a.training.lossFunction = a.training.lossFunction ?? .mse; b.training.lossFunction = b.training.lossFunction ?? .mse
        // A sweep written before data_fingerprint existed is compared on its recorded settings alone, as it was then.
        if a.sweep.dataFingerprint == nil || b.sweep.dataFingerprint == nil { (a.sweep.dataFingerprint, b.sweep.dataFingerprint) = (nil, nil) }
        // η derived from η_crit (not given with --lr): equal within the tolerance, and its description
        // without the printed η_crit, which can differ in its last digit for the same reason.
        func close(_ x: Double, _ y: Double) -> Bool {
            abs(x - y) <= Self.derivedLearningRateTolerance * max(abs(x), abs(y))
        }
        let (ra, rb) = (a.sweep.lrPerNetwork ?? [], b.sweep.lrPerNetwork ?? [])
        let ratesClose = ra.count == rb.count && zip(ra, rb).allSatisfy { x, y in
            x.parameterization == y.parameterization && x.depth == y.depth && x.architecture == y.architecture && close(x.lr, y.lr)
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
        return "they differ in " + differing.map {
            $0 == SweepRecord.CodingKeys.dataFingerprint.rawValue ? $0 + " (the training or test inputs or targets are other numbers)" : $0
        }.joined(separator: ", ")
    }

    /// `lr_source` without its "(η_crit = …)" figures.
    public static func withoutPrintedCriticalRate(_ source: String) -> String {
        guard let r = source.range(of: " (η_crit = ") else { return source }
        return String(source[..<r.lowerBound])
    }
}

/// The sweep's own records, after the ones it shares with a run's `config.json` (``NetworkRecord``, ``TrainingRecord``).
extension SweepConfiguration {
    /// What only a sweep's configuration records.
    public struct SweepRecord: Codable, Equatable, Sendable {
        public var tool = "ntk-dynamics"
        public var version = NTKDynamicsVersion.current
        public var widths: [Int]
        public var seeds: [UInt64]
        public var data: DataSettings
        public var dataSeed: UInt64
        /// η, the same for every width.
        public var lr: Double
        /// How η was chosen.
        public var lrSource: String
        /// This directory's share of the grid ("0/1" for a whole sweep); not compared by merge.
        public var shard: String
        /// The `--parameterizations` axis; absent without it (the network record's `parameterization` then
        /// holds the one parameterization; with it, the axis' first).
        public var parameterizations: [Parameterization]?
        /// The `--output-scales` axis; absent without it (the training record's `output_scale` then holds the
        /// one α or null; with it, null).
        public var outputScales: [Double]?
        /// The `--depths` axis; absent without it (the network record's `depth` then holds the one depth; with
        /// it, the axis' first).
        public var depths: [Int]?
        /// The `--lr-factors` axis (η/η_crit of each run, from its own η_crit); absent without it.
        public var lrFactors: [Double]?
        /// η of each (parameterization, depth) of the axes, when derived from η_crit (each network has its own
        /// kernel, so its own η_crit); `lr` is then the first one's. Absent otherwise.
        public var lrPerNetwork: [NetworkRate]?
        /// Where real data came from (`--data`, `--dataset digits`); absent for synthetic data, whose `data`
        /// settings say everything.
        public var dataSource: DataSource?
        /// ``DataFingerprint`` of the training and test inputs and targets; absent in sweeps written before it, which
        /// are then compared without it.
        public var dataFingerprint: String?
        /// The `--architectures` axis; absent without it (the network record's `architecture` then holds the one
        /// architecture; with it, the axis' first).
        public var architectures: [ArchitectureKind]?

        public init(widths: [Int], seeds: [UInt64], data: DataSettings, dataSeed: UInt64, lr: Double, lrSource: String,
                    shard: String, parameterizations: [Parameterization]? = nil, outputScales: [Double]? = nil, depths: [Int]? = nil,
                    lrFactors: [Double]? = nil, lrPerNetwork: [NetworkRate]? = nil, dataSource: DataSource? = nil,
                    dataFingerprint: String? = nil) {
            (self.widths, self.seeds, self.data, self.dataSeed, self.lr, self.lrSource) = (widths, seeds, data, dataSeed, lr, lrSource)
            (self.shard, self.parameterizations, self.outputScales, self.depths) = (shard, parameterizations, outputScales, depths)
            (self.lrFactors, self.lrPerNetwork, self.dataSource, self.dataFingerprint) = (lrFactors, lrPerNetwork, dataSource, dataFingerprint)
        }

        /// The same record with the `--architectures` axis.
        public func with(architectures: [ArchitectureKind]?) -> SweepRecord {
            var r = self
            r.architectures = architectures
            return r
        }

        package enum CodingKeys: String, CodingKey {
            case tool, version, widths, seeds, data, dataSeed = "data_seed", lr, lrSource = "lr_source", shard
            case parameterizations, outputScales = "output_scales", depths, lrPerNetwork = "lr_per_network"
            case dataSource = "data_source", dataFingerprint = "data_fingerprint", lrFactors = "lr_factors"
            case architectures
        }

    }

    /// η of one (architecture, parameterization, depth) of a sweep with those axes.
    public struct NetworkRate: Codable, Equatable, Sendable {
        public var parameterization: Parameterization
        public var depth: Int
        public var lr: Double
        /// The network's architecture on an `--architectures` axis; absent without it (and in sweeps written before it).
        public var architecture: ArchitectureKind?

        public init(parameterization: Parameterization, depth: Int, lr: Double, architecture: ArchitectureKind? = nil) {
            (self.parameterization, self.depth, self.lr, self.architecture) = (parameterization, depth, lr, architecture)
        }
    }
}
