import Foundation

/// Per-column standardization x ↦ (x − mean)/std with statistics from the training split only, so the
/// test inputs see the same affine map and nothing about them leaks into training.
///
/// `std` is the population standard deviation (divisor N). A column that is constant in the training
/// split has std 0: it is centered but not scaled (divided by 1) and listed in `constantColumns`.
public struct Standardization: Codable, Equatable, Sendable {
    public var mean: [Double]
    public var std: [Double]
    /// 0-based input columns with std = 0 in the training split.
    public var constantColumns: [Int]

    /// The statistics of the columns of `x` (N × d).
    public init(fitting x: Matrix) {
        let n = x.rows, d = x.cols
        var mean = [Double](repeating: 0, count: d)
        var m2 = [Double](repeating: 0, count: d)
        // Welford's update, column by column in one pass over the rows: stable for large offsets.
        for i in 0..<n {
            let count = Double(i + 1)
            for j in 0..<d {
                let v = x.data[i * d + j]
                let delta = v - mean[j]
                mean[j] += delta / count
                m2[j] += delta * (v - mean[j])
            }
        }
        let std = m2.map { n > 0 ? ($0 / Double(n)).squareRoot() : 0 }
        self.init(mean: mean, std: std)
    }

    public init(mean: [Double], std: [Double]) {
        precondition(mean.count == std.count)
        self.mean = mean
        self.std = std
        self.constantColumns = std.indices.filter { j in std[j] == 0 }
    }

    /// Fits the statistics on the training inputs and standardizes both splits with them.
    public static func fitAndApply(train: inout Matrix, test: inout Matrix) -> Standardization {
        let s = Standardization(fitting: train)
        s.apply(to: &train)
        s.apply(to: &test)
        return s
    }

    /// (x − mean)/std in place, column by column (std 0 → divide by 1).
    public func apply(to x: inout Matrix) {
        precondition(x.cols == mean.count, "standardization fitted on \(mean.count) columns, applied to \(x.cols)")
        let d = x.cols
        let scale = std.map { $0 > 0 ? 1 / $0 : 1 }
        for i in 0..<x.rows {
            for j in 0..<d {
                x.data[i * d + j] = (x.data[i * d + j] - mean[j]) * scale[j]
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case mean, std, constantColumns = "constant_columns"
    }
}
