import Foundation
import NTKDynamics

/// An independent, deliberately naive implementation of the network math of Docs/Conventions.md, used as the
/// reference the library is tested against.
///
/// Everything here is plain Swift loops over `[Double]` arrays, one sample and one scalar at a time:
/// no BLAS, no ``Matrix`` arithmetic, and none of ``MLP/forward(_:)``, ``MLP/backpropagate(_:seeds:rowsPerSample:)``,
/// ``MLP/gradient(_:deltas:)``, ``EmpiricalNTK``, ``Activation/value(_:)`` or ``Parameterization``'s scale
/// functions. The scales are written out from Docs/Conventions.md and Docs/Parameterizations.md:
///
///     "ntk":      z_l = σ_w/√n_{l−1} · a_{l−1}W_l + σ_b · b_l
///     "standard": z_l = a_{l−1}W_l + b_l
///     "mup", "mean-field": z_l = n^(−a_l) · a_{l−1}W_l + n^(−a_bias) · b_l, rates n^(−c) (``abc(_:layer:depth:)``)
///
/// and the bias term is absent when `hasBias == false`.
package enum Reference {
    // MARK: Activations, written out independently of `Activation`.

    package static func phi(_ act: Activation, _ z: Double) -> Double {
        switch act {
        case .relu: return max(z, 0)
        case .tanh: return 1 - 2 / (exp(2 * z) + 1)
        case .erf: return erf(z)
        case .gelu: return z * normalCDF(z)
        case .linear: return z
        }
    }

    package static func phiPrime(_ act: Activation, _ z: Double) -> Double {
        switch act {
        case .relu: return z > 0 ? 1 : 0
        case .tanh:
            let c = cosh(z)
            return 1 / (c * c)
        case .erf: return 2 / Double.pi.squareRoot() * exp(-z * z)
        case .gelu: return normalCDF(z) + z * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
        case .linear: return 1
        }
    }

    package static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    // MARK: Scales straight from Docs/Conventions.md (Model).

    package static func sizes(_ a: NetworkArchitecture) -> [Int] {
        var s = [a.inputDim]
        for _ in 0..<a.depth { s.append(a.width) }
        s.append(a.outputs)
        return s
    }

    /// One layer's factors: z_l = c·a_{l−1}W_l + s·b_l, and GD moves W_l and b_l by η·r·∇L.
    package struct Scales: Equatable {
        package var c: Double
        package var s: Double
        package var r: Double
    }

    /// The exponents of Yang & Hu 2021 (arXiv 2011.14522, Table 3), typed again here: the factor on a weight is
    /// n^(−a), the learning-rate scale n^(−c), n the hidden width. A bias is a weight from the constant input 1,
    /// so the biases of hidden units take the input layer's a and the readout's bias, from 1 to the O(1) outputs,
    /// takes a = 0 under μP; MFP = μP moved by θ = ½ (a + ½, c − 1).
    ///
    ///     μP:  input a = −½, hidden a = 0, readout a = ½; hidden-unit bias a = −½, readout bias a = 0; c = 0
    ///     MFP: input a = 0, readout a = 1; hidden-unit bias a = 0, readout bias a = ½; c = −1 (one hidden layer)
    package static func abc(_ p: Parameterization, layer l: Int, depth: Int) -> (weight: Double, bias: Double, c: Double) {
        let input = l == 0, readout = l == depth
        switch p {
        case .mup: return (input ? -0.5 : readout ? 0.5 : 0, readout ? 0 : -0.5, 0)
        case .meanField: return (input ? 0 : 1, readout ? 0.5 : 0, -1)
        case .ntk, .standard: fatalError("ntk and standard are written out in scales(_:)")
        }
    }

    /// The per-layer factors straight from Docs/Conventions.md (Model) and Docs/Parameterizations.md; for a network
    /// given by ``NetworkArchitecture/explicitLayers`` (the tests' per-layer forms), the factors those layers state.
    package static func scales(_ a: NetworkArchitecture) -> [Scales] {
        if let layers = a.explicitLayers {
            return layers.map { Scales(c: $0.weightMultiplier, s: $0.biasMultiplier, r: $0.learningRateScale) }
        }
        let s = sizes(a), n = Double(a.width)
        return (0..<(s.count - 1)).map { l in
            switch a.parameterization {
            case .ntk: return Scales(c: a.weightStd / Double(s[l]).squareRoot(), s: a.hasBias ? a.biasStd : 0, r: 1)
            case .standard: return Scales(c: 1, s: a.hasBias ? 1 : 0, r: 1)
            case .mup, .meanField:
                let e = abc(a.parameterization, layer: l, depth: a.depth)
                return Scales(c: pow(n, -e.weight), s: a.hasBias ? pow(n, -e.bias) : 0, r: pow(n, -e.c))
            }
        }
    }

    /// The factor on a_{l−1}W_l for weight layer `l` (0-based).
    package static func weightFactor(_ a: NetworkArchitecture, layer l: Int) -> Double { scales(a)[l].c }

    /// The factor on b_l of weight layer `l` (unused without biases).
    package static func biasFactor(_ a: NetworkArchitecture, layer l: Int) -> Double { scales(a)[l].s }

    /// r_j for every parameter j, in the order of ``NetworkParameters/flattened``: GD moves θ_j by η·r_j·∂L/∂θ_j.
    package static func rates(_ a: NetworkArchitecture) -> [Double] {
        let s = sizes(a), sc = scales(a)
        var r: [Double] = []
        for l in 0..<(s.count - 1) {
            r += [Double](repeating: sc[l].r, count: s[l] * s[l + 1] + (a.hasBias ? s[l + 1] : 0))
        }
        return r
    }

    /// Σ_j r_j·J₁[:, j]·J₂[:, j]ᵀ = Σ_l r_l·J₁,l·J₂,lᵀ, the kernel of GD with per-layer rates.
    package static func weightedKernel(_ j1: [[Double]], _ j2: [[Double]], rates r: [Double]) -> [[Double]] {
        j1.map { ra in
            j2.map { rb in
                var acc = 0.0
                for j in ra.indices { acc += r[j] * ra[j] * rb[j] }
                return acc
            }
        }
    }

    /// Number of parameters, counted from the layer sizes.
    package static func parameterCount(_ a: NetworkArchitecture) -> Int {
        let s = sizes(a)
        var p = 0
        for l in 0..<(s.count - 1) { p += s[l] * s[l + 1] + (a.hasBias ? s[l + 1] : 0) }
        return p
    }

    // MARK: Parameters as plain nested arrays.

    /// W[l][p][q] and b[l][q], unpacked from a flat vector in the documented order
    /// (W_0 row-major, b_0, W_1, b_1, …).
    package struct Params {
        package var w: [[[Double]]]
        package var b: [[Double]]
    }

    package static func unpack(_ flat: [Double], _ a: NetworkArchitecture) -> Params {
        let s = sizes(a)
        var w: [[[Double]]] = []
        var b: [[Double]] = []
        var o = 0
        for l in 0..<(s.count - 1) {
            var wl: [[Double]] = []
            for p in 0..<s[l] {
                var row: [Double] = []
                for q in 0..<s[l + 1] { row.append(flat[o + p * s[l + 1] + q]) }
                wl.append(row)
            }
            o += s[l] * s[l + 1]
            w.append(wl)
            if a.hasBias {
                b.append(Array(flat[o..<(o + s[l + 1])]))
                o += s[l + 1]
            } else {
                b.append([])
            }
        }
        precondition(o == flat.count, "flat vector has \(flat.count) entries, the architecture needs \(o)")
        return Params(w: w, b: b)
    }

    /// Rebuilds ``NetworkParameters<Double>`` from a flat vector in the order of ``NetworkParameters/flattened``.
    package static func parameters(fromFlat flat: [Double], _ a: NetworkArchitecture) -> NetworkParameters<Double> {
        let p = unpack(flat, a)
        let s = sizes(a)
        var weights: [Matrix] = []
        for l in 0..<p.w.count {
            var data: [Double] = []
            for row in p.w[l] { data += row }
            weights.append(Matrix(rows: s[l], cols: s[l + 1], data: data))
        }
        return NetworkParameters<Double>(weights: weights, biases: p.b)
    }

    // MARK: Forward and backward, one sample at a time.

    /// The pre-activations z_1 … z_{H+1} of one sample (z_{H+1} = f(x)).
    package static func preActivations(_ x: [Double], _ a: NetworkArchitecture, _ p: Params) -> [[Double]] {
        let s = sizes(a)
        var input = x
        var zs: [[Double]] = []
        for l in 0..<(s.count - 1) {
            let c = weightFactor(a, layer: l)
            var z = [Double](repeating: 0, count: s[l + 1])
            for q in 0..<s[l + 1] {
                var acc = 0.0
                for pIdx in 0..<s[l] { acc += input[pIdx] * p.w[l][pIdx][q] }
                z[q] = c * acc + (a.hasBias ? biasFactor(a, layer: l) * p.b[l][q] : 0)
            }
            zs.append(z)
            input = z.map { phi(a.activation, $0) }
        }
        return zs
    }

    /// f(x) for one sample.
    package static func forward(_ x: [Double], _ a: NetworkArchitecture, _ p: Params) -> [Double] {
        preActivations(x, a, p).last!
    }

    /// f(X) for all samples, flattened sample-major (index i·k + a).
    package static func outputs(_ xs: [[Double]], _ a: NetworkArchitecture, flat: [Double]) -> [Double] {
        let p = unpack(flat, a)
        var out: [Double] = []
        for x in xs { out += forward(x, a, p) }
        return out
    }

    /// The Jacobian ∂f_a(x_i)/∂θ_j: rows i·k + a (sample-major), columns in the order of
    /// ``NetworkParameters/flattened``. Computed by scalar backpropagation of e_a through each sample.
    package static func jacobian(_ xs: [[Double]], _ a: NetworkArchitecture, flat: [Double]) -> [[Double]] {
        let p = unpack(flat, a)
        let s = sizes(a)
        let layers = s.count - 1
        let pCount = parameterCount(a)
        // Offsets of W_l and b_l in the flat vector.
        var wOffset: [Int] = [], bOffset: [Int] = []
        var o = 0
        for l in 0..<layers {
            wOffset.append(o)
            o += s[l] * s[l + 1]
            bOffset.append(o)
            if a.hasBias { o += s[l + 1] }
        }
        var rows: [[Double]] = []
        for x in xs {
            let zs = preActivations(x, a, p)
            // a_0 = x, a_l = φ(z_l): inputs of each weight layer.
            var layerInputs: [[Double]] = [x]
            for l in 0..<(layers - 1) { layerInputs.append(zs[l].map { phi(a.activation, $0) }) }
            for out in 0..<a.outputs {
                var row = [Double](repeating: 0, count: pCount)
                // δ = ∂f_out/∂z for the current layer, starting at the output layer.
                var delta = [Double](repeating: 0, count: a.outputs)
                delta[out] = 1
                var l = layers - 1
                while true {
                    let c = weightFactor(a, layer: l)
                    for pIdx in 0..<s[l] {
                        for q in 0..<s[l + 1] {
                            row[wOffset[l] + pIdx * s[l + 1] + q] = c * layerInputs[l][pIdx] * delta[q]
                        }
                    }
                    if a.hasBias {
                        for q in 0..<s[l + 1] { row[bOffset[l] + q] = biasFactor(a, layer: l) * delta[q] }
                    }
                    if l == 0 { break }
                    var prev = [Double](repeating: 0, count: s[l])
                    for pIdx in 0..<s[l] {
                        var acc = 0.0
                        for q in 0..<s[l + 1] { acc += c * p.w[l][pIdx][q] * delta[q] }
                        prev[pIdx] = acc * phiPrime(a.activation, zs[l - 1][pIdx])
                    }
                    delta = prev
                    l -= 1
                }
                rows.append(row)
            }
        }
        return rows
    }
}

// MARK: - Small dense helpers for tests (plain loops).

/// A · Bᵀ for row-major nested arrays.
package func naiveProductTransposed(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
    a.map { ra in
        b.map { rb in
            var acc = 0.0
            for j in ra.indices { acc += ra[j] * rb[j] }
            return acc
        }
    }
}

/// A · x.
package func naiveMatVec(_ a: [[Double]], _ x: [Double]) -> [Double] {
    a.map { row in
        var acc = 0.0
        for j in row.indices { acc += row[j] * x[j] }
        return acc
    }
}

/// Aᵀ · x.
package func naiveTransposedMatVec(_ a: [[Double]], _ x: [Double]) -> [Double] {
    var y = [Double](repeating: 0, count: a.first?.count ?? 0)
    for i in a.indices {
        for j in a[i].indices { y[j] += a[i][j] * x[i] }
    }
    return y
}

package func naiveNorm(_ v: [Double]) -> Double {
    var s = 0.0
    for x in v { s += x * x }
    return s.squareRoot()
}

package func naiveDistance(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var s = 0.0
    for i in a.indices { s += (a[i] - b[i]) * (a[i] - b[i]) }
    return s.squareRoot()
}

/// ∂loss/∂θ_p by central differences, (loss(θ + h·e_p) − loss(θ − h·e_p)) / 2h for every p.
package func centralDifferenceGradient(_ loss: ([Double]) -> Double, at theta: [Double], step h: Double = 1e-6) -> [Double] {
    theta.indices.map { p in
        var plus = theta, minus = theta
        plus[p] += h
        minus[p] -= h
        return (loss(plus) - loss(minus)) / (2 * h)
    }
}

/// ‖A − B‖_F / ‖B‖_F between a library matrix and a reference nested array.
package func relativeFrobeniusError(_ m: Matrix, _ ref: [[Double]]) -> Double {
    precondition(m.rows == ref.count && ref.allSatisfy { $0.count == m.cols }, "shape mismatch")
    var num = 0.0, den = 0.0
    for i in 0..<m.rows {
        for j in 0..<m.cols {
            let d = m[i, j] - ref[i][j]
            num += d * d
            den += ref[i][j] * ref[i][j]
        }
    }
    return (num / den).squareRoot()
}

/// N rows of d independent standard normals.
package func gaussianInputs(_ n: Int, _ d: Int, rng: inout RandomSource) -> [[Double]] {
    (0..<n).map { _ in (0..<d).map { _ in rng.normal() } }
}

extension Matrix {
    /// The rows as nested arrays (the inverse of `Matrix(_:)`).
    package var nested: [[Double]] { (0..<rows).map { row($0) } }
}

// MARK: - Tiny test networks.

/// One tiny network configuration, with a deterministic seed for its parameters and inputs.
/// (Its `CustomTestStringConvertible` conformance is declared in the test target, which imports Testing.)
package struct TinyNet: Sendable {
    package var activation: Activation
    package var parameterization: Parameterization
    package var depth: Int
    package var outputs: Int
    package var hasBias: Bool
    package var inputDim = 3
    package var samples = 4

    package init(activation: Activation, parameterization: Parameterization, depth: Int, outputs: Int, hasBias: Bool,
                 inputDim: Int = 3, samples: Int = 4) {
        (self.activation, self.parameterization, self.depth, self.outputs, self.hasBias) =
            (activation, parameterization, depth, outputs, hasBias)
        (self.inputDim, self.samples) = (inputDim, samples)
    }

    package var width: Int { 5 + depth }  // 5, 6, 7

    package var architecture: NetworkArchitecture {
        NetworkArchitecture(inputDim: inputDim, width: width, depth: depth, outputs: outputs,
                        activation: activation, parameterization: parameterization,
                        weightStd: 1.3, biasStd: 0.7, hasBias: hasBias)
    }

    package var seed: UInt64 {
        UInt64(Activation.allCases.firstIndex(of: activation)!) &* 1_000
            &+ UInt64(Parameterization.allCases.firstIndex(of: parameterization)!) &* 100
            &+ UInt64(depth * 10 + outputs) &+ (hasBias ? 7 : 0)
    }

    /// A model with random parameters drawn by the library's initializer (the values only need to be generic).
    package func model() -> Network<Double> {
        var rng = RandomSource(seed: seed, stream: 1)
        var m = Network<Double>(architecture: architecture, rng: &rng)
        // "standard" draws small weights; perturb every parameter by an O(σ) amount so biases are non-zero
        // and no structure of the initializer is relied on.
        var flat = m.parameters.flattened
        let scale = parameterization == .ntk ? 0.3 : 0.3 / Double(width).squareRoot()
        for j in flat.indices { flat[j] += scale * rng.normal() }
        m.parameters = Reference.parameters(fromFlat: flat, architecture)
        return m
    }

    /// `n` gaussian inputs (stream 2 + `stream`).
    package func inputs(_ n: Int? = nil, stream: UInt64 = 0) -> [[Double]] {
        var rng = RandomSource(seed: seed, stream: 2 + stream)
        return gaussianInputs(n ?? samples, inputDim, rng: &rng)
    }

    package var testDescription: String {
        "\(activation.rawValue) \(parameterization.rawValue) H=\(depth) k=\(outputs) \(hasBias ? "bias" : "no-bias")"
    }

    /// Every activation × parameterization × depth 0,1,2 (those the parameterization supports) × k ∈ {1, 3} × bias on/off.
    package static let all: [TinyNet] = {
        var cases: [TinyNet] = []
        for act in Activation.allCases {
            for par in Parameterization.allCases {
                // mup needs a hidden layer, mean-field exactly one (Parameterization.unsupportedDepthReason).
                for depth in 0...2 where par.unsupportedDepthReason(depth) == nil {
                    for k in [1, 3] {
                        for bias in [true, false] {
                            cases.append(TinyNet(activation: act, parameterization: par, depth: depth,
                                                 outputs: k, hasBias: bias, samples: k == 1 ? 5 : 4))
                        }
                    }
                }
            }
        }
        return cases
    }()
}
