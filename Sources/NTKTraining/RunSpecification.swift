/// The choices of a run, a sweep or a kernel study that constrain one another, and the one statement of those
/// rules: `run`, `sweep` and `kernel` each fill one in from their options and refuse what ``problems(dataset:)``
/// returns (exit 64, Docs/CLI.md#exit-status). A rule that concerns one option alone (a range, a finite number)
/// stays with that option.
///
/// The rules (Docs/Parameterizations.md, Docs/Optimizers.md, Docs/Sweep.md):
/// * every (parameterization, depth) pair can be built (``Parameterization/unsupportedDepthReason(_:)``);
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
        for p in parameterizations {
            for d in depths {
                if let reason = p.unsupportedDepthReason(d) {
                    found.append(.unsupportedDepth(reason: reason, option: depthOption))
                    break
                }
            }
            if let needer = kernelLimitNeededBy, !p.hasKernelLimit {
                let axis: String? = if case .axis(let option) = parameterizationSource { option } else { nil }
                found.append(.noKernelLimit(p, neededBy: needer, axis: axis))
            }
        }
        if let dataset, let training, let problem = training.problem(with: dataset) { found.append(.data(problem)) }
        return found
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
        }
    }
}
