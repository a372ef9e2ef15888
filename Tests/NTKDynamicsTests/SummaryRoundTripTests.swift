import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// summary.json writes a non-finite number as null (Docs/LogFormat.md, "Number format"); it must read back, or a
/// resumed sweep takes a finished run for an unfinished one and runs it again.
@Suite struct SummaryRoundTripTests {
    @Test func nonFiniteFiguresReadBackAsNaN() throws {
        let data = SyntheticDataset.gaussian.generate(samples: 8, testSamples: 4, inputDim: 3, outputs: 1, noise: 0, seed: 1)
        var settings = TrainingSettings(steps: 3)
        settings.ridge = 0.1
        let e = try NTKExperiment(architecture: NetworkArchitecture(inputDim: 3, width: 8, depth: 1), dataset: data, settings: settings)
        var summary = try e.run { _ in }
        summary.learningRateRatio = .infinity
        summary.lambdaMax = -.infinity
        summary.ridge?.testLossEmpirical = .nan
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let dir = try RunDirectory.create(at: scratch.url)
        try dir.writeJSON(summary, to: "summary.json")
        let text = try String(contentsOf: dir.file("summary.json"), encoding: .utf8)
        #expect(text.contains("\"lr_over_lr_crit\" : null") && text.contains("\"test_loss_empirical\" : null"), "\(text)")
        let back = try RunDirectory.jsonDecoder.decode(RunSummary.self, from: Data(contentsOf: dir.file("summary.json")))
        #expect(back.learningRateRatio.isNaN && back.lambdaMax.isNaN && back.ridge?.testLossEmpirical.isNaN == true)
        #expect(back.learningRate == summary.learningRate && back.maxGap == summary.maxGap)
    }
}
