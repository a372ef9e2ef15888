extension NetworkArchitecture {
    /// The shape under which weight tensor `tensor` is exported (`arrays/params_init/W{t}.npy`, Docs/LogFormat.md):
    /// a convolution's (K²·C_in) × C_out matrix as stax's 4-D HWIO array (K, K, C_in, C_out), whose row-major order is
    /// the matrix's, so neural-tangents can rebuild the network from the files; every other tensor as its
    /// (fan-in, fan-out) matrix.
    public func exportedWeightShape(tensor: Int, rows: Int, cols: Int) -> [Int] {
        guard case .cnn(let shape) = family, tensor < depth else { return [rows, cols] }
        let k = shape.kernelSize
        precondition(rows % (k * k) == 0, "convolution \(tensor) has \(rows) rows, not a multiple of K² = \(k * k)")
        return [k, k, rows / (k * k), cols]
    }
}
