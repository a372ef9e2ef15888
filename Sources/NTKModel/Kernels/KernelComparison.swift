import Foundation

/// Figures for comparing a finite-width kernel with its infinite-width limit.
public enum KernelComparison {
    /// ‖K − Θ‖_F / ‖Θ‖_F (∞ when ‖Θ‖_F = 0 and K ≠ Θ, 0 when both are 0).
    public static func relativeError(_ k: Matrix, reference theta: Matrix) -> Double {
        let d = k.frobeniusDistance(to: theta), n = theta.frobeniusNorm
        if n == 0 { return d == 0 ? 0 : .infinity }
        return d / n
    }

    /// The least-squares slope of log y against log x (needs at least two distinct x, all x, y > 0 and
    /// finite; nil otherwise). For ‖K₀ − Θ‖/‖Θ‖ against the width the theory gives about −1/2.
    public static func logLogSlope(x: [Double], y: [Double]) -> Double? {
        precondition(x.count == y.count)
        guard x.count >= 2, zip(x, y).allSatisfy({ $0 > 0 && $1 > 0 && $0.isFinite && $1.isFinite }) else { return nil }
        let lx = x.map { Foundation.log($0) }, ly = y.map { Foundation.log($0) }
        let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
        var sxy = 0.0, sxx = 0.0
        for i in lx.indices {
            sxy += (lx[i] - mx) * (ly[i] - my)
            sxx += (lx[i] - mx) * (lx[i] - mx)
        }
        return sxx > 0 ? sxy / sxx : nil
    }

    /// Mean, sample standard deviation (n − 1; 0 for one value), minimum and maximum of some values.
    public struct Spread: Codable, Equatable, Sendable {
        public var mean: Double
        public var std: Double
        public var min: Double
        public var max: Double

        public init(_ values: [Double]) {
            precondition(!values.isEmpty)
            let n = Double(values.count)
            mean = values.reduce(0, +) / n
            let m = mean
            std = values.count > 1 ? (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot() : 0
            min = values.min()!
            max = values.max()!
        }
    }
}
