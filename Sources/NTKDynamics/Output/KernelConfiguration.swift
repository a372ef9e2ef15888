/// `config.json` of a kernel run: every resolved setting, keys at top level (Docs/InfiniteWidth.md#ntk-dynamics-kernel). `width` is the
/// largest width (the one `arrays/ntk_analytic.npy` and `arrays/ntk_empirical_mean.npy` belong to).
public struct KernelConfiguration: Encodable, Sendable {
    var tool = "ntk-dynamics"
    var subcommand = "kernel"
    var version = NTKDynamicsVersion.current
    var width: Int
    var widths: [Int]
    var depth: Int
    var activation: Activation
    var weightStd: Double
    var biasStd: Double
    var bias: Bool
    var parameterization: Parameterization
    var inputDim: Int
    var outputs: Int
    var parameterCount: Int
    var seed: UInt64
    var seeds: Int
    var dataset: SyntheticDataset
    var samples: Int
    var testSamples: Int
    var noise: Double
    /// "closed_form" or "gauss_hermite".
    var kernelMaps: String
    var quadratureDegree: Int
    @NullEncoded var ridge: Double?
    var blasThreads: Int
    var blasCore: String
    @NullEncoded var blasCoreLibrary: String?
    var blasCoreReason: String
    var command: [String]

    /// The settings of `study` on data drawn by `data`, made by the command line `command`.
    public init(study: KernelStudy, data: DataSettings, command: [String]) {
        let a = study.architecture, c = study.settings
        width = a.width
        widths = c.widths
        depth = a.depth
        activation = a.activation
        weightStd = a.weightStd
        biasStd = a.biasStd
        bias = a.hasBias
        parameterization = a.parameterization
        inputDim = a.inputDim
        outputs = a.outputs
        parameterCount = a.parameterCount
        seed = c.seed
        seeds = c.seeds
        dataset = data.dataset
        samples = data.samples
        testSamples = data.testSamples
        noise = data.noise
        kernelMaps = a.activation.hasClosedFormKernelMaps ? "closed_form" : "gauss_hermite"
        quadratureDegree = c.quadratureDegree
        ridge = c.ridge
        blasThreads = BLAS.threadCount
        let blasStatus = BLASCoreStartup.status
        blasCore = blasStatus.core
        blasCoreLibrary = blasStatus.libraryCore
        blasCoreReason = blasStatus.reason.rawValue
        self.command = command
    }

    enum CodingKeys: String, CodingKey {
        case tool, subcommand, version, width, widths, depth, activation, weightStd = "weight_std", biasStd = "bias_std"
        case bias, parameterization, inputDim = "input_dim", outputs, parameterCount = "parameter_count", seed, seeds
        case dataset, samples, testSamples = "test_samples", noise, kernelMaps = "kernel_maps"
        case quadratureDegree = "quadrature_degree", ridge, blasThreads = "blas_threads", blasCore = "blas_core"
        case blasCoreLibrary = "blas_core_library", blasCoreReason = "blas_core_reason", command
    }
}
