/// Gradient descent θ_l ← θ_l − η·r_l·∇_l L(θ) (Docs/Conventions.md#learning-rate-and-time), with r_l each layer's
/// learning-rate scale (n under mean-field, 1 in ntk, standard and mup; Docs/Parameterizations.md).
///
/// By default full-batch on squared loss. Optionally (Docs/Optimizers.md): a minibatch B_t per step (the gradient of
/// L_{B_t}, the loss of the batch's points with its own normalizer ν_B = |B|·k or 1), heavy-ball momentum
/// v ← β·v + ∇L, θ_l ← θ_l − η·r_l·v_l (v₀ = 0), and cross-entropy (``LossFunction``).
///
/// Each ``step(measureKernel:update:)`` evaluates the network at the current θ_t (and, when asked, its
/// empirical NTK K_t), then moves to θ_{t+1}. For one output the kernel and the gradient share the
/// forward pass and the derivatives D_l: the backward signal is diag(∂L/∂f)·D_l.
///
/// `Scalar` is the network's precision: with `Float` the passes, ∂L/∂f, the gradient and the update
/// θ ← θ − η·∇L are single precision (η rounded to float32); f_t and K_t are returned as float64, K_t
/// accumulated in float64 (``EmpiricalNTK``).
public struct GradientDescent<Scalar: NetworkScalar>: Sendable {
    public private(set) var model: Network<Scalar>
    /// Training inputs in the network's precision, N × d.
    public let inputs: DenseMatrix<Scalar>
    /// Targets in the network's precision, N × k.
    public let targets: DenseMatrix<Scalar>
    public let loss: LossNormalization
    public let learningRate: Double
    /// The loss function; ``loss`` is its normalization.
    public let lossFunction: LossFunction
    /// β of heavy-ball momentum; nil for plain GD.
    public let momentum: Double?
    /// The heavy-ball velocity v_t (nil before the first update, v₀ = 0).
    public private(set) var velocity: NetworkParameters<Scalar>?
    /// r_l per layer: GD moves layer l by η·r_l·∇_l L.
    @usableFromInline
    let layerRateScales: [Double]
    /// With an output scale α: α and f(θ₀) on the training inputs (in the network's precision for the backward
    /// signal, in float64 for the outputs), for the centred model F = α·(f − f₀) trained on L(F)/α²
    /// (``TrainingSettings/outputScale``); nil for the plain network.
    @usableFromInline
    let centring: (scale: Double, initialOutput: DenseMatrix<Scalar>, initialOutput64: [Double])?

    /// GD on float64 `inputs` and `targets` (rounded to `Scalar`).
    ///
    /// With `outputScale` α the trained model is F = α·(f − f₀), f₀ the network's outputs at these parameters, and
    /// the loss L(F)/α²; ``Evaluation/output`` is then F.
    public init(model: Network<Scalar>, inputs: Matrix, targets: Matrix, loss: LossNormalization, learningRate: Double,
                outputScale: Double? = nil, lossFunction: LossFunction = .mse, momentum: Double? = nil) {
        precondition(inputs.rows == targets.rows && targets.cols == model.architecture.outputs)
        self.lossFunction = lossFunction
        self.momentum = momentum
        self.model = model
        self.inputs = Scalar.converting(inputs)
        self.targets = Scalar.converting(targets)
        self.loss = loss
        self.learningRate = learningRate
        layerRateScales = model.architecture.layers.map(\.learningRateScale)
        let x = self.inputs
        centring = outputScale.map { alpha in
            let f0 = model.forward(x).output
            return (alpha, f0, Scalar.float64(f0).data)
        }
    }

    /// The model's output from the network's: F = α·(f − f₀) with an output scale, f itself otherwise (float64).
    @inlinable
    func modelOutput(_ f: DenseMatrix<Scalar>) -> Matrix {
        let f64 = Scalar.float64(f)
        guard let (alpha, _, f0) = centring else { return f64 }
        return Matrix(rows: f64.rows, cols: f64.cols, data: centredOutput(f64.data, initial: f0, scale: alpha))
    }

    /// What a step saw at θ_t, before its update.
    public struct Evaluation: Sendable {
        /// f_t on the training inputs, N × k (float64 values of the network's outputs).
        public let output: Matrix
        /// K_t on the training inputs, when measured.
        public let kernel: Matrix?

        @usableFromInline
        init(output: Matrix, kernel: Matrix?) {
            self.output = output
            self.kernel = kernel
        }
    }

    /// ∇L(θ) on the training set at the current parameters (no update).
    @inlinable
    public func gradient() -> NetworkParameters<Scalar> {
        let pass = model.forward(inputs)
        let covector = lossFunction == .mse ? lossCovector(pass.output) : lossCovector(pass.output, rows: nil)
        return model.gradient(pass, deltas: model.backpropagate(pass, seeds: covector))
    }

    /// Evaluates f_t (and K_t if `measureKernel`), then, if `update`, takes one step on the minibatch `batch`
    /// (sample indices; nil for the full batch).
    ///
    /// - Complexity: a plain step costs about 3 gemm-equivalents per hidden layer (forward, backward,
    ///   weight gradient); measuring the kernel adds two syrk per layer. With a minibatch of B points the
    ///   forward pass still covers all N points (f_t is logged), the backward pass and the gradient only B.
    @inlinable
    public mutating func step(measureKernel: Bool, update: Bool = true, batch: [Int]? = nil) -> Evaluation {
        let pass = model.forward(inputs)
        let k = model.architecture.outputs
        var kernel: Matrix?
        var deltas: [DenseMatrix<Scalar>]?
        if let batch {
            if measureKernel {
                kernel = EmpiricalNTK.kernel(model.architecture, pass, derivatives: EmpiricalNTK.outputDerivatives(model, pass))
            }
            if update {
                let sub = pass.gatheringRows(batch)
                let signal = model.backpropagate(sub, seeds: lossCovector(sub.output, rows: batch))
                descend(along: model.gradient(sub, deltas: signal))
            }
            return Evaluation(output: modelOutput(pass.output), kernel: kernel)
        }
        let covector = lossFunction == .mse ? lossCovector(pass.output) : lossCovector(pass.output, rows: nil)
        if measureKernel {
            var d = EmpiricalNTK.outputDerivatives(model, pass)
            kernel = EmpiricalNTK.kernel(model.architecture, pass, derivatives: d)
            if k == 1 && update {
                // The kernel is done with D_l: scale it into the backward signal in place, without a copy.
                for l in d.indices { scaleRows(&d[l], by: covector.data) }
                deltas = d
            }
        }
        if update {
            let signal = deltas ?? model.backpropagate(pass, seeds: covector)
            descend(along: model.gradient(pass, deltas: signal))
        }
        return Evaluation(output: modelOutput(pass.output), kernel: kernel)
    }

    /// θ_l ← θ_l − η·r_l·g_l, with each layer's learning-rate scale r_l (``DenseLayer/learningRateScale``); with
    /// momentum β first v ← β·v + g (v₀ = 0), then θ_l ← θ_l − η·r_l·v_l.
    @usableFromInline
    mutating func descend(along g: NetworkParameters<Scalar>) {
        guard let beta = momentum else {
            model.parameters.add(g, scaledBy: -learningRate, layerScales: layerRateScales)
            return
        }
        if var v = velocity {
            v.scale(by: beta)
            v.add(g, scaledBy: 1)
            velocity = v
        } else {
            velocity = g
        }
        model.parameters.add(velocity!, scaledBy: -learningRate, layerScales: layerRateScales)
    }

    /// ∂L_B/∂f on the rows `rows` of the training set (all rows when nil), |B| × k, for any ``lossFunction``:
    /// the loss of those points with their own normalizer ν_B, evaluated in float64 on the model's outputs F
    /// (with an output scale α, F = α·(f − f₀) and ∂[L(F)/α²]/∂f = ∇_F L/α).
    @inlinable
    func lossCovector(_ f: DenseMatrix<Scalar>, rows: [Int]?) -> DenseMatrix<Scalar> {
        if lossFunction == .mse, centring == nil, rows == nil { return lossCovector(f) }
        let y = rows.map { Scalar.float64(targets.gatheringRows($0)) } ?? Scalar.float64(targets)
        var model64 = Scalar.float64(f).data
        if let (alpha, f0, _) = centring {
            let f0Rows = rows.map { Scalar.float64(f0.gatheringRows($0)).data } ?? Scalar.float64(f0).data
            model64 = centredOutput(model64, initial: f0Rows, scale: alpha)
        }
        var g = lossFunction.gradient(model64, y.data, samples: y.rows, outputs: y.cols, normalization: loss)
        if let (alpha, _, _) = centring { BLAS.scale(&g, by: 1 / alpha) }
        return Scalar.converting(Matrix(rows: y.rows, cols: y.cols, data: g))
    }

    /// ∂L/∂f = (f − y)/ν, N × k; with an output scale α, ∂[L(F)/α²]/∂f = (F − y)/(α·ν) with F = α·(f − f₀).
    @inlinable
    func lossCovector(_ f: DenseMatrix<Scalar>) -> DenseMatrix<Scalar> {
        var r = f
        let nu = loss.normalizer(samples: targets.rows, outputs: targets.cols)
        guard let (alpha, f0, _) = centring else {
            BLAS.axpy(-1, targets.data, &r.data)
            BLAS.scale(&r.data, by: Scalar(1 / nu))
            return r
        }
        BLAS.axpy(-1, f0.data, &r.data)
        BLAS.scale(&r.data, by: Scalar(alpha))
        BLAS.axpy(-1, targets.data, &r.data)
        BLAS.scale(&r.data, by: Scalar(1 / (alpha * nu)))
        return r
    }

    /// M ← diag(s)·M, one `?scal` per sample (its row, or its block of rows).
    @inlinable
    func scaleRows(_ m: inout DenseMatrix<Scalar>, by s: [Scalar]) {
        // One row per sample (dense tensors), or a block of H·W rows per sample (a CNN's maps, ConvolutionBlock).
        precondition(s.isEmpty ? m.rows == 0 : m.rows % s.count == 0)
        let n = s.isEmpty ? 0 : m.cols * (m.rows / s.count)
        guard n > 0 else { return }
        m.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<s.count { Scalar.scal(count: n, alpha: s[i], p.baseAddress! + i * n) }
        }
    }
}

/// F = α·(f − f₀): the centred, scaled model's outputs from the network's (``TrainingSettings/outputScale``), in float64.
@usableFromInline
func centredOutput(_ f: [Double], initial f0: [Double], scale alpha: Double) -> [Double] {
    var r = f
    BLAS.axpy(-1, f0, &r)
    BLAS.scale(&r, by: alpha)
    return r
}
