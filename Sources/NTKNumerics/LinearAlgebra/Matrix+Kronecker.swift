extension Matrix {
    /// A ⊗ I_k in the sample-major layout: entry ((i, a), (j, b)) at row i·k + a, column j·k + b equals
    /// A[i, j] when a = b and 0 otherwise (a scalar-output kernel extended to k independent outputs).
    ///
    /// - Complexity: O(rows·cols·k²) memory, O(rows·cols·k) writes.
    public func kroneckerIdentity(outputs k: Int) -> Matrix {
        precondition(k >= 1)
        if k == 1 { return self }
        var r = Matrix(rows: rows * k, cols: cols * k)
        let wide = r.cols
        for i in 0..<rows {
            for j in 0..<cols {
                let v = data[i * cols + j]
                for a in 0..<k { r.data[(i * k + a) * wide + j * k + a] = v }
            }
        }
        return r
    }
}
