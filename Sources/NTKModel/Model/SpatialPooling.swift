/// The maps from the last convolution's (N·H·W) × C feature map to the readout's N rows (Docs/Conventions.md,
/// convolutional networks), forward and backward:
///
///     gap:      u_n = (1/HW)·Σ_p a_{n,p}          (N × C; stax `GlobalAvgPool`)
///     flatten:  u_n = (a_{n,0}, …, a_{n,HW−1})   (N × H·W·C in HWC order; stax `Flatten`)
///
/// Flatten only reinterprets the row-major storage; its backward map is the inverse reinterpretation.
public enum SpatialPooling {
    /// The N readout inputs of a map of `positions` rows per image.
    @inlinable
    public static func forward<Scalar: BLASScalar>(_ map: DenseMatrix<Scalar>, pooling: Pooling, positions: Int) -> DenseMatrix<Scalar> {
        precondition(map.rows % positions == 0, "a map of \(map.rows) rows is not a whole number of \(positions)-position images")
        let images = map.rows / positions, c = map.cols
        switch pooling {
        case .flatten:
            return DenseMatrix(rows: images, cols: positions * c, data: map.data)
        case .gap:
            return positionSums(map, positions: positions, scale: 1 / Scalar(positions))
        }
    }

    /// scale·Σ_p m_{r,p}: the R × C sums over the `positions` consecutive rows of each of R blocks of the (R·H·W) × C
    /// matrix m, each sum scaled once at the end. gap uses it with scale 1/HW; a convolution's bias gradient with s_b.
    ///
    /// - Complexity: R·H·W·C additions and R·C multiplications.
    @inlinable
    static func positionSums<Scalar: BLASScalar>(_ m: DenseMatrix<Scalar>, positions: Int, scale: Scalar) -> DenseMatrix<Scalar> {
        let rows = m.rows / positions, c = m.cols
        var sums = DenseMatrix<Scalar>(rows: rows, cols: c)
        m.data.withUnsafeBufferPointer { src in
            sums.data.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    let out = dst.baseAddress! + r * c
                    for p in 0..<positions {
                        let row = src.baseAddress! + (r * positions + p) * c
                        for j in 0..<c { out[j] += row[j] }
                    }
                    for j in 0..<c { out[j] *= scale }
                }
            }
        }
        return sums
    }

    /// The backward map: from R rows of ∂(·)/∂u to the (R·H·W) × C signal on the map (each position receives δ/HW
    /// under gap; flatten reinterprets).
    @inlinable
    public static func backward<Scalar: BLASScalar>(_ delta: DenseMatrix<Scalar>, pooling: Pooling, positions: Int,
                                                    channels c: Int) -> DenseMatrix<Scalar> {
        switch pooling {
        case .flatten:
            precondition(delta.cols == positions * c)
            return DenseMatrix(rows: delta.rows * positions, cols: c, data: delta.data)
        case .gap:
            precondition(delta.cols == c)
            let rows = delta.rows
            var map = DenseMatrix<Scalar>(uninitializedRows: rows * positions, cols: c)
            let scale = 1 / Scalar(positions)
            let row = delta.data.map { $0 * scale }
            row.withUnsafeBufferPointer { src in
                map.data.withUnsafeMutableBufferPointer { dst in
                    for r in 0..<rows {
                        for p in 0..<positions {
                            (dst.baseAddress! + (r * positions + p) * c).update(from: src.baseAddress! + r * c, count: c)
                        }
                    }
                }
            }
            return map
        }
    }
}
