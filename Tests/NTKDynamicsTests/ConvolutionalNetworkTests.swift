import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKModel

/// Tiny CNNs (Docs/Conventions.md, convolutional networks) against a naive implementation written here: L six-loop
/// convolutions with φ, gap or flatten, a dense readout, with the scales of stax `Conv`/`Dense` typed again
/// (ntk: c = σ_w/√fan-in, s = σ_b; standard: c = s = 1, fan-in C_in·K² for a convolution). The empirical kernel is
/// checked against J Jᵀ with J by central differences of that naive forward pass, the gradient likewise.
@Suite("Convolutional networks")
struct ConvolutionalNetworkTests {
    struct Net: CustomTestStringConvertible, Sendable {
        var height: Int, width: Int, inputChannels: Int, channels: Int, kernelSize: Int, depth: Int
        var pooling: Pooling, outputs: Int, activation: Activation, parameterization: Parameterization = .ntk
        var samples = 3

        var testDescription: String {
            "\(height)×\(width)×\(inputChannels), C=\(channels), K=\(kernelSize), L=\(depth), \(pooling), k=\(outputs), "
                + "\(activation), \(parameterization)"
        }

        var architecture: NetworkArchitecture {
            var a = NetworkArchitecture(inputDim: height * width * inputChannels, width: channels, depth: depth, outputs: outputs,
                                        activation: activation, parameterization: parameterization, weightStd: 1.3, biasStd: 0.2)
            a.family = .cnn(ConvolutionShape(height: height, width: width, inputChannels: inputChannels, kernelSize: kernelSize,
                                             pooling: pooling))
            return a
        }

        static let all: [Net] = [
            Net(height: 4, width: 4, inputChannels: 1, channels: 2, kernelSize: 3, depth: 1, pooling: .gap, outputs: 1, activation: .relu),
            Net(height: 4, width: 4, inputChannels: 1, channels: 3, kernelSize: 3, depth: 2, pooling: .flatten, outputs: 2, activation: .erf),
            Net(height: 3, width: 5, inputChannels: 2, channels: 2, kernelSize: 3, depth: 2, pooling: .gap, outputs: 2, activation: .erf,
                parameterization: .standard),
            Net(height: 3, width: 5, inputChannels: 2, channels: 3, kernelSize: 1, depth: 1, pooling: .flatten, outputs: 1, activation: .relu),
            Net(height: 3, width: 5, inputChannels: 2, channels: 2, kernelSize: 1, depth: 2, pooling: .gap, outputs: 1, activation: .erf,
                parameterization: .standard),
        ]

        func inputs() -> [Double] {
            var rng = RandomSource(seed: 21, stream: 3)
            return rng.normals(samples * height * width * inputChannels)
        }
    }

    /// The naive forward pass for the flat parameters θ (per tensor: W row-major, then b), all samples: N × k, row-major.
    static func naiveForward(_ net: Net, _ x: [Double], _ theta: [Double]) -> [Double] {
        let (h, w, k) = (net.height, net.width, net.kernelSize)
        let hw = h * w, sw = 1.3, sbStd = 0.2
        var offset = 0
        func take(_ count: Int) -> [Double] { defer { offset += count }; return Array(theta[offset..<(offset + count)]) }
        var map = x, cIn = net.inputChannels
        for _ in 0..<net.depth {
            let fanIn = k * k * cIn
            let wt = take(fanIn * net.channels), b = take(net.channels)
            let c = net.parameterization == .ntk ? sw / Double(fanIn).squareRoot() : 1
            let s = net.parameterization == .ntk ? sbStd : 1
            let t = ConvolutionTests.Case(images: net.samples, height: h, width: w, inputChannels: cIn, outputChannels: net.channels,
                                          kernelSize: k)
            map = ConvolutionTests.naiveConvolution(map, wt, b, t, c: c, sb: s).map { Reference.phi(net.activation, $0) }
            cIn = net.channels
        }
        let features = net.pooling == .gap ? net.channels : hw * net.channels
        let wt = take(features * net.outputs), b = take(net.outputs)
        let c = net.parameterization == .ntk ? sw / Double(features).squareRoot() : 1
        let s = net.parameterization == .ntk ? sbStd : 1
        var out: [Double] = []
        for n in 0..<net.samples {
            var u = [Double](repeating: 0, count: features)
            for p in 0..<hw {
                for ch in 0..<net.channels {
                    let v = map[(n * hw + p) * net.channels + ch]
                    if net.pooling == .gap { u[ch] += v / Double(hw) } else { u[p * net.channels + ch] = v }
                }
            }
            for a in 0..<net.outputs {
                var z = 0.0
                for f in 0..<features { z += u[f] * wt[f * net.outputs + a] }
                out.append(c * z + s * b[a])
            }
        }
        return out
    }

    static func model(_ net: Net) -> Network<Double> {
        var rng = RandomSource(seed: 4, stream: .parameters)
        return Network<Double>(architecture: net.architecture, rng: &rng)
    }

    @Test("forward pass equals the naive CNN", arguments: Net.all)
    func forwardMatchesNaive(net: Net) {
        let model = Self.model(net)
        let x = net.inputs()
        let f = model(Matrix(rows: net.samples, cols: net.height * net.width * net.inputChannels, data: x))
        let reference = Self.naiveForward(net, x, model.parameters.flattened)
        #expect(f.rows == net.samples && f.cols == net.outputs)
        #expect(zip(f.data, reference).allSatisfy { abs($0 - $1) < 1e-12 * max(1, abs($1)) })
        // The conv tensors are (K²·C_in) × C channels in HWIO order, the readout fan-in C or H·W·C.
        let k2 = net.kernelSize * net.kernelSize
        #expect(model.parameters.weights.count == net.depth + 1)
        #expect(model.parameters.weights[0].rows == k2 * net.inputChannels && model.parameters.weights[0].cols == net.channels)
        #expect(model.parameters.weights[net.depth].rows == (net.pooling == .gap ? 1 : net.height * net.width) * net.channels)
        #expect(net.architecture.parameterCount == model.parameters.flattened.count)
    }

    /// J by central differences of the naive forward pass: (N·k) × P, sample-major rows.
    static func jacobian(_ net: Net, _ x: [Double], _ theta: [Double]) -> [[Double]] {
        let h = 1e-5
        var columns: [[Double]] = []
        for p in theta.indices {
            var plus = theta, minus = theta
            plus[p] += h
            minus[p] -= h
            let fp = naiveForward(net, x, plus), fm = naiveForward(net, x, minus)
            columns.append(zip(fp, fm).map { ($0 - $1) / (2 * h) })
        }
        return (0..<(net.samples * net.outputs)).map { r in columns.map { $0[r] } }
    }

    @Test("empirical kernel equals J Jᵀ from central differences, also between two input sets", arguments: Net.all)
    func kernelMatchesJacobian(net: Net) {
        let model = Self.model(net)
        let x = net.inputs()
        let theta = model.parameters.flattened
        let j = Self.jacobian(net, x, theta)
        let reference = Reference.weightedKernel(j, j, rates: [Double](repeating: 1, count: theta.count))
        let xm = Matrix(rows: net.samples, cols: net.height * net.width * net.inputChannels, data: x)
        #expect(relativeFrobeniusError(EmpiricalNTK.kernel(model, xm), reference) < 1e-7)
        // Cross kernel K(X₁, X) with X₁ the first two samples: the first rows of K(X, X).
        let x1 = xm.rows(0..<2)
        let cross = EmpiricalNTK.kernel(model, x1, xm)
        let crossReference = Array(reference.prefix(2 * net.outputs))
        #expect(relativeFrobeniusError(cross, crossReference) < 1e-7)
    }

    @Test("loss gradient equals central differences of the naive loss", arguments: Net.all)
    func gradientMatchesFiniteDifferences(net: Net) {
        let model = Self.model(net)
        let x = net.inputs()
        var rng = RandomSource(seed: 31, stream: 2)
        let y = rng.normals(net.samples * net.outputs)
        let theta = model.parameters.flattened
        func loss(_ t: [Double]) -> Double {
            0.5 * zip(Self.naiveForward(net, x, t), y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        let pass = model.forward(Matrix(rows: net.samples, cols: net.height * net.width * net.inputChannels, data: x))
        let residual = Matrix(rows: net.samples, cols: net.outputs, data: zip(pass.output.data, y).map { $0 - $1 })
        let gradient = model.gradient(pass, deltas: model.backpropagate(pass, seeds: residual)).flattened
        let fd = centralDifferenceGradient(loss, at: theta, step: 1e-5)
        let scale = fd.reduce(0) { max($0, abs($1)) }
        #expect(zip(gradient, fd).allSatisfy { abs($0 - $1) < 1e-7 * max(1, scale) })
    }

    @Test("GD on a CNN through NTKExperiment: K₀ is the structured kernel, and the first update is θ₀ − η·∇L of the naive loss")
    func gradientDescentThroughExperiment() throws {
        let net = Net(height: 8, width: 8, inputChannels: 1, channels: 3, kernelSize: 3, depth: 2, pooling: .gap, outputs: 1,
                      activation: .relu, samples: 6)
        let data = try DigitsDataset.load(.init(classes: [3, 8], samples: net.samples, testSamples: 4)).dataset
        var settings = TrainingSettings(steps: 1, kernelEvery: 1)
        settings.outputHistoryEvery = 1
        let e = try NTKExperiment(architecture: net.architecture, dataset: data, settings: settings)
        let theta0 = e.initialParameters.flattened
        let x = data.trainInputs.data, y = data.trainTargets.data
        let j = Self.jacobian(net, x, theta0)
        #expect(relativeFrobeniusError(e.initialKernel, Reference.weightedKernel(j, j, rates: [Double](repeating: 1, count: theta0.count))) < 1e-7)
        let summary = e.run { _ in }
        #expect(summary.status == .completed)
        // L = 1/(2N)·Σ (f − y)² (--loss mean, k = 1); GD moves θ by −η·∇L.
        func loss(_ t: [Double]) -> Double {
            zip(Self.naiveForward(net, x, t), y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * Double(net.samples))
        }
        let gradient = centralDifferenceGradient(loss, at: theta0, step: 1e-5)
        let expected = zip(theta0, gradient).map { $0 - e.learningRate * $1 }
        let theta1 = try #require(e.finalParameters).flattened
        let scale = theta0.reduce(0) { max($0, abs($1)) }
        #expect(zip(theta1, expected).allSatisfy { abs($0 - $1) < 1e-8 * scale })
        #expect(theta1 != theta0)
        // The exported filters are stax's HWIO arrays.
        #expect(net.architecture.exportedWeightShape(tensor: 0) == [3, 3, 1, 3])
        #expect(net.architecture.exportedWeightShape(tensor: 1) == [3, 3, 3, 3])
        #expect(net.architecture.exportedWeightShape(tensor: 2) == nil)
    }
}
