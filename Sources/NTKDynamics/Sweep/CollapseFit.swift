import Foundation

/// Whether one quantity of an α × width sweep collapses onto one curve of α√n (Geiger, Spigler, Jacot &
/// Wyart 2020), for one parameterization (Docs/Sweep.md#the-collapse-onto-αn).
///
/// Three fits over the completed runs, on log-log axes:
/// - `fit`: y ∝ (α√n)^slope, the collapse variable of Geiger et al. (``ScalingFit``: per-seed slopes and an
///   interval across seeds, or least squares with one seed);
/// - the joint power law log y = c + a·log α + b·log n by least squares (normal equations solved with LAPACK
///   `dpotrf`/`dpotrs`), ``JointFit``;
/// - the scatter of log y about the α√n line (`rmsLogResidual`) and about the best line in log α alone
///   (`rmsLogResidualAlphaOnly`): the first is much smaller when the width enters as √n.
///
/// For `max_kernel_drift`, `crossovers` locates the crossover at each width: the α√n where the mean drift over
/// seeds falls through ``crossoverLevel`` (the kernel has moved by half its norm), interpolated on log-log axes
/// between the two α that bracket it. If the crossover sits at α ≈ c/√n, these are one number c at every width.
///
/// A pure power law holds on the lazy side (large α√n); across the crossover the curve bends and the exponents
/// are averages over the range swept, which the report's plot shows.
public struct CollapseFit: Codable, Equatable, Sendable {
    public var parameterization: Parameterization
    /// The sweep.csv column.
    public var column: String
    /// y against α√n.
    public var fit: ScalingFit
    /// Nil when α and n do not both vary (one α or one width) or there are fewer than 4 points.
    public var joint: JointFit?
    /// Root-mean-square residual of log y about its least-squares line in log(α√n), and in log α alone.
    @NullEncoded public var rmsLogResidual: Double?
    @NullEncoded public var rmsLogResidualAlphaOnly: Double?
    /// Runs used (completed, α set, value positive and finite).
    public var points: Int

    /// log y = c + a·log α + b·log n.
    public struct JointFit: Codable, Equatable, Sendable {
        /// a.
        public var alphaExponent: Double
        /// b.
        public var widthExponent: Double
        /// b/a: the power p for which the curves of every width fall onto one function of α·n^p (½ for α√n);
        /// nil when a = 0.
        @NullEncoded public var collapseExponent: Double?

        init(alphaExponent a: Double, widthExponent b: Double) {
            alphaExponent = a
            widthExponent = b
            collapseExponent = a != 0 ? b / a : nil
        }

        enum CodingKeys: String, CodingKey {
            case alphaExponent = "alpha_exponent", widthExponent = "width_exponent", collapseExponent = "collapse_exponent"
        }
    }
    /// Per width, where the drift crosses ``crossoverLevel``; only for `max_kernel_drift`.
    public var crossovers: [Crossover]?

    /// The α√n at which one width's mean drift falls through ``crossoverLevel``; nil when no pair of α brackets it.
    public struct Crossover: Codable, Equatable, Sendable {
        public var width: Int
        @NullEncoded public var alphaSqrtWidth: Double?

        enum CodingKeys: String, CodingKey { case width, alphaSqrtWidth = "alpha_sqrt_width" }
    }

    /// The drift that marks the crossover between rich (above) and lazy (below) training.
    public static let crossoverLevel = 0.5

    enum CodingKeys: String, CodingKey {
        case parameterization, column, fit, joint, rmsLogResidual = "rms_log_residual"
        case rmsLogResidualAlphaOnly = "rms_log_residual_alpha_only", points, crossovers
    }

    /// Fits `column` over `rows` (completed runs of `parameterization` with an α).
    public init(parameterization: Parameterization, column: String, rows: [SweepRow]) {
        self.parameterization = parameterization
        self.column = column
        let data = rows.compactMap { r -> (alpha: Double, width: Double, seed: UInt64, value: Double)? in
            guard let a = r.outputScale, a > 0, let v = r.value(column), v > 0, v.isFinite else { return nil }
            return (a, Double(r.cell.width), r.cell.seed, v)
        }
        points = data.count
        fit = ScalingFit(against: data.map { (x: $0.alpha * $0.width.squareRoot(), seed: $0.seed, value: $0.value) })
        let logY = data.map { Foundation.log($0.value) }
        let logA = data.map { Foundation.log($0.alpha) }
        let logN = data.map { Foundation.log($0.width) }
        rmsLogResidual = Self.rmsResidual(x: zip(logA, logN).map { $0 + 0.5 * $1 }, y: logY)
        rmsLogResidualAlphaOnly = Self.rmsResidual(x: logA, y: logY)
        joint = Self.jointExponents(logA, logN, logY).map { JointFit(alphaExponent: $0.0, widthExponent: $0.1) }
        if column == "max_kernel_drift" {
            crossovers = Array(Set(data.map { Int($0.width) })).sorted().map { w in
                let mine = data.filter { Int($0.width) == w }
                let means = Dictionary(grouping: mine, by: \.alpha).mapValues { v in v.map(\.value).reduce(0, +) / Double(v.count) }
                let curve = means.keys.sorted().map { (x: $0 * Double(w).squareRoot(), y: means[$0]!) }
                return Crossover(width: w, alphaSqrtWidth: Self.crossing(curve, level: Self.crossoverLevel))
            }
        }
    }

    /// The first x where the curve, in increasing x, falls through `level`, interpolated linearly in (log x, log y).
    static func crossing(_ curve: [(x: Double, y: Double)], level: Double) -> Double? {
        for (p, q) in zip(curve, curve.dropFirst()) where p.y >= level && q.y < level {
            let t = (Foundation.log(level) - Foundation.log(p.y)) / (Foundation.log(q.y) - Foundation.log(p.y))
            return Foundation.exp(Foundation.log(p.x) + t * (Foundation.log(q.x) - Foundation.log(p.x)))
        }
        return nil
    }

    /// √(mean squared residual) of the least-squares line of y on x; nil with fewer than 3 points or one x.
    static func rmsResidual(x: [Double], y: [Double]) -> Double? {
        let line = LinearFit(zip(x, y).map { ($0, $1) })
        guard line.count >= 3, line.slope.isFinite else { return nil }
        let ss = zip(x, y).map { x, y in (y - line.intercept - line.slope * x) * (y - line.intercept - line.slope * x) }
        return (ss.reduce(0, +) / Double(line.count)).squareRoot()
    }

    /// (a, b) of log y = c + a·u + b·v by least squares: the centred 2 × 2 normal equations, solved by Cholesky.
    /// Nil when u and v do not both vary independently (one α, one width, or fewer than 4 points).
    static func jointExponents(_ u: [Double], _ v: [Double], _ y: [Double]) -> (Double, Double)? {
        let n = Double(y.count)
        guard y.count >= 4 else { return nil }
        let (mu, mv, my) = (u.reduce(0, +) / n, v.reduce(0, +) / n, y.reduce(0, +) / n)
        var suu = 0.0, svv = 0.0, suv = 0.0, suy = 0.0, svy = 0.0
        for i in y.indices {
            let (du, dv, dy) = (u[i] - mu, v[i] - mv, y[i] - my)
            suu += du * du; svv += dv * dv; suv += du * dv; suy += du * dy; svy += dv * dy
        }
        guard let factor = try? CholeskyFactorization(Matrix(rows: 2, cols: 2, data: [suu, suv, suv, svv])),
              let x = try? factor.solve(Matrix(rows: 2, cols: 1, data: [suy, svy])),
              x.data.allSatisfy(\.isFinite) else { return nil }
        return (x.data[0], x.data[1])
    }
}
