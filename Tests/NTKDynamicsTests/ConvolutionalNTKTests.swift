import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The CNN's infinite-width Σ and Θ (``ConvolutionalNTK`` through ``AnalyticNTK``) against the recursion written
/// out naively here, the MLP where the two coincide, and Monte Carlo over finite CNNs built with plain loops
/// (Docs/Architectures.md).
@Suite("Convolutional NTK")
struct ConvolutionalNTKTests {
    static func architecture(_ act: Activation, _ p: Parameterization, depth: Int, shape: ConvolutionShape, channels: Int = 16,
                             weightStd: Double = 1.5, biasStd: Double = 0.3) -> NetworkArchitecture {
        var a = NetworkArchitecture(inputDim: shape.positions * shape.inputChannels, width: channels, depth: depth, outputs: 1,
                                    activation: act, parameterization: p, weightStd: weightStd, biasStd: biasStd)
        a.family = .cnn(shape)
        return a
    }

    static func images(_ n: Int, _ shape: ConvolutionShape, seed: UInt64) -> Matrix {
        var rng = RandomSource(seed: seed, stream: 43)
        return Matrix(gaussianInputs(n, shape.positions * shape.inputChannels, rng: &rng))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var act: Activation
        var p: Parameterization
        var depth: Int
        var kernelSize: Int
        var pooling: Pooling
        var testDescription: String { "\(act.rawValue) \(p.rawValue) L=\(depth) K=\(kernelSize) \(pooling.rawValue)" }
    }

    @Test("Σ and Θ equal the recursion written out with a naive K² loop over filter offsets", arguments: [
        Case(act: .relu, p: .ntk, depth: 2, kernelSize: 3, pooling: .gap),
        Case(act: .relu, p: .standard, depth: 2, kernelSize: 3, pooling: .gap),
        Case(act: .relu, p: .ntk, depth: 3, kernelSize: 5, pooling: .flatten),
        Case(act: .erf, p: .standard, depth: 2, kernelSize: 3, pooling: .flatten),
        Case(act: .linear, p: .ntk, depth: 2, kernelSize: 3, pooling: .gap),
    ])
    func naiveRecursion(c: Case) throws {
        let shape = ConvolutionShape(height: 3, width: 4, inputChannels: 2, kernelSize: c.kernelSize, pooling: c.pooling)
        let a = Self.architecture(c.act, c.p, depth: c.depth, shape: shape, channels: 5)
        let x = Self.images(3, shape, seed: 1)
        let k = try AnalyticNTK(architecture: a).scalarKernels(x)
        for i in 0..<3 {
            for j in i..<3 {
                let ref = NaiveConvolutionalKernel.kernels(x.row(i), x.row(j), a, shape)
                #expect(abs(k.nngp[i, j] - ref.nngp) <= 1e-12 * abs(ref.nngp), "Σ (\(i), \(j)): \(k.nngp[i, j]) vs \(ref.nngp)")
                #expect(abs(k.ntk[i, j] - ref.ntk) <= 1e-12 * abs(ref.ntk), "Θ (\(i), \(j)): \(k.ntk[i, j]) vs \(ref.ntk)")
            }
        }
    }

    @Test("1×1 images with K = 1: the CNN is the MLP, gap and flatten alike",
          arguments: [Activation.relu, .erf, .gelu, .tanh], [Parameterization.ntk, .standard])
    func oneByOneIsTheMLP(act: Activation, p: Parameterization) throws {
        let mlp = NetworkArchitecture(inputDim: 3, width: 16, depth: 2, outputs: 1, activation: act, parameterization: p,
                                      weightStd: 1.5, biasStd: 0.3)
        var rng = RandomSource(seed: 5, stream: 44)
        let x = Matrix(gaussianInputs(4, 3, rng: &rng))
        let reference = try AnalyticNTK(architecture: mlp).scalarKernels(x)
        for pooling in Pooling.allCases {
            let shape = ConvolutionShape(height: 1, width: 1, inputChannels: 3, kernelSize: 1, pooling: pooling)
            let k = try AnalyticNTK(architecture: Self.architecture(act, p, depth: 2, shape: shape)).scalarKernels(x)
            #expect(relativeDifference(k.nngp, reference.nngp) < 1e-13, "\(pooling) Σ")
            #expect(relativeDifference(k.ntk, reference.ntk) < 1e-13, "\(pooling) Θ")
        }
    }

    @Test("K = 1 with flatten: the mean over positions of the MLP kernels of the per-position inputs (ntk)")
    func pointwiseConvolutions() throws {
        let shape = ConvolutionShape(height: 2, width: 3, inputChannels: 2, kernelSize: 1, pooling: .flatten)
        let x = Self.images(3, shape, seed: 2)
        let k = try AnalyticNTK(architecture: Self.architecture(.erf, .ntk, depth: 2, shape: shape)).scalarKernels(x)
        let mlp = try AnalyticNTK(architecture: NetworkArchitecture(inputDim: 2, width: 16, depth: 2, outputs: 1, activation: .erf,
                                                                    parameterization: .ntk, weightStd: 1.5, biasStd: 0.3))
        for i in 0..<3 {
            for j in 0..<3 {
                var nngp = 0.0, ntk = 0.0
                for p in 0..<6 {
                    let m = mlp.scalarKernels(Matrix([[x[i, 2 * p], x[i, 2 * p + 1]]]), Matrix([[x[j, 2 * p], x[j, 2 * p + 1]]]))
                    nngp += m.nngp[0, 0] / 6
                    ntk += m.ntk[0, 0] / 6
                }
                #expect(abs(k.nngp[i, j] - nngp) < 1e-13 && abs(k.ntk[i, j] - ntk) < 1e-13, "(\(i), \(j))")
            }
        }
    }

    @Test("cross kernels, threads and the N·k layout agree with Σ(X, X)")
    func crossKernelsAndThreads() throws {
        let shape = ConvolutionShape(height: 3, width: 3, inputChannels: 1, kernelSize: 3, pooling: .gap)
        var a = Self.architecture(.gelu, .ntk, depth: 2, shape: shape)
        a.outputs = 2
        let x = Self.images(5, shape, seed: 3)
        let one = try AnalyticNTK(architecture: a, threads: 1), two = try AnalyticNTK(architecture: a, threads: 2)
        let full = one.scalarKernels(x)
        #expect(two.scalarKernels(x).ntk == full.ntk)
        let x1 = Matrix(rows: 2, cols: 9, data: Array(x.data[0..<18])), x2 = Matrix(rows: 3, cols: 9, data: Array(x.data[18...]))
        let cross = two.scalarKernels(x1, x2)
        for i in 0..<2 {
            for j in 0..<3 {
                #expect(abs(cross.nngp[i, j] - full.nngp[i, 2 + j]) <= 1e-11 * full.nngp.maxAbs)
                #expect(abs(cross.ntk[i, j] - full.ntk[i, 2 + j]) <= 1e-11 * full.ntk.maxAbs)
            }
        }
        let big = one.ntk(x)
        #expect(big.rows == 10 && big[2 * 1 + 1, 2 * 3 + 1] == full.ntk[1, 3] && big[2 * 1, 2 * 3 + 1] == 0)
    }

    /// A linear CNN is linear in each layer's filters, independent between layers, so E[f(x)f(x′)] = Σ exactly at
    /// any number of channels, borders included: Monte Carlo at 3 channels must agree within its standard error.
    @Test("linear activation: E[f f′] = Σ at 3 channels (Monte Carlo over CNNs built here)", arguments: Pooling.allCases)
    func linearMonteCarlo(pooling: Pooling) throws {
        let shape = ConvolutionShape(height: 3, width: 4, inputChannels: 2, kernelSize: 3, pooling: pooling)
        let a = Self.architecture(.linear, .ntk, depth: 2, shape: shape, channels: 3)
        // Close images: f(x)f(y) ≈ f(x)², whose relative spread √2 leaves a standard error of a few % of Σ.
        let noise = Self.images(2, shape, seed: 4)
        let x = Matrix([noise.row(0), zip(noise.row(0), noise.row(1)).map { $0 + 0.3 * $1 }])
        let sigma = try AnalyticNTK(architecture: a).scalarKernels(x).nngp[0, 1]
        var rng = RandomSource(seed: 21, stream: 6)
        let e = NaiveConvolutionalNetwork.monteCarlo(a, shape, x.row(0), x.row(1), draws: 3000, rng: &rng)
        #expect(abs(e.mean - sigma) < 4 * e.error + 1e-12, "Σ \(sigma) vs \(e.mean) ± \(e.error)")
        #expect(e.error < 0.1 * abs(sigma), "the estimate must be able to fail")
    }

    @Test("relu at 32 channels: E[f f′] approaches Σ (Monte Carlo)", .tags(.slow), .endToEndEnabled, arguments: Pooling.allCases)
    func reluMonteCarlo(pooling: Pooling) throws {
        let shape = ConvolutionShape(height: 3, width: 3, inputChannels: 1, kernelSize: 3, pooling: pooling)
        let a = Self.architecture(.relu, .ntk, depth: 2, shape: shape, channels: 32)
        let x = Self.images(2, shape, seed: 5)
        let sigma = try AnalyticNTK(architecture: a).scalarKernels(x).nngp[0, 1]
        var rng = RandomSource(seed: 22, stream: 6)
        let e = NaiveConvolutionalNetwork.monteCarlo(a, shape, x.row(0), x.row(1), draws: 400, rng: &rng)
        #expect(abs(e.mean - sigma) < 4 * e.error + 0.03 * abs(sigma), "Σ \(sigma) vs \(e.mean) ± \(e.error)")
    }

    @Test("mup and mean-field are refused for a CNN, with the reason")
    func refusesFeatureLearning() {
        let shape = ConvolutionShape(height: 2, width: 2, inputChannels: 1)
        for p in [Parameterization.mup, .meanField] {
            #expect {
                _ = try AnalyticNTK(architecture: Self.architecture(.relu, p, depth: 1, shape: shape))
            } throws: { error in
                "\(error)".contains("architecture cnn") && "\(error)".contains("--parameterization")
            }
        }
    }

    @Test("the memory estimate counts results, variances and the per-pair scratch of Docs/Architectures.md")
    func memoryEstimate() {
        // digits, N = 256, 3 convolutions, gap, 2 pairs in flight, one width, relu: by the formula's terms.
        let gap = ConvolutionalNTK.memoryBytes(rows: 256, cols: 256, height: 8, width: 8, depth: 3, pooling: .gap, concurrentPairs: 2)
        let results = 2.0 * 2 * 256 * 256, variances = 512.0 * 64 * 3, scratch = 2.0 * (9 * 4096 + 2 * 64)
        #expect(gap == 8 * (results + variances + scratch))
        let flatten = ConvolutionalNTK.memoryBytes(rows: 256, cols: 256, height: 8, width: 8, depth: 3, pooling: .flatten,
                                                   concurrentPairs: 2)
        #expect(gap - flatten == 8 * 2 * 9 * (4096 - 64))
        // 32 × 32 images under gap: 72 MiB of scratch per pair in flight.
        let cifar = ConvolutionalNTK.memoryBytes(rows: 1, cols: 1, height: 32, width: 32, inputChannels: 3, depth: 1,
                                                 pooling: .gap, concurrentPairs: 1)
        #expect(cifar > 72 * 1024 * 1024 && cifar < 73 * 1024 * 1024)
        // From a run's architecture: gelu adds t = 128 Mehler terms (the default quadrature degree), B = min(threads, pairs).
        var a = Self.architecture(.gelu, .ntk, depth: 3, shape: ConvolutionShape(height: 8, width: 8, inputChannels: 1))
        let geluBytes = ConvolutionalNTK.memoryBytes(architecture: a, shape: ConvolutionShape(height: 8, width: 8, inputChannels: 1),
                                                     rows: 256, cols: 256, threads: 2)
        #expect(geluBytes == gap + 8 * 512 * 64 * (3 * 4 * 128 + 8 * 128))
        a.activation = .relu
        #expect(ConvolutionalNTK.memoryBytes(architecture: a, shape: ConvolutionShape(height: 8, width: 8, inputChannels: 1),
                                             rows: 256, cols: 256, threads: 2) == gap)
    }
}

extension Matrix {
    /// Row i as an array.
    func row(_ i: Int) -> [Double] { Array(data[(i * cols)..<((i + 1) * cols)]) }
}
