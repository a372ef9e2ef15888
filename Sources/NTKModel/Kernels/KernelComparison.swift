import Foundation

/// Figures for comparing a finite-width kernel with its infinite-width limit.
public enum KernelComparison {
    /// ‖K − Θ‖_F / ‖Θ‖_F (∞ when ‖Θ‖_F = 0 and K ≠ Θ, 0 when both are 0).
    public static func relativeError(_ k: Matrix, reference theta: Matrix) -> Double {
        let d = k.frobeniusDistance(to: theta), n = theta.frobeniusNorm
        if n == 0 { return d == 0 ? 0 : .infinity }
        return d / n
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
            mean = Statistics.mean(values)
            std = Statistics.sampleStandardDeviation(values) ?? 0
            min = values.min()!
            max = values.max()!
        }
    }
}
