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

    @Option(help: "Loss normalization: mean (L = 1/(2Nk)·Σ‖f−y‖², K̃ = K/(Nk)) or sum (L = ½·Σ‖f−y‖², K̃ = K).")
    public var loss: LossNormalization = .mean

    @Option(name: .customLong("kernel-every"), parsing: .unconditional, help: "Measure K_t and the kernel drift every this many steps (and at the last step).")
    public var kernelEvery: Int = 10

    @Option(name: .customLong("log-every"), parsing: .unconditional, help: "Write a row of steps.csv every this many steps (and at the last step).")
    public var logEvery: Int = 1

    @Option(name: .customLong("test-every"), parsing: .unconditional, help: "Evaluate the network on the test set (test_loss_gd, test_gap) every this many steps (and at the last step); the NTK test prediction is logged on every row.")
    public var testEvery: Int = 10

    @Option(parsing: .unconditional, help: "Follow this many of the top eigenmodes of K̃₀ in modes.csv (GD and NTK residual per logged step).")
    public var modes: Int = 10

    @Option(parsing: .unconditional, help: "Seed for the data and the initialization; the same seed gives the same run.")
    public var seed: UInt64 = 0

    @Option(name: .customLong("kernel-layout"), help: "Kernel of the NTK prediction for k outputs: full (the exact (N·k)×(N·k) kernel) or trace (the output-averaged N×N kernel ⊗ I_k, neural-tangents' default trace_axes=(-1,)).")
    public var kernelLayout: KernelLayout = .full

    @Option(help: "empirical: predict from this network's K₀ only; analytic: also predict from the infinite-width NTK Θ of the architecture (a third curve: the infinite-width limit), and compare K₀ with Θ.")
    public var kernel: KernelChoice = .empirical

    @Option(name: .customLong("quadrature-degree"), parsing: .unconditional, help: "Gauss–Hermite nodes per dimension for Θ of tanh and gelu (with --kernel analytic); see Docs/InfiniteWidth.md for the accuracy.")
    public var quadratureDegree: Int = GaussHermiteRule.defaultDegree

    @Option(parsing: .unconditional, help: "Ridge λ ≥ 0 (units of K̃'s eigenvalues): report the kernel ridge regression test loss f₀ + K̃(X*,X)(K̃ + λI)⁻¹(y − f₀) with K₀ (and Θ with --kernel analytic), the t → ∞ limit of the NTK prediction.")
    public var ridge: Double?

    @Option(name: .customLong("output-scale"), parsing: .unconditional, help: "Laziness scale α > 0: train the centred, scaled model F = α·(f − f₀) on L(F)/α² (Chizat et al. 2019). Its NTK prediction does not depend on α, the weights move ∝ 1/α: large α is lazy (kernel) training, small α feature learning. Without it, the plain network f. Docs/Parameterizations.md.")
    public var outputScale: Double?

    @Option(help: "Precision of the network's forward/backward passes and GD update: float64, or float32 (sgemm/ssyrk, about 2× faster; K_t is still accumulated, eigendecomposed and predicted from in float64). Docs/Performance.md has the accuracy it costs.")
    public var precision: Precision = .float64

    public init() {}

    static let maxSteps = 100_000_000

    public func validate() throws {
        guard steps >= 0 && steps <= Self.maxSteps else {
            throw ValidationError("--steps \(steps) is out of range; use 0 to \(Self.maxSteps).")
        }
        if let lr {
            guard lr.isFinite && lr > 0 else {
                throw ValidationError("--lr \(lr) is invalid; the learning rate must be a finite number > 0.")
            }
            if lrFactor != nil {
                throw ValidationError("--lr and --lr-factor conflict: --lr sets η itself, --lr-factor sets it relative to η_crit; give one.")
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
            throw ValidationError("--quadrature-degree \(quadratureDegree) is out of range; use \(GaussHermiteRule.degreeRange.lowerBound) to \(GaussHermiteRule.degreeRange.upperBound) nodes (default \(GaussHermiteRule.defaultDegree)).")
        }
        if let a = outputScale, !(a.isFinite && a > 0) {
            throw ValidationError("--output-scale \(a) is invalid; α must be a finite number > 0 (1 trains the centred network f − f₀).")
        }
        if let r = ridge, !(r.isFinite && r >= 0) {
            throw ValidationError("--ridge \(r) is invalid; give a finite ridge λ ≥ 0 (0 is plain kernel regression).")
        }
        guard logEvery >= 1 else {
            throw ValidationError("--log-every \(logEvery) is invalid; log every 1 or more steps.")
        }
    }

    public var settings: TrainingSettings {
        var s = TrainingSettings(steps: steps, learningRate: lr, learningRateFactor: lrFactor ?? 0.5, loss: loss,
                                 kernelEvery: kernelEvery, logEvery: logEvery, testEvery: testEvery, modes: modes,
                                 seed: seed, kernelLayout: kernelLayout)
        s.kernel = kernel
        s.quadratureDegree = quadratureDegree
        s.ridge = ridge
        s.precision = precision
        s.outputScale = outputScale
        return s
    }
}

extension KernelChoice: ExpressibleByArgument {}

extension KernelLayout: ExpressibleByArgument {}

extension Precision: ExpressibleByArgument {}
