/// A dense row-major matrix of `Double`, the type of every kernel, dataset and prediction.
///
/// Element `(i, j)` is stored at `data[i * cols + j]`, the layout CBLAS and LAPACKE
/// expect with `CblasRowMajor` / `LAPACK_ROW_MAJOR` and leading dimension `cols`.
public typealias Matrix = DenseMatrix<Double>

/// A dense row-major matrix of a ``BLASScalar`` (`Double`, or `Float` for a network trained with
/// `--precision float32`). Element `(i, j)` is stored at `data[i * cols + j]`.
public struct DenseMatrix<Scalar: BLASScalar>: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var data: [Scalar]

    /// A `rows × cols` matrix filled with `value`.
    @inlinable
    public init(rows: Int, cols: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && cols >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        self.data = [Scalar](repeating: value, count: rows * cols)
    }

    /// A `rows × cols` matrix whose entries are left uninitialized, for a result that is written in full before it
    /// is read (a BLAS product with β = 0 and a nonzero inner dimension): it saves zeroing what is overwritten.
    @inlinable
    package init(uninitializedRows rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        self.data = [Scalar](unsafeUninitializedCapacity: rows * cols) { _, count in count = rows * cols }
    }

    /// A matrix over existing row-major storage; `data.count` must equal `rows * cols`.
    @inlinable
    public init(rows: Int, cols: Int, data: [Scalar]) {
        precondition(data.count == rows * cols, "data has \(data.count) entries, expected \(rows) × \(cols)")
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// A matrix from nested row arrays (all rows of equal length).
    @inlinable
    public init(_ rowArrays: [[Scalar]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "ragged rows")
        self.init(rows: r, cols: c, data: rowArrays.flatMap { $0 })
    }

    /// The `n × n` identity.
    @inlinable
    public static func identity(_ n: Int) -> DenseMatrix {
        var m = DenseMatrix(rows: n, cols: n)
        for i in 0..<n { m.data[i * n + i] = 1 }
        return m
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Scalar {
        get { data[i * cols + j] }
        set { data[i * cols + j] = newValue }
    }

    /// Row `i` as an array.
    @inlinable
    public func row(_ i: Int) -> [Scalar] {
        Array(data[(i * cols)..<((i + 1) * cols)])
    }

    /// Column `j` as an array.
    @inlinable
    public func column(_ j: Int) -> [Scalar] {
        (0..<rows).map { data[$0 * cols + j] }
    }

    /// The transpose.
    @inlinable
    public var transposed: DenseMatrix {
        var t = DenseMatrix(rows: cols, cols: rows)
        for i in 0..<rows {
            for j in 0..<cols { t.data[j * rows + i] = data[i * cols + j] }
        }
        return t
    }

    /// Rows `range` as a new matrix.
    @inlinable
    public func rows(_ range: Range<Int>) -> DenseMatrix {
        DenseMatrix(rows: range.count, cols: cols, data: Array(data[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Whether every entry is finite.
    @inlinable
    public var isFinite: Bool { data.allSatisfy { $0.isFinite } }
}

extension Matrix {
    /// Frobenius norm ‖A‖_F = sqrt(Σ a_ij²).
    public var frobeniusNorm: Double { vectorNorm(data) }
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
