import Foundation

/// A power law y ∝ x^slope fitted on log-log axes, with a 95% confidence interval for the slope; x is the
/// width, or α√n for the collapse of an α × width sweep (``CollapseFit``).
///
/// With several seeds, the slope is fitted per seed (log y against log x over that seed's points) and the
/// interval is mean ± t_{0.975, S−1}·sd/√S across the S per-seed slopes: the seed-to-seed variation of the
/// whole curve is what the interval measures. With one seed, it is the least-squares slope ± t_{0.975, n−2}·SE.
/// Points with y ≤ 0 or non-finite y are left out (no logarithm).
public struct ScalingFit: Codable, Equatable, Sendable {
    @NullEncoded public var slope: Double?
    /// [lower, upper] of the 95% interval.
    @NullEncoded public var ci95: [Double]?
    /// Per-seed slopes (several seeds) or empty.
    public var seedSlopes: [Double]
    /// Points used.
    public var points: Int
    public var method: String

    enum CodingKeys: String, CodingKey {
        case slope, ci95 = "ci95", seedSlopes = "seed_slopes", points, method
    }

    static let acrossSeedsMethod = "per-seed slopes, mean ± t(0.975, S-1)·sd/sqrt(S)"

    /// The mean of S ≥ 2 per-seed estimates and its 95% interval mean ± t_{0.975, S−1}·sd/√S (sd with S − 1);
    /// nil with fewer than two.
    static func acrossSeeds(_ values: [Double]) -> (mean: Double, ci95: [Double])? {
        guard values.count >= 2 else { return nil }
        let s = Double(values.count)
        let mean = Statistics.mean(values)
        let sd = Statistics.sampleStandardDeviation(values)!   // two values or more
        let half = StudentT.quantile(0.975, dof: s - 1) * sd / s.squareRoot()
        return (mean, [mean - half, mean + half])
    }

    /// Fits `points` of (width, seed, value).
    public init(_ data: [(width: Int, seed: UInt64, value: Double)]) {
        self.init(against: data.map { (x: Double($0.width), seed: $0.seed, value: $0.value) })
    }

    /// Fits `points` of (x, seed, value).
    public init(against data: [(x: Double, seed: UInt64, value: Double)]) {
        let usable = data.filter { $0.value > 0 && $0.value.isFinite && $0.x > 0 && $0.x.isFinite }
        points = usable.count
        let seeds = Array(Set(usable.map(\.seed))).sorted()
        var perSeed: [Double] = []
        for s in seeds {
            let fit = LinearFit(usable.filter { $0.seed == s }.map { (Foundation.log($0.x), Foundation.log($0.value)) })
            if fit.count >= 2, fit.slope.isFinite { perSeed.append(fit.slope) }
        }
        if let across = Self.acrossSeeds(perSeed) {
            method = Self.acrossSeedsMethod
            seedSlopes = perSeed
            slope = across.mean
            ci95 = across.ci95
        } else {
            method = "least squares, slope ± t(0.975, n-2)·SE"
            seedSlopes = []
            let fit = LinearFit(usable.map { (Foundation.log($0.x), Foundation.log($0.value)) })
            slope = fit.count >= 2 && fit.slope.isFinite ? fit.slope : nil
            if fit.count >= 3, let b = slope, fit.slopeStandardError.isFinite {
                let half = StudentT.quantile(0.975, dof: Double(fit.count - 2)) * fit.slopeStandardError
                ci95 = [b - half, b + half]
            } else {
                ci95 = nil
            }
        }
    }
}
