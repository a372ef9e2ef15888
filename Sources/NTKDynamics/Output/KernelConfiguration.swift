/// `config.json` of a kernel study (Docs/InfiniteWidth.md#ntk-dynamics-kernel): every resolved setting, keys at top
/// level: the network, data and OpenBLAS records shared with the other configuration files, and the study's own.
/// `width` is the largest width (the one `arrays/ntk_analytic.npy` and `arrays/ntk_empirical_mean.npy` belong to).
public struct KernelConfiguration: Encodable, Sendable {
    public var network: NetworkRecord
    /// The synthetic data (`dataset`, `samples`, `test_samples`, `input_dim`, `outputs`, `noise`).
    public var data: DataSettings
    public var blas: BLASRecord
    public var study: StudyRecord

    /// What only a kernel study's configuration records.
    public struct StudyRecord: Encodable, Sendable {
        var tool = "ntk-dynamics"
        var subcommand = "kernel"
        var version = NTKDynamicsVersion.current
        var width: Int
        var widths: [Int]
        var parameterCount: Int
        var seed: UInt64
        var seeds: Int
        /// "closed_form" or "gauss_hermite".
        var kernelMaps: String
        var quadratureDegree: Int
        @NullEncoded var ridge: Double?
        var command: [String]

        enum CodingKeys: String, CodingKey {
            case tool, subcommand, version, width, widths, parameterCount = "parameter_count", seed, seeds
            case kernelMaps = "kernel_maps", quadratureDegree = "quadrature_degree", ridge, command
        }
    }

    /// The settings of `study` on data drawn by `data`, made by the command line `command`.
    public init(study s: KernelStudy, data: DataSettings, command: [String]) {
        let a = s.architecture, c = s.settings
        network = NetworkRecord(a)
        self.data = data
        blas = .current
        study = StudyRecord(width: a.width, widths: c.widths, parameterCount: a.parameterCount, seed: c.seed, seeds: c.seeds,
                            kernelMaps: a.activation.hasClosedFormKernelMaps ? "closed_form" : "gauss_hermite",
                            quadratureDegree: c.quadratureDegree, ridge: c.ridge, command: command)
    }

    public func encode(to encoder: any Encoder) throws {
        try network.encode(to: encoder)
        try data.encode(to: encoder)
        try blas.encode(to: encoder)
        try study.encode(to: encoder)
    }
}
