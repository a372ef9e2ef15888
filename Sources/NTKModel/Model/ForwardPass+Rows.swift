extension ForwardPass {
    /// The pass restricted to the samples at `indices`: each layer's inputs, φ′ and the outputs, row by row.
    /// Backpropagating a minibatch's covector through it gives that minibatch's gradient without a second
    /// forward pass.
    /// - Complexity: O(B · Σ_l n_l) copies for B indices.
    @inlinable
    public func gatheringRows(_ indices: [Int]) -> ForwardPass {
        ForwardPass(inputs: inputs.map { $0.gatheringRows(indices) }, derivatives: derivatives.map { $0.gatheringRows(indices) },
                    output: output.gatheringRows(indices))
    }
}
