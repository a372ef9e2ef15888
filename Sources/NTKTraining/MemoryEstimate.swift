import Foundation

/// How much memory a run needs, estimated before it starts, so a run that cannot fit is refused with the
/// figure instead of being killed by the operating system halfway.
///
/// Counted in float64 values: the parameters four times (θ, θ₀, the gradient, the copy an update makes),
/// activations and φ′ for the training and test inputs, the backpropagated derivatives of all N·k rows,
/// six (N·k)² kernel-sized matrices (K₀, K_t, the eigenvectors and K̃₀, and two more as an allowance: the
/// kernel's Gram products are accumulated in 256-row panels now, but the heap keeps freed blocks below 32 MiB
/// for reuse (``HeapTuning``), and without the allowance the estimate fell to 0.85× a measured peak), three
/// cross-kernel-sized ones, three more (N·k)² with the analytic kernel and, for tanh and gelu, the Hermite
/// coefficients of ``HermiteExpansion`` (about 12·N·m values for an m-node rule); plus a fixed 32 MiB for the
/// runtime (a tiny run peaks at 30 MB). Measured against peak resident memory: 96 MB estimated for the
/// default run (76–83 MB measured), 186 MB for width 256 with 1536 points (174 MB), 242 MB for width 4096 with
/// 1024 points (232 MB).
///
/// With `--keep-outputs-every K` (``TrainingSettings/outputHistoryEvery``) the run also holds f_t on the training and
/// test inputs at S = ⌊T/K⌋ + 1 steps (and T), (N + N*)·k float64 values each, three times over: the history, the
/// flattened array written to `f_*_history.npy`, and its encoded bytes. At T = 10⁸, K = 1 that is far more than any
/// machine has, and the run is refused up front rather than killed after days (issue 22).
///
/// With `--precision float32` the network's arrays (parameters, activations, φ′, derivatives) take 4 bytes a
/// value, plus the float64 θ₀ the run keeps for `params_init/`; kernels and predictions stay float64.
///
/// `keptKernels` (N·k)² matrices more are held for `--keep-kernel-every` (``TrainingSettings/keptKernelCount``).
///
/// With `sharpness` (`--sharpness-every`) the Lanczos iteration of ``HessianSharpness`` keeps up to
/// ``HessianSharpness/maxIterations`` parameter vectors in float64, plus four for the product and its float64 network,
/// and the R-operator's pass holds R{z}, R{a}, R{Δ}, φ″ and its own activations: 6·N·units more.
///
/// A resnet or a cnn (``ArchitectureFamily``) counts its own parameters (``parameterCount(_:)``) and units per sample
/// (``unitsPerSample(_:)``) in the same terms; a cnn adds its im2col patches (``im2colPatchValues(samples:shape:inputChannels:)``
/// for every convolution, training and test inputs), one convolution's per-sample weight gradients for the kernel
/// (``convolutionGradientValues(rows:shape:inputChannels:outputChannels:)``, the largest), and with `--kernel analytic`
/// the position covariances of Θ (``gapKernelBlockValues(positions:depth:threads:pairsPerBlock:)`` with gap,
/// ``flattenKernelValues(points:positions:)`` with flatten). These figures are counted, not yet measured against a run:
/// the block model that trains them comes with issue 24's other branches.
public struct MemoryEstimate: Sendable, Equatable {
    public let bytes: Double

    public init(architecture a: NetworkArchitecture, samples n: Int, testSamples nTest: Int, kernel: KernelChoice,
                precision: Precision = .float64, quadratureDegree: Int = GaussHermiteRule.defaultDegree,
                steps: Int = 0, outputHistoryEvery: Int? = nil, keptKernels: Int = 0, sharpness: Bool = false,
                threads: Int = 1) {
        let k = Double(a.outputs)
        let r = Double(n) * k, rTest = Double(nTest) * k
        let units = Self.unitsPerSample(a)
        let parameters = Double(Self.parameterCount(a))
        var network = 4 * parameters
        network += 2 * Double(n + nTest) * units         // activations and φ′
        network += (r + Double(n)) * units               // D_l for every (sample, output) row, and GD's signals
        var values = 6 * r * r + 3 * rTest * r           // float64: K₀, K_t, eigenvectors, K̃₀, an allowance
        values += Double(keptKernels) * r * r            // --keep-kernel-every
        if kernel == .analytic {
            values += 3 * r * r + 2 * rTest * r
            if !a.activation.hasClosedFormKernelMaps {   // the Hermite coefficients of X and X*
                values += 12 * Double(n + nTest) * Double(AnalyticNTK.expansionDegree(quadratureDegree: quadratureDegree))
            }
        }
        if precision == .float32 {
            values += parameters                         // θ₀ in float64
        }
        if sharpness {                                   // Lanczos vectors, the product, the R-operator's pass
            values += Double(HessianSharpness.maxIterations + 4) * parameters + 6 * Double(n) * units
        }
        if let c = a.family.convolution {
            network += Self.convolutionValues(a, c, samples: n, testSamples: nTest)
            if kernel == .analytic {
                values += c.pooling == .gap ? Self.gapKernelBlockValues(positions: c.positions, depth: a.depth, threads: threads)
                    : Self.flattenKernelValues(points: n + nTest, positions: c.positions)
            }
        }
        if let every = outputHistoryEvery, every > 0 {
            values += 3 * Self.historySnapshots(steps: steps, every: every) * Double(n + nTest) * k
        }
        bytes = values * 8 + network * Double(precision.bytesPerValue) + 32 * 1_048_576
    }

    /// The `kernel` command's memory: Σ and Θ for each of `widths` widths (N² each), the four (N·k)² kernels it
    /// holds at once (K₀ of a seed, the seed-averaged sum, Θ ⊗ I_k and Σ ⊗ I_k), with a ridge the cross kernels and
    /// a Cholesky factor, the network at the largest width (twice) with its activations, φ′ and the derivatives of
    /// all N·k rows, and for quadrature activations the Hermite coefficients of ``HermiteExpansion`` (about 12·N·m
    /// values for an m-node expansion rule); plus 32 MiB. Against peak resident memory: 351 MB estimated for
    /// N = 2048 at width 1024 (280 MB measured), 573 MB for N = 1024 at width 4096 with a ridge (442 MB), 310 MB
    /// for tanh at N = 2048, width 256 (225 MB).
    public init(kernelCommand a: NetworkArchitecture, samples n: Int, testSamples nTest: Int, widths: Int,
                ridge: Bool, expansionNodes m: Int) {
        let k = Double(a.outputs), nn = Double(n)
        let r = nn * k, rTest = Double(nTest) * k
        let units = Self.unitsPerSample(a)
        var values = nn * nn * (1 + Double(widths))     // Σ, and Θ per width
        values += 4 * r * r                              // K₀, the seed sum, Θ ⊗ I_k, Σ ⊗ I_k
        if ridge { values += 2 * r * r + 2 * rTest * r }  // Cholesky factor and solve, cross kernels
        values += 2 * Double(Self.parameterCount(a)) + (2 * nn + r) * units
        values += 12 * nn * Double(m)
        bytes = values * 8 + 32 * 1_048_576
    }

    /// P, the trainable parameters of `a` in any family: the MLP's ``NetworkArchitecture/parameterCount``; a resnet's
    /// d·n + L·n² + n·k weights and (L + 1)·n + k biases (the MLP of L + 1 hidden layers has the same); a cnn's
    /// Σ_l (K²·C_{l−1}·C + C) over its L convolutions (C₀ the image's channels) and the readout's F·k + k, F = C (gap) or
    /// H·W·C (flatten). Without biases the bias terms are 0.
    public static func parameterCount(_ a: NetworkArchitecture) -> Int {
        switch a.family {
        case .mlp:
            return a.parameterCount
        case .resnet:
            let (d, n, k, bias) = (a.inputDim, a.width, a.outputs, a.hasBias ? 1 : 0)
            return d * n + a.depth * n * n + n * k + bias * ((a.depth + 1) * n + k)
        case .cnn(let c):
            let (channels, k, bias) = (a.width, a.outputs, a.hasBias ? 1 : 0)
            let kk = c.kernelSize * c.kernelSize
            let convolutions = (0..<a.depth).reduce(0) { sum, l in
                sum + kk * (l == 0 ? c.inputChannels : channels) * channels + bias * channels
            }
            let pooled = c.pooling == .gap ? channels : c.positions * channels
            return convolutions + pooled * k + bias * k
        }
    }

    /// Values of one sample's forward pass that the network keeps per input (the "units" of the estimate): the MLP's
    /// Σ n_l; a resnet's input d, its depth + 2 tensors of n (h₀ … h_L and the readout's input) and the k outputs; a
    /// cnn's image H·W·C₀, its L maps of H·W·C (``convolutionActivationValues(samples:shape:channels:)`` per sample),
    /// the pooled features (C or H·W·C) and the k outputs.
    public static func unitsPerSample(_ a: NetworkArchitecture) -> Double {
        switch a.family {
        case .mlp:
            return Double(a.layerSizes.reduce(0, +))
        case .resnet:
            return Double(a.inputDim + (a.depth + 2) * a.width + a.outputs)
        case .cnn(let c):
            let pooled = c.pooling == .gap ? a.width : c.positions * a.width
            return Double(c.positions * c.inputChannels + pooled + a.outputs)
                + Double(a.depth) * convolutionActivationValues(samples: 1, shape: c, channels: a.width)
        }
    }

    /// The activations of one convolution's output over `samples` images: N·H·W·C values (the same for z, φ(z), φ′).
    public static func convolutionActivationValues(samples: Int, shape c: ConvolutionShape, channels: Int) -> Double {
        Double(samples) * Double(c.positions) * Double(channels)
    }

    /// The im2col patches of one convolution over `samples` images: (N·H·W) × (K²·C_in) values, a row per output
    /// position holding the K×K×C_in inputs its filter sees (zeros where SAME padding reaches outside the image).
    public static func im2colPatchValues(samples: Int, shape c: ConvolutionShape, inputChannels: Int) -> Double {
        Double(samples) * Double(c.positions) * Double(c.kernelSize * c.kernelSize * inputChannels)
    }

    /// The per-sample weight gradients of one convolution, the rows of its Jacobian block for the empirical kernel:
    /// (N·k) × (K²·C_in·C_out) values for `rows` = N·k (sample, output) rows.
    public static func convolutionGradientValues(rows: Int, shape c: ConvolutionShape, inputChannels: Int,
                                                 outputChannels: Int) -> Double {
        Double(rows) * Double(c.kernelSize * c.kernelSize * inputChannels * outputChannels)
    }

    /// Input pairs per block of the cnn-gap Θ (``gapKernelBlockValues(positions:depth:threads:pairsPerBlock:)``).
    public static let gapKernelPairsPerBlock = 16

    /// The working set of the cnn-gap Θ: with global average pooling Θ needs the covariance of every pair of positions
    /// for every pair of inputs, N²·(H·W)² values a layer, so it is computed a block of B input pairs at a time, each
    /// thread holding Σ and Θ of its block's (H·W)² position pairs at each of the L + 1 layers:
    /// threads · B · (H·W)² · (L + 1) · 2 values.
    public static func gapKernelBlockValues(positions: Int, depth: Int, threads: Int,
                                            pairsPerBlock: Int = gapKernelPairsPerBlock) -> Double {
        let p = Double(positions)
        return Double(max(threads, 1)) * Double(pairsPerBlock) * p * p * Double(depth + 1) * 2
    }

    /// The cnn-flatten Θ: only same-position covariances are needed, Σ and Θ of every pair of the `points` inputs at
    /// each of the H·W positions, for the layer and the next: 4 · points² · H·W values.
    public static func flattenKernelValues(points: Int, positions: Int) -> Double {
        4 * Double(points) * Double(points) * Double(positions)
    }

    /// A cnn's network values beyond its units: the im2col patches of every convolution for the training and test
    /// images, and the per-sample weight gradients of its largest convolution for the kernel (the kernel sums the
    /// convolutions' Gram products one at a time).
    static func convolutionValues(_ a: NetworkArchitecture, _ c: ConvolutionShape, samples n: Int, testSamples nTest: Int) -> Double {
        let channelsIn = (0..<a.depth).map { $0 == 0 ? c.inputChannels : a.width }
        let patches = channelsIn.reduce(0) { $0 + im2colPatchValues(samples: n + nTest, shape: c, inputChannels: $1) }
        let gradients = channelsIn.map {
            convolutionGradientValues(rows: n * a.outputs, shape: c, inputChannels: $0, outputChannels: a.width)
        }.max() ?? 0
        return patches + gradients
    }

    /// Steps at which `--keep-outputs-every` keeps f_t: t = 0, K, 2K, … ≤ T, and T itself.
    static func historySnapshots(steps: Int, every: Int) -> Double {
        Double(max(steps, 0) / every + 1 + (steps > 0 && steps % every != 0 ? 1 : 0))
    }

    /// An estimate of `bytes` (e.g. several runs at once).
    public init(bytes: Double) { self.bytes = bytes }

    /// The machine's physical memory.
    public static var physicalMemory: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    /// A run is refused above this share of physical memory.
    public static let allowedShare = 0.8

    /// Whether the run fits in `allowedShare` of `memory` bytes.
    public func fits(in memory: Double = MemoryEstimate.physicalMemory) -> Bool {
        bytes <= Self.allowedShare * memory
    }

    /// "3.2 GiB"-style text.
    public static func describe(_ bytes: Double) -> String {
        bytes >= 1_073_741_824 ? String(format: "%.1f GiB", bytes / 1_073_741_824) : String(format: "%.0f MiB", bytes / 1_048_576)
    }
}
