/// Which composition of blocks a network is (Docs/Architectures.md): the fully connected MLP, a residual
/// network, or a convolutional network on images. ``NetworkArchitecture/family`` holds it; `width` is the
/// hidden width of the MLP and the ResNet and the number of channels of the CNN, and `depth` counts hidden
/// layers, residual blocks or convolutions respectively.
public enum ArchitectureFamily: Equatable, Hashable, Sendable {
    /// depth hidden dense layers, then a linear readout (every run before architectures existed).
    case mlp
    /// An input dense layer d → n, then `depth` residual blocks h ← h + s·Dense(φ(h)), then a dense readout n → k.
    case resnet(branchScale: BranchScale)
    /// `depth` SAME convolutions (stride 1, `--width` output channels) each followed by φ, a pooling, then a dense
    /// readout.
    case cnn(ConvolutionShape)

    /// The name written in config.json and given to `--architecture`: `mlp`, `resnet` or `cnn`.
    public var name: String {
        switch self {
        case .mlp: "mlp"
        case .resnet: "resnet"
        case .cnn: "cnn"
        }
    }
}

/// The factor s on each residual branch, h ← h + s·Dense(φ(h)) (`--branch-scale`).
public enum BranchScale: String, CaseIterable, Codable, Hashable, Sendable {
    /// s = 1 (the default).
    case one = "1"
    /// s = 1/√L for L residual blocks: the depth-μP branch scaling of Bordelon et al. 2023 and Yang et al. 2023
    /// (Tensor Programs VI), under which the kernel has a limit as the depth grows.
    case sqrtDepth = "sqrt-depth"

    /// s for a network of `depth` residual blocks.
    public func factor(depth: Int) -> Double {
        switch self {
        case .one: 1
        case .sqrtDepth: depth > 0 ? 1 / Double(depth).squareRoot() : 1
        }
    }
}

/// How the last convolution's H × W × C feature map becomes the readout's input (`--pool`).
public enum Pooling: String, CaseIterable, Codable, Hashable, Sendable {
    /// Global average pooling: the mean over the H·W positions, C inputs to the readout (stax `GlobalAvgPool`).
    case gap
    /// The whole map in HWC order, H·W·C inputs to the readout (stax `Flatten`).
    case flatten
}

/// The input image and the convolutions of a CNN: images are rows of H·W·C inputs in HWC order (as
/// `ImageShape` lays them out), filters are K × K with SAME zero padding and stride 1.
public struct ConvolutionShape: Equatable, Hashable, Sendable {
    /// H, the image height (positions per column).
    public var height: Int
    /// W, the image width.
    public var width: Int
    /// C₀, the input channels.
    public var inputChannels: Int
    /// K, the filter size (odd, so that SAME padding is symmetric).
    public var kernelSize: Int
    public var pooling: Pooling

    public init(height: Int, width: Int, inputChannels: Int, kernelSize: Int = 3, pooling: Pooling = .gap) {
        self.height = height
        self.width = width
        self.inputChannels = inputChannels
        self.kernelSize = kernelSize
        self.pooling = pooling
    }

    /// H·W, the number of positions.
    public var positions: Int { height * width }
}
