/// Every resolved setting of a run, as written to `config.json` (DESIGN.md §3), keys at top level.
public struct RunConfiguration: Codable, Equatable, Sendable {
    public var tool = "ntk-dynamics"
    public var version = NTKDynamicsVersion.current
    public var width: Int
    public var depth: Int
    public var activation: Activation
    public var weightStd: Double
    public var biasStd: Double
    public var bias: Bool
    public var parameterization: Parameterization
    public var inputDim: Int
    public var outputs: Int
    public var parameterCount: Int
    public var loss: LossNormalization
    /// The η used.
    public var lr: Double
    /// η_crit = 2/λ_max(K̃_0).
    public var lrCrit: Double
    /// The factor of η_crit when η was not given explicitly; nil otherwise.
    public var lrFactor: Double?
    public var steps: Int
    public var kernelEvery: Int
    public var logEvery: Int
    public var testEvery: Int
    public var seed: UInt64
    /// `sine`, `gaussian`, `circle`, or for real data `csv` / `digits` (then `data_source` says more).
    public var dataset: String
    public var samples: Int
    public var testSamples: Int
    public var noise: Double
    /// OpenBLAS threads and the kernel family in use.
    public var blasThreads: Int
    public var blasCore: String
    /// The family OpenBLAS chose on its own; null when `OPENBLAS_CORETYPE` was set by the user.
    @NullEncoded public var blasCoreLibrary: String?
    /// Why `blas_core` is in use (``BLASCoreReason``: library, environment, automatic, opt-out, self-check-failed).
    @NullEncoded public var blasCoreReason: String?
    /// The command line that made the run.
    public var command: [String]
    /// The kernel of the linearized prediction (``KernelLayout``).
    public var kernelLayout: KernelLayout
    /// The seed the data were drawn from: `seed` for a single run, the sweep's `--seed` for a sweep's runs.
    public var dataSeed: UInt64
    /// How many top modes modes.csv follows.
    public var modes: Int
    /// "empirical", or "analytic" when the infinite-width prediction is computed too.
    public var kernel: String
    /// Gauss–Hermite degree for Θ (tanh, gelu) with `kernel` analytic.
    public var quadratureDegree: Int
    /// Kernel ridge regression λ, or null.
    @NullEncoded public var ridge: Double?
    /// The precision of the network's passes and GD update: "float64" or "float32" (the kernel,
    /// eigendecomposition and predictions are float64 either way).
    public var precision: Precision
    /// The layout in words.
    public var kernelLayoutNote: String
    /// Files, columns, split, scaling (with the standardization statistics) of real data; absent for synthetic data.
    public var dataSource: DataSource?

    public init(architecture a: MLPArchitecture, data: DataSettings, settings s: TrainingSettings,
                learningRate: Double, criticalLearningRate: Double, command: [String], dataSeed dataSeedOverride: UInt64? = nil) {
        width = a.width
        depth = a.depth
        activation = a.activation
        weightStd = a.weightStd
        biasStd = a.biasStd
        bias = a.hasBias
        parameterization = a.parameterization
        inputDim = a.inputDim
        outputs = a.outputs
        parameterCount = a.parameterCount
        loss = s.loss
        lr = learningRate
        lrCrit = criticalLearningRate
        lrFactor = s.learningRate == nil ? s.learningRateFactor : nil
        steps = s.steps
        kernelEvery = s.kernelEvery
        logEvery = s.logEvery
        testEvery = s.testEvery
        seed = s.seed
        dataset = data.dataset.rawValue
        samples = data.samples
        testSamples = data.testSamples
        noise = data.noise
        blasThreads = BLAS.threadCount
        let blasStatus = BLASCoreStartup.status
        blasCore = blasStatus.core
        blasCoreLibrary = blasStatus.libraryCore
        blasCoreReason = blasStatus.reason.rawValue
        self.command = command
        kernelLayout = s.kernelLayout
        modes = s.modes
        dataSeed = dataSeedOverride ?? s.seed
        kernel = s.analyticKernel ? "analytic" : "empirical"
        quadratureDegree = s.quadratureDegree
        ridge = s.ridge
        precision = s.precision
        kernelLayoutNote = s.kernelLayout.explanation
    }

    /// Describes real data from the dataset itself (sizes, `dataset`, `data_source`); no change for synthetic data.
    public mutating func describe(_ d: Dataset) {
        guard let source = d.source else { return }
        dataset = source.name
        samples = d.trainCount
        testSamples = d.testCount
        noise = 0
        dataSource = source
    }

    enum CodingKeys: String, CodingKey {
        case tool, version, width, depth, activation, weightStd = "weight_std", biasStd = "bias_std", bias
        case parameterization, inputDim = "input_dim", outputs, parameterCount = "parameter_count", loss, lr
        case lrCrit = "lr_crit", lrFactor = "lr_factor", steps, kernelEvery = "kernel_every", logEvery = "log_every", testEvery = "test_every"
        case seed, dataset, samples, testSamples = "test_samples", noise, blasThreads = "blas_threads"
        case blasCore = "blas_core", blasCoreLibrary = "blas_core_library", blasCoreReason = "blas_core_reason", command, kernelLayout = "kernel_layout", kernelLayoutNote = "kernel_layout_note"
        case modes, kernel, quadratureDegree = "quadrature_degree", ridge, dataSeed = "data_seed"
        case dataSource = "data_source", precision
    }
}

/// The tool's version, written into every run.
public enum NTKDynamicsVersion {
    public static let current = "0.1.0"
}
