import Dispatch

/// The infinite-width Σ and Θ of a convolutional network (``ArchitectureFamily/cnn(_:)``), with neural-tangents'
/// stax `Conv` conventions (SAME zero padding, stride 1, K × K filters, fan-in C·K²); Docs/Architectures.md derives
/// the recursion and compares it with stax's `kernel_fn`.
///
/// Positions p = (r, c) of the H × W image; Σ_l[p, q](x, x′) is the covariance of channel outputs of conv l at
/// position p of x and q of x′. 𝒜 is the conv's kernel operator: the mean over the K² filter offsets δ of the
/// shifted entry, 𝒜(M)[p, q] = (1/K²)·Σ_δ M[p + δ, q + δ], an entry outside the image counting 0 (the zero
/// padding), always divided by K² (as stax does, also at the borders). With E_0[p, q] = (1/C₀)·Σ_c x[p, c]·x′[q, c]
/// and each layer's maps v, β, c, β′ (``DenseLayer``; c = σ_w² under ntk, the fan-in C_in·K² under standard):
///
///     Σ_1 = v·𝒜(E_0) + β,                          Θ_1 = c·𝒜(E_0) + β′
///     Σ_{l+1} = v·𝒜(T(Σ_l)) + β,                   Θ_{l+1} = c·𝒜(T(Σ_l)) + β′ + v·𝒜(Ṫ(Σ_l)⊙Θ_l)
///
/// where T, Ṫ act entrywise on the 2×2 covariances [[Σ_l[p,p](x,x), Σ_l[p,q](x,x′)], [·, Σ_l[q,q](x′,x′)]].
/// The readout Dense on the pooled features averages over the entries the pooling pairs up:
///
///     gap:      Σ = v·mean_{p,q} T(Σ_L)[p,q] + β,    Θ = c·mean_{p,q} T + β′ + v·mean_{p,q} Ṫ⊙Θ_L   (fan-in C)
///     flatten:  the same with mean_p over the diagonal p = q                                      (fan-in H·W·C)
///
/// `flatten` only ever reads the same-position entries (𝒜 maps the diagonal to itself), H·W per pair of inputs;
/// `gap` needs all (H·W)² position pairs. Each pair of inputs runs its recursion alone, from the per-position
/// variances Σ_l[p,p](x,x) computed first for every input; worker threads take blocks of pairs, each with its own
/// scratch (memory in ``memoryBytes(rows:cols:height:width:inputChannels:depth:pooling:concurrentPairs:widthCount:mehlerTerms:)``).
public struct ConvolutionalNTK: Sendable {
    let shape: ConvolutionShape
    let depth: Int
    /// Per width: the L convolutions (fan-in C_in·K²), then the readout (fan-in C or H·W·C).
    let layersAt: [[DenseLayer]]
    let evaluator: KernelMapEvaluator
    let threads: Int

    init(architecture a: NetworkArchitecture, shape: ConvolutionShape, widths: [Int], evaluator: KernelMapEvaluator,
         threads: Int) {
        precondition(a.depth >= 1, "a CNN has at least one convolution (depth \(a.depth))")
        precondition(shape.kernelSize >= 1 && shape.positions >= 1 && shape.inputChannels >= 1, "empty convolution shape \(shape)")
        precondition(a.inputDim == shape.positions * shape.inputChannels,
                     "inputDim \(a.inputDim) is not H·W·C₀ = \(shape.positions * shape.inputChannels)")
        self.shape = shape
        depth = a.depth
        self.evaluator = evaluator
        self.threads = max(1, threads)
        let k2 = shape.kernelSize * shape.kernelSize
        layersAt = widths.map { n in
            func layer(_ fanIn: Int, _ fanOut: Int, _ position: Parameterization.Position) -> DenseLayer {
                a.parameterization.layer(position: position, fanIn: fanIn, fanOut: fanOut, width: n, activation: nil,
                                         weightStd: a.weightStd, biasStd: a.biasStd, hasBias: a.hasBias)
            }
            let readoutFanIn = shape.pooling == .gap ? n : shape.positions * n
            return [layer(shape.inputChannels * k2, n, .input)] + (1..<a.depth).map { _ in layer(n * k2, n, .hidden) }
                + [layer(readoutFanIn, a.outputs, .readout)]
        }
    }

    /// Entries per pair of inputs: (H·W)² position pairs for gap, the H·W same-position ones for flatten.
    var entriesPerPair: Int { shape.pooling == .gap ? shape.positions * shape.positions : shape.positions }

    /// Σ(X₁, X₂) and Θ(X₁, X₂) at each width (N₁ × N₂); `x2 == nil` means X₂ = X₁ (only i ≤ j is computed).
    func kernels(_ x1: Matrix, _ x2: Matrix?) -> (nngp: Matrix, ntk: [Matrix]) {
        let n1 = x1.rows, n2 = x2?.rows ?? x1.rows, symmetric = x2 == nil
        let rowVariances = positionVariances(x1)
        let colVariances = x2.map(positionVariances) ?? rowVariances
        // Mehler's coefficients (tanh, gelu) for every (input, position) variance of each layer.
        let rowExpansions = rowVariances.map(evaluator.expansion)
        let colExpansions = symmetric ? rowExpansions : colVariances.map(evaluator.expansion)
        let pairs: [(Int, Int)] = (0..<n1).flatMap { i in ((symmetric ? i : 0)..<n2).map { (i, $0) } }
        let widthCount = layersAt.count
        var nngp = Matrix(rows: n1, cols: n2)
        var ntk = (0..<widthCount).map { _ in Matrix(rows: n1, cols: n2) }
        let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, pairs.count * (1 + widthCount)))
        defer { out.deallocate() }
        let outPointer = SendablePointer(out.baseAddress!)
        let chunks = Self.chunks(pairs.count, count: threads == 1 ? 1 : 4 * threads)
        let work: @Sendable (Int) -> Void = { chunk in
            var scratch = Scratch(entries: entriesPerPair, widths: widthCount)
            for index in chunks[chunk] {
                let (i, j) = pairs[index]
                let context = PairContext(i: i, j: j, sameInput: symmetric && i == j, rowVariances: rowVariances,
                                          colVariances: colVariances, rowExpansions: rowExpansions, colExpansions: colExpansions)
                pairKernels(x1, i, x2 ?? x1, j, context, &scratch)
                outPointer.p[index * (1 + widthCount)] = scratch.result[0]
                for m in 0..<widthCount { outPointer.p[index * (1 + widthCount) + 1 + m] = scratch.result[1 + m] }
            }
        }
        if chunks.count > 1 {
            DispatchQueue.concurrentPerform(iterations: chunks.count, execute: work)
        } else if !chunks.isEmpty {
            work(0)
        }
        for (index, (i, j)) in pairs.enumerated() {
            let base = index * (1 + widthCount)
            nngp[i, j] = out[base]
            for m in 0..<widthCount { ntk[m][i, j] = out[base + 1 + m] }
            if symmetric {
                nngp[j, i] = out[base]
                for m in 0..<widthCount { ntk[m][j, i] = out[base + 1 + m] }
            }
        }
        return (nngp, ntk)
    }

    /// Splits 0..<total into up to `count` contiguous chunks.
    private static func chunks(_ total: Int, count: Int) -> [Range<Int>] {
        let n = max(1, min(count, total))
        return (0..<n).map { total * $0 / n ..< total * ($0 + 1) / n }.filter { !$0.isEmpty }
    }

    // MARK: Per-position variances.

    /// Σ_l[p, p](x, x) for l = 1…L (index l − 1), each of N·H·W entries (input-major, then position).
    func positionVariances(_ x: Matrix) -> [[Double]] {
        let p = shape.positions, c0 = shape.inputChannels, n = x.rows
        var e = [Double](repeating: 0, count: n * p)
        for i in 0..<n {
            for q in 0..<p {
                var s = 0.0
                for c in 0..<c0 { s += x[i, q * c0 + c] * x[i, q * c0 + c] }
                e[i * p + q] = s / Double(c0)
            }
        }
        var result: [[Double]] = []
        var shifted = [Double](repeating: 0, count: p), scratch = [Double](repeating: 0, count: p)
        for l in 0..<depth {
            let layer = layersAt[0][l]
            var sigma = [Double](repeating: 0, count: n * p)
            for i in 0..<n {
                // The input covariance (l = 0) or T of the previous layer's variances.
                let source = (0..<p).map { q in l == 0 ? e[i * p + q] : evaluator.variance(result[l - 1][i * p + q]).t }
                source.withUnsafeBufferPointer { src in
                    shifted.withUnsafeMutableBufferPointer { dst in
                        scratch.withUnsafeMutableBufferPointer { tmp in
                            ConvolutionShiftAverage(shape: shape, fullPairs: false).apply(src.baseAddress!, into: dst.baseAddress!,
                                                                              scratch: tmp.baseAddress!)
                        }
                    }
                }
                for q in 0..<p { sigma[i * p + q] = layer.nngpWeightVariance * shifted[q] + layer.nngpBiasVariance }
            }
            result.append(sigma)
        }
        return result
    }
}
