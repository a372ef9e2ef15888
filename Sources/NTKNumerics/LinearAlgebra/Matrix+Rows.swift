extension DenseMatrix {
    /// The rows at `indices`, in that order, as a new matrix (a minibatch of a sample-major matrix).
    /// - Complexity: O(indices.count · cols), one copy per row.
    @inlinable
    public func gatheringRows(_ indices: [Int]) -> DenseMatrix {
        var out = DenseMatrix(rows: indices.count, cols: cols)
        guard cols > 0 else { return out }
        let n = cols
        data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rows, "row \(i) is outside 0..<\(rows)")
                    (dst.baseAddress! + r * n).update(from: src.baseAddress! + i * n, count: n)
                }
            }
        }
        return out
    }
}
