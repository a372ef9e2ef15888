/// A dense row-major matrix of `Double`.
///
/// Element `(i, j)` is stored at `data[i * cols + j]`, the layout CBLAS and LAPACKE
/// expect with `CblasRowMajor` / `LAPACK_ROW_MAJOR` and leading dimension `cols`.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var data: [Double]

    /// A `rows × cols` matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && cols >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        self.data = [Double](repeating: value, count: rows * cols)
    }

    /// A matrix over existing row-major storage; `data.count` must equal `rows * cols`.
    public init(rows: Int, cols: Int, data: [Double]) {
        precondition(data.count == rows * cols, "data has \(data.count) entries, expected \(rows) × \(cols)")
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// A matrix from nested row arrays (all rows of equal length).
    public init(_ rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "ragged rows")
        self.init(rows: r, cols: c, data: rowArrays.flatMap { $0 })
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.data[i * n + i] = 1 }
        return m
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { data[i * cols + j] }
        set { data[i * cols + j] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] {
        Array(data[(i * cols)..<((i + 1) * cols)])
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] {
        (0..<rows).map { data[$0 * cols + j] }
    }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for i in 0..<rows {
            for j in 0..<cols { t.data[j * rows + i] = data[i * cols + j] }
        }
        return t
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, data: Array(data[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Frobenius norm ‖A‖_F = sqrt(Σ a_ij²).
    public var frobeniusNorm: Double { vectorNorm(data) }

    /// Whether every entry is finite.
    public var isFinite: Bool { data.allSatisfy { $0.isFinite } }
}

/// Euclidean norm of a vector, scaled to avoid overflow (`cblas_dnrm2`).
public func vectorNorm(_ v: [Double]) -> Double {
    BLAS.norm(v)
}

/// ‖a − b‖₂ for vectors of equal length.
public func distance(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var d = a
    BLAS.axpy(-1, b, &d)
    return BLAS.norm(d)
}

extension Matrix {
    /// ‖A − B‖_F for matrices of equal shape.
    public func frobeniusDistance(to other: Matrix) -> Double {
        precondition(rows == other.rows && cols == other.cols, "shape mismatch")
        return distance(data, other.data)
    }
}
