import Dispatch
import Foundation

/// The infinite-width kernels of an ``NetworkArchitecture``: the NNGP Σ (the covariance of f at
/// initialization) and the NTK Θ (the limit of the empirical K₀), by the layer recursion of
/// Docs/InfiniteWidth.md (Jacot et al. 2018; Lee et al. 2019, suppl. E), which derives it.
///
/// With E_0 = x·x′/d, E_l = T(Σ_l) the per-unit covariance of the inputs of weight layer l + 1, Ė_l = Ṫ(Σ_l),
/// and each layer's maps from its ``DenseLayer`` (v_l = nngpWeightVariance, β_l = nngpBiasVariance,
/// c_l = ntkWeightFactor, β′_l = ntkBiasFactor):
///
///     Σ_1 = v_0·E_0 + β_0,             Σ_{l+1} = v_l·T(Σ_l) + β_l
///     Θ_1 = c_0·E_0 + β′_0,            Θ_{l+1} = c_l·T(Σ_l) + β′_l + v_l·Ṫ(Σ_l)·Θ_l
///
/// "ntk" parameterization: v_l = c_l = σ_w², β′_l = β_l = σ_b², so Θ_{l+1} = Σ_{l+1} + σ_w²·Ṫ(Σ_l)·Θ_l.
/// "standard" parameterization: v_l = σ_w², c_l = n_l (the fan-in of layer l + 1: d, then the width), β′ = 1
/// with biases (∂z/∂b = 1 whatever σ_b) and 0 without. Σ is the same in both. The standard-parameterization
/// NTK grows linearly with the width, so it has no finite limit; this is its leading-order value at the
/// architecture's width, the value ‖K₀ − Θ‖/‖Θ‖ → 0 measures against (Sohl-Dickstein et al. 2020; it is
/// neural-tangents' `parameterization='standard'` kernel).
///
/// Every ``ArchitectureFamily`` goes through this one entry point: the MLP by the recursion above, the ResNet by
/// the same per-entry machinery with residual blocks (``ResidualNTK``), the CNN by the position-pair recursion of
/// ``ConvolutionalNTK``; Docs/Architectures.md has the recursions and their check against neural-tangents.
///
/// Kernels come per pair of inputs (N₁ × N₂, "scalar") and, for a network with k outputs, as
/// Θ ⊗ I_k in the sample-major layout of ``EmpiricalNTK`` (row i·k + a for sample i, output a), scaled
/// like the empirical K (before dividing by any loss normalizer).
public struct AnalyticNTK: Sendable {
    /// The parameterization has no fixed infinite-width kernel for this recursion to compute.
    public struct NoKernelLimit: Error, CustomStringConvertible, Sendable {
        public let parameterization: Parameterization

        /// Whether the refusal is for layers given one by one (``NetworkArchitecture/explicitLayers``), whose maps are
        /// values at one width, not a width limit.
        public var explicitLayers = false

        /// The architecture refused (the mup and mean-field reasons hold for every family; a CNN has no μP table either).
        public var family: ArchitectureFamily = .mlp

        public var description: String {
            if explicitLayers {
                return """
                    layers given one by one (explicitLayers) are numbers at one width; AnalyticNTK computes the kernel of a \
                    parameterization's width limit.
                    """
            }
            if case .cnn = family {
                return "--architecture cnn takes --parameterization ntk or standard only (the tool has no μP or mean-field "
                    + "table for convolutions). " + Self.explanation(parameterization)
            }
            return Self.explanation(parameterization)
        }

        /// Why `--kernel analytic` and the `kernel` command cannot give Θ under `p` (Docs/Parameterizations.md#infinite-width).
        public static func explanation(_ p: Parameterization) -> String {
            """
                --parameterization \(p.rawValue) has no infinite-width NTK to compare with: its kernel at initialization does have a \
                finite limit, but training moves it by O(1) at every width (feature learning: the hidden features change by O(1)), \
                so no fixed kernel describes training and a Θ curve would be wrong; the logits also start at O(1/√n), tending to 0. \
                Use --parameterization ntk or standard for Θ, or `ntk-dynamics run --kernel empirical` (the default) to compare GD \
                with the prediction from the kernel at initialization (Docs/Parameterizations.md).
                """
        }
    }

    /// Σ and Θ on one pair of input sets.
    public struct Kernels: Sendable {
        /// The NNGP Σ = Σ_{H+1}: the covariance of each output of f at initialization.
        public var nngp: Matrix
        /// The NTK Θ = Θ_{H+1}.
        public var ntk: Matrix
    }

    public let architecture: NetworkArchitecture
    /// Nodes per dimension of the Gauss–Hermite rule for tanh and gelu (unused by the closed forms).
    public let quadratureDegree: Int
    /// The Gauss–Hermite rule for activations without closed-form kernel maps (tanh, gelu); a 2-point
    /// placeholder for relu, erf and linear, whose closed forms never read it.
    public let rule: GaussHermiteRule
    /// Threads for the quadrature path (the closed forms run on one thread: they take milliseconds).
    public let threads: Int
    /// For tanh and gelu, the rule of 2n nodes (n = `quadratureDegree`, at most 1024) whose Hermite transform
    /// gives the Mehler-series coefficients (``HermiteExpansion``); nil for the closed forms.
    let expansionRule: GaussHermiteRule?
    /// For tanh and gelu, the 1024-node rule (nodes and weights, O(n²) to compute) for the one-dimensional
    /// integrals: the variances Σ_l(x, x) and the perfectly correlated entries such as the diagonal of Θ(X, X),
    /// O(N) entries whose accuracy every entry of the next layer inherits; nil for the closed forms.
    let diagonalRule: GaussHermiteRule?

    /// - Parameters:
    ///   - quadratureDegree: nodes per dimension of the Gauss–Hermite rule used for tanh and gelu.
    ///   - threads: threads for the quadrature path; nil uses every active processor.
    /// - Throws: ``NoKernelLimit`` under the mup and mean-field parameterizations, which have no fixed
    ///   infinite-width kernel (Docs/Parameterizations.md#infinite-width); ``LAPACKError`` if the Gauss–Hermite
    ///   rule cannot be computed.
    public init(architecture: NetworkArchitecture, quadratureDegree: Int = GaussHermiteRule.defaultDegree,
                threads: Int? = nil) throws {
        guard architecture.parameterization.hasKernelLimit && architecture.explicitLayers == nil else {
            throw NoKernelLimit(parameterization: architecture.parameterization,
                                explicitLayers: architecture.parameterization.hasKernelLimit, family: architecture.family)
        }
        precondition(GaussHermiteRule.degreeRange.contains(quadratureDegree),
                     "quadrature degree \(quadratureDegree) is outside \(GaussHermiteRule.degreeRange)")
        self.architecture = architecture
        self.quadratureDegree = quadratureDegree
        // The closed forms never read the rule: a 2-point one costs nothing.
        let activation = architecture.activation
        rule = try GaussHermiteRule(degree: activation.hasClosedFormKernelMaps ? 2 : quadratureDegree,
                                    components: activation.isSmooth ? .coarserRules : [.coarserRules, .polarRule])
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        expansionRule = architecture.activation.hasClosedFormKernelMaps ? nil
            : try GaussHermiteRule(degree: Self.expansionDegree(quadratureDegree: quadratureDegree), components: .basis)
        diagonalRule = architecture.activation.hasClosedFormKernelMaps ? nil
            : try GaussHermiteRule.nodesAndWeights(degree: GaussHermiteRule.degreeRange.upperBound)
    }

    // MARK: (N·k) × (N·k) kernels, the layout of EmpiricalNTK.

    /// Θ(X, X) ⊗ I_k, an (N·k) × (N·k) symmetric matrix.
    public func ntk(_ x: Matrix) -> Matrix {
        scalarKernels(x).ntk.kroneckerIdentity(outputs: architecture.outputs)
    }

    /// Θ(X₁, X₂) ⊗ I_k, an (N₁·k) × (N₂·k) matrix (e.g. X₁ = X*, X₂ = X for the test predictions).
    public func ntk(_ x1: Matrix, _ x2: Matrix) -> Matrix {
        scalarKernels(x1, x2).ntk.kroneckerIdentity(outputs: architecture.outputs)
    }

    /// Σ(X, X) ⊗ I_k and Θ(X, X) ⊗ I_k.
    public func kernels(_ x: Matrix) -> Kernels {
        expand(scalarKernels(x))
    }

    /// Σ(X₁, X₂) ⊗ I_k and Θ(X₁, X₂) ⊗ I_k.
    public func kernels(_ x1: Matrix, _ x2: Matrix) -> Kernels {
        expand(scalarKernels(x1, x2))
    }

    private func expand(_ s: Kernels) -> Kernels {
        Kernels(nngp: s.nngp.kroneckerIdentity(outputs: architecture.outputs),
                ntk: s.ntk.kroneckerIdentity(outputs: architecture.outputs))
    }

    // MARK: Scalar kernels.

    /// Σ(X, X) and Θ(X, X), N × N, for the rows of `x`.
    ///
    /// - Complexity: depth·N(N+1)/2 kernel-map evaluations: O(depth·N²) scalar work for the closed forms; for tanh
    ///   and gelu a dot product of a few dozen terms per entry that Mehler's series takes (``HermiteExpansion``),
    ///   else about 0.4·n² tanh evaluations (fewer for correlated pairs) or n gelu evaluations.
    public func scalarKernels(_ x: Matrix) -> Kernels {
        let r = scalarKernels(x, widths: [architecture.width])
        return Kernels(nngp: r.nngp, ntk: r.ntk[0])
    }

    /// Σ(X₁, X₂) and Θ(X₁, X₂), N₁ × N₂.
    ///
    /// - Complexity: depth·N₁·N₂ kernel-map evaluations plus depth·(N₁ + N₂) for the variances.
    public func scalarKernels(_ x1: Matrix, _ x2: Matrix) -> Kernels {
        let r = scalarKernels(x1, x2, widths: [architecture.width])
        return Kernels(nngp: r.nngp, ntk: r.ntk[0])
    }

    /// Σ(X, X) and Θ(X, X) (N × N) for the architecture at each of `widths`, in one pass of the kernel maps.
    ///
    /// Σ and the "ntk"-parameterization Θ do not depend on the width; the "standard"-parameterization Θ
    /// does (its weight terms are n_l·T(Σ_l)), and this shares the T and Ṫ evaluations between widths.
    public func scalarKernels(_ x: Matrix, widths: [Int]) -> (nngp: Matrix, ntk: [Matrix]) {
        precondition(x.cols == architecture.inputDim, "inputs have \(x.cols) columns, the network expects \(architecture.inputDim)")
        if case .cnn(let shape) = architecture.family { return convolutional(shape, widths: widths).kernels(x, nil) }
        let gram = BLAS.gram(x, alpha: 1 / Double(architecture.inputDim))
        return recursion(gram, rowVariances: (0..<x.rows).map { gram[$0, $0] }, colVariances: nil, widths: widths)
    }

    /// Σ(X₁, X₂) and Θ(X₁, X₂) (N₁ × N₂) for the architecture at each of `widths`.
    public func scalarKernels(_ x1: Matrix, _ x2: Matrix, widths: [Int]) -> (nngp: Matrix, ntk: [Matrix]) {
        let d = architecture.inputDim
        precondition(x1.cols == d && x2.cols == d, "inputs have \(x1.cols) and \(x2.cols) columns, the network expects \(d)")
        if case .cnn(let shape) = architecture.family { return convolutional(shape, widths: widths).kernels(x1, x2) }
        let cross = BLAS.product(x1, x2, transB: .transposed, alpha: 1 / Double(d))
        func variances(_ x: Matrix) -> [Double] {
            (0..<x.rows).map { i in
                var s = 0.0
                for j in 0..<d { s += x[i, j] * x[i, j] }
                return s / Double(d)
            }
        }
        return recursion(cross, rowVariances: variances(x1), colVariances: variances(x2), widths: widths)
    }

    /// The recursion of a CNN of this architecture at each of `widths` (``ConvolutionalNTK``).
    private func convolutional(_ shape: ConvolutionShape, widths: [Int]) -> ConvolutionalNTK {
        precondition(!widths.isEmpty && widths.allSatisfy { $0 >= 1 })
        return ConvolutionalNTK(architecture: architecture, shape: shape, widths: widths, evaluator: evaluator, threads: threads)
    }

    /// The kernel-map evaluator of this architecture's activation and rules.
    var evaluator: KernelMapEvaluator {
        KernelMapEvaluator(activation: architecture.activation, rule: rule, expansionRule: expansionRule,
                           diagonalRule: diagonalRule ?? rule)
    }

    /// Runs the recursion from E_0 = `e0` (N₁ × N₂). `colVariances == nil` means X₂ = X₁: `e0` is symmetric,
    /// only its upper triangle is computed, and its diagonal holds the variances.
    ///
    /// The MLP's layers are ``NetworkArchitecture/layers``; a ResNet's are ``ResidualNTK/layers(_:width:)``, whose
    /// blocks add to Σ and Θ instead of replacing them and whose readout reads h_L without φ (Docs/Architectures.md).
    private func recursion(_ e0: Matrix, rowVariances: [Double], colVariances: [Double]?,
                           widths: [Int]) -> (nngp: Matrix, ntk: [Matrix]) {
        precondition(!widths.isEmpty && widths.allSatisfy { $0 >= 1 })
        let a = architecture
        // The layers at each width: Σ and the "ntk" Θ read the same numbers at every width, the "standard" Θ's
        // weight factor is the fan-in (DenseLayer.ntkWeightFactor).
        let layersAt: [[DenseLayer]], branchScale: Double?
        switch a.family {
        case .mlp:
            (layersAt, branchScale) = (widths.map { a.withWidth($0).layers }, nil)
        case .resnet(let scale):
            (layersAt, branchScale) = (widths.map { ResidualNTK.layers(a, width: $0) }, scale.factor(depth: a.depth))
        case .cnn:
            preconditionFailure("convolutional kernels are computed by ConvolutionalNTK")
        }
        let first = layersAt[0][0]
        let symmetric = colVariances == nil
        let n1 = e0.rows, n2 = e0.cols, count = n1 * n2
        guard count > 0 else { return (Matrix(rows: n1, cols: n2), widths.map { _ in Matrix(rows: n1, cols: n2) }) }
        // Working storage the worker threads write (each its own rows), freed on return.
        let sigma = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
        let thetas = widths.map { _ in UnsafeMutableBufferPointer<Double>.allocate(capacity: count) }
        defer {
            sigma.deallocate()
            thetas.forEach { $0.deallocate() }
        }
        for i in 0..<count { sigma[i] = first.nngpWeightVariance * e0.data[i] + first.nngpBiasVariance }
        for (m, layers) in layersAt.enumerated() {
            let c0 = layers[0].ntkWeightFactor, b0 = layers[0].ntkBiasFactor
            for i in 0..<count { thetas[m][i] = c0 * e0.data[i] + b0 }
        }
        var q1 = rowVariances.map { first.nngpWeightVariance * $0 + first.nngpBiasVariance }
        var q2 = colVariances?.map { first.nngpWeightVariance * $0 + first.nngpBiasVariance } ?? q1
        let evaluator = self.evaluator
        let parallel = evaluator.quadrature && threads > 1 && count >= 64
        let blocks = parallel ? Self.rowBlocks(rows: n1, cols: n2, triangular: symmetric, count: 8 * threads) : [0..<n1]
        let s = SendablePointer(sigma.baseAddress!)
        let ts = thetas.map { SendablePointer($0.baseAddress!) }
        if a.depth > 0 {
            for l in 1...a.depth {
                let step = LayerStep(layers: layersAt.map { $0[l] }, branchScale: branchScale)
                layerStep(step, s, ts, q1, q2, symmetric: symmetric, cols: n2, blocks: blocks, parallel: parallel)
                q1 = q1.map { step.variance($0, evaluator.variance($0).t) }
                q2 = symmetric ? q1 : q2.map { step.variance($0, evaluator.variance($0).t) }
            }
        }
        if branchScale != nil {
            ResidualNTK.readout(layersAt.map { $0[$0.count - 1] }, sigma: s.p, thetas: ts.map(\.p), count: count)
        }
        return (Self.matrix(sigma, n1, n2, symmetric: symmetric), thetas.map { Self.matrix($0, n1, n2, symmetric: symmetric) })
    }

    /// One weight layer of the recursion: an MLP layer, Σ ← v·T(Σ) + β and Θ ← c·T(Σ) + β′ + v·Ṫ(Σ)·Θ, or
    /// (`branchScale` s) a residual block, which adds s² times those terms to Σ and Θ.
    struct LayerStep {
        /// The layer at each width of the recursion.
        let layers: [DenseLayer]
        let branchScale: Double?

        /// Σ_{l+1}(x, x) from Σ_l(x, x) = `q` and T(q) = `t`.
        func variance(_ q: Double, _ t: Double) -> Double {
            let sw2 = layers[0].nngpWeightVariance, b = layers[0].nngpBiasVariance
            guard let branchScale else { return sw2 * t + b }
            return q + branchScale * branchScale * (sw2 * t + b)
        }
    }

    /// Applies `step` in place to the rows `blocks` of Σ (`s`) and each Θ (`ts`), from the variances `rowQ`, `colQ`.
    private func layerStep(_ step: LayerStep, _ s: SendablePointer, _ ts: [SendablePointer], _ rowQ: [Double], _ colQ: [Double],
                           symmetric: Bool, cols n2: Int, blocks: [Range<Int>], parallel: Bool) {
        let cws = step.layers.map(\.ntkWeightFactor), bts = step.layers.map(\.ntkBiasFactor)
        let sw2 = step.layers[0].nngpWeightVariance, b = step.layers[0].nngpBiasVariance
        let s2 = step.branchScale.map { $0 * $0 }
        let evaluator = self.evaluator
        // Quadrature activations: Mehler's series where its truncation bound holds, quadrature elsewhere.
        let rowExpansion = evaluator.expansion(rowQ)
        let colExpansion = symmetric ? rowExpansion : evaluator.expansion(colQ)
        // Row i of Σ_{l+1}, Θ_{l+1} from row i of Σ_l, Θ_l, in place (each entry reads only itself).
        let body: @Sendable (Range<Int>) -> Void = { rows in
            for i in rows {
                let qi = rowQ[i]
                for j in (symmetric ? i : 0)..<n2 {
                    let idx = i * n2 + j
                    let c = s.p[idx]
                    // The diagonal, or (quadrature only) an input repeated in X₁ and X₂: a 1-D integral on the
                    // large rule, the one that gives the variances (so Σ(i, i) and q_i stay equal to the last bit).
                    let (tv, td) = evaluator.maps(qi: qi, c: c, qj: colQ[j], exactDiagonal: symmetric && i == j,
                                                  snapPerfectCorrelation: !symmetric, rowExpansion, i, colExpansion, j)
                    if let s2 {
                        s.p[idx] = c + s2 * (sw2 * tv + b)
                        for m in cws.indices {
                            ts[m].p[idx] += s2 * (cws[m] * tv + bts[m] + sw2 * td * ts[m].p[idx])
                        }
                    } else {
                        s.p[idx] = sw2 * tv + b
                        for m in cws.indices {
                            ts[m].p[idx] = cws[m] * tv + bts[m] + sw2 * td * ts[m].p[idx]
                        }
                    }
                }
            }
        }
        if parallel {
            DispatchQueue.concurrentPerform(iterations: blocks.count) { body(blocks[$0]) }
        } else {
            body(0..<(blocks.last?.upperBound ?? 0))
        }
    }

    /// The n1 × n2 matrix held in `p`; with `symmetric`, only its upper triangle was computed and is mirrored.
    private static func matrix(_ p: UnsafeMutableBufferPointer<Double>, _ n1: Int, _ n2: Int, symmetric: Bool) -> Matrix {
        var m = Matrix(rows: n1, cols: n2, data: Array(p))
        if symmetric { BLAS.symmetrizeFromUpper(&m) }
        return m
    }

    /// Nodes of the rule whose Hermite transform gives Mehler's coefficients: 2n for quadrature degree n, at most
    /// 1024 (``expansionRule``; the memory estimates count its coefficients).
    public static func expansionDegree(quadratureDegree n: Int) -> Int {
        min(2 * n, GaussHermiteRule.degreeRange.upperBound)
    }

    /// Cross-kernel pairs with |c| within this fraction of √(q₁q₂) are taken as perfectly correlated: an input
    /// repeated in X₁ and X₂, whose covariance round-off (BLAS against a plain loop) leaves about 1e-16·d from it.
    /// Only the quadrature activations (smooth) are snapped: their T and Ṫ change by O(1e-10) relative across
    /// that band, where relu's Ṫ would change by O(1e-5) (its closed form has its own snapping, within ulps).
    static let perfectCorrelation = 1e-10

    /// Splits 0..<rows into up to `count` contiguous blocks of about equal work.
    static func rowBlocks(rows: Int, cols: Int, triangular: Bool, count: Int) -> [Range<Int>] {
        guard rows > 0 else { return [] }
        let work = { (i: Int) -> Double in triangular ? Double(cols - i) : Double(cols) }
        let total = (0..<rows).reduce(0.0) { $0 + work($1) }
        let target = total / Double(max(1, min(count, rows)))
        var blocks: [Range<Int>] = []
        var start = 0, acc = 0.0
        for i in 0..<rows {
            acc += work(i)
            if acc >= target || i == rows - 1 {
                blocks.append(start..<(i + 1))
                start = i + 1
                acc = 0
            }
        }
        return blocks
    }
}

/// A raw pointer handed to the worker threads of one `concurrentPerform`, each writing its own rows.
struct SendablePointer: @unchecked Sendable {
    let p: UnsafeMutablePointer<Double>
    init(_ p: UnsafeMutablePointer<Double>) { self.p = p }
}
