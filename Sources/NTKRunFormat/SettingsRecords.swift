/// The parts that `config.json` of a run and of a kernel study and `sweep_config.json` share, each written once.
///
/// The files keep their flat layout (every key at top level, Docs/LogFormat.md#configjson): a configuration
/// encodes each of its records into its own container, and decodes each from it, so one key is defined in one
/// place and a new setting (a parameterization's knob, an optimizer) reaches every file that records it.

/// The network as every configuration file records it (the widths are recorded by each file its own way).
public struct NetworkRecord: Codable, Equatable, Sendable {
    public var depth: Int
    public var activation: Activation
    public var parameterization: Parameterization
    public var weightStd: Double
    /// σ_b as given (0 with `--no-bias`).
    public var biasStd: Double
    public var bias: Bool
    /// `architecture` (mlp, resnet, cnn); a file written before architectures existed has no key and is mlp
    /// (Docs/LogFormat.md#format-versions).
    public var architecture: ArchitectureKind
    /// `branch_scale` ("1", "sqrt-depth") of a resnet, null otherwise.
    @NullEncoded public var branchScale: BranchScale?
    /// `kernel_size` K of a cnn, null otherwise.
    @NullEncoded public var kernelSize: Int?
    /// `pool` ("gap", "flatten") of a cnn, null otherwise.
    @NullEncoded public var pool: Pooling?

    public init(_ a: NetworkArchitecture) {
        depth = a.depth
        activation = a.activation
        parameterization = a.parameterization
        weightStd = a.weightStd
        biasStd = a.biasStd
        bias = a.hasBias
        architecture = a.family.kind
        branchScale = a.family.branchScale
        kernelSize = a.family.convolution?.kernelSize
        pool = a.family.convolution?.pooling
    }

    package enum CodingKeys: String, CodingKey {
        case depth, activation, parameterization, weightStd = "weight_std", biasStd = "bias_std", bias
        case architecture, branchScale = "branch_scale", kernelSize = "kernel_size", pool
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        depth = try c.decode(Int.self, forKey: .depth)
        activation = try c.decode(Activation.self, forKey: .activation)
        parameterization = try c.decode(Parameterization.self, forKey: .parameterization)
        weightStd = try c.decode(Double.self, forKey: .weightStd)
        biasStd = try c.decode(Double.self, forKey: .biasStd)
        bias = try c.decode(Bool.self, forKey: .bias)
        // Every run and sweep written before architectures existed (format 2 without the key) is an MLP.
        architecture = try c.decodeIfPresent(ArchitectureKind.self, forKey: .architecture) ?? .mlp
        _branchScale = try c.decode(NullEncoded<BranchScale>.self, forKey: .branchScale)
        _kernelSize = try c.decode(NullEncoded<Int>.self, forKey: .kernelSize)
        _pool = try c.decode(NullEncoded<Pooling>.self, forKey: .pool)
    }

    /// The network in words for titles and summaries ("resnet, depth 8, branch scale 1/√L, width 512"), at `width`.
    public func caption(width: Int) -> String {
        switch architecture {
        case .mlp: "mlp, depth \(depth), width \(width)"
        case .resnet: "resnet, depth \(depth), branch scale \((branchScale ?? .one).symbol), width \(width)"
        case .cnn:
            "cnn, depth \(depth), \(kernelSize.map { "\($0)×\($0)" } ?? "?") filters, \(pool?.rawValue ?? "gap"), \(width) channels"
        }
    }
}

/// How a run trains and what it measures, as `config.json` of a run and `sweep_config.json` record it.
public struct TrainingRecord: Codable, Equatable, Sendable {
    public var loss: LossNormalization
    public var steps: Int
    public var kernelEvery: Int
    public var logEvery: Int
    public var testEvery: Int
    public var modes: Int
    public var kernelLayout: KernelLayout
    public var kernel: KernelChoice
    public var quadratureDegree: Int
    @NullEncoded public var ridge: Double?
    /// A sweep written before `--precision` existed has none and ran float64.
    @NullEncoded public var precision: Precision?
    /// α of `--output-scale`; null for the plain network (and in files written before the option existed).
    @NullEncoded public var outputScale: Double?
    /// `--keep-outputs-every`; null without it (and in files written before the option existed).
    @NullEncoded public var outputHistoryEvery: Int?
    /// `--keep-kernel-every`; null without it (and in files written before the option existed).
    @NullEncoded public var kernelHistoryEvery: Int?
    /// `--sharpness-every`; null without it (and in files written before the option existed).
    @NullEncoded public var sharpnessEvery: Int?
    /// `--optimizer` (gd, sgd, momentum); null in files written before the option existed (they are gd).
    @NullEncoded public var optimizer: Optimizer?
    /// The minibatch size B, null for full batches.
    @NullEncoded public var batchSize: Int?
    /// β of heavy-ball momentum, null without momentum.
    @NullEncoded public var momentum: Double?
    /// `--loss` function (mse, cross-entropy); `loss` is its normalization. null in older files (they are mse).
    @NullEncoded public var lossFunction: LossFunction?

    public init(_ s: TrainingSettings) {
        loss = s.loss
        steps = s.steps
        kernelEvery = s.kernelEvery
        logEvery = s.logEvery
        testEvery = s.testEvery
        modes = s.modes
        kernelLayout = s.kernelLayout
        kernel = s.kernel
        quadratureDegree = s.quadratureDegree
        ridge = s.ridge
        precision = s.precision
        outputScale = s.outputScale
        outputHistoryEvery = s.outputHistoryEvery
        kernelHistoryEvery = s.kernelHistoryEvery
        sharpnessEvery = s.sharpnessEvery
        optimizer = s.optimizer.kind
        batchSize = s.minibatchSize
        momentum = s.heavyBall
        lossFunction = s.lossFunction
    }

    package enum CodingKeys: String, CodingKey {
        case loss, steps, kernelEvery = "kernel_every", logEvery = "log_every", testEvery = "test_every", modes
        case kernelLayout = "kernel_layout", kernel, quadratureDegree = "quadrature_degree", ridge, precision
        case outputScale = "output_scale", outputHistoryEvery = "output_history_every"
        case optimizer, batchSize = "batch_size", momentum, lossFunction = "loss_function"
        case kernelHistoryEvery = "kernel_history_every"
        case sharpnessEvery = "sharpness_every"
    }
}

/// The OpenBLAS a command computed with (Docs/CLI.md#openblas-threads-and-kernels).
public struct BLASRecord: Codable, Equatable, Sendable {
    public var threads: Int
    /// The kernel family in use.
    public var core: String
    /// The family OpenBLAS chose on its own; null when `OPENBLAS_CORETYPE` was set by the user.
    @NullEncoded public var coreLibrary: String?
    /// Why `blas_core` is in use (``BLASCoreReason``).
    @NullEncoded public var coreReason: String?

    /// The library as this process runs it now.
    public static var current: BLASRecord {
        let status = BLASCoreStartup.status
        return BLASRecord(threads: BLAS.threadCount, core: status.core, coreLibrary: status.libraryCore,
                          coreReason: status.reason.rawValue)
    }

    public init(threads: Int, core: String, coreLibrary: String?, coreReason: String?) {
        self.threads = threads
        self.core = core
        self.coreLibrary = coreLibrary
        self.coreReason = coreReason
    }

    package enum CodingKeys: String, CodingKey {
        case threads = "blas_threads", core = "blas_core", coreLibrary = "blas_core_library", coreReason = "blas_core_reason"
    }
}
