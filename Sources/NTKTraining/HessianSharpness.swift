import Foundation

/// The sharpness of the training loss: λ_max of the preconditioned Hessian R^{1/2}·∇²L(θ)·R^{1/2}, R = diag(r_l) the
/// per-layer learning-rate scales, by the Lanczos iteration on exact Hessian-vector products
/// (Docs/Conventions.md#sharpness).
///
/// GD moves θ by η·R·∇L, so near a minimum it is stable while η·λ_max(R·H) < 2; R·H is similar to R^{1/2}HR^{1/2},
/// whose λ_max is therefore the sharpness that 2/η bounds (the edge of stability of Cohen et al. 2021). With every
/// r_l = 1 (ntk, standard, mup) it is λ_max(∇²L) itself.
///
/// L is the run's training loss on all N training points, as GD descends it: squared loss or cross-entropy with its
/// normalization ν, and with an output scale α the loss L(F)/α² of F = α·(f − f₀). The products Hv are Pearlmutter's
/// R-operator, forward over reverse through the layers: with R{·} the directional derivative along v = (V_l, v_l),
///
///     R{z_l} = c_l·(R{a_{l−1}}·W_l + a_{l−1}·V_l) + s_l·1·v_lᵀ,   R{a_l} = φ′(z_l) ⊙ R{z_l},   R{a_0} = 0
///     R{Δ_H} = ∇²_f ℓ · R{f}        (per sample: I/ν for squared loss, (diag p − ppᵀ)/ν for softmax, σ(f)σ(−f)/ν logistic)
///     R{Δ_{l−1}} = c_l·(R{Δ_l}·W_lᵀ + Δ_l·V_lᵀ) ⊙ φ′(z_{l−1}) + c_l·(Δ_l·W_lᵀ) ⊙ φ″(z_{l−1}) ⊙ R{z_{l−1}}
///     (Hv)_{W_l} = c_l·(R{a_{l−1}}ᵀ·Δ_l + a_{l−1}ᵀ·R{Δ_l}),   (Hv)_{b_l} = s_l·Σ_rows R{Δ_l}
///
/// with Δ_l the backward signal of ∇L (``Network/backpropagate(_:seeds:rowsPerSample:)``). Everything is float64
/// (a float32 network is converted first).
///
/// MLP only: the R-operator above is the chain of dense layers; a ResNet's skips and a CNN's convolutions are not
/// written out, so ``init(network:inputs:targets:lossFunction:normalization:outputScale:)`` requires
/// ``ArchitectureFamily/mlp`` (``supports(_:)``; the command line refuses `--sharpness-every` for the others).
public struct HessianSharpness: Sendable {
    /// The Lanczos iteration stops when λ_max changes by less than this, relative, between two products.
    public static let tolerance = 1e-6
    /// At most this many Hessian-vector products (and Lanczos vectors kept, of P numbers each).
    public static let maxIterations = 40

    /// Whether the sharpness can be computed for networks of `family`: the MLP only.
    public static func supports(_ family: ArchitectureFamily) -> Bool { family == .mlp }

    public let network: Network<Double>
    /// The forward pass at θ: A_l, φ′(z_l) and f.
    let pass: ForwardPass<Double>
    /// Δ_l, the backward signal of ∇L, per layer.
    let deltas: [Matrix]
    /// c_{l+1}·(Δ_{l+1}·W_{l+1}ᵀ) ⊙ φ″(z_l) for each hidden layer l: the φ″ term of R{Δ_l} before ⊙ R{z_l}.
    let curvature: [Matrix]
    /// ∇²_f ℓ of each sample, k × k row-major, N of them.
    let outputHessians: [[Double]]
    /// √r_l of each layer.
    let rootRates: [Double]

    /// The Hessian of `lossFunction` with `normalization` over `inputs` and `targets` at the network's parameters; with
    /// `outputScale` (α, f₀ on these inputs, sample-major) the loss of F = α·(f − f₀) divided by α².
    public init(network: Network<Double>, inputs: Matrix, targets: Matrix, lossFunction: LossFunction, normalization: LossNormalization,
                outputScale: (alpha: Double, initialOutput: [Double])? = nil) {
        precondition(inputs.rows == targets.rows && targets.cols == network.architecture.outputs)
        precondition(Self.supports(network.architecture.family), "HessianSharpness is written for the MLP only (--sharpness-every)")
        self.network = network
        let layers = network.architecture.layers
        let seconds: [Matrix]
        (pass, seconds) = Self.forward(network, inputs)
        let n = targets.rows, k = targets.cols
        var f = pass.output.data
        if let (alpha, f0) = outputScale { f = centredOutput(f, initial: f0, scale: alpha) }
        var g = lossFunction.gradient(f, targets.data, samples: n, outputs: k, normalization: normalization)
        if let (alpha, _) = outputScale { BLAS.scale(&g, by: 1 / alpha) }
        let signal = network.backpropagate(pass, seeds: Matrix(rows: n, cols: k, data: g))
        deltas = signal
        curvature = seconds.indices.map { l in
            var b = BLAS.product(signal[l + 1], network.parameters.weights[l + 1], transB: .transposed,
                                 alpha: layers[l + 1].weightMultiplier)
            for i in b.data.indices { b.data[i] *= seconds[l].data[i] }
            return b
        }
        let nu = normalization.normalizer(samples: n, outputs: k)
        outputHessians = (0..<n).map { i in Self.outputHessian(lossFunction, Array(f[(i * k)..<((i + 1) * k)]), nu: nu) }
        rootRates = layers.map { $0.learningRateScale.squareRoot() }
    }

    /// The forward pass, and φ″(z_l) of each hidden layer.
    static func forward(_ network: Network<Double>, _ x: Matrix) -> (ForwardPass<Double>, [Matrix]) {
        var inputs = [x], firsts: [Matrix] = [], seconds: [Matrix] = []
        for (l, layer) in network.architecture.layers.enumerated() {
            var z = affine(inputs[l], network.parameters.weights[l], network.parameters.biases[l], layer)
            guard let phi = layer.activation else { return (ForwardPass(inputs: inputs, derivatives: firsts, output: z), seconds) }
            firsts.append(Matrix(rows: z.rows, cols: z.cols, data: z.data.map { phi.derivative($0) }))
            seconds.append(Matrix(rows: z.rows, cols: z.cols, data: z.data.map { phi.secondDerivative($0) }))
            z.data = z.data.map { phi.value($0) }
            inputs.append(z)
        }
        fatalError("unreachable: the readout layer has no activation and returns")
    }

    /// ∇²_F L of one sample's outputs F (k × k row-major): I/ν for squared loss, (diag p − ppᵀ)/ν with p = softmax(F)
    /// for k ≥ 2 cross-entropy, σ(F)·σ(−F)/ν for the logistic loss (k = 1, targets ±1: y² = 1).
    static func outputHessian(_ loss: LossFunction, _ f: [Double], nu: Double) -> [Double] {
        let k = f.count
        var h = [Double](repeating: 0, count: k * k)
        switch loss {
        case .mse:
            for a in 0..<k { h[a * k + a] = 1 / nu }
        case .crossEntropy where k == 1:
            h[0] = CrossEntropyLoss.logistic(f[0]) * CrossEntropyLoss.logistic(-f[0]) / nu
        case .crossEntropy:
            let m = f.max()!
            let e = f.map { Foundation.exp($0 - m) }
            let total = e.reduce(0, +)
            let p = e.map { $0 / total }
            for a in 0..<k {
                for b in 0..<k { h[a * k + b] = ((a == b ? p[a] : 0) - p[a] * p[b]) / nu }
            }
        }
        return h
    }

    /// z = c·A·W + s·1·bᵀ.
    static func affine(_ a: Matrix, _ w: Matrix, _ b: [Double], _ layer: DenseLayer) -> Matrix {
        var z = BLAS.product(a, w, alpha: layer.weightMultiplier)
        if layer.hasBias && layer.biasMultiplier != 0 {
            for i in 0..<z.rows {
                for j in 0..<z.cols { z.data[i * z.cols + j] += layer.biasMultiplier * b[j] }
            }
        }
        return z
    }

    /// H·v, the exact product of the (unpreconditioned) Hessian ∇²L with a direction v in parameter space.
    ///
    /// - Complexity: about twice a GD step: per layer two gemms forward (R{z}), two backward (R{Δ}) and two for the
    ///   gradient, plus O(N·k²) for the output Hessians.
    public func hessianVectorProduct(_ v: NetworkParameters<Double>) -> NetworkParameters<Double> {
        let layers = network.architecture.layers, weights = network.parameters.weights
        var rz: [Matrix] = [], ra: [Matrix?] = [nil]
        for (l, layer) in layers.enumerated() {
            var z = Self.affine(pass.inputs[l], v.weights[l], v.biases[l], layer)
            if let previous = ra[l] { BLAS.gemm(previous, weights[l], alpha: layer.weightMultiplier, beta: 1, into: &z) }
            rz.append(z)
            if l < pass.derivatives.count {
                ra.append(Matrix(rows: z.rows, cols: z.cols, data: zip(z.data, pass.derivatives[l].data).map { $0 * $1 }))
            }
        }
        let k = network.architecture.outputs, rf = rz[layers.count - 1]
        var seed = Matrix(rows: rf.rows, cols: k)
        for i in 0..<rf.rows {
            for a in 0..<k {
                var s = 0.0
                for b in 0..<k { s += outputHessians[i][a * k + b] * rf.data[i * k + b] }
                seed.data[i * k + a] = s
            }
        }
        var rDeltas = [Matrix](repeating: seed, count: layers.count)
        var l = layers.count - 1
        while l > 0 {
            let c = layers[l].weightMultiplier
            var d = BLAS.product(rDeltas[l], weights[l], transB: .transposed, alpha: c)
            BLAS.gemm(deltas[l], v.weights[l], transB: .transposed, alpha: c, beta: 1, into: &d)
            for i in d.data.indices {
                d.data[i] = d.data[i] * pass.derivatives[l - 1].data[i] + curvature[l - 1].data[i] * rz[l - 1].data[i]
            }
            rDeltas[l - 1] = d
            l -= 1
        }
        var hv = network.gradient(pass, deltas: rDeltas)
        for (l, layer) in layers.enumerated() {
            guard let previous = ra[l] else { continue }
            BLAS.gemm(previous, deltas[l], transA: .transposed, alpha: layer.weightMultiplier, beta: 1, into: &hv.weights[l])
        }
        return hv
    }

    /// R^{1/2}·H·R^{1/2}·u for u flattened like ``NetworkParameters/flattened``.
    public func preconditionedProduct(_ u: [Double]) -> [Double] {
        var v = unflatten(u)
        v.scale(byLayers: rootRates)
        var hv = hessianVectorProduct(v)
        hv.scale(byLayers: rootRates)
        return hv.flattened
    }

    /// The sharpness λ_max(R^{1/2}·∇²L·R^{1/2}) by ``SpectralNorm/largestEigenvalue(dimension:maxIterations:tolerance:apply:)``
    /// to ``tolerance``, at most ``maxIterations`` products.
    /// - Throws: ``LAPACKError`` from the tridiagonal eigenvalues (a non-finite product among them).
    public func largestEigenvalue() throws -> Double {
        try SpectralNorm.largestEigenvalue(dimension: network.architecture.parameterCount, maxIterations: Self.maxIterations,
                                           tolerance: Self.tolerance, apply: preconditionedProduct)
    }

    /// Parameters from a vector in the order of ``NetworkParameters/flattened``.
    func unflatten(_ u: [Double]) -> NetworkParameters<Double> {
        var offset = 0
        var weights: [Matrix] = [], biases: [[Double]] = []
        for layer in network.architecture.layers {
            let count = layer.fanIn * layer.fanOut
            weights.append(Matrix(rows: layer.fanIn, cols: layer.fanOut, data: Array(u[offset..<(offset + count)])))
            offset += count
            let b = layer.hasBias ? layer.fanOut : 0
            biases.append(Array(u[offset..<(offset + b)]))
            offset += b
        }
        return NetworkParameters<Double>(weights: weights, biases: biases)
    }
}

extension NetworkParameters {
    /// θ_l ← s_l·θ_l for each layer l.
    mutating func scale(byLayers s: [Double]) {
        for l in weights.indices where s[l] != 1 {
            BLAS.scale(&weights[l].data, by: Scalar(s[l]))
            BLAS.scale(&biases[l], by: Scalar(s[l]))
        }
    }
}
