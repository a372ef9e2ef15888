/// How a run trains: the learning rate rule, loss, length and what is measured how often.
public struct TrainingSettings: Codable, Equatable, Sendable {
    /// Number of GD steps T.
    public var steps: Int
    /// An explicit η; nil chooses η = `learningRateFactor`·η_crit.
    public var learningRate: Double?
    /// η as a fraction of η_crit = 2/λ_max(K̃_0) when `learningRate` is nil.
    public var learningRateFactor: Double
    public var loss: LossNormalization
    /// Measure K_t (drift) every this many steps, and at the last step.
    public var kernelEvery: Int
    /// Log a row every this many steps, and at the last step.
    public var logEvery: Int
    /// Evaluate the network on the test inputs (test_loss_gd, test_gap) every this many steps, on logged
    /// steps, and at the last step: a forward pass on the test set costs as much as a third of a GD step.
    public var testEvery: Int
    /// How many of the top eigenmodes `modes.csv` follows.
    public var modes: Int
    /// Seeds the training data (stream 1), the parameters (stream 2), the test data (stream 3) and the noise (stream 4).
    public var seed: UInt64
    /// The kernel of the linearized prediction for k outputs: the exact one, or the output average ⊗ I_k.
    public var kernelLayout: KernelLayout = .full

    /// Which kernels the run predicts from: K₀ alone, or also the analytic infinite-width Θ (``InfiniteWidthPrediction``).
    public var kernel: KernelChoice = .empirical
    /// Gauss–Hermite degree for Θ of tanh and gelu.
    public var quadratureDegree = GaussHermiteRule.defaultDegree
    /// Kernel ridge regression on the test points with this ridge (``RidgeComparison``), when set.
    public var ridge: Double?
    /// The precision of the network's parameters, passes and GD update; the kernel and the prediction stay float64.
    public var precision: Precision = .float64
    /// The laziness scale α (`--output-scale`, Docs/Parameterizations.md#the-output-scale-α): when set, the model is
    /// the centred, scaled F(θ) = α·(f(θ) − f(θ₀)), trained on L(F)/α². Its linearized dynamics do not depend on α
    /// (K̃ and η_crit are those of f), while the parameters move ∝ 1/α: large α is lazy training, small α
    /// leaves the kernel regime. nil is the plain network f, as before the option existed.
    public var outputScale: Double?
    /// How θ is updated (`--optimizer`, `--batch-size`, `--momentum`; ``OptimizerSpec``); `gd` is full-batch GD, as
    /// before the options existed.
    public var optimizer: OptimizerSpec = .gd
    /// The loss function (`--loss mse|cross-entropy`); ``loss`` is its normalization ν.
    public var lossFunction: LossFunction = .mse
    /// Keep the network's outputs on the training and test inputs every this many steps (and at the last step),
    /// and the final parameters (`--keep-outputs-every`, ``NTKExperiment/outputHistory``); nil keeps neither.
    public var outputHistoryEvery: Int?
    /// Keep K_t every this many steps (a multiple of ``kernelEvery``), K₀ and the last measured K_t
    /// (`--keep-kernel-every`, ``NTKExperiment/kernelHistory``); nil keeps only K₀ and the last.
    public var kernelHistoryEvery: Int?
    /// Measure the sharpness λ_max(R^{1/2}·∇²L·R^{1/2}) every this many steps and at the last step (`--sharpness-every`,
    /// ``HessianSharpness``); nil never measures it.
    public var sharpnessEvery: Int?

    /// How many kernels `--keep-kernel-every` keeps: t = 0, K, 2K, … ≤ T, and T when K does not divide it.
    public var keptKernelCount: Int {
        kernelHistoryEvery.map { steps / $0 + 1 + (steps % $0 == 0 ? 0 : 1) } ?? 0
    }

    public init(steps: Int = 1000, learningRate: Double? = nil, learningRateFactor: Double = 0.5,
                loss: LossNormalization = .mean, kernelEvery: Int = 10, logEvery: Int = 1, testEvery: Int = 10, modes: Int = 10, seed: UInt64 = 0,
                kernelLayout: KernelLayout = .full) {
        self.steps = steps
        self.learningRate = learningRate
        self.learningRateFactor = learningRateFactor
        self.loss = loss
        self.kernelEvery = kernelEvery
        self.logEvery = logEvery
        self.testEvery = testEvery
        self.modes = modes
        self.seed = seed
        self.kernelLayout = kernelLayout
    }
}

/// Which kernels a training run predicts from (`--kernel`, config key `kernel`).
public enum KernelChoice: String, CaseIterable, Codable, Sendable {
    /// The empirical K₀ of the network itself.
    case empirical
    /// K₀, and the analytic infinite-width Θ beside it.
    case analytic
}
