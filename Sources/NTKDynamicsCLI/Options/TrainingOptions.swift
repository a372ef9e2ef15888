import ArgumentParser
import NTKDynamics

/// Gradient descent: loss, learning rate, length, measurement cadence and seed.
public struct TrainingOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Number of full-batch GD steps.")
    public var steps: Int = 1000

    @Option(parsing: .unconditional, help: "Learning rate η. Default: --lr-factor × η_crit, with η_crit = 2/λ_max(K̃₀).")
    public var lr: Double?

    @Option(name: .customLong("lr-factor"), parsing: .unconditional, help: "η as a fraction of η_crit when --lr is not given (default 0.5).")
    public var lrFactor: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        """
            Loss function and normalization, comma-separated in any order: mse (default) or cross-entropy (softmax for k ≥ 2 \
            one-hot targets, logistic for k = 1 with ±1 targets); mean (default: ν = N·k, K̃ = K/(Nk)) or sum (ν = 1, K̃ = K). \
            E.g. --loss sum, --loss cross-entropy, --loss cross-entropy,sum.
            """,
        valueName: "loss"))
    public var loss: String = "mean"

    @Option(help: """
        How θ is updated: gd (full-batch GD, the default), sgd (minibatches of --batch-size, drawn without replacement each \
        epoch) or momentum (heavy ball with --momentum β; full batch, or minibatches with --batch-size). The linearized \
        counterpart is trained with the same optimizer and batches.
        """)
    public var optimizer: Optimizer = .gd

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: """
        Minibatch size B (1 to N) for --optimizer sgd (required) or momentum; the batch sequence is seeded by --seed and \
        saved in arrays/batch_indices.npy.
        """)
    public var batchSize: Int?

    @Option(parsing: .unconditional, help: """
        Heavy-ball momentum β, 0 ≤ β < 1, for --optimizer momentum: v ← β·v + ∇L, θ ← θ − η·v. η_crit becomes 2(1 + β)/λ_max.
        """)
    public var momentum: Double?

    @Option(name: .customLong("kernel-every"), parsing: .unconditional, help: "Measure K_t and the kernel drift every this many steps (and at the last step).")
    public var kernelEvery: Int = 10

    @Option(name: .customLong("log-every"), parsing: .unconditional, help: "Write a row of steps.csv every this many steps (and at the last step).")
    public var logEvery: Int = 1

    @Option(name: .customLong("test-every"), parsing: .unconditional, help: """
        Evaluate the network on the test set (test_loss_gd, test_gap) every this many steps (and at the last step); the NTK \
        test prediction is logged on every row.
        """)
    public var testEvery: Int = 10

    @Option(parsing: .unconditional, help: "Follow this many of the top eigenmodes of K̃₀ in modes.csv (GD and NTK residual per logged step).")
    public var modes: Int = 10

    @Option(parsing: .unconditional, help: "Seed for the data and the initialization; the same seed gives the same run.")
    public var seed: UInt64 = 0

    @Option(name: .customLong("kernel-layout"), help: """
        Kernel of the NTK prediction for k outputs: full (the exact (N·k)×(N·k) kernel) or trace (the output-averaged N×N \
        kernel ⊗ I_k, neural-tangents' default trace_axes=(-1,)).
        """)
    public var kernelLayout: KernelLayout = .full

    @Option(help: """
        empirical: predict from this network's K₀ only; analytic: also predict from the infinite-width NTK Θ of the \
        architecture (a third curve: the infinite-width limit), and compare K₀ with Θ.
        """)
    public var kernel: KernelChoice = .empirical

    @Option(name: .customLong("quadrature-degree"), parsing: .unconditional, help: """
        Gauss–Hermite nodes per dimension for Θ of tanh and gelu (with --kernel analytic); see Docs/InfiniteWidth.md for the \
        accuracy.
        """)
    public var quadratureDegree: Int = GaussHermiteRule.defaultDegree

    @Option(parsing: .unconditional, help: """
        Ridge λ ≥ 0 (units of K̃'s eigenvalues): report the kernel ridge regression test loss f₀ + K̃(X*,X)(K̃ + λI)⁻¹(y − \
        f₀) with K₀ (and Θ with --kernel analytic), the t → ∞ limit of the NTK prediction.
        """)
    public var ridge: Double?

    @Option(name: .customLong("output-scale"), parsing: .unconditional, help: """
        Laziness scale α > 0: train the centred, scaled model F = α·(f − f₀) on L(F)/α² (Chizat et al. 2019). Its NTK \
        prediction does not depend on α, the weights move ∝ 1/α: large α is lazy (kernel) training, small α feature \
        learning. Without it, the plain network f. Docs/Parameterizations.md.
        """)
    public var outputScale: Double?

    @Option(name: .customLong("keep-outputs-every"), parsing: .unconditional, help: """
        Keep f on the training and test inputs every K steps (and at the last step) in arrays/f_train_history.npy and \
        f_test_history.npy, and the final parameters in arrays/params_final/, for analyses that would otherwise need a \
        rerun. Memory: (T/K + 1)·(N + N*)·k numbers.
        """)
    public var keepOutputsEvery: Int?

    @Option(name: .customLong("keep-kernel-every"), parsing: .unconditional, help: """
        Keep K_t every K steps (a multiple of --kernel-every), with K₀ and the last measured K_t, in \
        arrays/ntk_history.npy (S, N·k, N·k) and arrays/ntk_history_steps.npy. Memory: (T/K + 2)·(N·k)² numbers, \
        counted in the memory check.
        """)
    public var keepKernelEvery: Int?

    @Option(name: .customLong("sharpness-every"), parsing: .unconditional, help: """
        Measure the sharpness λ_max(R^½·∇²L·R^½) of the training loss every K steps (and at the last step), by the \
        Lanczos iteration on exact Hessian-vector products, into the steps.csv column sharpness; compare with 2/η. \
        Each measurement costs up to 40 Hessian-vector products, about 2 GD steps each, and holds up to 40 parameter vectors.
        """)
    public var sharpnessEvery: Int?

    @Option(help: """
        Precision of the network's forward/backward passes and GD update: float64, or float32 (sgemm/ssyrk, about 2× faster; \
        K_t is still accumulated, eigendecomposed and predicted from in float64). Docs/Performance.md has the accuracy it \
        costs.
        """)
    public var precision: Precision = .float64

    public init() {}

    static let maxSteps = 100_000_000

    /// The loss function and normalization of `--loss`, or the sentence that says what is wrong with it.
    func parsedLoss() -> Result<(LossFunction, LossNormalization), ValidationError> {
        var function: LossFunction?, normalization: LossNormalization?
        for word in loss.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if let f = LossFunction(rawValue: word) {
                if function != nil { return .failure(ValidationError("--loss \(loss) names two loss functions; give one of mse, cross-entropy.")) }
                function = f
            } else if let n = LossNormalization(rawValue: word) {
                if normalization != nil { return .failure(ValidationError("--loss \(loss) names two normalizations; give one of mean, sum.")) }
                normalization = n
            } else {
                return .failure(ValidationError("""
                    --loss '\(word)' is not a loss; use mse or cross-entropy, and optionally mean or sum (e.g. --loss cross-entropy,sum).
                    """))
            }
        }
        return .success((function ?? .mse, normalization ?? .mean))
    }

    /// The optimizer options must fit together (Docs/Optimizers.md#the-options).
    func validateOptimizer() throws {
        if case let .failure(error) = parsedLoss() { throw error }
        if let b = batchSize, b < 1 {
            throw ValidationError("--batch-size \(b) is invalid; use 1 to N points per minibatch.")
        }
        if let m = momentum, !(m.isFinite && m >= 0 && m < 1) {
            throw ValidationError("--momentum \(m) is out of range; heavy-ball β must satisfy 0 ≤ β < 1 (0.9 is common; 0 is plain GD).")
        }
        switch optimizer {
        case .gd:
            if batchSize != nil {
                throw ValidationError("--batch-size needs --optimizer sgd (or momentum): --optimizer gd is full-batch.")
            }
            if momentum != nil {
                throw ValidationError("--momentum needs --optimizer momentum: --optimizer gd has no velocity.")
            }
        case .sgd:
            if batchSize == nil {
                throw ValidationError("--optimizer sgd needs --batch-size B (1 to N): the size of each minibatch.")
            }
            if momentum != nil {
                throw ValidationError("--momentum needs --optimizer momentum; for SGD with momentum use --optimizer momentum --momentum β --batch-size B.")
            }
        case .momentum:
            if momentum == nil {
                throw ValidationError("--optimizer momentum needs --momentum β (0 ≤ β < 1), e.g. --momentum 0.9.")
            }
        }
    }

    /// Why α is past what `precision` resolves (``Precision/maximumOutputScale``), nil when it is not; for
    /// `--output-scale` and every α of `sweep --output-scales`.
    static func outputScaleProblem(_ alpha: Double, _ precision: Precision) -> String? {
        let limit = precision.maximumOutputScale
        guard alpha > limit else { return nil }
        let other = precision == .float32 ? ", or --precision float64 (up to \(ProgressTable.number(Precision.float64.maximumOutputScale)))" : ""
        return "\(alpha) is too large for \(precision.rawValue): F = α·(f − f₀) loses about α·ε of accuracy to cancellation "
            + "while GD's departure from the NTK falls as 1/α, so past α = 1/√ε = \(ProgressTable.number(limit)) the gap and drift are round-off "
            + "(Docs/Parameterizations.md#the-output-scale-α); use α ≤ \(ProgressTable.number(limit))\(other)."
    }

    public func validate() throws {
        try validateOptimizer()
        guard steps >= 0 && steps <= Self.maxSteps else {
            throw ValidationError("--steps \(steps) is out of range; use 0 to \(Self.maxSteps).")
        }
        if let lr {
            guard lr.isFinite && lr > 0 else {
                throw ValidationError("--lr \(lr) is invalid; the learning rate must be a finite number > 0.")
            }
        }
        if let f = lrFactor, !(f.isFinite && f > 0) {
            throw ValidationError("--lr-factor \(f) is invalid; use a finite fraction of η_crit > 0 (0.5 is the default).")
        }
        guard kernelEvery >= 1 else {
            throw ValidationError("--kernel-every \(kernelEvery) is invalid; measure the kernel every 1 or more steps.")
        }
        guard testEvery >= 1 else {
            throw ValidationError("--test-every \(testEvery) is invalid; evaluate the test set every 1 or more steps.")
        }
        guard modes >= 0 else {
            throw ValidationError("--modes \(modes) is invalid; follow 0 or more eigenmodes.")
        }
        guard GaussHermiteRule.degreeRange.contains(quadratureDegree) else {
            throw ValidationError("""
                --quadrature-degree \(quadratureDegree) is out of range; use \(GaussHermiteRule.degreeRange.lowerBound) to \
                \(GaussHermiteRule.degreeRange.upperBound) nodes (default \(GaussHermiteRule.defaultDegree)).
                """)
        }
        if let a = outputScale, !(a.isFinite && a > 0) {
            throw ValidationError("--output-scale \(a) is invalid; α must be a finite number > 0 (1 trains the centred network f − f₀).")
        }
        if let a = outputScale, let problem = Self.outputScaleProblem(a, precision) { throw ValidationError("--output-scale " + problem) }
        if let r = ridge, !(r.isFinite && r >= 0) {
            throw ValidationError("--ridge \(r) is invalid; give a finite ridge λ ≥ 0 (0 is plain kernel regression).")
        }
        if let k = keepOutputsEvery, k < 1 {
            throw ValidationError("--keep-outputs-every \(k) is invalid; keep the outputs every 1 or more steps.")
        }
        if let k = sharpnessEvery, k < 1 {
            throw ValidationError("--sharpness-every \(k) is invalid; measure the sharpness every 1 or more steps.")
        }
        if let k = keepKernelEvery, k < 1 || k % kernelEvery != 0 {
            throw ValidationError("--keep-kernel-every \(k) is invalid; K_t is measured every --kernel-every \(kernelEvery) steps, so "
                + "keep it every multiple of that (\(kernelEvery), \(2 * kernelEvery), …).")
        }
        guard logEvery >= 1 else {
            throw ValidationError("--log-every \(logEvery) is invalid; log every 1 or more steps.")
        }
    }

    public var settings: TrainingSettings {
        let (function, normalization) = (try? parsedLoss().get()) ?? (.mse, .mean)
        var s = TrainingSettings(steps: steps, learningRate: lr, learningRateFactor: lrFactor ?? 0.5, loss: normalization,
                                 kernelEvery: kernelEvery, logEvery: logEvery, testEvery: testEvery, modes: modes,
                                 seed: seed, kernelLayout: kernelLayout)
        s.kernel = kernel
        s.quadratureDegree = quadratureDegree
        s.ridge = ridge
        s.precision = precision
        s.outputScale = outputScale
        // validate() refuses sgd without a batch size, the one combination that names no optimizer.
        s.optimizer = OptimizerSpec(optimizer, batchSize: batchSize, momentum: momentum) ?? .gd
        s.lossFunction = function
        s.outputHistoryEvery = keepOutputsEvery
        s.kernelHistoryEvery = keepKernelEvery
        s.sharpnessEvery = sharpnessEvery
        return s
    }
}

extension KernelChoice: ExpressibleByArgument {}

extension KernelLayout: ExpressibleByArgument {}

extension Precision: ExpressibleByArgument {}

extension Optimizer: ExpressibleByArgument {}
