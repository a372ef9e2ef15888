import Foundation

/// Whether one quantity of a sweep over an axis and the width collapses onto one curve of a single combined
/// variable x = v·n^p (Docs/Sweep.md#the-collapse-onto-αn):
/// - the output scale α, with x = α√n: the lazy-to-rich crossover of Geiger, Spigler, Jacot & Wyart (2020);
/// - the depth L, with x = L/n: the finite-width corrections of Hanin & Nica (2019), which grow with depth/width.
///
/// Three fits over the completed runs of one parameterization (and one value of the other axes), on log-log axes:
/// - `fit`: y ∝ x^slope (``ScalingFit``: per-seed slopes and an interval across seeds, or least squares with
///   one seed);
/// - the joint power law log y = c + a·log v + b·log n by least squares (normal equations solved with LAPACK
///   `dpotrf`/`dpotrs`), ``JointFit``; its b/a is the p the data choose, against ½ (α√n) or −1 (L/n);
/// - the scatter of log y about the line in log x (`rmsLogResidual`) and about the best line in log v alone
///   (`rmsLogResidualWithoutWidth`): the first is much smaller when the width enters as the variable says.
///
/// For the output scale and `max_kernel_drift`, `crossovers` locates the crossover at each width: the α√n where
/// the mean drift over seeds falls through ``crossoverLevel`` (the kernel has moved by half its norm),
/// interpolated on log-log axes between the two α that bracket it. If the crossover sits at α ≈ c/√n, these
/// are one number c at every width.
///
/// A pure power law holds on the lazy side (large α√n); across the crossover the curve bends and the exponents
/// are averages over the range swept, which the report's plot shows.
public struct CollapseFit: Codable, Equatable, Sendable {
    /// The axis that is combined with the width.
    public enum SweptAxis: String, Codable, Sendable {
        case outputScale = "output_scale"
        case depth

        /// The power p of n in the combined variable x = v·n^p.
        public var widthPower: Double { self == .outputScale ? 0.5 : -1 }
        /// The combined variable, as printed.
        public var variable: String { self == .outputScale ? "α√n" : "L/n" }
        /// The axis' value of a row, when it has one.
        func value(_ row: SweepRow) -> Double? {
            self == .outputScale ? row.outputScale : Double(row.depth)
        }
    }

    public var axis: SweptAxis
    public var parameterization: Parameterization
    /// The other axis' value, held fixed: the depth for an output-scale fit, α (nil: the plain model) for a
    /// depth fit.
    public var depth: Int?
    @NullEncoded public var outputScale: Double?
    /// The sweep.csv column.
    public var column: String
    /// y against the combined variable.
    public var fit: ScalingFit
    /// Nil when the axis and n do not both vary, or there are fewer than 4 points.
    public var joint: JointFit?
    /// Root-mean-square residual of log y about its least-squares line in log x, and in log v alone.
    @NullEncoded public var rmsLogResidual: Double?
    @NullEncoded public var rmsLogResidualWithoutWidth: Double?
    /// Runs used (completed, value positive and finite).
    public var points: Int
    /// Per width, where the drift crosses ``crossoverLevel``; only for the output scale and `max_kernel_drift`.
    public var crossovers: [Crossover]?

    /// log y = c + a·log v + b·log n, and whether the exponent b/a it gives is the one the combined variable assumes.
    public struct JointFit: Codable, Equatable, Sendable {
        /// a.
        public var axisExponent: Double
        /// b.
        public var widthExponent: Double
        /// b/a: the power p for which the curves of every width fall onto one function of v·n^p (½ for α√n,
        /// −1 for L/n); nil when a = 0.
        @NullEncoded public var collapseExponent: Double?
        /// b/a of each seed's own joint fit, with two seeds or more (else nil).
        @NullEncoded public var seedCollapseExponents: [Double]?
        /// The 95% interval of b/a: with two seeds or more, mean ± t_{0.975, S−1}·sd/√S over the per-seed b/a (as
        /// ``ScalingFit`` does for slopes); with one seed, b/a ± t_{0.975, m−3}·se by the delta method from the
        /// least-squares covariance of (a, b) over the m points. Nil when neither can be computed.
        @NullEncoded public var collapseExponentCI95: [Double]?
        @NullEncoded public var collapseExponentMethod: String?
        /// The p the combined variable assumes: ½ (α√n) or −1 (L/n).
        @NullEncoded public var hypothesis: Double?
        /// Whether ``hypothesis`` lies inside ``collapseExponentCI95``; nil without an interval. False means the
        /// data contradict the collapse onto the combined variable.
        @NullEncoded public var hypothesisInside: Bool?

        init(axisExponent a: Double, widthExponent b: Double) {
            axisExponent = a
            widthExponent = b
            collapseExponent = a != 0 ? b / a : nil
        }

        /// The pooled fit of `points` (log v, log n, log y, seed) with the interval of its collapse exponent and the
        /// verdict on `hypothesis`; nil when the pooled fit has none.
        init?(points: [(u: Double, v: Double, y: Double, seed: UInt64)], hypothesis p: Double) {
            guard let pooled = CollapseFit.jointExponents(points.map(\.u), points.map(\.v), points.map(\.y)) else { return nil }
            self.init(axisExponent: pooled.a, widthExponent: pooled.b)
            hypothesis = p
            let perSeed = Array(Set(points.map(\.seed))).sorted().compactMap { s -> Double? in
                let mine = points.filter { $0.seed == s }
                guard let fit = CollapseFit.jointExponents(mine.map(\.u), mine.map(\.v), mine.map(\.y)), fit.a != 0 else { return nil }
                return fit.b / fit.a
            }
            if let across = ScalingFit.acrossSeeds(perSeed) {
                seedCollapseExponents = perSeed
                collapseExponentCI95 = across.ci95
                collapseExponentMethod = "per-seed b/a, mean ± t(0.975, S-1)·sd/sqrt(S)"
            } else if let r = collapseExponent, let se = pooled.ratioStandardError, points.count > 3 {
                let half = StudentT.quantile(0.975, dof: Double(points.count - 3)) * se
                collapseExponentCI95 = [r - half, r + half]
                collapseExponentMethod = "least squares, b/a ± t(0.975, m-3)·se (delta method)"
            }
            hypothesisInside = collapseExponentCI95.map { $0[0] <= p && p <= $0[1] }
        }

        enum CodingKeys: String, CodingKey {
            case axisExponent = "axis_exponent", widthExponent = "width_exponent", collapseExponent = "collapse_exponent"
            case seedCollapseExponents = "seed_collapse_exponents", collapseExponentCI95 = "collapse_exponent_ci95"
            case collapseExponentMethod = "collapse_exponent_method", hypothesis = "collapse_hypothesis"
            case hypothesisInside = "collapse_hypothesis_inside"
        }
    }

    /// The α√n at which one width's mean drift falls through ``crossoverLevel``; nil when no pair of α brackets it.
    public struct Crossover: Codable, Equatable, Sendable {
        public var width: Int
        @NullEncoded public var alphaSqrtWidth: Double?

        enum CodingKeys: String, CodingKey { case width, alphaSqrtWidth = "alpha_sqrt_width" }
    }

    /// The drift that marks the crossover between rich (above) and lazy (below) training.
    public static let crossoverLevel = 0.5

    enum CodingKeys: String, CodingKey {
        case axis, parameterization, depth, outputScale = "output_scale", column, fit, joint
        case rmsLogResidual = "rms_log_residual", rmsLogResidualWithoutWidth = "rms_log_residual_without_width"
        case points, crossovers
    }

    /// Fits `column` over `rows`: the completed runs of one parameterization and one value of the other axes.
    public init(axis: SweptAxis, column: String, rows: [SweepRow]) {
        self.axis = axis
        parameterization = rows.first?.parameterization ?? .ntk
        depth = axis == .outputScale ? rows.first?.depth : nil
        outputScale = axis == .depth ? rows.first?.outputScale : nil
        self.column = column
        let data = rows.compactMap { r -> (v: Double, width: Double, seed: UInt64, value: Double)? in
            guard let v = axis.value(r), v > 0, let y = r.value(column), y > 0, y.isFinite else { return nil }
            return (v, Double(r.cell.width), r.cell.seed, y)
        }
        points = data.count
        let x = { (v: Double, n: Double) in v * Foundation.pow(n, axis.widthPower) }
        fit = ScalingFit(against: data.map { (x: x($0.v, $0.width), seed: $0.seed, value: $0.value) })
        let logY = data.map { Foundation.log($0.value) }
        let logV = data.map { Foundation.log($0.v) }
        let logN = data.map { Foundation.log($0.width) }
        rmsLogResidual = Self.rmsResidual(x: zip(logV, logN).map { $0 + axis.widthPower * $1 }, y: logY)
        rmsLogResidualWithoutWidth = Self.rmsResidual(x: logV, y: logY)
        joint = JointFit(points: data.indices.map { (logV[$0], logN[$0], logY[$0], data[$0].seed) }, hypothesis: axis.widthPower)
        if axis == .outputScale && column == SummaryColumn.maxKernelDrift {
            crossovers = Self.crossovers(data.map { (alpha: $0.v, width: Int($0.width), value: $0.value) })
        }
    }

    /// Per width, the α√n where the mean over seeds falls through ``crossoverLevel``.
    static func crossovers(_ data: [(alpha: Double, width: Int, value: Double)]) -> [Crossover] {
        Array(Set(data.map(\.width))).sorted().map { w in
            let mine = data.filter { $0.width == w }
            let means = Dictionary(grouping: mine, by: \.alpha).mapValues { v in v.map(\.value).reduce(0, +) / Double(v.count) }
            let curve = means.keys.sorted().map { (x: $0 * Double(w).squareRoot(), y: means[$0]!) }
            return Crossover(width: w, alphaSqrtWidth: crossing(curve, level: crossoverLevel))
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

    /// (a, b) of log y = c + a·u + b·v by least squares: the centred 2 × 2 normal equations, solved by Cholesky, and
    /// the standard error of b/a by the delta method, √(gᵀ·s²(XᵀX)⁻¹·g) with g = (−b/a², 1/a) and s² the residual
    /// variance over m − 3 degrees of freedom (nil when a = 0).
    /// Nil when u and v do not both vary independently (one value of either, or fewer than 4 points).
    static func jointExponents(_ u: [Double], _ v: [Double], _ y: [Double]) -> (a: Double, b: Double, ratioStandardError: Double?)? {
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
        let (a, b) = (x.data[0], x.data[1])
        guard a != 0, let inverse = try? factor.solve(Matrix(rows: 2, cols: 2, data: [1, 0, 0, 1])) else { return (a, b, nil) }
        let residuals = y.indices.map { i in y[i] - my - a * (u[i] - mu) - b * (v[i] - mv) }
        let s2 = residuals.map { $0 * $0 }.reduce(0, +) / (n - 3)
        let g = [-b / (a * a), 1 / a]
        let variance = s2 * (g[0] * g[0] * inverse[0, 0] + 2 * g[0] * g[1] * inverse[0, 1] + g[1] * g[1] * inverse[1, 1])
        return (a, b, variance.isFinite && variance >= 0 ? variance.squareRoot() : nil)
    }
}
