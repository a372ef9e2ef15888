import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// The cross-option rules held once in ``RunSpecification`` (Docs/CLI.md#refused-combinations): the rules themselves
/// against the tables of Docs/Parameterizations.md, then each rule refused through every command that has it.
struct RunSpecificationTests {
    /// Which depths each parameterization can build, written out from Docs/Parameterizations.md (not from the code):
    /// ntk and standard every depth, mup one hidden layer or more, mean-field exactly one.
    static func buildable(_ p: Parameterization, _ depth: Int) -> Bool {
        switch p {
        case .ntk, .standard: return true
        case .mup: return depth >= 1
        case .meanField: return depth == 1
        }
    }

    @Test func depthRuleFollowsTheParameterizationTable() {
        for p in Parameterization.allCases {
            for depth in 0...4 {
                let found = RunSpecification(parameterizations: [p], depths: [depth]).problems()
                #expect(found.isEmpty == Self.buildable(p, depth), "\(p) at depth \(depth): \(found)")
            }
        }
    }

    @Test func kernelLimitOnlyUnderNTKAndStandard() {
        for p in Parameterization.allCases {
            let depth = p == .meanField ? 1 : 2
            let asked = RunSpecification(parameterizations: [p], depths: [depth], kernelLimitNeededBy: "--kernel analytic").problems()
            #expect(asked.isEmpty == (p == .ntk || p == .standard), "\(p): \(asked)")
            #expect(RunSpecification(parameterizations: [p], depths: [depth]).problems().isEmpty)
        }
    }

    /// A depth problem is named after the axis the pair came from; every broken rule is reported, not only the first.
    @Test func problemsNameTheirOptionAndAllAreReported() {
        let axis = RunSpecification(parameterizations: [.ntk, .meanField], parameterizationSource: .axis(option: "--parameterizations"),
                                    depths: [1, 2], depthSource: .axis(option: "--depths"), singleDepthGiven: true,
                                    kernelLimitNeededBy: "--kernel analytic", learningRate: 0.1, learningRateFactor: 0.5,
                                    learningRateFactors: [0.5, 1]).problems().map(\.description)
        #expect(axis.count == 5, "\(axis)")
        #expect(axis.contains { $0.hasPrefix("--lr and --lr-factor conflict") })
        #expect(axis.contains { $0.hasPrefix("--lr-factors conflicts with --lr:") })
        #expect(axis.contains { $0.hasPrefix("--depth and --depths conflict") })
        #expect(axis.contains { $0.hasPrefix("--parameterizations: --parameterization mean-field") })
        #expect(axis.contains { $0.contains("--parameterizations lists mean-field") })
        let depths = RunSpecification(parameterizations: [.mup], depths: [0, 1], depthSource: .axis(option: "--depths")).problems()
        #expect(depths.map(\.description).first?.hasPrefix("--depths: --parameterization mup") == true, "\(depths)")
        // Only an axis conflicts with --depth; the single --depth given is no problem.
        #expect(RunSpecification(parameterizations: [.ntk], depths: [3], singleDepthGiven: true).problems().isEmpty)
    }

    /// The data rule needs the data: a minibatch larger than N is refused, N itself is full-batch and allowed.
    @Test func batchLargerThanTheDataIsRefusedOnceLoaded() {
        let data = SyntheticDataset.gaussian.generate(samples: 10, testSamples: 2, inputDim: 3, outputs: 1, noise: 0, seed: 0)
        for (batch, refused) in [(10, false), (11, true)] {
            var s = TrainingSettings(steps: 1)
            s.optimizer = .sgd(batch: batch)
            let spec = RunSpecification(parameterizations: [.ntk], depths: [1], training: s)
            #expect(spec.problems().isEmpty, "no data, no data rule")
            let found = spec.problems(dataset: data)
            #expect(found.isEmpty == !refused, "batch \(batch) of 10: \(found)")
            if refused { #expect(found.first?.description.contains("--batch-size 11 is larger than the 10 training points") == true) }
        }
    }

    typealias Refusal = UsageRefusal

    /// Each rule through every command that has it, before anything is written (exit 64).
    static let refusals: [Refusal] = [
        // depth × parameterization: run, kernel, sweep (single, parameterization axis, depth axis)
        Refusal(arguments: ["run", "--parameterization", "mean-field", "--depth", "2"], mentions: ["mean-field is defined for one hidden layer"]),
        Refusal(arguments: ["kernel", "--parameterization", "mup", "--depth", "0"], mentions: ["mup needs at least one hidden layer"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--parameterization", "mean-field"], mentions: ["mean-field is defined for one"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--parameterizations", "ntk,mean-field"],
                mentions: ["--parameterizations: --parameterization mean-field"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--parameterization", "mup", "--depths", "1,0"], mentions: ["--depths: 0 is out of range"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--parameterization", "mean-field", "--depths", "1,2"],
                mentions: ["--depths: --parameterization mean-field"]),
        // Θ under a parameterization without one: run, kernel, sweep (single and axis)
        Refusal(arguments: ["run", "--parameterization", "mup", "--kernel", "analytic"], mentions: ["--kernel analytic needs the infinite-width NTK Θ."]),
        Refusal(arguments: ["kernel", "--parameterization", "mean-field", "--depth", "1"], mentions: ["The kernel command needs the infinite-width"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--parameterization", "mup", "--kernel", "analytic"],
                mentions: ["--kernel analytic needs the infinite-width NTK Θ."]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--parameterizations", "ntk,mup", "--kernel", "analytic"],
                mentions: ["--kernel analytic needs the infinite-width NTK Θ, and --parameterizations lists mup."]),
        // η set once: run and sweep; the sweep's η axis
        Refusal(arguments: ["run", "--lr", "0.1", "--lr-factor", "0.5"], mentions: ["--lr and --lr-factor conflict"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--lr", "0.1", "--lr-factor", "0.5"], mentions: ["--lr and --lr-factor conflict"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--lr-factors", "0.5,1", "--lr", "0.1"], mentions: ["--lr-factors conflicts with --lr:"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--lr-factors", "0.5,1", "--lr-factor", "0.3"],
                mentions: ["--lr-factors conflicts with --lr-factor:"]),
        // A depth axis replaces --depth, even when --depth repeats its default (read from the options, not from argv).
        Refusal(arguments: ["sweep", "--widths", "8,16", "--depths", "1,2", "--depth", "2"], mentions: ["--depth and --depths conflict"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--depths", "1,2", "--depth=3"], mentions: ["--depth and --depths conflict"]),
        // Several rules broken: each sentence, one a line.
        Refusal(arguments: ["run", "--parameterization", "mup", "--depth", "0", "--kernel", "analytic", "--lr", "1", "--lr-factor", "1"],
                mentions: ["--lr and --lr-factor conflict", "\n--parameterization mup needs", "\n--kernel analytic needs"]),
    ]

    @Test(arguments: refusals)
    func everyCommandRefusesTheRule(_ r: Refusal) throws {
        try r.check()
    }

    /// The depth axis, not the default --depth 2, decides what mean-field is checked at; --depth applies its default in
    /// one place.
    @Test func depthAxisReplacesTheDefaultDepth() throws {
        let sweep = try #require(try NTKDynamicsCommand.parseAsRoot(["sweep", "--widths", "8,16", "--parameterization", "mean-field",
                                                                     "--depths", "1"]) as? SweepCommand)
        #expect(sweep.model.givenDepth == nil && sweep.model.depth == ModelOptions.defaultDepth)
        let run = try #require(try NTKDynamicsCommand.parseAsRoot(["run", "--depth", "3"]) as? RunCommand)
        #expect(run.model.givenDepth == 3 && run.model.depth == 3)
    }

    /// The data rule, checked once the data is loaded, through run and sweep (exit 64, nothing left behind).
    @Test(.tags(.endToEnd), .endToEndEnabled, arguments: [
        ["run", "--width", "8", "--steps", "1"],
        ["sweep", "--widths", "8,16", "--seeds", "1", "--steps", "1"],
    ])
    func batchLargerThanDataRefusedByRunAndSweep(_ command: [String]) throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(command + ["--samples", "6", "--test-samples", "2", "--optimizer", "sgd", "--batch-size", "7",
                                               "--out", dir.path, "--quiet"])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains("--batch-size 7 is larger than the 6 training points"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file(RunFormat.config).path))
    }
}
