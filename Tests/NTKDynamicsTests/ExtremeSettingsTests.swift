import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKTraining
@testable import NTKDynamicsCLI

/// Extreme settings end in a clear refusal or a right answer, never a trap or a silent wrong one (issue 22, items 4,
/// 5, 6, 7, 9, 10, 14).
@Suite(.serialized)
struct ExtremeSettingsTests {
    // MARK: - Item 4: an .npy header whose shape overflows Int

    /// A float64 .npy file (format 1.0) with `shape` written by hand, and `payload` bytes after the header.
    static func npy(shape: String, payload: Int = 16) -> Data {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8) + Array(repeating: 0, count: payload)
        return Data(bytes)
    }

    @Test(arguments: ["(9223372036854775807, 2)", "(4611686018427387904, 4)", "(2305843009213693952,)", "(1152921504606846976, 8)"])
    func anNPYShapeThatOverflowsIsADamagedFileNotATrap(shape: String) throws {
        let error = try #require(throws: ReportError.self) { try NPYFile(data: Self.npy(shape: shape), path: "a.npy") }
        #expect(error.description.contains("a.npy") && error.description.contains("than an Int can count"), "\(error)")
        // The same header with a shape that fits reads back.
        #expect(try NPYFile(data: Self.npy(shape: "(1, 2)")).values == [0, 0])
    }

    // MARK: - Item 5: --output-scale past what the precision resolves

    @Test func outputScaleLimitIsOneOverTheSquareRootOfEpsilon() {
        #expect(Precision.float64.maximumOutputScale == 67_108_864)  // 2^26 = (2^-52)^(-1/2)
        #expect(abs(Precision.float32.maximumOutputScale - Foundation.pow(2, 11.5)) < 1e-9)
    }

    @Test(arguments: Precision.allCases)
    func outputScaleIsAcceptedUpToTheLimitAndRefusedPastIt(precision: Precision) throws {
        let limit = precision.maximumOutputScale
        let p = ["--precision", precision.rawValue]
        _ = try NTKDynamicsCommand.parseAsRoot(p + ["--output-scale", "\(limit)"])
        _ = try NTKDynamicsCommand.parseAsRoot(["sweep", "--widths", "8"] + p + ["--output-scales", "1,\(limit)"])
        for arguments in [p + ["--output-scale", "\(limit.nextUp)"], ["sweep", "--widths", "8"] + p + ["--output-scales", "1e300,1"]] {
            let error = try #require(throws: (any Error).self) { _ = try NTKDynamicsCommand.parseAsRoot(arguments) }
            let message = NTKDynamicsCommand.message(for: error)
            #expect(message.contains("--output-scale") && message.contains(precision.rawValue) && message.contains("1/√ε"), "\(message)")
            #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage)
        }
    }

    /// At the limit GD still trains: its loss falls with the discrete prediction's, and stays within a small share of
    /// it (the α = 10¹⁶ in float64 and 10⁶ in float32 ended above the initial loss).
    @Test(arguments: Precision.allCases)
    func atTheLimitGradientDescentStillFollowsItsPrediction(precision: Precision) throws {
        let data = SyntheticDataset.gaussian.generate(samples: 16, testSamples: 4, inputDim: 3, outputs: 1, noise: 0, seed: 2)
        let a = NetworkArchitecture(inputDim: 3, width: 64, depth: 1, activation: .tanh)
        var settings = TrainingSettings(steps: 40, seed: 2)
        settings.precision = precision
        settings.outputScale = precision.maximumOutputScale
        let e = try NTKExperiment(architecture: a, dataset: data, settings: settings)
        var first: StepRecord?, last: StepRecord?
        let summary = e.run { r in
            if first == nil { first = r }
            last = r
        }
        let start = try #require(first), end = try #require(last)
        #expect(summary.status == .completed)
        #expect(end.trainLossNTKDiscrete < 0.5 * start.trainLossNTKDiscrete)
        #expect(abs(end.trainLossGD - end.trainLossNTKDiscrete) < 0.05 * end.trainLossNTKDiscrete,
                "GD \(end.trainLossGD) against the prediction \(end.trainLossNTKDiscrete)")
    }

    // MARK: - Item 6: the memory of --keep-outputs-every

    @Test func theOutputHistoryIsInTheMemoryEstimate() {
        let a = NetworkArchitecture(inputDim: 8, width: 1024)
        let base = MemoryEstimate(architecture: a, samples: 256, testSamples: 256, kernel: .empirical, steps: 100_000_000)
        let kept = MemoryEstimate(architecture: a, samples: 256, testSamples: 256, kernel: .empirical, steps: 100_000_000,
                                  outputHistoryEvery: 1)
        // 10⁸ + 1 snapshots of (256 + 256) float64 outputs, held three times (history, flattened array, encoded bytes).
        #expect(kept.bytes - base.bytes == 3 * 100_000_001 * 512 * 8)
        #expect(!kept.fits(in: 1e12), "1.2 TB of history does not fit in a terabyte")
        // T = 10, K = 4 keeps t = 0, 4, 8 and 10.
        let short = MemoryEstimate(architecture: a, samples: 256, testSamples: 256, kernel: .empirical, steps: 10, outputHistoryEvery: 4)
        let none = MemoryEstimate(architecture: a, samples: 256, testSamples: 256, kernel: .empirical, steps: 10)
        #expect(short.bytes - none.bytes == 3 * 4 * 512 * 8)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func aHistoryTooLargeForTheMachineIsRefusedUpFront() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let r = try ToolProcess.run(["--width", "16", "--samples", "256", "--steps", "100000000", "--keep-outputs-every", "1",
                                     "--out", scratch.path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("needs about") && r.stderr.contains("GiB") && r.stderr.contains("--keep-outputs-every"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path), "nothing is written")
    }

    // MARK: - Item 7: the data fingerprint of a sweep

    @Test func theFingerprintCoversInputsAndTargetsOfBothSplits() {
        let d = SyntheticDataset.gaussian.generate(samples: 6, testSamples: 3, inputDim: 2, outputs: 1, noise: 0, seed: 1)
        let same = SyntheticDataset.gaussian.generate(samples: 6, testSamples: 3, inputDim: 2, outputs: 1, noise: 0, seed: 1)
        let f = DataFingerprint.of(d)
        #expect(f.count == 16 && f == DataFingerprint.of(same))
        let paths: [WritableKeyPath<Dataset, Matrix>] = [\.trainInputs, \.trainTargets, \.testInputs, \.testTargets]
        for path in paths {
            var changed = d
            changed[keyPath: path].data[0] = changed[keyPath: path].data[0].nextUp
            #expect(DataFingerprint.of(changed) != f, "a change of one ulp in one value changes the fingerprint")
        }
    }

    static func config(fingerprint: String?) -> SweepConfiguration {
        SweepConfiguration(network: NetworkRecord(NetworkArchitecture(inputDim: 8, width: 32, depth: 1)),
                           training: TrainingRecord(TrainingSettings(steps: 30)),
                           sweep: .init(widths: [32, 64], seeds: [0, 1], data: DataSettings(), dataSeed: 0, lr: 0.1,
                                        lrSource: "--lr", shard: "0/1", dataFingerprint: fingerprint))
    }

    @Test func shardsOnOtherDataAreDifferentSweepsAndOldConfigsStillMatch() throws {
        let difference = try #require(Self.config(fingerprint: "00000000000000aa").sameSweep(as: Self.config(fingerprint: "00000000000000ab")))
        #expect(difference.contains("data_fingerprint") && difference.contains("targets"))
        #expect(Self.config(fingerprint: "00000000000000aa").sameSweep(as: Self.config(fingerprint: "00000000000000aa")) == nil)
        // A sweep_config.json written before the key: compared as before, on the recorded settings.
        #expect(Self.config(fingerprint: nil).sameSweep(as: Self.config(fingerprint: "00000000000000aa")) == nil)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.config(fingerprint: "00000000000000aa"))) as? [String: Any]
        #expect(encoded?["data_fingerprint"] as? String == "00000000000000aa")
        let old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.config(fingerprint: nil))) as? [String: Any]
        #expect(old?["data_fingerprint"] == nil, "absent, not null, when unknown")
    }

    /// The case: two shards of one sweep on a CSV file whose targets were edited between them. merge refuses.
    @Test(.tags(.endToEnd), .endToEndEnabled) func mergeRefusesShardsTrainedOnOtherTargets() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let csv = scratch.file("data.csv")
        func writeData(_ targetShift: Double) throws {
            let rows = (0..<12).map { i in "\(Double(i) / 12),\(Double(i % 5) / 5),\(sin(Double(i)) + targetShift)" }
            try ("x1,x2,y\n" + rows.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        }
        let sweep = ["sweep", "--data", csv.path, "--widths", "8,16", "--depth", "1", "--steps", "3", "--seeds", "1",
                     "--lr", "0.1", "--quiet"]
        try writeData(0)
        #expect(try ToolProcess.run(sweep + ["--shard", "0/2", "--out", scratch.file("s0").path]).status == 0)
        try writeData(0.5)
        #expect(try ToolProcess.run(sweep + ["--shard", "1/2", "--out", scratch.file("s1").path]).status == 0)
        let merged = try ToolProcess.run(["merge", scratch.file("s0").path, scratch.file("s1").path, "--out", scratch.file("m").path])
        #expect(merged.status == 64 && merged.stderr.contains("data_fingerprint"), "\(merged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("m").path))
        // Resuming shard 0 on the edited file is refused the same way.
        let resumed = try ToolProcess.run(sweep + ["--shard", "0/2", "--out", scratch.file("s0").path])
        #expect(resumed.status == 64 && resumed.stderr.contains("data_fingerprint"), "\(resumed.stderr)")
    }

    // MARK: - Item 9: an initialization that overflows

    @Test(arguments: [(Precision.float64, 1e200, 0.05), (.float64, 1.5, 1e300), (.float32, 1e30, 0.05)])
    func anOverflowingInitializationIsRefusedNamingTheOption(precision: Precision, weightStd: Double, biasStd: Double) throws {
        let data = SyntheticDataset.gaussian.generate(samples: 8, testSamples: 4, inputDim: 3, outputs: 1, noise: 0, seed: 1)
        let a = NetworkArchitecture(inputDim: 3, width: 16, depth: 2, weightStd: weightStd, biasStd: biasStd)
        var settings = TrainingSettings(steps: 2)
        settings.precision = precision
        let error = try #require(throws: ExperimentError.self) { try NTKExperiment(architecture: a, dataset: data, settings: settings) }
        #expect(error.description.contains("--weight-std") && error.description.contains("--bias-std")
                && error.description.contains(precision.rawValue) && error.description.contains("before training"), "\(error)")
        #expect(throws: ExperimentError.self) { try NTKExperiment.criticalLearningRate(architecture: a, dataset: data, settings: settings) }
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func anOverflowingWeightScaleIsAUsageErrorBeforeAnythingIsWritten() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let common = ["--weight-std", "1e200", "--samples", "8", "--steps", "2", "--out", scratch.path]
        for arguments in [["--width", "8"] + common, ["sweep", "--widths", "8,16"] + common, ["sweep", "--widths", "8", "--lr", "0.1"] + common] {
            let r = try ToolProcess.run(arguments)
            #expect(r.status == 64 && r.stderr.contains("--weight-std 1e+200") && !r.stderr.contains("dsyevd"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: scratch.path), "nothing is written")
        }
    }

    // MARK: - Items 10 and 14: messages

    /// Every option the cross-entropy refusal suggests exists.
    @Test func theCrossEntropyRefusalNamesOnlyRealOptions() throws {
        let message = ExperimentError.targetsNotClasses("a target is 0.5").description
        let help = NTKDynamicsCommand.helpMessage(for: RunCommand.self)
        let regex = try NSRegularExpression(pattern: "--[a-z][a-z-]*")
        let options = regex.matches(in: message, range: NSRange(message.startIndex..., in: message))
            .map { String(message[Range($0.range, in: message)!]) }
        #expect(!options.isEmpty)
        for option in options { #expect(help.contains(option), "\(option) is no option of run") }
    }

    @Test func aNaNWithItsSignBitSetIsNotPrintedAsMinusNaN() throws {
        let reason = try #require(NTKExperiment.divergence(trainLoss: -Double.nan, bound: 1, initialLoss: 1, parametersFinite: true,
                                                           weightChange: 0, testLoss: nil, drift: nil))
        #expect(reason == "the training loss is nan")
        #expect(ProgressTable.number(-0.0) == "0" && ProgressTable.number(-1e-20) == "-1e-20" && ProgressTable.number(-Double.nan) == "nan")
    }

    /// ηλ = 1 exactly (a predicted rate of ∞) or one ulp below it (36.7 from round-off) is "too fast", not a number.
    @Test(arguments: [1.0, 0.9999999999999999])
    func aModeAtEtaLambdaOneIsPredictedTooFast(etaLambda: Double) {
        var tracker = ModeRateTracker(eigenvalues: [1], initialResiduals: [1], learningRate: etaLambda)
        for t in 0..<6 { tracker.add(step: t, residuals: [Foundation.exp(-0.05597 * Double(t))]) }
        let rate = tracker.rates[0]
        #expect(rate.measured != nil && rate.predictedTooFast)
        let text = ProgressTable.modeRateText(rate)
        #expect(text.hasPrefix("mode 0 0.0559") && text.contains("predicted too fast"), "\(text)")
        #expect(!text.contains("inf") && !text.contains("36.7") && !text.contains("%"), "\(text)")
        // An ordinary mode keeps measured/predicted (relative error).
        var slow = ModeRateTracker(eigenvalues: [1], initialResiduals: [1], learningRate: 0.2)
        for t in 0..<6 { slow.add(step: t, residuals: [Foundation.pow(0.8, Double(t))]) }
        #expect(ProgressTable.modeRateText(slow.rates[0]) == "mode 0 0.2231/0.2231 (+0.0%)")
    }

    /// A check that needs the data (a batch larger than the training set) prints its sentence without the usage text.
    @Test(.tags(.endToEnd), .endToEndEnabled) func aLateValidationErrorPrintsOnlyItsSentence() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let r = try ToolProcess.run(["--dataset", "digits", "--classes", "3,8", "--samples", "20", "--optimizer", "sgd",
                                     "--batch-size", "50", "--width", "8", "--steps", "2", "--out", scratch.path])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--batch-size 50 is larger than the 20 training points"), "\(r.stderr)")
        #expect(!r.stderr.contains("USAGE") && !r.stderr.contains("--help"), "\(r.stderr)")
    }
}
