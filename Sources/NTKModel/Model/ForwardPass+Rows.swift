extension ForwardPass {
    /// The pass restricted to the samples at `indices`: each layer's inputs, φ′ and the outputs, row by row.
    /// Backpropagating a minibatch's covector through it gives that minibatch's gradient without a second
    /// forward pass. A matrix with several rows per sample (a CNN's feature maps and patches, H·W rows per sample,
    /// ``ConvolutionBlock``) is gathered a sample's block of rows at a time.
    /// - Complexity: O(B · Σ_l n_l) copies for B indices.
    @inlinable
    public func gatheringRows(_ indices: [Int]) -> ForwardPass {
        let samples = output.rows
        func gather(_ m: DenseMatrix<Scalar>) -> DenseMatrix<Scalar> {
            guard samples > 0, m.rows != samples, m.rows % samples == 0 else { return m.gatheringRows(indices) }
            let perSample = m.rows / samples
            let blocks = DenseMatrix(rows: samples, cols: perSample * m.cols, data: m.data).gatheringRows(indices)
            return DenseMatrix(rows: indices.count * perSample, cols: m.cols, data: blocks.data)
        }
        return ForwardPass(inputs: inputs.map(gather), derivatives: derivatives.map(gather), output: output.gatheringRows(indices))
    }
}
