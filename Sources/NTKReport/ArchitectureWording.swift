import Foundation

/// How a run's report names a resnet or a cnn (Docs/Architectures.md#the-report): the architecture in every figure's
/// title and caption, each weight layer by its block, and why the MLP-only figure (the Hessian sharpness) is absent.
/// An MLP's report (and that of a config.json written before the architecture keys) is left as it was.
enum ArchitectureWording {
    /// The run's architecture from config.json's `architecture` key; nil for an MLP or a config without the key.
    static func nonMLPKind(_ config: JSONObject?) -> ArchitectureKind? {
        guard let name = config?.string(RunReport.NetworkKey.architecture), let kind = ArchitectureKind(rawValue: name),
              kind != .mlp else { return nil }
        return kind
    }

    /// The role of weight layer `layer` (1-based, as in `weight_change_layer_<l>`) of `last`: the MLP's input, hidden and
    /// readout layers; a resnet's Dense_in (layer 1), residual blocks 1…L (layers 2…L+1) and readout (L+2); a cnn's
    /// convolutions 1…L and readout (L+1) (Docs/Architectures.md, the order of `arrays/params_init/W{l}`).
    static func layerRole(_ layer: Int, last: Int, kind: ArchitectureKind?) -> String {
        if layer == last { return "readout" }
        switch kind {
        case .resnet: return layer == 1 ? "Dense_in" : "block \(layer - 1)"
        case .cnn: return "conv \(layer)"
        case .mlp, nil: return layer == 1 ? "input" : "hidden"
        }
    }

    /// The figures with the network named: " (cnn)" after each title, and "Network: <caption>." after each caption
    /// (``RunReport/architectureCaption(_:)``); unchanged for an MLP.
    static func named(_ figures: [RunReport.Figure], config: JSONObject?) -> [RunReport.Figure] {
        guard let kind = nonMLPKind(config), let config else { return figures }
        let network = RunReport.architectureCaption(config) ?? kind.rawValue
        return figures.map { f in
            var g = f
            g.plot.title = f.plot.title + " (\(kind.rawValue))"
            g.caption = f.caption + " Network: \(network)."
            return g
        }
    }

    /// The note that says which MLP figure a resnet or cnn report leaves out, and why; nil for an MLP.
    static func absentFiguresNote(_ config: JSONObject?) -> String? {
        guard let kind = nonMLPKind(config) else { return nil }
        return "Not drawn for \(kind.noun): the sharpness of the loss (--sharpness-every), because its Hessian-vector products "
            + "exist for the MLP only (Docs/CLI.md#architectures). Every other figure is the MLP's, on this network."
    }
}
