/// The trainable parameters θ of an ``MLP``: weights W_l (n_{l−1} × n_l) and biases b_l (n_l),
/// for l = 0..<layerCount. Without biases `biases` holds empty arrays.
///
/// Values are the raw parameters GD updates: N(0, 1) draws at initialization in the "ntk"
/// parameterization, the scaled draws in "standard".
public struct MLPParameters: Equatable, Sendable {
    public var weights: [Matrix]
    public var biases: [[Double]]

    public init(weights: [Matrix], biases: [[Double]]) {
        precondition(weights.count == biases.count)
        self.weights = weights
        self.biases = biases
    }

    /// Draws initial parameters for `architecture` from `rng`, layer by layer, W_l then b_l.
    public init(initializing architecture: MLPArchitecture, rng: inout RandomSource) {
        let sizes = architecture.layerSizes
        var w: [Matrix] = []
        var b: [[Double]] = []
        for l in 0..<architecture.layerCount {
            let std = architecture.parameterization.weightInitStd(weightStd: architecture.weightStd, fanIn: sizes[l])
            w.append(Matrix(rows: sizes[l], cols: sizes[l + 1], data: rng.normals(sizes[l] * sizes[l + 1], std: std)))
            if architecture.hasBias {
                b.append(rng.normals(sizes[l + 1], std: architecture.parameterization.biasInitStd(biasStd: architecture.biasStd)))
            } else {
                b.append([])
            }
        }
        self.init(weights: w, biases: b)
    }

    /// θ ← θ + α·other  (`daxpy` per tensor).
    public mutating func add(_ other: MLPParameters, scaledBy alpha: Double) {
        for l in weights.indices {
            BLAS.axpy(alpha, other.weights[l].data, &weights[l].data)
            BLAS.axpy(alpha, other.biases[l], &biases[l])
        }
    }

    /// ‖θ‖₂ over all parameters.
    public var norm: Double {
        var s = 0.0
        for l in weights.indices {
            let a = BLAS.norm(weights[l].data), c = BLAS.norm(biases[l])
            s += a * a + c * c
        }
        return s.squareRoot()
    }

    /// ‖θ − other‖₂ over all parameters.
    public func distance(to other: MLPParameters) -> Double {
        var s = 0.0
        func accumulate(_ a: [Double], _ b: [Double]) {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    for i in 0..<pa.count {
                        let d = pa[i] - pb[i]
                        s += d * d
                    }
                }
            }
        }
        for l in weights.indices {
            accumulate(weights[l].data, other.weights[l].data)
            accumulate(biases[l], other.biases[l])
        }
        return s.squareRoot()
    }

    /// All parameters in one vector: W_0 (row-major), b_0, W_1, b_1, ….
    public var flattened: [Double] {
        var v: [Double] = []
        for l in weights.indices { v += weights[l].data; v += biases[l] }
        return v
    }

    /// Whether every parameter is finite.
    public var isFinite: Bool { weights.allSatisfy(\.isFinite) && biases.allSatisfy { $0.allSatisfy(\.isFinite) } }
}
