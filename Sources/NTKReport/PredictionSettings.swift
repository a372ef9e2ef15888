import Foundation

/// The settings of a run that its linearized (NTK) prediction depends on, decoded from config.json with the
/// keys of ``RunConfiguration``'s records (and η from summary.json with the keys of ``RunSummary`` when config.json has
/// none), so the report reads them under the names the tool writes them.
///
/// Decoding is lenient, key by key: a directory written before an option existed, or by a run that was
/// interrupted before summary.json, still decodes. A missing `kernel_layout` is `full` and a missing `loss`
/// is `mean` (the defaults before the options existed); a key that is present but holds a value this version
/// does not know leaves the setting nil, so the report draws no prediction rather than a wrong one. A missing
/// `optimizer` is gd and a missing `loss_function` is mse, likewise.
struct PredictionSettings: Decodable {
    /// η; nil when neither config.json nor summary.json has it.
    var learningRate: Double?
    var loss: LossNormalization?
    var kernelLayout: KernelLayout?
    /// The optimizer from `optimizer`, `batch_size` and `momentum` (``OptimizerSpec``).
    var optimizer: OptimizerSpec?
    var lossFunction: LossFunction?

    init(from decoder: any Decoder) throws {
        let run = try decoder.container(keyedBy: RunConfiguration.RunRecord.CodingKeys.self)
        let training = try decoder.container(keyedBy: TrainingRecord.CodingKeys.self)
        learningRate = try? run.decodeIfPresent(Double.self, forKey: .lr)
        loss = training.contains(.loss) ? try? training.decode(LossNormalization.self, forKey: .loss) : .mean
        kernelLayout = training.contains(.kernelLayout) ? try? training.decode(KernelLayout.self, forKey: .kernelLayout) : .full
        lossFunction = try? training.decodeIfPresent(LossFunction.self, forKey: .lossFunction) ?? .mse
        optimizer = try? OptimizerSpec(training.decodeIfPresent(Optimizer.self, forKey: .optimizer) ?? .gd,
                                       batchSize: training.decodeIfPresent(Int.self, forKey: .batchSize),
                                       momentum: training.decodeIfPresent(Double.self, forKey: .momentum))
    }

    /// η of summary.json (`lr`).
    private struct SummaryLearningRate: Decodable {
        var learningRate: Double?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: RunSummary.CodingKeys.self)
            learningRate = try? c.decodeIfPresent(Double.self, forKey: .learningRate)
        }
    }

    /// The settings of the run in `directory`; nil when config.json is missing or is not a JSON object.
    init?(directory: URL) {
        func decode<T: Decodable>(_ type: T.Type, _ name: String) -> T? {
            guard let data = try? Data(contentsOf: directory.appendingPathComponent(name)) else { return nil }
            return try? JSONDecoder().decode(type, from: data)
        }
        guard let settings = decode(PredictionSettings.self, RunFormat.config) else { return nil }
        self = settings
        if learningRate == nil { learningRate = decode(SummaryLearningRate.self, RunFormat.summary)?.learningRate }
    }
}
