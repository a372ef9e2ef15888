/// The name of an ``ArchitectureFamily`` without its settings: what `--architecture` and `--architectures` take and
/// what config.json's `architecture` key, summary.json and the `architecture` column of sweep.csv and widths.csv
/// hold (Docs/LogFormat.md#configjson, Docs/CLI.md#architectures).
public enum ArchitectureKind: String, CaseIterable, Codable, Hashable, Sendable {
    case mlp, resnet, cnn

    /// What the architecture is, in words, for messages.
    public var noun: String {
        switch self {
        case .mlp: "an MLP"
        case .resnet: "a resnet"
        case .cnn: "a cnn"
        }
    }
}

extension ArchitectureFamily {
    /// The family's name (``ArchitectureKind``).
    public var kind: ArchitectureKind {
        switch self {
        case .mlp: .mlp
        case .resnet: .resnet
        case .cnn: .cnn
        }
    }

    /// s of a resnet (`--branch-scale`), nil for the other families.
    public var branchScale: BranchScale? {
        if case .resnet(let s) = self { s } else { nil }
    }

    /// The convolutions of a cnn, nil for the other families.
    public var convolution: ConvolutionShape? {
        if case .cnn(let shape) = self { shape } else { nil }
    }

    /// The network in words, as the report's titles and the run's first line name it: "mlp, depth 2, width 1024",
    /// "resnet, depth 8, branch scale 1/√L, width 512", "cnn, depth 3, 3×3 filters, gap, 64 channels".
    public func caption(depth: Int, width: Int) -> String {
        switch self {
        case .mlp: "mlp, depth \(depth), width \(width)"
        case .resnet(let s): "resnet, depth \(depth), branch scale \(s.symbol), width \(width)"
        case .cnn(let c): "cnn, depth \(depth), \(c.kernelSize)×\(c.kernelSize) filters, \(c.pooling.rawValue), \(width) channels"
        }
    }
}

extension BranchScale {
    /// s as a formula: "1" or "1/√L".
    public var symbol: String {
        switch self {
        case .one: "1"
        case .sqrtDepth: "1/√L"
        }
    }
}
