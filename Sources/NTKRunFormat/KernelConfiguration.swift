/// `config.json` of a kernel study (Docs/InfiniteWidth.md#ntk-dynamics-kernel): every resolved setting, keys at top
/// level: the network, data and OpenBLAS records shared with the other configuration files, the study's settings
/// as ``KernelStudySettings`` encodes them, and what only the study's configuration records.
/// `width` is the largest width (the one `arrays/ntk_analytic.npy` and `arrays/ntk_empirical_mean.npy` belong to).
public struct KernelConfiguration: Encodable, Sendable {
    /// `format_version` (``FormatRecord``).
    public var format = FormatRecord()
    public var network: NetworkRecord
    /// The data (`dataset`, `samples`, `test_samples`, `input_dim`, `outputs`, `noise`, and for real data `data_source`
    /// and for images `image_shape`, as a run's config.json records them).
    public var data: DataRecord
    public var blas: BLASRecord
    /// `widths`, `seeds`, `seed`, `quadrature_degree`, `ridge`.
    public var settings: KernelStudySettings
    public var study: StudyRecord

    /// What only a kernel study's configuration records.
    public struct StudyRecord: Encodable, Sendable {
        var tool = "ntk-dynamics"
        var subcommand = "kernel"
        var version = NTKDynamicsVersion.current
        var width: Int
        var parameterCount: Int
        /// "closed_form" or "gauss_hermite".
        var kernelMaps: String
        var command: [String]

        enum CodingKeys: String, CodingKey {
            case tool, subcommand, version, width, parameterCount = "parameter_count", kernelMaps = "kernel_maps", command
        }
    }

    /// The data a kernel study ran on: the synthetic settings as drawn, or for real data (`--dataset digits`, `--data`)
    /// their sizes, `dataset` the source's name (`digits`, `csv`, `npz`…), `data_source` (files, classes, scaling)
    /// and, for images, `image_shape` [H, W, C]: the keys of a run's config.json (Docs/LogFormat.md#configjson).
    public struct DataRecord: Encodable, Sendable {
        public var settings: DataSettings
        public var source: DataSource?
        public var imageShape: ImageShape?

        public init(settings: DataSettings, source: DataSource? = nil, imageShape: ImageShape? = nil) {
            (self.settings, self.source, self.imageShape) = (settings, source, imageShape)
        }

        enum CodingKeys: String, CodingKey {
            case dataset, samples, testSamples = "test_samples", inputDim = "input_dim", outputs, noise
            case dataSource = "data_source", imageShape = "image_shape"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(source?.name ?? settings.dataset.rawValue, forKey: .dataset)
            try c.encode(settings.samples, forKey: .samples)
            try c.encode(settings.testSamples, forKey: .testSamples)
            try c.encode(settings.inputDim, forKey: .inputDim)
            try c.encode(settings.outputs, forKey: .outputs)
            try c.encode(settings.noise, forKey: .noise)
            try c.encodeIfPresent(source, forKey: .dataSource)
            try c.encodeIfPresent(imageShape, forKey: .imageShape)
        }
    }

    /// The settings of `study` on data described by `data` (the synthetic settings, or a real dataset's sizes), made by the
    /// command line `command`; the study's dataset supplies the real source and the image shape.
    public init(study s: KernelStudy, data: DataSettings, command: [String]) {
        let a = s.architecture
        network = NetworkRecord(a)
        self.data = DataRecord(settings: data, source: s.dataset.source, imageShape: s.dataset.imageShape)
        blas = .current
        settings = s.settings
        study = StudyRecord(width: a.width, parameterCount: a.parameterCount,
                            kernelMaps: a.activation.hasClosedFormKernelMaps ? "closed_form" : "gauss_hermite",
                            command: command)
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONText.encode(format, network, data, blas, settings, study, to: encoder)
    }
}
