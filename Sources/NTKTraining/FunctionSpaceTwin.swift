/// The network linearized at θ₀, f_lin(θ) = f₀ + J₀·(θ − θ₀), trained with the run's optimizer, η, β, loss and
/// minibatches, iterated exactly in function space (Docs/Optimizers.md#the-linearized-counterpart).
///
/// A parameter step Δθ = −η·R·J₀,Bᵀ·∇L_B moves the linearized outputs by J₀·Δθ = −η·K₀[:, B]·∇L_B, with
/// K₀ = J₀·R·J₀ᵀ the (rate-weighted) empirical NTK and ∇L_B = ∂L_B/∂f_B the covector of the batch's loss
/// (normalizer ν_B). So, with u the function-space velocity (u₀ = 0):
///
///     GD / SGD:   f_{t+1} = f_t − η·K₀[:, B_t]·∇L_{B_t}(f_t)
///     momentum:   u_{t+1} = β·u_t − η·K₀[:, B_t]·∇L_{B_t}(f_t),   f_{t+1} = f_t + u_{t+1}
///
/// and the test outputs follow through K₀(X*, X)[:, B_t] with the same covector. This is exact at every
/// width (no ODE, no parameter vector): the linearized network trained in parameter space with the same
/// batches gives the same outputs up to round-off. With an output scale α the centred model's linearization
/// F_lin = α·J₀·(θ − θ₀) trained on L(F)/α² moves by the same −η·K₀·∇_F L, from F₀ = 0.
public struct FunctionSpaceTwin: Sendable {
    /// K₀ on the training inputs (in the run's kernel layout), (N·k) × (N·k), sample-major.
    public let kernel: Matrix
    /// K₀(X*, X), (N*·k) × (N·k).
    public let crossKernel: Matrix
    public let targets: [Double]
    public let outputs: Int
    public let lossFunction: LossFunction
    public let normalization: LossNormalization
    public let learningRate: Double
    /// β of heavy ball; nil for GD and SGD.
    public let momentum: Double?
    /// f_t on the training inputs, sample-major.
    public private(set) var trainOutput: [Double]
    /// f_t on the test inputs, sample-major.
    public private(set) var testOutput: [Double]
    private var velocity: [Double]
    private var testVelocity: [Double]

    public init(kernel: Matrix, crossKernel: Matrix, initialOutput: [Double], initialTestOutput: [Double], targets: [Double],
                outputs: Int, lossFunction: LossFunction, normalization: LossNormalization, learningRate: Double,
                momentum: Double?) {
        precondition(kernel.rows == kernel.cols && kernel.rows == initialOutput.count && initialOutput.count == targets.count
                     && crossKernel.cols == kernel.cols && crossKernel.rows == initialTestOutput.count,
                     "the kernels, outputs and targets disagree in size")
        self.kernel = kernel
        self.crossKernel = crossKernel
        self.targets = targets
        self.outputs = outputs
        self.lossFunction = lossFunction
        self.normalization = normalization
        self.learningRate = learningRate
        self.momentum = momentum
        trainOutput = initialOutput
        testOutput = initialTestOutput
        velocity = momentum == nil ? [] : [Double](repeating: 0, count: initialOutput.count)
        testVelocity = momentum == nil ? [] : [Double](repeating: 0, count: initialTestOutput.count)
    }

    /// The number of training points N.
    public var samples: Int { targets.count / outputs }

    /// One step on the minibatch `batch` (sample indices; nil for all N points).
    /// - Complexity: O((N·k)² + N*·k·N·k), two gemv (the covector is zero outside the batch).
    public mutating func step(batch: [Int]?) {
        let k = outputs
        let rows = batch ?? Array(0..<samples)
        var fB = [Double](), yB = [Double]()
        fB.reserveCapacity(rows.count * k)
        yB.reserveCapacity(rows.count * k)
        for i in rows {
            fB.append(contentsOf: trainOutput[(i * k)..<((i + 1) * k)])
            yB.append(contentsOf: targets[(i * k)..<((i + 1) * k)])
        }
        let gB = lossFunction.gradient(fB, yB, samples: rows.count, outputs: k, normalization: normalization)
        var covector = [Double](repeating: 0, count: trainOutput.count)
        for (r, i) in rows.enumerated() {
            for a in 0..<k { covector[i * k + a] = gB[r * k + a] }
        }
        if let beta = momentum {
            BLAS.gemv(kernel, covector, alpha: -learningRate, beta: beta, into: &velocity)
            BLAS.axpy(1, velocity, &trainOutput)
            BLAS.gemv(crossKernel, covector, alpha: -learningRate, beta: beta, into: &testVelocity)
            BLAS.axpy(1, testVelocity, &testOutput)
        } else {
            BLAS.gemv(kernel, covector, alpha: -learningRate, beta: 1, into: &trainOutput)
            BLAS.gemv(crossKernel, covector, alpha: -learningRate, beta: 1, into: &testOutput)
        }
    }
}
