/// The trainable parameters θ of a ``Network``: weights W_l (n_{l−1} × n_l) and biases b_l (n_l),
/// for l = 0..<layerCount. Without biases `biases` holds empty arrays.
///
/// Values are the raw parameters GD updates: N(0, 1) draws at initialization in the "ntk"
/// parameterization, the scaled draws v_l·N(0, 1) of each layer's ``DenseLayer`` in the others. Draws are always made in float64; a float32
/// network starts from their rounding (``init(converting:)``).
public struct NetworkParameters<Scalar: BLASScalar>: Equatable, Sendable {
    public var weights: [DenseMatrix<Scalar>]
    public var biases: [[Scalar]]

    @inlinable
    public init(weights: [DenseMatrix<Scalar>], biases: [[Scalar]]) {
        precondition(weights.count == biases.count)
        self.weights = weights
        self.biases = biases
    }

    /// `other`'s values in this precision (rounded to nearest when narrowing).
    @inlinable
    public init<Other: BLASScalar>(converting other: NetworkParameters<Other>) {
        self.init(weights: other.weights.map { DenseMatrix(rows: $0.rows, cols: $0.cols, data: $0.data.map { Scalar($0) }) },
                  biases: other.biases.map { $0.map { Scalar($0) } })
    }

    /// θ ← θ + α·other  (`?axpy` per tensor, α rounded to `Scalar`).
    @inlinable
    public mutating func add(_ other: NetworkParameters, scaledBy alpha: Double) {
        add(other, scaledBy: alpha, layerScales: [Double](repeating: 1, count: weights.count))
    }

    /// θ_l ← θ_l + α·r_l·other_l for each layer l (`?axpy` per tensor, α·r_l rounded to `Scalar`).
    @inlinable
    public mutating func add(_ other: NetworkParameters, scaledBy alpha: Double, layerScales r: [Double]) {
        precondition(r.count == weights.count)
        for l in weights.indices {
            let a = Scalar(alpha * r[l])
            BLAS.axpy(a, other.weights[l].data, &weights[l].data)
            BLAS.axpy(a, other.biases[l], &biases[l])
        }
    }

    /// θ ← α·θ  (`?scal` per tensor, α rounded to `Scalar`; α = 0 gives exact zeros).
    @inlinable
    public mutating func scale(by alpha: Double) {
        for l in weights.indices {
            BLAS.scale(&weights[l].data, by: Scalar(alpha))
            BLAS.scale(&biases[l], by: Scalar(alpha))
        }
    }

    /// ‖θ‖₂ over all parameters (each tensor's norm in `Scalar`, summed in float64).
    @inlinable
    public var norm: Double {
        var s = 0.0
        for l in weights.indices {
            let a = Double(BLAS.norm(weights[l].data)), c = Double(BLAS.norm(biases[l]))
            s += a * a + c * c
        }
        return s.squareRoot()
    }

    /// ‖θ − other‖₂ over all parameters, accumulated in float64.
    ///
    /// Summed in eight interleaved partial sums (SIMD lanes; a run computes this every step, and the single
    /// running sum it replaced was bound by the latency of its additions), so it agrees with a sequential sum to
    /// round-off. Not finite exactly when some difference is not (or the sum overflows).
    @inlinable
    public func distance(to other: NetworkParameters) -> Double {
        distances(to: other).total
    }

    /// ‖θ − other‖₂ as ``distance(to:)`` computes it (the same additions in the same order), and beside it
    /// ‖W_l − other.W_l‖₂ of each layer's weights, from the same pass over the parameters.
    @inlinable
    public func distances(to other: NetworkParameters) -> (total: Double, weights: [Double]) {
        var s = 0.0
        var layerWeights = [Double](repeating: 0, count: weights.count)
        // Adds Σ(a − b)² to s, and returns it on its own (the per-tensor sum).
        func accumulate(_ a: [Scalar], _ b: [Scalar]) -> Double {
            var tensor = 0.0
            precondition(a.count == b.count)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    let n = pa.count, whole = n - n % 8
                    var lanes = SIMD8<Double>()
                    var i = 0
                    while i < whole {
                        let d = SIMD8<Double>(Double(pa[i]) - Double(pb[i]), Double(pa[i + 1]) - Double(pb[i + 1]),
                                              Double(pa[i + 2]) - Double(pb[i + 2]), Double(pa[i + 3]) - Double(pb[i + 3]),
                                              Double(pa[i + 4]) - Double(pb[i + 4]), Double(pa[i + 5]) - Double(pb[i + 5]),
                                              Double(pa[i + 6]) - Double(pb[i + 6]), Double(pa[i + 7]) - Double(pb[i + 7]))
                        lanes += d * d
                        i += 8
                    }
                    let laneSum = lanes.sum()
                    s += laneSum
                    tensor = laneSum
                    for j in whole..<n {
                        let d = Double(pa[j]) - Double(pb[j])
                        s += d * d
                        tensor += d * d
                    }
                }
            }
            return tensor
        }
        for l in weights.indices {
            layerWeights[l] = accumulate(weights[l].data, other.weights[l].data).squareRoot()
            _ = accumulate(biases[l], other.biases[l])
        }
        return (s.squareRoot(), layerWeights)
    }

    /// All parameters in one vector: W_0 (row-major), b_0, W_1, b_1, ….
    @inlinable
    public var flattened: [Scalar] {
        var v: [Scalar] = []
        for l in weights.indices { v += weights[l].data; v += biases[l] }
        return v
    }

    /// Whether every parameter is finite.
    @inlinable
    public var isFinite: Bool { weights.allSatisfy(\.isFinite) && biases.allSatisfy { $0.allSatisfy(\.isFinite) } }
}

extension NetworkParameters where Scalar == Double {
    /// Draws initial parameters for `architecture` from `rng`, layer by layer, W_l then b_l.
    public init(initializing architecture: NetworkArchitecture, rng: inout RandomSource) {
        var w: [Matrix] = []
        var b: [[Double]] = []
        for layer in architecture.layers {
            w.append(Matrix(rows: layer.fanIn, cols: layer.fanOut,
                            data: rng.normals(layer.fanIn * layer.fanOut, std: layer.weightInitStd)))
            if layer.hasBias {
                b.append(rng.normals(layer.fanOut, std: layer.biasInitStd))
            } else {
                b.append([])
            }
        }
        self.init(weights: w, biases: b)
    }
}
