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
public struct MemoryEstimate: Sendable, Equatable {
    public let bytes: Double

    public init(architecture a: NetworkArchitecture, samples n: Int, testSamples nTest: Int, kernel: KernelChoice,
                precision: Precision = .float64, quadratureDegree: Int = GaussHermiteRule.defaultDegree,
                steps: Int = 0, outputHistoryEvery: Int? = nil, keptKernels: Int = 0, sharpness: Bool = false) {
        let k = Double(a.outputs)
        let r = Double(n) * k, rTest = Double(nTest) * k
        let units = Double(a.layerSizes.reduce(0, +))
        var network = 4 * Double(a.parameterCount)
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
            values += Double(a.parameterCount)           // θ₀ in float64
        }
        if sharpness {                                   // Lanczos vectors, the product, the R-operator's pass
            values += Double(HessianSharpness.maxIterations + 4) * Double(a.parameterCount) + 6 * Double(n) * units
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
        let units = Double(a.layerSizes.reduce(0, +))
        var values = nn * nn * (1 + Double(widths))     // Σ, and Θ per width
        values += 4 * r * r                              // K₀, the seed sum, Θ ⊗ I_k, Σ ⊗ I_k
        if ridge { values += 2 * r * r + 2 * rTest * r }  // Cholesky factor and solve, cross kernels
        values += 2 * Double(a.parameterCount) + (2 * nn + r) * units
        values += 12 * nn * Double(m)
        bytes = values * 8 + 32 * 1_048_576
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
