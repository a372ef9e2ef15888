extension NetworkArchitecture {
    /// The parameter tensors of a CNN (Docs/Conventions.md, convolutional networks): `depth` convolutions, each a
    /// ``DenseLayer`` of fan-in K²·C_in (C_in = C₀ for the first, `width` channels after) and fan-out `width` with φ,
    /// then the linear readout of fan-in C (gap) or H·W·C (flatten). The parameterization's rules applied to these
    /// fan-ins are stax `Conv`'s and `Dense`'s (ntk: c = σ_w/√(C_in·K²), raw W ~ N(0, 1)).
    func convolutionLayers(_ shape: ConvolutionShape) -> [DenseLayer] {
        let k2 = shape.kernelSize * shape.kernelSize
        func layer(_ l: Int, fanIn: Int, fanOut: Int, _ activation: Activation?) -> DenseLayer {
            parameterization.layer(position: .init(layer: l, depth: depth), fanIn: fanIn, fanOut: fanOut, width: width,
                                   activation: activation, weightStd: weightStd, biasStd: biasStd, hasBias: hasBias)
        }
        let convolutions = (0..<depth).map { l in
            layer(l, fanIn: k2 * (l == 0 ? shape.inputChannels : width), fanOut: width, activation)
        }
        return convolutions + [layer(depth, fanIn: pooledFeatures(shape), fanOut: outputs, nil)]
    }

    /// The channels of the map the pooling reads: `width`, or C₀ for a CNN without convolutions.
    func pooledChannels(_ shape: ConvolutionShape) -> Int { depth > 0 ? width : shape.inputChannels }

    /// The readout's fan-in: C after gap, H·W·C after flatten.
    func pooledFeatures(_ shape: ConvolutionShape) -> Int {
        shape.pooling == .gap ? pooledChannels(shape) : shape.positions * pooledChannels(shape)
    }

    /// The blocks of a CNN: the convolutions (``ConvolutionBlock``), the pooling (``SpatialPooling``), the dense readout.
    func convolutionBlocks(_ shape: ConvolutionShape, _ layers: [DenseLayer]) -> [NetworkBlock] {
        let convolutions: [NetworkBlock] = (0..<depth).map { l in
            .convolution(layers[l], ConvolutionGeometry(height: shape.height, width: shape.width,
                                                        inputChannels: l == 0 ? shape.inputChannels : width, kernelSize: shape.kernelSize))
        }
        return convolutions + [.pooling(shape.pooling, positions: shape.positions, channels: pooledChannels(shape)), .dense(layers[depth])]
    }
}
