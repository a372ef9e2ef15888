/// `config.json` of a kernel study (Docs/InfiniteWidth.md#ntk-dynamics-kernel): every resolved setting, keys at top
/// level: the network, data and OpenBLAS records shared with the other configuration files, the study's settings
/// as ``KernelStudySettings`` encodes them, and what only the study's configuration records.
/// `width` is the largest width (the one `arrays/ntk_analytic.npy` and `arrays/ntk_empirical_mean.npy` belong to).
public struct KernelConfiguration: Encodable, Sendable {
    /// `format_version` (``FormatRecord``).
    public var format = FormatRecord()
    public var network: NetworkRecord
    /// The synthetic data (`dataset`, `samples`, `test_samples`, `input_dim`, `outputs`, `noise`).
    public var data: DataSettings
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

    /// The settings of `study` on data drawn by `data`, made by the command line `command`.
    public init(study s: KernelStudy, data: DataSettings, command: [String]) {
        let a = s.architecture
        network = NetworkRecord(a)
        self.data = data
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
