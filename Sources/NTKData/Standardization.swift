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
    ///
    /// Each column is first divided by the power of two just below its largest |x| (exact but for subnormal
    /// results), so Welford's sums stay near 1 and cannot overflow: a column of ±1e300 gets std ≈ 1e300,
    /// not ∞ (whose reciprocal would have turned the column into zeros). mean and std are at most max |x|,
    /// so they are finite for every finite input (Docs/RealData.md, "Standardization").
    public init(fitting x: Matrix) {
        let n = x.rows, d = x.cols
        var scale = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { scale[j] = max(scale[j], abs(x.data[i * d + j])) }
        }
        // The power of two 2^e ≤ max |x| < 2^(e+1): dividing by it is exact unless the result is subnormal.
        scale = scale.map { $0 > 0 && $0.isFinite ? Double(sign: .plus, exponent: $0.exponent, significand: 1) : 1 }
        var mean = [Double](repeating: 0, count: d)
        var m2 = [Double](repeating: 0, count: d)
        // Welford's update, column by column in one pass over the rows: stable for large offsets.
        for i in 0..<n {
            let count = Double(i + 1)
            for j in 0..<d {
                let v = x.data[i * d + j] / scale[j]
                let delta = v - mean[j]
                mean[j] += delta / count
                m2[j] += delta * (v - mean[j])
            }
        }
        let std = (0..<d).map { j in n > 0 ? (m2[j] / Double(n)).squareRoot() * scale[j] : 0 }
        self.init(mean: (0..<d).map { mean[$0] * scale[$0] }, std: std)
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
    ///
    /// Computed as (x/s − mean/s)/(std/s) with s a power of two near max(|mean|, std) (s = 1 for a constant
    /// column), so that x − mean cannot overflow for columns near ±1e308, and no 1/std overflows for a std
    /// near the smallest doubles.
    /// A test value far outside the training range can still give ±∞; the run then reports it as divergence.
    public func apply(to x: inout Matrix) {
        precondition(x.cols == mean.count, "standardization fitted on \(mean.count) columns, applied to \(x.cols)")
        let d = x.cols
        let s = (0..<d).map { j -> Double in
            let m = max(abs(mean[j]), std[j])
            return std[j] > 0 && m.isFinite ? Double(sign: .plus, exponent: m.exponent, significand: 1) : 1
        }
        let shift = (0..<d).map { mean[$0] / s[$0] }
        let divisor = (0..<d).map { std[$0] > 0 ? std[$0] / s[$0] : 1 }
        for i in 0..<x.rows {
            for j in 0..<d {
                x.data[i * d + j] = (x.data[i * d + j] / s[j] - shift[j]) / divisor[j]
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case mean, std, constantColumns = "constant_columns"
    }
}
