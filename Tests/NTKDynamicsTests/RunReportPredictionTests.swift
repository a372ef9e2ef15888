import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport

/// The NTK prediction the run report draws on the training points (recomputed from arrays/ntk_init.npy when
/// the run saved no test-point snapshots) follows the run's kernel layout (Docs/RealData.md).
@Suite(.serialized)
struct RunReportPredictionTests {
    /// A completed 1-D run with k = 2 outputs written by hand: x = (0.5, −1, 1, −0.5), η = 0.5, ν = N·k = 8,
    /// K₀ = ν·blockdiag(B₀ … B₃) with 2 × 2 output blocks Bᵢ that couple the two outputs.
    private static let x: [Double] = [0.5, -1, 1, -0.5]
    private static let y: [[Double]] = [[0.25, -0.25], [1, -1], [1, -1], [0.25, -0.25]]
    private static let f0: [[Double]] = [[0.05, 0.2], [-0.1, 0.3], [0.1, -0.2], [-0.05, 0.1]]
    private static let blocks: [[[Double]]] = [
        [[1.5, 0.5], [0.5, 0.5]], [[1, -0.4], [-0.4, 0.6]], [[0.8, 0.3], [0.3, 1.2]], [[0.4, 0.1], [0.1, 0.2]],
    ]

    private func writeTwoOutputRun(at url: URL, layout: String?, steps T: Int) throws {
        let run = try SyntheticRun(url)
        var config = SyntheticRun.config(steps: T).replacingOccurrences(of: "\"outputs\" : 1", with: "\"outputs\" : 2")
        if let layout { config = config.replacingOccurrences(of: "\"width\" : 64", with: "\"width\" : 64, \"kernel_layout\" : \"\(layout)\"") }
        try run.write("config.json", config)
        try run.write("steps.csv", SyntheticRun.steps(T))
        try run.write("summary.json", SyntheticRun.summary(status: "completed", lastStep: T, requested: T))
        try run.array("x_train", Self.x, shape: [4, 1])
        try run.array("y_train", Self.y.flatMap { $0 }, shape: [4, 2])
        try run.array("f_train_init", Self.f0.flatMap { $0 }, shape: [4, 2])
        var k0 = [Double](repeating: 0, count: 64)
        for i in 0..<4 {
            for a in 0..<2 { for b in 0..<2 { k0[(2 * i + a) * 8 + 2 * i + b] = 8 * Self.blocks[i][a][b] } }
        }
        try run.array("ntk_init", k0, shape: [8, 8])
    }

    /// Output 0 of the drawn "NTK discrete at t" series, sorted by x as the plot draws it.
    private func drawnOutput0(_ url: URL, step t: Int) throws -> [DataPoint]? {
        let figure = RunReport.figures(for: try RunLogs(directory: url)).first { $0.plot.id == "function" }?.plot
        return figure?.series.first { $0.id == "ntk_discrete_t\(t)" }?.points
    }

    /// (I − ηB)^t e for a 2 × 2 block B, by t multiplications.
    private func power(_ b: [[Double]], eta: Double, steps t: Int, _ e: [Double]) -> [Double] {
        var v = e
        for _ in 0..<t {
            v = [v[0] - eta * (b[0][0] * v[0] + b[0][1] * v[1]), v[1] - eta * (b[1][0] * v[0] + b[1][1] * v[1])]
        }
        return v
    }

    @Test(arguments: [nil, "full", "trace"])
    func theDrawnPredictionFollowsTheKernelLayout(layout: String?) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try writeTwoOutputRun(at: scratch.url, layout: layout, steps: 40)
        for t in [4, 40] {
            let expected: [DataPoint] = (0..<4).map { i in
                let e = [Self.f0[i][0] - Self.y[i][0], Self.f0[i][1] - Self.y[i][1]]
                let r0: Double
                if layout == "trace" {
                    // Θ̄ᵢᵢ/ν = (B₀₀ + B₁₁)/2, used as Θ̄ ⊗ I₂: each output decays on its own.
                    let theta = (Self.blocks[i][0][0] + Self.blocks[i][1][1]) / 2
                    r0 = Foundation.pow(1 - 0.5 * theta, Double(t)) * e[0]
                } else {
                    r0 = power(Self.blocks[i], eta: 0.5, steps: t, e)[0]
                }
                return DataPoint(Self.x[i], Self.y[i][0] + r0)
            }.sorted { $0.x < $1.x }
            let got = try drawnOutput0(scratch.url, step: t)
            #expect(got?.count == 4, "t = \(t)")
            #expect(zip(got ?? [], expected).allSatisfy { $0.x == $1.x && Swift.abs($0.y - $1.y) < 1e-12 },
                    "layout \(layout ?? "none"), t = \(t): \(got ?? []) vs \(expected)")
        }
    }

    /// Older and newer config.json files: without `kernel_layout` and `lr` (η then comes from summary.json) the
    /// prediction is the full-layout one; a layout this version does not know draws no prediction.
    @Test func settingsMissingFromOrUnknownToConfigJSON() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try writeTwoOutputRun(at: scratch.url, layout: nil, steps: 40)
        let config = scratch.file("config.json")
        let text = try String(contentsOf: config, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"lr\" : 0.5,", with: "").utf8).write(to: config)
        #expect(try !String(contentsOf: config, encoding: .utf8).contains("\"lr\""))
        let expected = (0..<4).map { i in
            DataPoint(Self.x[i], Self.y[i][0] + power(Self.blocks[i], eta: 0.5, steps: 40,
                                                      [Self.f0[i][0] - Self.y[i][0], Self.f0[i][1] - Self.y[i][1]])[0])
        }.sorted { $0.x < $1.x }
        let got = try drawnOutput0(scratch.url, step: 40) ?? []
        #expect(got.count == 4 && zip(got, expected).allSatisfy { $0.x == $1.x && Swift.abs($0.y - $1.y) < 1e-12 }, "\(got)")

        try Data(text.replacingOccurrences(of: "\"width\" : 64", with: "\"width\" : 64, \"kernel_layout\" : \"blockwise\"").utf8)
            .write(to: config)
        #expect(try drawnOutput0(scratch.url, step: 40) == nil)
        #expect(try RunReport.linearizedPredictor(RunLogs(directory: scratch.url)) == nil)
    }

    /// A run through the library (1-D sine, k = 3 outputs): without its snapshots the report redraws the NTK
    /// prediction from the saved arrays, and it equals the run's own predictor; its loss equals the logged
    /// train_loss_ntk_discrete.
    @Test(arguments: [KernelLayout.full, .trace])
    func theReportRedrawsTheRunsOwnPrediction(layout: KernelLayout) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let settings = DataSettings(dataset: .sine, samples: 12, testSamples: 5, inputDim: 1, outputs: 3)
        let data = settings.generate(seed: 3)
        let T = 20
        let e = try NTKExperiment(architecture: NetworkArchitecture(inputDim: 1, width: 32, outputs: 3), dataset: data,
                                  settings: TrainingSettings(steps: T, seed: 5, kernelLayout: layout))
        _ = try RunRecorder.record(e, data: settings, command: ["test"], into: RunDirectory.create(at: scratch.url))
        // A run directory without test-point snapshots (as written before they existed).
        for name in ["snapshot_steps", "f_test_snapshots_gd", "f_test_snapshots_ntk"] {
            try FileManager.default.removeItem(at: scratch.file("arrays/\(name).npy"))
        }
        let own = e.predictor.trainOutput(step: T, form: .discrete)
        let x = data.trainInputs.data
        let expected = x.indices.map { DataPoint(x[$0], own[3 * $0]) }.sorted { $0.x < $1.x }
        let got = try drawnOutput0(scratch.url, step: T) ?? []
        #expect(got.count == 12)
        #expect(zip(got, expected).allSatisfy { $0.x == $1.x && Swift.abs($0.y - $1.y) <= 1e-10 * max(1, Swift.abs($1.y)) },
                "\(got) vs \(expected)")

        let logs = try RunLogs(directory: scratch.url)
        let predictor = try #require(RunReport.linearizedPredictor(logs))
        let f = predictor.trainOutput(step: T, form: .discrete)
        let y = data.trainTargets.data
        let loss = 0.5 * zip(f, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(12 * 3)
        let logged = try #require(logs.column("train_loss_ntk_discrete")?.last ?? nil)
        #expect(Swift.abs(loss - logged) <= 1e-9 * logged, "\(loss) vs \(logged)")
    }
    /// A one-dimensional heavy-ball run without test points (`--optimizer momentum --test-samples 0`), so without
    /// snapshots: the NTK curve the report redraws from arrays/ntk_init.npy is the heavy-ball prediction
    /// (Docs/Optimizers.md), f_{t+1} = f_t − ηK̃₀(f_t − y) + β(f_t − f_{t−1}) with K̃₀ = K₀/N, iterated here
    /// step by step from the files, not plain GD's (I − ηK̃₀)^t.
    @Test func aMomentumRunsRedrawnPredictionIsTheHeavyBallOne() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let settings = DataSettings(dataset: .sine, samples: 10, testSamples: 0, inputDim: 1, outputs: 1)
        let data = settings.generate(seed: 3)
        let T = 30, beta = 0.8
        var training = TrainingSettings(steps: T, learningRateFactor: 0.3, seed: 5)
        training.optimizer = .heavyBall(beta: beta, batch: nil)
        let e = try NTKExperiment(architecture: NetworkArchitecture(inputDim: 1, width: 32, outputs: 1), dataset: data,
                                  settings: training)
        _ = try RunRecorder.record(e, data: settings, command: ["test"], into: RunDirectory.create(at: scratch.url))

        let k0 = try NPYArray(contentsOf: scratch.file("arrays/ntk_init.npy"))
        let y = try NPYArray(contentsOf: scratch.file("arrays/y_train.npy")).values
        let x = try NPYArray(contentsOf: scratch.file("arrays/x_train.npy")).values
        var f = try NPYArray(contentsOf: scratch.file("arrays/f_train_init.npy")).values
        let n = y.count
        #expect(k0.shape == [n, n])
        let eta = e.learningRate
        var previous = f
        for _ in 0..<T {
            let next = (0..<n).map { i in
                let kr = (0..<n).map { j in k0.values[i * n + j] * (f[j] - y[j]) }.reduce(0, +) / Double(n)
                return f[i] - eta * kr + beta * (f[i] - previous[i])
            }
            previous = f
            f = next
        }
        let expected = (0..<n).map { DataPoint(x[$0], f[$0]) }.sorted { $0.x < $1.x }
        let got = try #require(try drawnOutput0(scratch.url, step: T))
        #expect(got.count == n)
        #expect(zip(got, expected).allSatisfy { $0.x == $1.x && Swift.abs($0.y - $1.y) <= 1e-9 * max(1, Swift.abs($1.y)) },
                "\(got) vs \(expected)")
    }

    /// Cross-entropy's linearized training has no closed form (``LinearizedPredictor/hasClosedForm(optimizer:lossFunction:)``):
    /// the report draws no NTK curve for it rather than the squared-loss one; an optimizer this version does not know
    /// draws none either.
    @Test(arguments: ["\"loss_function\" : \"cross-entropy\"", "\"optimizer\" : \"adam\""])
    func noRedrawnPredictionWithoutAClosedForm(key: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try writeTwoOutputRun(at: scratch.url, layout: nil, steps: 40)
        #expect(try drawnOutput0(scratch.url, step: 40) != nil)
        let config = scratch.file("config.json")
        let text = try String(contentsOf: config, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"width\" : 64", with: "\"width\" : 64, \(key)").utf8).write(to: config)
        #expect(try String(contentsOf: config, encoding: .utf8).contains(key))
        #expect(try drawnOutput0(scratch.url, step: 40) == nil)
        #expect(try RunReport.linearizedPredictor(RunLogs(directory: scratch.url)) == nil)
    }
}
