import ArgumentParser
import NTKDynamics

/// The network: shape, activation, parameterization and initialization scales.
public struct ModelOptions: ParsableArguments {
    @Option(name: [.customLong("width"), .customLong("widths")], parsing: .unconditional, help: """
        Hidden-layer width, or a comma list (64,256,1024) to run each width with the same data and seed.
        """)
    public var width: IntList = IntList([1024])

    /// `--depth` as given, nil when it was not: a sweep's `--depths` axis replaces it, so only its presence tells the
    /// two apart. ``depth`` applies the default.
    @Option(name: .customLong("depth"), parsing: .unconditional, help: "Number of hidden layers H (0 gives a linear model; default 2).")
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
        RunSpecification(parameterizations: [parameterization], depths: [depth], singleDepthGiven: givenDepth != nil,
                         kernelLimitNeededBy: kernelLimitNeededBy)
    }

    /// The architecture for one width.
    public func architecture(width w: Int, inputDim: Int, outputs: Int) -> NetworkArchitecture {
        NetworkArchitecture(inputDim: inputDim, width: w, depth: depth, outputs: outputs, activation: activation,
                        parameterization: parameterization, weightStd: weightStd,
                        biasStd: noBias ? 0 : (biasStd ?? Self.defaultBiasStd), hasBias: !noBias)
    }
}

extension RunSpecification {
    /// Refuses every problem of these choices with their sentences, one a line (exit 64).
    func refuse(dataset: Dataset? = nil) throws {
        let found = problems(dataset: dataset)
        if !found.isEmpty { throw ValidationError(found.map(\.description).joined(separator: "\n")) }
    }
}
