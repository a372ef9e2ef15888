import ArgumentParser
import NTKDynamics

/// The network: architecture, shape, activation, parameterization and initialization scales.
public struct ModelOptions: ParsableArguments {
    /// `--architecture` as given, nil when it was not (a sweep's `--architectures` axis replaces it).
    @Option(name: .customLong("architecture"), help: """
        The network: mlp (dense layers), resnet (an input layer d → n, --depth residual blocks h ← h + s·Dense(φ(h)), a \
        readout) or cnn (--depth SAME convolutions with --width channels on image data, a pooling, a readout). Default mlp. \
        Docs/CLI.md#architectures.
        """)
    public var givenArchitecture: ArchitectureKind?

    /// The architecture: `--architecture`, or mlp.
    public var architectureKind: ArchitectureKind { givenArchitecture ?? .mlp }

    @Option(name: .customLong("branch-scale"), help: """
        resnet only: the factor s on each residual branch, 1 (default) or sqrt-depth for s = 1/√L, the depth-μP scaling of \
        Bordelon et al. 2023 and Yang et al. 2023 (Tensor Programs VI).
        """)
    public var givenBranchScale: BranchScale?

    @Option(name: .customLong("kernel-size"), parsing: .unconditional, help: """
        cnn only: the filter size K of every convolution, K×K (odd, at least 1, at most the image's height and width; \
        default 3). Stride 1, SAME zero padding.
        """)
    public var givenKernelSize: Int?

    @Option(name: .customLong("pool"), help: """
        cnn only: how the last convolution's H×W×C map reaches the readout: gap (mean over the H·W positions, C inputs; \
        default) or flatten (all H·W·C values).
        """)
    public var givenPool: Pooling?

    @Option(name: [.customLong("width"), .customLong("widths")], parsing: .unconditional, help: """
        Hidden-layer width (a cnn's channels), or a comma list (64,256,1024) to run each width with the same data and seed.
        """)
    public var width: IntList = IntList([1024])

    /// `--depth` as given, nil when it was not: a sweep's `--depths` axis replaces it, so only its presence tells the
    /// two apart. ``depth`` applies the default.
    @Option(name: .customLong("depth"), parsing: .unconditional, help: """
        Number of hidden layers H (0 gives a linear model; default 2); a resnet's residual blocks, a cnn's convolutions.
        """)
    public var givenDepth: Int?

    /// The number of hidden layers: `--depth`, or 2.
    public var depth: Int { givenDepth ?? Self.defaultDepth }

    @Option(help: "Hidden-layer activation: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")).")
    public var activation: Activation = .relu

    @Option(help: """
        ntk: z = σ_w/√n·aW + σ_b·b with N(0,1) parameters; standard: z = aW + b with W ~ N(0, σ_w²/n), b ~ N(0, σ_b²); mup: \
        Yang & Hu's μP (readout multiplier 1/√n, draws of std ∝ 1/√n, logits O(1/√n) at init, features learn at any width); \
        mean-field: f = (1/n)·Σ v·φ(z), rate η·n, --depth 1 only. Tables: Docs/Parameterizations.md.
        """)
    public var parameterization: Parameterization = .ntk

    @Option(name: .customLong("weight-std"), parsing: .unconditional, help: "σ_w, the weight scale (> 0).")
    public var weightStd: Double = 1.5

    @Option(name: .customLong("bias-std"), parsing: .unconditional, help: "σ_b, the bias scale (≥ 0). Biases are trainable even at σ_b = 0 under standard.")
    public var biasStd: Double?

    @Flag(name: .customLong("no-bias"), help: "Remove the biases (neural-tangents' b_std=None).")
    public var noBias = false

    public init() {}

    static let defaultBiasStd = 0.05
    static let defaultDepth = 2
    /// Widths above this are refused: a single hidden layer would need more memory than a workstation has.
    static let maxWidth = 1 << 16
    static let maxDepth = 64
    /// `--kernel-size` above this is refused before the data says the image's size.
    static let maxKernelSize = 63

    public func validate() throws {
        for w in width.values where w <= 0 || w > Self.maxWidth {
            throw ValidationError("--width \(w) is out of range; each width must be between 1 and \(Self.maxWidth).")
        }
        guard Set(width.values).count == width.values.count else {
            throw ValidationError("--width \(width.defaultValueDescription) lists a width twice; give each width once.")
        }
        if let depth = givenDepth, depth < 0 || depth > Self.maxDepth {
            throw ValidationError("--depth \(depth) is out of range; use 0 to \(Self.maxDepth) hidden layers.")
        }
        if let k = givenKernelSize, k < 1 || k > Self.maxKernelSize || k % 2 == 0 {
            throw ValidationError("""
                --kernel-size \(k) is invalid; the filter size must be odd (SAME padding is then symmetric), from 1 to \
                \(Self.maxKernelSize) and at most the image's height and width.
                """)
        }
        guard weightStd.isFinite && weightStd > 0 else {
            throw ValidationError("--weight-std \(weightStd) is invalid; σ_w must be a finite number > 0.")
        }
        if let b = biasStd {
            guard b.isFinite && b >= 0 else {
                throw ValidationError("--bias-std \(b) is invalid; σ_b must be a finite number ≥ 0.")
            }
            if noBias {
                throw ValidationError("--bias-std and --no-bias conflict: --no-bias removes the biases; drop one of the two.")
            }
        }
    }

    /// The network's part of the cross-option rules (``RunSpecification``): this parameterization at this depth, and
    /// `kernelLimitNeededBy` (the option or command that needs Θ, if any).
    func specification(kernelLimitNeededBy: String? = nil) -> RunSpecification {
        var spec = RunSpecification(parameterizations: [parameterization], depths: [depth], singleDepthGiven: givenDepth != nil,
                                    kernelLimitNeededBy: kernelLimitNeededBy)
        spec.architectures = [architectureKind]
        (spec.branchScaleGiven, spec.poolGiven, spec.kernelSize) = (givenBranchScale != nil, givenPool != nil, givenKernelSize)
        spec.branchScale = givenBranchScale
        return spec
    }

    /// The architecture for one width; `kind` replaces `--architecture` (a sweep's axis).
    ///
    /// - Precondition: a cnn has `imageShape` (``RunSpecification`` refuses a cnn on other data first).
    public func architecture(width w: Int, inputDim: Int, outputs: Int, imageShape: ImageShape? = nil,
                             kind: ArchitectureKind? = nil) -> NetworkArchitecture {
        var a = NetworkArchitecture(inputDim: inputDim, width: w, depth: depth, outputs: outputs, activation: activation,
                                    parameterization: parameterization, weightStd: weightStd,
                                    biasStd: noBias ? 0 : (biasStd ?? Self.defaultBiasStd), hasBias: !noBias)
        a.family = family(kind ?? architectureKind, imageShape: imageShape)
        return a
    }

    /// The ``ArchitectureFamily`` of `kind` with these options: the branch scale of a resnet, the convolutions of a
    /// cnn on images of `imageShape`.
    public func family(_ kind: ArchitectureKind, imageShape: ImageShape?) -> ArchitectureFamily {
        switch kind {
        case .mlp: return .mlp
        case .resnet: return .resnet(branchScale: givenBranchScale ?? .one)
        case .cnn:
            guard let image = imageShape else { preconditionFailure("a cnn needs image inputs (RunSpecification refuses others)") }
            return .cnn(ConvolutionShape(height: image.height, width: image.width, inputChannels: image.channels,
                                         kernelSize: givenKernelSize ?? Self.defaultKernelSize, pooling: givenPool ?? .gap))
        }
    }

    static let defaultKernelSize = 3
}

extension ArchitectureKind: ExpressibleByArgument {}
extension BranchScale: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}

extension RunSpecification {
    /// Refuses every problem of these choices with their sentences, one a line (exit 64).
    func refuse(dataset: Dataset? = nil) throws {
        let found = problems(dataset: dataset)
        if !found.isEmpty { throw ValidationError(found.map(\.description).joined(separator: "\n")) }
    }
}
