/// Every resolved setting of a run, as written to `config.json` (Docs/LogFormat.md#configjson), keys at top level:
/// the network, training and OpenBLAS records that the other configuration files share, the format version, and
/// the run's own.
public struct RunConfiguration: Codable, Equatable, Sendable {
    /// `format_version`: ``FormatRecord/current`` when written, 1 when read from a directory without the key.
    public var format = FormatRecord()
    public var network: NetworkRecord
    public var training: TrainingRecord
    public var blas: BLASRecord
    public var run: RunRecord

    /// What only a run's configuration records.
    public struct RunRecord: Codable, Equatable, Sendable {
        public var tool = "ntk-dynamics"
        public var version = NTKDynamicsVersion.current
        public var width: Int
        public var inputDim: Int
        public var outputs: Int
        public var parameterCount: Int
        /// The η used.
        public var lr: Double
        /// η_crit = 2/λ_max(K̃_0).
        public var lrCrit: Double
        /// The factor of η_crit when η was not given explicitly; nil (no key) otherwise.
        public var lrFactor: Double?
        public var seed: UInt64
        /// The seed the data were drawn from: `seed` for a single run, the sweep's `--seed` for a sweep's runs.
        public var dataSeed: UInt64
        /// `sine`, `gaussian`, `circle`, or for real data `csv` / `digits` (then `data_source` says more).
        public var dataset: String
        public var samples: Int
        public var testSamples: Int
        public var noise: Double
        /// The command line that made the run.
        public var command: [String]
        /// The kernel layout in words.
        public var kernelLayoutNote: String
        /// Files, columns, split, scaling (with the standardization statistics) of real data; no key for synthetic data.
        public var dataSource: DataSource?
        /// [H, W, C] of image inputs (``Dataset/imageShape``); no key for plain vectors.
        public var imageShape: ImageShape?

        package enum CodingKeys: String, CodingKey {
            case tool, version, width, inputDim = "input_dim", outputs, parameterCount = "parameter_count", lr
            case lrCrit = "lr_crit", lrFactor = "lr_factor", seed, dataSeed = "data_seed", dataset, samples
            case testSamples = "test_samples", noise, command, kernelLayoutNote = "kernel_layout_note", dataSource = "data_source"
            case imageShape = "image_shape"
        }
    }

    public init(architecture a: NetworkArchitecture, data: DataSettings, settings s: TrainingSettings,
                learningRate: Double, criticalLearningRate: Double, command: [String], dataSeed: UInt64? = nil) {
        network = NetworkRecord(a)
        training = TrainingRecord(s)
        blas = .current
        run = RunRecord(width: a.width, inputDim: a.inputDim, outputs: a.outputs, parameterCount: a.parameterCount,
                        lr: learningRate, lrCrit: criticalLearningRate, lrFactor: s.learningRate == nil ? s.learningRateFactor : nil,
                        seed: s.seed, dataSeed: dataSeed ?? s.seed, dataset: data.dataset.rawValue, samples: data.samples,
                        testSamples: data.testSamples, noise: data.noise, command: command,
                        kernelLayoutNote: s.kernelLayout.explanation)
    }

    /// Describes real data from the dataset itself (sizes, `dataset`, `data_source`); no change for synthetic data.
    public mutating func describe(_ d: Dataset) {
        guard let source = d.source else { return }
        run.dataset = source.name
        run.samples = d.trainCount
        run.testSamples = d.testCount
        run.noise = 0
        run.dataSource = source
        run.imageShape = d.imageShape
    }

    public init(from decoder: any Decoder) throws {
        format = try FormatRecord(from: decoder)
        network = try NetworkRecord(from: decoder)
        training = try TrainingRecord(from: decoder)
        blas = try BLASRecord(from: decoder)
        run = try RunRecord(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONText.encode(format, network, training, blas, run, to: encoder)
    }
}

/// The tool's version, written into every run.
public enum NTKDynamicsVersion {
    public static let current = "0.1.0"
}
