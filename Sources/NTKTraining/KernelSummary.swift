import Foundation

/// The result of a ``KernelStudy``, written as `summary.json` of a kernel directory (Docs/InfiniteWidth.md). Every key
/// is present; a value that does not apply (or is not finite) is null.
public struct KernelSummary: Encodable, Sendable {
    public struct WidthRow: Encodable, Sendable {
        public var width: Int
        public var seeds: Int
        /// ‖K₀ − Θ‖_F/‖Θ‖_F over the seeds.
        public var error: KernelComparison.Spread
        /// ‖mean K₀ − Θ‖_F/‖Θ‖_F.
        public var seedAveragedError: Double
        public var ridgeLoss: KernelComparison.Spread?
        public var largestJitter: Double?
        public var seconds: Double

        init(width: Int, seeds: Int, errors: [Double], seedAveragedError: Double, ridgeLosses: [Double],
             largestJitter: Double?, seconds: Double) {
            self.width = width
            self.seeds = seeds
            error = KernelComparison.Spread(errors)
            self.seedAveragedError = seedAveragedError
            ridgeLoss = ridgeLosses.isEmpty ? nil : KernelComparison.Spread(ridgeLosses)
            self.largestJitter = largestJitter
            self.seconds = seconds
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(width, forKey: .width)
            try c.encode(seeds, forKey: .seeds)
            try c.encode(finiteOrNil(error.mean), forKey: .errorMean)
            try c.encode(finiteOrNil(error.std), forKey: .errorStd)
            try c.encode(finiteOrNil(error.min), forKey: .errorMin)
            try c.encode(finiteOrNil(error.max), forKey: .errorMax)
            try c.encode(finiteOrNil(seedAveragedError), forKey: .seedAveraged)
            try c.encode(finiteOrNil(ridgeLoss?.mean), forKey: .ridgeMean)
            try c.encode(finiteOrNil(ridgeLoss?.std), forKey: .ridgeStd)
            try c.encode(finiteOrNil(largestJitter), forKey: .jitter)
            try c.encode(seconds, forKey: .seconds)
        }

        enum CodingKeys: String, CodingKey {
            case width, seeds, errorMean = "relative_error_mean", errorStd = "relative_error_std"
            case errorMin = "relative_error_min", errorMax = "relative_error_max"
            case seedAveraged = "seed_averaged_relative_error", ridgeMean = "ridge_test_loss_empirical_mean"
            case ridgeStd = "ridge_test_loss_empirical_std", jitter = "ridge_jitter_empirical_max", seconds = "empirical_seconds"
        }
    }

    public var status: RunStatus
    public var rows: [WidthRow]
    public var analyticSeconds: Double
    public var thetaNorm: Double
    public var nngpNorm: Double
    public var quadratureErrorEstimate: Double?
    public var ridge: Double?
    public var ridgeAnalytic: KernelRidgeRegression?
    public var ridgeAnalyticLoss: Double?
    public var zeroPredictorTestLoss: Double?

    /// Slope of log(mean error) against log(width); nil with fewer than two widths.
    public var slope: Double? {
        Statistics.logLogSlope(x: rows.map { Double($0.width) }, y: rows.map(\.error.mean))
    }

    public var slopeSeedAveraged: Double? {
        Statistics.logLogSlope(x: rows.map { Double($0.width) }, y: rows.map(\.seedAveragedError))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(rows, forKey: .widths)
        try c.encode(finiteOrNil(slope), forKey: .slope)
        try c.encode(finiteOrNil(slopeSeedAveraged), forKey: .slopeSeedAveraged)
        try c.encode(analyticSeconds, forKey: .analyticSeconds)
        try c.encode(finiteOrNil(thetaNorm), forKey: .thetaNorm)
        try c.encode(finiteOrNil(nngpNorm), forKey: .nngpNorm)
        try c.encode(finiteOrNil(quadratureErrorEstimate), forKey: .quadrature)
        try c.encode(ridge, forKey: .ridge)
        try c.encode(finiteOrNil(ridgeAnalyticLoss), forKey: .ridgeLoss)
        try c.encode(ridgeAnalytic.map(\.jitter), forKey: .ridgeJitter)
        try c.encode(finiteOrNil(zeroPredictorTestLoss), forKey: .zeroLoss)
    }

    enum CodingKeys: String, CodingKey {
        case status, widths, slope, slopeSeedAveraged = "slope_seed_averaged", analyticSeconds = "analytic_seconds"
        case thetaNorm = "ntk_analytic_frobenius_norm", nngpNorm = "nngp_analytic_frobenius_norm"
        case quadrature = "quadrature_error_estimate", ridge, ridgeLoss = "ridge_test_loss_analytic"
        case ridgeJitter = "ridge_jitter_analytic", zeroLoss = "test_loss_zero_predictor"
    }
}
