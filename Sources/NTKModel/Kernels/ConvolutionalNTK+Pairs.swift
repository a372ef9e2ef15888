/// The recursion of ``ConvolutionalNTK`` for one pair of inputs, and the memory it needs.
extension ConvolutionalNTK {
    /// What one pair (x_i of X₁, x_j of X₂) reads besides the inputs: the per-position variances of every layer and
    /// their Mehler expansions (nil for the closed forms).
    struct PairContext {
        let i: Int
        let j: Int
        /// x_i and x_j are the same input (X₂ = X₁ and i = j): the entries (p, p) pair a unit with itself.
        let sameInput: Bool
        let rowVariances: [[Double]]
        let colVariances: [[Double]]
        let rowExpansions: [HermiteExpansion?]
        let colExpansions: [HermiteExpansion?]
    }

    /// The working arrays of one pair's recursion, reused from pair to pair by one thread:
    /// (7 + widths)·entriesPerPair doubles, plus one while a gemm's input covariance replaces one
    /// (``memoryBytes(rows:cols:height:width:inputChannels:depth:pooling:concurrentPairs:widthCount:mehlerTerms:)``).
    struct Scratch {
        var sigma, t, tDot, averaged, product, averagedProduct, shift: [Double]
        var thetas: [[Double]]
        /// Σ, then Θ at each width, for the pair just computed.
        var result: [Double]

        init(entries: Int, widths: Int) {
            let zero = [Double](repeating: 0, count: entries)
            (sigma, t, tDot, averaged, product, averagedProduct, shift) = (zero, zero, zero, zero, zero, zero, zero)
            thetas = [[Double]](repeating: zero, count: widths)
            result = [Double](repeating: 0, count: 1 + widths)
        }
    }

    /// Runs the recursion for the pair (row `i` of `x1`, row `j` of `x2`) and leaves Σ and each Θ in `scratch.result`.
    func pairKernels(_ x1: Matrix, _ i: Int, _ x2: Matrix, _ j: Int, _ context: PairContext, _ scratch: inout Scratch) {
        let entries = entriesPerPair
        inputCovariance(x1, i, x2, j, into: &scratch.product)
        average(scratch.product, into: &scratch.averaged, &scratch.shift)
        let first = layersAt[0][0]
        for e in 0..<entries { scratch.sigma[e] = first.nngpWeightVariance * scratch.averaged[e] + first.nngpBiasVariance }
        for m in layersAt.indices {
            let c = layersAt[m][0].ntkWeightFactor, b = layersAt[m][0].ntkBiasFactor
            for e in 0..<entries { scratch.thetas[m][e] = c * scratch.averaged[e] + b }
        }
        for l in 1...depth {
            kernelMaps(layer: l, context, &scratch)
            let v = layersAt[0][l].nngpWeightVariance, b = layersAt[0][l].nngpBiasVariance
            if l < depth {
                average(scratch.t, into: &scratch.averaged, &scratch.shift)
                for e in 0..<entries { scratch.sigma[e] = v * scratch.averaged[e] + b }
                for m in layersAt.indices {
                    let c = layersAt[m][l].ntkWeightFactor, bt = layersAt[m][l].ntkBiasFactor
                    for e in 0..<entries { scratch.product[e] = scratch.tDot[e] * scratch.thetas[m][e] }
                    average(scratch.product, into: &scratch.averagedProduct, &scratch.shift)
                    for e in 0..<entries { scratch.thetas[m][e] = c * scratch.averaged[e] + bt + v * scratch.averagedProduct[e] }
                }
            } else {
                // The readout: the pooling's mean over the entries (all position pairs for gap, the diagonal for flatten).
                let meanT = scratch.t.reduce(0, +) / Double(entries)
                scratch.result[0] = v * meanT + b
                for m in layersAt.indices {
                    var s = 0.0
                    for e in 0..<entries { s += scratch.tDot[e] * scratch.thetas[m][e] }
                    scratch.result[1 + m] = layersAt[m][l].ntkWeightFactor * meanT + layersAt[m][l].ntkBiasFactor + v * s / Double(entries)
                }
            }
        }
    }

    /// E_0[p, q] = (1/C₀)·Σ_c x_i[p, c]·x_j[q, c]: the (H·W)² products of the two images' pixels (one gemm) for gap,
    /// the H·W same-position ones for flatten.
    private func inputCovariance(_ x1: Matrix, _ i: Int, _ x2: Matrix, _ j: Int, into e: inout [Double]) {
        let p = shape.positions, c0 = shape.inputChannels, d = p * c0
        if shape.pooling == .gap {
            let a = Matrix(rows: p, cols: c0, data: Array(x1.data[i * d ..< (i + 1) * d]))
            let b = Matrix(rows: p, cols: c0, data: Array(x2.data[j * d ..< (j + 1) * d]))
            e = BLAS.product(a, b, transB: .transposed, alpha: 1 / Double(c0)).data
        } else {
            for q in 0..<p {
                var s = 0.0
                for c in 0..<c0 { s += x1[i, q * c0 + c] * x2[j, q * c0 + c] }
                e[q] = s / Double(c0)
            }
        }
    }

    /// T(Σ_l) and Ṫ(Σ_l) entrywise into `scratch.t`, `scratch.tDot`, from `scratch.sigma` and the variances of layer l.
    private func kernelMaps(layer l: Int, _ context: PairContext, _ scratch: inout Scratch) {
        let p = shape.positions, gap = shape.pooling == .gap
        let rowQ = context.rowVariances[l - 1], colQ = context.colVariances[l - 1]
        let rowExpansion = context.rowExpansions[l - 1], colExpansion = context.colExpansions[l - 1]
        for e in 0..<entriesPerPair {
            let (rp, cp) = gap ? (e / p, e % p) : (e, e)
            let ri = context.i * p + rp, cj = context.j * p + cp
            let qi = rowQ[ri], qj = colQ[cj]
            let exact = context.sameInput && rp == cp
            let (tv, td) = evaluator.maps(qi: qi, c: exact ? qi : scratch.sigma[e], qj: qj, exactDiagonal: exact,
                                          snapPerfectCorrelation: true, rowExpansion, ri, colExpansion, cj)
            scratch.t[e] = tv
            scratch.tDot[e] = td
        }
    }

    /// `dst` = 𝒜(`src`) (``ConvolutionShiftAverage``).
    private func average(_ src: [Double], into dst: inout [Double], _ tmp: inout [Double]) {
        let shiftAverage = ConvolutionShiftAverage(shape: shape, fullPairs: shape.pooling == .gap)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                tmp.withUnsafeMutableBufferPointer { t in shiftAverage.apply(s.baseAddress!, into: d.baseAddress!, scratch: t.baseAddress!) }
            }
        }
    }

    /// The bytes the convolutional kernels of an N₁ × N₂ block take at their peak, for the CLI to refuse what does not
    /// fit. With P = H·W positions, E = P² entries per pair of inputs for gap and E = P for flatten, m widths, B pairs
    /// in flight (one per worker thread) and, for tanh and gelu, t = ``AnalyticNTK/expansionDegree(quadratureDegree:)``/2
    /// Mehler terms per function and variance (the quadrature degree n, 128 by default; 0 for the closed forms), in bytes:
    ///
    ///     8 · [ 2·(1 + m)·N₁·N₂                       the result matrices and the per-pair results
    ///         + (N₁ + N₂)·P·(L·(1 + 4·t) + 8·t)         the per-position variances of the L layers, their expansions
    ///                                                  (coefficients and tails of φ and φ′) and one expansion's gemm
    ///         + B·((8 + m)·E + 2·P·C₀)                 each pair's working arrays (``Scratch``, and the input covariance
    ///                                                  a gemm returns before it replaces one) and its two images
    ///         ]
    ///
    /// The kernel size K does not enter (it sets the time, K·2 additions per entry and layer, not the memory).
    /// Under gap the B·(8 + m)·P² term dominates for large images: 32 × 32 images take (8 + 1)·1024²·8 B = 72 MiB a pair.
    public static func memoryBytes(rows n1: Int, cols n2: Int, height: Int, width: Int, inputChannels: Int = 1, depth: Int,
                                   pooling: Pooling, concurrentPairs: Int, widthCount: Int = 1, mehlerTerms: Int = 0) -> Double {
        let p = Double(height * width)
        let entries = pooling == .gap ? p * p : p
        let m = Double(widthCount)
        let doubles = 2 * (1 + m) * Double(n1) * Double(n2)
            + Double(n1 + n2) * p * (Double(depth) * (1 + 4 * Double(mehlerTerms)) + 8 * Double(mehlerTerms))
            + Double(concurrentPairs) * ((8 + m) * entries + 2 * p * Double(inputChannels))
        return 8 * doubles
    }

    /// See ``memoryBytes(rows:cols:height:width:inputChannels:depth:pooling:concurrentPairs:widthCount:mehlerTerms:)``; this
    /// form takes the architecture of a run: B = `threads` pairs in flight (the `threads` of ``AnalyticNTK``), and
    /// t from its activation and quadrature degree.
    public static func memoryBytes(architecture a: NetworkArchitecture, shape: ConvolutionShape, rows n1: Int, cols n2: Int,
                                   threads: Int, widthCount: Int = 1,
                                   quadratureDegree: Int = GaussHermiteRule.defaultDegree) -> Double {
        let pairs = max(1, min(threads, n1 * n2))
        let terms = a.activation.hasClosedFormKernelMaps ? 0 : AnalyticNTK.expansionDegree(quadratureDegree: quadratureDegree) / 2
        return memoryBytes(rows: n1, cols: n2, height: shape.height, width: shape.width, inputChannels: shape.inputChannels,
                           depth: a.depth, pooling: shape.pooling, concurrentPairs: pairs, widthCount: widthCount, mehlerTerms: terms)
    }
}
