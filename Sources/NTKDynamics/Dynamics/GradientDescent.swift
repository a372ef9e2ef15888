/// Full-batch gradient descent θ ← θ − η·∇L(θ) on squared loss (DESIGN.md §2).
///
/// Each ``step(measureKernel:update:)`` evaluates the network at the current θ_t (and, when asked, its
/// empirical NTK K_t), then moves to θ_{t+1}. For one output the kernel and the gradient share the
/// forward pass and the derivatives D_l: the backward signal is diag(∂L/∂f)·D_l.
public struct GradientDescent: Sendable {
    public private(set) var model: MLP
    public let inputs: Matrix
    /// Targets, N × k.
    public let targets: Matrix
    public let loss: LossNormalization
    public let learningRate: Double

    public init(model: MLP, inputs: Matrix, targets: Matrix, loss: LossNormalization, learningRate: Double) {
        precondition(inputs.rows == targets.rows && targets.cols == model.architecture.outputs)
        self.model = model
        self.inputs = inputs
        self.targets = targets
        self.loss = loss
        self.learningRate = learningRate
    }

    /// What a step saw at θ_t, before its update.
    public struct Evaluation: Sendable {
        /// f_t on the training inputs, N × k.
        public let output: Matrix
        /// K_t on the training inputs, when measured.
        public let kernel: Matrix?
    }

    /// ∇L(θ) on the training set at the current parameters (no update).
    public func gradient() -> MLPParameters {
        let pass = model.forward(inputs)
        return model.gradient(pass, deltas: model.backpropagate(pass, seeds: lossCovector(pass.output)))
    }

    /// Evaluates f_t (and K_t if `measureKernel`), then, if `update`, takes one GD step.
    ///
    /// - Complexity: a plain step costs about 3 gemm-equivalents per hidden layer (forward, backward,
    ///   weight gradient); measuring the kernel adds two syrk per layer.
    public mutating func step(measureKernel: Bool, update: Bool = true) -> Evaluation {
        let pass = model.forward(inputs)
        let k = model.architecture.outputs
        var kernel: Matrix?
        var deltas: [Matrix]?
        let covector = lossCovector(pass.output)
        if measureKernel {
            let d = EmpiricalNTK.outputDerivatives(model, pass)
            kernel = EmpiricalNTK.kernel(model.architecture, pass, derivatives: d)
            if k == 1 && update { deltas = d.map { scaleRows($0, by: covector.data) } }
        }
        if update {
            let signal = deltas ?? model.backpropagate(pass, seeds: covector)
            let g = model.gradient(pass, deltas: signal)
            model.parameters.add(g, scaledBy: -learningRate)
        }
        return Evaluation(output: pass.output, kernel: kernel)
    }

    /// ∂L/∂f = (f − y)/ν, N × k.
    private func lossCovector(_ f: Matrix) -> Matrix {
        var r = f
        BLAS.axpy(-1, targets.data, &r.data)
        BLAS.scale(&r.data, by: 1 / loss.normalizer(samples: targets.rows, outputs: targets.cols))
        return r
    }

    /// diag(s)·M.
    private func scaleRows(_ m: Matrix, by s: [Double]) -> Matrix {
        var out = m
        out.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<m.rows {
                let f = s[i]
                for j in 0..<m.cols { p[i * m.cols + j] *= f }
            }
        }
        return out
    }
}
