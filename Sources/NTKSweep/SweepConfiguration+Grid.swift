import Foundation

/// What a sweep's configuration (``SweepConfiguration``, NTKRunFormat) means for the sweep: its grid, the η of
/// each network, the defaults of its rows, and reading it back.
extension SweepConfiguration.SweepRecord {
    /// The grid these settings describe.
    public var grid: SweepGrid {
        SweepGrid(widths: widths, seedCount: seeds.count, baseSeed: seeds[0], parameterizations: parameterizations,
                  outputScales: outputScales, depths: depths, learningRateFactors: lrFactors, architectures: architectures)
    }

    /// η of the network with this parameterization, depth and (on an `--architectures` axis) architecture.
    public func learningRate(_ parameterization: Parameterization, depth: Int, architecture: ArchitectureKind? = nil) -> Double {
        lrPerNetwork?.first {
            $0.parameterization == parameterization && $0.depth == depth && (architectures == nil || $0.architecture == architecture)
        }?.lr ?? lr
    }
}

extension SweepConfiguration {
    /// The sweep's one parameterization and depth: those of its first network when it has axes.
    public var rowDefaults: SweepRow.Defaults {
        SweepRow.Defaults(parameterization: network.parameterization, depth: network.depth, outputScale: training.outputScale,
                          architecture: network.architecture)
    }

    /// The configuration in `url`; ``SweepError/malformed(path:reason:)`` when it is not a readable sweep_config.json.
    public static func read(_ url: URL) throws -> SweepConfiguration {
        do {
            return try JSONDecoder().decode(SweepConfiguration.self, from: Data(contentsOf: url))
        } catch {
            throw SweepError.malformed(path: url.path, reason: "not a readable sweep_config.json (\(error))")
        }
    }
}
