/// The choices of a run, a sweep or a kernel study that constrain one another, and the one statement of those
/// rules: `run`, `sweep` and `kernel` each fill one in from their options and refuse what ``problems(dataset:)``
/// returns (exit 64, Docs/CLI.md#exit-status). A rule that concerns one option alone (a range, a finite number)
/// stays with that option.
///
/// The rules (Docs/Parameterizations.md, Docs/Optimizers.md, Docs/Sweep.md):
/// * every (parameterization, depth) pair can be built (``Parameterization/unsupportedDepthReason(_:)``), and every
///   (architecture, parameterization, depth) (``architectureReason(_:_:depth:)``, Docs/CLI.md#architectures);
/// * `--branch-scale` is given only with a resnet, `--kernel-size` and `--pool` only with a cnn;
/// * `--sharpness-every` only with the MLP (its Hessian-vector products are the MLP's);
/// * a cnn has image inputs, and filters no larger than the image;
/// * the infinite-width kernel Θ, when something needs it, exists for every parameterization
///   (``Parameterization/hasKernelLimit``);
/// * η is set once: `--lr`, `--lr-factor` or a sweep's `--lr-factors` axis, one of them;
/// * a depth axis replaces `--depth`;
/// * the optimizer and the loss can train on the data (``TrainingSettings/problem(with:)``), once it is loaded.
public struct RunSpecification: Sendable {
    /// Where a list of values came from: one option (`--depth`) or a sweep axis (`--depths`). A problem names the
    /// option the user typed.
    public enum Source: Sendable, Equatable {
        case single
        case axis(option: String)
    }

    public var parameterizations: [Parameterization]
    public var parameterizationSource: Source
    public var depths: [Int]
    public var depthSource: Source
    /// Whether `--depth` was given (a depth axis replaces it).
    public var singleDepthGiven: Bool
    /// What needs the infinite-width Θ (`--kernel analytic`, the kernel command), nil when nothing does.
    public var kernelLimitNeededBy: String?
    /// `--lr`, `--lr-factor` and a sweep's `--lr-factors`, as given.
    public var learningRate: Double?
    public var learningRateFactor: Double?
    public var learningRateFactors: [Double]?
    /// The training settings checked against the data by ``problems(dataset:)``.
    public var training: TrainingSettings?
    /// The architectures: `--architecture`'s one, or a sweep's `--architectures` axis.
    public var architectures: [ArchitectureKind] = [.mlp]
    public var architectureSource: Source = .single
    /// Whether `--branch-scale` and `--pool` were given, and `--kernel-size` as given: each belongs to one architecture.
    public var branchScaleGiven = false
    /// `--branch-scale` as given (s = 1/√L needs L ≥ 1 residual blocks).
    public var branchScale: BranchScale?
    public var poolGiven = false
    public var kernelSize: Int?
    /// Whether the inputs are images, when the options tell before the data is loaded (false for the synthetic
    /// datasets and for CSV data without `--image-shape`); nil when only the loaded data can tell.
    public var inputsAreImages: Bool?

    public init(parameterizations: [Parameterization], parameterizationSource: Source = .single, depths: [Int],
                depthSource: Source = .single, singleDepthGiven: Bool = false, kernelLimitNeededBy: String? = nil,
                learningRate: Double? = nil, learningRateFactor: Double? = nil, learningRateFactors: [Double]? = nil,
                training: TrainingSettings? = nil) {
        self.parameterizations = parameterizations
        self.parameterizationSource = parameterizationSource
        self.depths = depths
        self.depthSource = depthSource
        self.singleDepthGiven = singleDepthGiven
        self.kernelLimitNeededBy = kernelLimitNeededBy
        self.learningRate = learningRate
        self.learningRateFactor = learningRateFactor
        self.learningRateFactors = learningRateFactors
        self.training = training
    }

    /// Every rule these choices break, in the order a person would fix them; empty when none. With `dataset`, the
    /// optimizer and the loss are also checked against it (known only once the data is loaded).
    public func problems(dataset: Dataset? = nil) -> [SpecProblem] {
        var found: [SpecProblem] = []
        if learningRate != nil && learningRateFactor != nil { found.append(.learningRateTwice) }
        if learningRateFactors != nil, learningRate != nil || learningRateFactor != nil {
            found.append(.learningRateAxisConflict(other: learningRate != nil ? "--lr" : "--lr-factor"))
        }
        if case .axis = depthSource, singleDepthGiven { found.append(.depthAxisConflict) }
        // The option a depth problem is named after: the parameterization axis, else the depth axis, else none.
        let depthOption: String? = switch (parameterizationSource, depthSource) {
        case (.axis(let option), _), (.single, .axis(let option)): option
        case (.single, .single): nil
        }
        found += architectureOptionProblems()
        for p in parameterizations {
            if architectures.contains(.mlp) {
                for d in depths {
                    if let reason = p.unsupportedDepthReason(d) {
                        found.append(.unsupportedDepth(reason: reason, option: depthOption))
                        break
                    }
                }
            }
            for kind in architectures where kind != .mlp {
                if let reason = depths.lazy.compactMap({ Self.architectureReason(kind, p, depth: $0) }).first {
                    found.append(.unsupportedArchitecture(reason: reason, option: architectureOption(kind)))
                }
            }
            if let needer = kernelLimitNeededBy, !p.hasKernelLimit {
                let axis: String? = if case .axis(let option) = parameterizationSource { option } else { nil }
                found.append(.noKernelLimit(p, neededBy: needer, axis: axis))
            }
        }
        if branchScale == .sqrtDepth, architectures.contains(.resnet), depths.contains(0) {
            found.append(.unsupportedArchitecture(reason: """
                --branch-scale sqrt-depth sets s = 1/√L, which needs at least one residual block; give --depth 1 or more, or \
                --branch-scale 1.
                """, option: architectureOption(.resnet)))
        }
        if let every = training?.sharpnessEvery, let other = architectures.first(where: { $0 != .mlp }) {
            found.append(.sharpnessNeedsMLP(every: every, architecture: other, option: architectureOption(other)))
        }
        if architectures.contains(.cnn) { found += imageProblems(dataset: dataset) }
        if let dataset, let training, let problem = training.problem(with: dataset) { found.append(.data(problem)) }
        return found
    }

    /// How an architecture was chosen, for the messages: `--architecture cnn`, or `--architectures lists cnn`.
    func architectureOption(_ kind: ArchitectureKind) -> String {
        if case .axis(let option) = architectureSource { "\(option) lists \(kind.rawValue)" } else { "--architecture \(kind.rawValue)" }
    }

    /// `--branch-scale`, `--kernel-size` and `--pool` given without the architecture they belong to.
    func architectureOptionProblems() -> [SpecProblem] {
        let given: [(Bool, String, ArchitectureKind)] = [(branchScaleGiven, "--branch-scale", .resnet),
                                                          (kernelSize != nil, "--kernel-size", .cnn), (poolGiven, "--pool", .cnn)]
        return given.compactMap { isGiven, option, owner in
            guard isGiven, !architectures.contains(owner) else { return nil }
            let source: String = if case .axis(let axis) = architectureSource { axis } else { "--architecture" }
            return .optionForOtherArchitecture(option: option, owner: owner, given: architectures, source: source)
        }
    }

    /// Why `parameterization` cannot build a `kind` network of `depth` blocks or convolutions, or nil when it can
    /// (Docs/CLI.md#architectures): the model's own ``Parameterization/unsupportedReason(family:depth:)``, plus the cnn's
    /// one-convolution minimum. The MLP's rules are ``Parameterization/unsupportedDepthReason(_:)``.
    ///
    /// - resnet: ntk, standard and mup (μP with the branch scale, Bordelon et al. 2023, Yang et al. 2023); mean-field
    ///   is the one-hidden-layer f = (1/n)·Σ v·φ(z) and has no residual form.
    /// - cnn: ntk and standard (stax `Conv`, fan-in C·K²); the tool has no μP or mean-field table for convolutions.
    ///   At least one convolution.
    public static func architectureReason(_ kind: ArchitectureKind, _ parameterization: Parameterization, depth: Int) -> String? {
        switch kind {
        case .mlp: return nil  // the MLP's depth rule is checked with the other depth rules
        case .resnet: return parameterization.unsupportedReason(family: .resnet(branchScale: .one), depth: depth)
        case .cnn where depth < 1:
            return "--architecture cnn needs at least one convolution: give --depth 1 or more (the number of convolutions)."
        case .cnn:
            // The image's size does not enter the rule; any shape names the family.
            return parameterization.unsupportedReason(family: .cnn(ConvolutionShape(height: 1, width: 1, inputChannels: 1)), depth: depth)
        }
    }

    /// A cnn without image inputs, or with filters larger than the image.
    func imageProblems(dataset: Dataset?) -> [SpecProblem] {
        let option = architectureOption(.cnn)
        if let dataset {
            guard let shape = dataset.imageShape else { return [.needsImages(option: option)] }
            let k = kernelSize ?? ConvolutionShape(height: 1, width: 1, inputChannels: 1).kernelSize
            if k > min(shape.height, shape.width) { return [.filterLargerThanImage(kernelSize: k, image: shape)] }
            return []
        }
        return inputsAreImages == false ? [.needsImages(option: option)] : []
    }
}

/// One rule a ``RunSpecification`` breaks; its description is the sentence the tool prints (what is wrong and how to
/// fix it).
public enum SpecProblem: Error, Sendable, CustomStringConvertible {
    /// `--lr` and `--lr-factor` together.
    case learningRateTwice
    /// A sweep's `--lr-factors` axis with `--lr` or `--lr-factor` (`other`).
    case learningRateAxisConflict(other: String)
    /// `--depth` with a `--depths` axis.
    case depthAxisConflict
    /// A parameterization that cannot be built at a depth; `option` is the axis the pair came from, if any.
    case unsupportedDepth(reason: String, option: String?)
    /// Θ asked for (by `neededBy`) under a parameterization without a fixed infinite-width kernel; `axis` is the
    /// parameterization axis that listed it, if any.
    case noKernelLimit(Parameterization, neededBy: String, axis: String?)
    /// The optimizer or the loss cannot train on the loaded data.
    case data(ExperimentError)
    /// A parameterization or depth that an architecture cannot be built with; `option` names how it was chosen.
    case unsupportedArchitecture(reason: String, option: String)
    /// An option of `owner` (`--branch-scale`, `--kernel-size`, `--pool`) given for other architectures only.
    case optionForOtherArchitecture(option: String, owner: ArchitectureKind, given: [ArchitectureKind], source: String)
    /// `--sharpness-every` with a resnet or a cnn.
    case sharpnessNeedsMLP(every: Int, architecture: ArchitectureKind, option: String)
    /// A cnn on inputs without an image shape.
    case needsImages(option: String)
    /// `--kernel-size` above the image's height or width.
    case filterLargerThanImage(kernelSize: Int, image: ImageShape)

    public var description: String {
        switch self {
        case .learningRateTwice:
            return "--lr and --lr-factor conflict: --lr sets η itself, --lr-factor sets it relative to η_crit; give one."
        case .learningRateAxisConflict(let other):
            return "--lr-factors conflicts with \(other): the axis sets η of every run from its own η_crit; give the axis alone."
        case .depthAxisConflict:
            return "--depth and --depths conflict: the axis replaces the single depth; give one of the two."
        case .unsupportedDepth(let reason, let option):
            return option.map { "\($0): " + reason } ?? reason
        case .noKernelLimit(let p, let needer, let axis):
            let listed = axis.map { ", and \($0) lists \(p.rawValue)" } ?? ""
            return "\(needer) needs the infinite-width NTK Θ\(listed). " + AnalyticNTK.NoKernelLimit.explanation(p)
        case .data(let problem):
            return problem.description + "."
        case .unsupportedArchitecture(let reason, let option):
            return "\(option): " + reason
        case .optionForOtherArchitecture(let option, let owner, let given, let source):
            let what = option == "--branch-scale" ? "the factor s on each residual branch"
                : option == "--pool" ? "the pooling after the last convolution" : "the filter size"
            return """
                \(option) applies to --architecture \(owner.rawValue) (\(what)), and \(source) \(given.map(\.rawValue).joined(separator: ",")) \
                has no \(owner.rawValue); drop \(option) or add \(owner.rawValue) with \(source).
                """
        case .sharpnessNeedsMLP(let every, let kind, let option):
            return """
                --sharpness-every \(every) measures λ_max of the Hessian by the MLP's Hessian-vector products, which \(kind.noun) does \
                not have (\(option)); drop --sharpness-every or use --architecture mlp.
                """
        case .needsImages(let option):
            return """
                \(option) needs image inputs, and these data have no image shape: use --dataset digits (8×8×1), --data FILE.npz \
                with x of shape (N, H, W, C), or --data FILE.csv / x.npy with --image-shape HxWxC.
                """
        case .filterLargerThanImage(let k, let image):
            return """
                --kernel-size \(k) is larger than the \(image) images (height \(image.height), width \(image.width)); use an odd \
                --kernel-size of at most \(min(image.height, image.width)).
                """
        }
    }
}
