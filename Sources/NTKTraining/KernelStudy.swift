import Foundation

/// The settings of a ``KernelStudy`` (the `kernel` subcommand, Docs/InfiniteWidth.md#ntk-dynamics-kernel).
///
/// Encodes itself into the study's `config.json` (``KernelConfiguration``): every setting but ``threads``, which
/// only splits the work (`blas_threads` records OpenBLAS's).
public struct KernelStudySettings: Sendable, Encodable {
    /// The widths to measure, in the order given.
    public var widths: [Int]
    /// Initializations per width: initialization i draws its parameters from seed `seed + i`.
    public var seeds: Int
    /// The first initialization's seed (the data are drawn from it by the caller).
    public var seed: UInt64
    /// Gauss–Hermite nodes per dimension for tanh and gelu.
    public var quadratureDegree: Int
    /// λ of kernel ridge regression with Θ and with each K₀; nil for none (recorded as null).
    @NullEncoded public var ridge: Double?
    /// Threads for the quadrature path; nil uses every core.
    public var threads: Int?

    public init(widths: [Int], seeds: Int, seed: UInt64, quadratureDegree: Int = GaussHermiteRule.defaultDegree,
                ridge: Double? = nil, threads: Int? = nil) {
        precondition(!widths.isEmpty && seeds >= 1)
        (self.widths, self.seeds, self.seed, self.quadratureDegree) = (widths, seeds, seed, quadratureDegree)
        (self.ridge, self.threads) = (ridge, threads)
    }

    enum CodingKeys: String, CodingKey {
        case widths, seeds, seed, quadratureDegree = "quadrature_degree", ridge
    }
}

/// The empirical NTK K₀ at initialization over several seeds and widths, against the infinite-width Θ (and the
/// NNGP Σ) on the training inputs, with kernel ridge regression when asked (Docs/InfiniteWidth.md).
///
/// Construction computes Θ and Σ (nothing is measured unless they succeed); ``measure(shouldContinue:onSeed:onWidth:)``
/// then draws each initialization, measures ‖K₀ − Θ‖_F/‖Θ‖_F and reports it. Initialization i of every width
/// draws its parameters from seed `settings.seed + i` on ``RandomSource/Stream/parameters``, so the first is the
/// network of `run --seed SEED`. The library never prints: results go to the caller.
public struct KernelStudy {
    public let settings: KernelStudySettings
    /// The architecture at the largest width, whose Θ is ``theta``.
    public let architecture: NetworkArchitecture
    public let dataset: Dataset
    /// Θ ⊗ I_k at the largest width, (N·k) × (N·k).
    public let theta: Matrix
    /// Σ ⊗ I_k, which does not depend on the width.
    public let nngp: Matrix
    /// ‖Θ_n − Θ_2n‖_F/‖Θ_2n‖_F on the first (up to) 48 training points for the quadrature path; nil for closed forms.
    public let quadratureErrorEstimate: Double?
    /// Seconds to compute Θ and Σ.
    public let analyticSeconds: Double
    /// Kernel ridge regression with Θ, and its test loss, with `settings.ridge`.
    public let ridgeAnalytic: (fit: KernelRidgeRegression, testLoss: Double)?
    /// The scalar Θ (N × N) per width: Θ depends on the width only under `standard` (DenseLayer.ntkWeightFactor).
    private let thetaScalar: [Int: Matrix]

    /// The largest width of the study.
    public var largestWidth: Int { settings.widths.max()! }

    /// - Throws: ``LAPACKError`` from the Gauss–Hermite rule or the ridge regression's factorization.
    public init(architecture: NetworkArchitecture, dataset: Dataset, settings: KernelStudySettings) throws {
        precondition(architecture.inputDim == dataset.inputDim && architecture.outputs == dataset.outputs)
        self.settings = settings
        self.dataset = dataset
        let largest = settings.widths.max()!
        let reference = architecture.withWidth(largest)
        self.architecture = reference
        let clock = ContinuousClock()
        let start = clock.now
        let analytic = try AnalyticNTK(architecture: reference, quadratureDegree: settings.quadratureDegree,
                                       threads: settings.threads)
        let scalar = analytic.scalarKernels(dataset.trainInputs, widths: settings.widths)
        thetaScalar = Dictionary(zip(settings.widths, scalar.ntk), uniquingKeysWith: { first, _ in first })
        analyticSeconds = (clock.now - start).seconds
        let k = dataset.outputs
        theta = thetaScalar[largest]!.kroneckerIdentity(outputs: k)
        nngp = scalar.nngp.kroneckerIdentity(outputs: k)
        quadratureErrorEstimate = try Self.quadratureErrorEstimate(analytic, dataset.trainInputs, threads: settings.threads)
        if let lambda = settings.ridge {
            // The scalar Θ: Θ ⊗ I_k solves output by output.
            let fit = try KernelRidgeRegression(kernel: thetaScalar[largest]!, targets: dataset.trainTargets, ridge: lambda)
            let cross = analytic.scalarKernels(dataset.testInputs, dataset.trainInputs, widths: [largest]).ntk[0]
            let prediction = try fit.predict(crossKernel: cross)
            ridgeAnalytic = (fit, Self.testLoss(prediction.data, dataset))
        } else {
            ridgeAnalytic = nil
        }
    }

    /// Θ ⊗ I_k at `width` (formed on demand: (N·k)² each).
    public func theta(width: Int) -> Matrix {
        width == largestWidth ? theta : thetaScalar[width]!.kroneckerIdentity(outputs: dataset.outputs)
    }

    /// One initialization's measurement.
    public struct SeedMeasurement: Sendable {
        public var width: Int
        public var seed: UInt64
        /// ‖K₀ − Θ‖_F/‖Θ‖_F.
        public var relativeError: Double
        /// The kernel ridge regression test loss with this K₀, with a ridge.
        public var ridgeTestLoss: Double?
        /// The diagonal jitter the ridge regression needed (0 when K + λI was positive definite).
        public var ridgeJitter: Double?
        public var seconds: Double
    }

    /// One width's result: its row of the summary and the seed-averaged K₀.
    public struct WidthResult {
        public var row: KernelSummary.WidthRow
        /// The mean of the measured K₀ over the seeds.
        public var meanKernel: Matrix
        /// How many of the seeds' ridge regressions needed a jitter.
        public var jitteredSeeds: Int
    }

    /// Measures every width, each over `settings.seeds` initializations, reporting each seed and each width.
    ///
    /// `shouldContinue` is asked before each initialization; false ends the study as interrupted, after the widths
    /// measured so far (a width cut short reports the seeds it finished).
    /// - Complexity: per initialization one structured K₀ (O(L·(N·k)²·width)), and with a ridge a Cholesky solve
    ///   of order N·k and a cross-kernel.
    public func measure(shouldContinue: () -> Bool = { true }, onSeed: (SeedMeasurement) throws -> Void,
                        onWidth: (WidthResult) throws -> Void) throws -> KernelSummary {
        let clock = ContinuousClock()
        let x = dataset.trainInputs, n = dataset.trainCount, k = dataset.outputs
        var rows: [KernelSummary.WidthRow] = []
        var status = RunStatus.completed
        widths: for w in settings.widths {
            let architecture = self.architecture.withWidth(w)
            let reference = theta(width: w)
            var errors: [Double] = [], ridgeLosses: [Double] = [], jitters: [Double] = []
            var sum = Matrix(rows: n * k, cols: n * k)
            let start = clock.now
            for i in 0..<settings.seeds {
                guard shouldContinue() else {
                    status = .interrupted
                    break
                }
                let s = settings.seed &+ UInt64(i)
                let seedStart = clock.now
                var rng = RandomSource(seed: s, stream: .parameters)
                let network = Network<Double>(architecture: architecture, rng: &rng)
                let k0 = EmpiricalNTK.kernel(network, x)
                let error = KernelComparison.relativeError(k0, reference: reference)
                BLAS.axpy(1, k0.data, &sum.data)
                errors.append(error)
                var measurement = SeedMeasurement(width: w, seed: s, relativeError: error, seconds: 0)
                if let lambda = settings.ridge {
                    let fit = try KernelRidgeRegression(kernel: k0, targets: Matrix(rows: n * k, cols: 1, data: dataset.trainTargets.data),
                                                        ridge: lambda)
                    let prediction = try fit.predict(crossKernel: EmpiricalNTK.kernel(network, dataset.testInputs, x))
                    measurement.ridgeTestLoss = Self.testLoss(prediction.data, dataset)
                    measurement.ridgeJitter = fit.jitter
                    ridgeLosses.append(measurement.ridgeTestLoss!)
                    jitters.append(fit.jitter)
                }
                measurement.seconds = (clock.now - seedStart).seconds
                try onSeed(measurement)
            }
            guard !errors.isEmpty else { break widths }
            BLAS.scale(&sum.data, by: 1 / Double(errors.count))
            let row = KernelSummary.WidthRow(
                width: w, seeds: errors.count, errors: errors,
                seedAveragedError: KernelComparison.relativeError(sum, reference: reference),
                ridgeLosses: ridgeLosses, largestJitter: jitters.max(), seconds: (clock.now - start).seconds)
            rows.append(row)
            try onWidth(WidthResult(row: row, meanKernel: sum, jitteredSeeds: jitters.filter { $0 > 0 }.count))
            if status == .interrupted { break }
        }
        return KernelSummary(status: status, rows: rows, analyticSeconds: analyticSeconds,
                             thetaNorm: theta.frobeniusNorm, nngpNorm: nngp.frobeniusNorm,
                             quadratureErrorEstimate: quadratureErrorEstimate, ridge: settings.ridge,
                             ridgeAnalytic: ridgeAnalytic?.fit, ridgeAnalyticLoss: ridgeAnalytic?.testLoss,
                             zeroPredictorTestLoss: dataset.testCount > 0
                                 ? Self.testLoss([Double](repeating: 0, count: dataset.testTargets.data.count), dataset)
                                 : nil)
    }

    /// The mean squared test loss, ½·mean over test points and outputs.
    private static func testLoss(_ prediction: [Double], _ dataset: Dataset) -> Double {
        LossNormalization.mean.loss(prediction, dataset.testTargets.data, samples: dataset.testCount, outputs: dataset.outputs)
    }

    /// ‖Θ_n − Θ_2n‖_F/‖Θ_2n‖_F on the first (up to) 48 points, for the quadrature path (nil for closed forms).
    private static func quadratureErrorEstimate(_ coarse: AnalyticNTK, _ x: Matrix, threads: Int?) throws -> Double? {
        guard !coarse.architecture.activation.hasClosedFormKernelMaps else { return nil }
        let sample = x.rows(0..<min(x.rows, 48))
        let doubled = min(2 * coarse.quadratureDegree, GaussHermiteRule.degreeRange.upperBound)
        guard doubled > coarse.quadratureDegree else { return nil }
        let fine = try AnalyticNTK(architecture: coarse.architecture, quadratureDegree: doubled, threads: threads)
        return KernelComparison.relativeError(coarse.scalarKernels(sample).ntk, reference: fine.scalarKernels(sample).ntk)
    }
}
