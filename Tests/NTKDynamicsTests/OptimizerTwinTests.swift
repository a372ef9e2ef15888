import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKTraining

/// Issue 17: SGD, heavy-ball momentum and cross-entropy, each beside its exact linearized counterpart
/// (Docs/Optimizers.md). The references are independent: the explicit Jacobian of ReferenceJacobian.swift, plain
/// loops, central finite differences and the recurrence the closed form solves.
@Suite("Optimizers and the function-space counterpart")
struct OptimizerTwinTests {
    /// One optimizer of the equivalence test: name, β (nil: no momentum), batch size (nil: full batch).
    struct Case: CustomTestStringConvertible, Sendable {
        var momentum: Double?
        var batchSize: Int?
        var loss: LossFunction
        var outputs: Int
        /// mean-field has learning-rate scale r_l = n, so K₀ = J₀·R·J₀ᵀ is not J₀J₀ᵀ.
        var parameterization: Parameterization = .ntk
        var testDescription: String {
            "\(momentum.map { "momentum β=\($0)" } ?? "plain")\(batchSize.map { " B=\($0)" } ?? " full batch") \(loss.rawValue) k=\(outputs) \(parameterization.rawValue)"
        }
    }

    static let cases: [Case] = {
        var c: [Case] = []
        for loss in LossFunction.allCases {
            for k in [1, 3] {
                for (beta, b) in [(nil, nil), (nil, 2), (0.7, nil), (0.7, 2)] as [(Double?, Int?)] {
                    c.append(Case(momentum: beta, batchSize: b, loss: loss, outputs: k))
                }
            }
            c.append(Case(momentum: 0.5, batchSize: 3, loss: loss, outputs: 3, parameterization: .meanField))
        }
        return c
    }()

    /// Class targets for cross-entropy (±1 for k = 1, one-hot for k ≥ 2), normals for squared loss.
    static func targets(_ loss: LossFunction, samples n: Int, outputs k: Int, seed: UInt64) -> [Double] {
        var rng = RandomSource(seed: seed, stream: 11)
        guard loss == .crossEntropy else { return (0..<(n * k)).map { _ in rng.normal() } }
        if k == 1 { return (0..<n).map { i in i % 2 == 0 ? 1 : -1 } }
        var y = [Double](repeating: 0, count: n * k)
        for i in 0..<n { y[i * k + (i % k)] = 1 }
        return y
    }

    /// ∂L/∂f written out with plain loops (squared loss, softmax cross-entropy, logistic), ν given.
    static func referenceCovector(_ loss: LossFunction, _ f: [Double], _ y: [Double], k: Int, nu: Double) -> [Double] {
        switch loss {
        case .mse: return zip(f, y).map { ($0 - $1) / nu }
        case .crossEntropy:
            if k == 1 { return zip(f, y).map { -$1 / (1 + exp($1 * $0)) / nu } }
            var g = [Double](repeating: 0, count: f.count)
            for i in 0..<(f.count / k) {
                let row = (0..<k).map { f[i * k + $0] }
                let z = row.map { exp($0) }.reduce(0, +)
                for a in 0..<k { g[i * k + a] = (exp(row[a]) / z - y[i * k + a]) / nu }
            }
            return g
        }
    }

    /// The function-space counterpart equals the explicitly linearized network f₀ + J₀(θ − θ₀) trained in
    /// parameter space (θ ← θ − η·R·J₀,Bᵀ∇L_B, heavy ball v ← βv + ∇L_B) with the same batches, to 1e-9,
    /// on the training and the test inputs.
    @Test("the function-space counterpart equals the linearized network trained in parameter space", arguments: cases)
    func twinEqualsParameterSpaceLinearization(_ c: Case) throws {
        let net = TinyNet(activation: .tanh, parameterization: c.parameterization, depth: 1, outputs: c.outputs, hasBias: true, samples: 5)
        let a = net.architecture, k = c.outputs, n = net.samples
        let xs = net.inputs(), xTest = net.inputs(3, stream: 1)
        let model = net.model()
        let theta0 = model.parameters.flattened
        let j = Reference.jacobian(xs, a, flat: theta0), jTest = Reference.jacobian(xTest, a, flat: theta0)
        let rates = Reference.rates(a)
        let f0 = Reference.outputs(xs, a, flat: theta0), f0Test = Reference.outputs(xTest, a, flat: theta0)
        let y = Self.targets(c.loss, samples: n, outputs: k, seed: net.seed)
        let kernel = EmpiricalNTK.kernel(model, Matrix(xs)), cross = EmpiricalNTK.kernel(model, Matrix(xTest), Matrix(xs))
        let eta = 0.8 / (kernel.frobeniusNorm / Double(n * k))   // a stable step for ν = N·k
        var twin = FunctionSpaceTwin(kernel: kernel, crossKernel: cross, initialOutput: f0, initialTestOutput: f0Test, targets: y,
                                     outputs: k, lossFunction: c.loss, normalization: .mean, learningRate: eta, momentum: c.momentum)
        var schedule = c.batchSize.map { BatchSchedule(samples: n, batchSize: $0, seed: 3) }
        var delta = [Double](repeating: 0, count: theta0.count), velocity = delta
        for step in 0..<12 {
            let batch = schedule?.next() ?? Array(0..<n)
            // Parameter space: f_lin = f₀ + J₀·δ, the batch's covector, ∇_θ = J₀,Bᵀ·g_B.
            let f = zip(f0, naiveMatVec(j, delta)).map { $0 + $1 }
            let rows = batch.flatMap { i in (0..<k).map { i * k + $0 } }
            let g = Self.referenceCovector(c.loss, rows.map { f[$0] }, rows.map { y[$0] }, k: k, nu: Double(batch.count * k))
            let grad = naiveTransposedMatVec(rows.map { j[$0] }, g)
            for p in delta.indices {
                velocity[p] = (c.momentum ?? 0) * velocity[p] + grad[p]
                delta[p] -= eta * rates[p] * (c.momentum == nil ? grad[p] : velocity[p])
            }
            twin.step(batch: schedule == nil ? nil : batch)
            let fLin = zip(f0, naiveMatVec(j, delta)).map { $0 + $1 }
            let fTestLin = zip(f0Test, naiveMatVec(jTest, delta)).map { $0 + $1 }
            let scale = max(naiveNorm(fLin), 1)
            #expect(naiveDistance(twin.trainOutput, fLin) / scale < 1e-9, "step \(step) train")
            #expect(naiveDistance(twin.testOutput, fTestLin) / max(naiveNorm(fTestLin), 1) < 1e-9, "step \(step) test")
        }
    }

    /// SGD whose batch is all N points is GD, step for step, in the network and in the counterpart.
    @Test("SGD with B = N equals GD", arguments: [LossFunction.mse, .crossEntropy])
    func sgdWithFullBatchIsGD(_ loss: LossFunction) throws {
        let net = TinyNet(activation: .erf, parameterization: .ntk, depth: 2, outputs: 3, hasBias: true)
        let y = Matrix(rows: net.samples, cols: 3, data: Self.targets(loss, samples: net.samples, outputs: 3, seed: 1))
        var gd = GradientDescent(model: net.model(), inputs: Matrix(net.inputs()), targets: y, loss: .mean, learningRate: 0.3,
                                 lossFunction: loss)
        var sgd = gd
        var schedule = BatchSchedule(samples: net.samples, batchSize: net.samples, seed: 9)
        for _ in 0..<10 {
            let a = gd.step(measureKernel: false).output, b = sgd.step(measureKernel: false, batch: schedule.next()).output
            #expect(naiveDistance(a.data, b.data) <= 1e-13 * naiveNorm(a.data))
        }
        #expect(naiveDistance(gd.model.parameters.flattened, sgd.model.parameters.flattened) <= 1e-13 * naiveNorm(gd.model.parameters.flattened))
    }

    /// Heavy ball with β = 0 is GD: the network's update, the counterpart and the closed-form prediction.
    @Test("momentum with β = 0 equals GD")
    func momentumZeroIsGD() throws {
        let net = TinyNet(activation: .tanh, parameterization: .standard, depth: 1, outputs: 1, hasBias: true)
        let x = Matrix(net.inputs())
        let y = Matrix(rows: net.samples, cols: 1, data: Self.targets(.mse, samples: net.samples, outputs: 1, seed: 2))
        var gd = GradientDescent(model: net.model(), inputs: x, targets: y, loss: .mean, learningRate: 0.2)
        var hb = GradientDescent(model: net.model(), inputs: x, targets: y, loss: .mean, learningRate: 0.2, momentum: 0)
        for _ in 0..<10 {
            _ = gd.step(measureKernel: false)
            _ = hb.step(measureKernel: false)
        }
        #expect(gd.model.parameters == hb.model.parameters)
        let data = DataSettings(samples: 12, testSamples: 6, inputDim: 3).generate(seed: 4)
        let a = NetworkArchitecture(inputDim: 3, width: 32, depth: 1)
        var plain = TrainingSettings(steps: 25)
        plain.kernelEvery = 25
        var heavy = plain
        heavy.optimizer = .heavyBall(beta: 0, batch: nil)
        let p = try NTKExperiment(architecture: a, dataset: data, settings: plain)
        let m = try NTKExperiment(architecture: a, dataset: data, settings: heavy)
        #expect(p.learningRate == m.learningRate)
        for t in [0, 1, 7, 25] {
            let u = p.predictor.trainOutput(step: t, form: .discrete), v = m.predictor.trainOutput(step: t, form: .discrete)
            #expect(naiveDistance(u, v) <= 1e-12 * naiveNorm(u), "t = \(t)")
            let s = p.predictor.testOutput(step: t, form: .discrete), w = m.predictor.testOutput(step: t, form: .discrete)
            #expect(naiveDistance(s, w) <= 1e-12 * naiveNorm(s), "test t = \(t)")
        }
        let sp = p.run { _ in }, sm = m.run { _ in }
        // The network trains identically; the prediction differs only by the round-off of the closed form.
        #expect(sp.finalTrainLossGD == sm.finalTrainLossGD)
        #expect(abs(try #require(sp.maxGap) - #require(sm.maxGap)) <= 1e-12)
    }

    /// A linear model (depth 0, so its NTK is constant and GD on it is its own linearization): heavy ball on the
    /// network, the counterpart iterated in function space and the per-mode closed form agree to 1e-10, in both
    /// regimes (β = 0.3 leaves the low modes real, β = 0.9 makes most modes oscillate).
    @Test("the momentum closed form per mode equals iterating the counterpart", arguments: [0.3, 0.9])
    func momentumClosedFormMatchesIteration(beta: Double) throws {
        let data = DataSettings(samples: 10, testSamples: 4, inputDim: 6).generate(seed: 2)
        let a = NetworkArchitecture(inputDim: 6, width: 1, depth: 0, activation: .linear)
        var s = TrainingSettings(steps: 60, kernelEvery: 60)
        s.optimizer = .heavyBall(beta: beta, batch: nil)
        let e = try NTKExperiment(architecture: a, dataset: data, settings: s)
        var twin = e.makeTwin()
        let network = Network<Double>(architecture: a, parameters: e.initialParameters)
        var gd = GradientDescent(model: network, inputs: data.trainInputs, targets: data.trainTargets, loss: .mean,
                                 learningRate: e.learningRate, momentum: beta)
        let regimes = Set(e.predictor.clippedValues.map { HeavyBallModes.regime(x: e.learningRate * $0, momentum: beta) })
        for t in 0...60 {
            let closed = e.predictor.trainOutput(step: t, form: .discrete)
            let scale = naiveNorm(data.trainTargets.data)
            #expect(naiveDistance(closed, twin.trainOutput) <= 1e-10 * scale, "t = \(t): closed form vs counterpart")
            #expect(naiveDistance(closed, gd.step(measureKernel: false).output.data) <= 1e-10 * scale, "t = \(t): vs the network")
            let closedTest = e.predictor.testOutput(step: t, form: .discrete)
            #expect(naiveDistance(closedTest, twin.testOutput) <= 1e-10 * max(naiveNorm(closedTest), 1), "t = \(t) test")
            twin.step(batch: nil)
        }
        if beta == 0.9 { #expect(regimes.contains(.oscillating)) }
        // The per-mode recurrence r_{t+1} = (1+β−x)r_t − βr_{t−1}, r_1 = (1−x)r_0, iterated against the closed form.
        for x in [0.01, 0.5, (1 - beta.squareRoot()) * (1 - beta.squareRoot()), 1.0, 2.5, 3.7] {
            var (previous, current) = (1.0, 1 - x)
            for t in 1...200 {
                #expect(abs(HeavyBallModes.factor(x: x, momentum: beta, step: t) - current) <= 1e-10 * max(1, abs(current)),
                        "x = \(x), t = \(t)")
                (previous, current) = (current, (1 + beta - x) * current - beta * previous)
            }
        }
    }

    /// Just below η_crit = 2(1 + β)/λ_max the counterpart converges; just above, its top mode grows.
    @Test("momentum converges below 2(1+β)/λ_max and diverges above", arguments: [0.0, 0.5, 0.9])
    func momentumStabilityEdge(beta: Double) throws {
        let data = DataSettings(samples: 8, testSamples: 2, inputDim: 4).generate(seed: 6)
        let a = NetworkArchitecture(inputDim: 4, width: 1, depth: 0, activation: .linear)
        #expect(data.trainCount == 8)
        for (factor, converges) in [(0.98, true), (1.02, false)] {
            var s = TrainingSettings(steps: 1, learningRateFactor: factor)
            s.optimizer = .heavyBall(beta: beta, batch: nil)
            let e = try NTKExperiment(architecture: a, dataset: data, settings: s)
            #expect(abs(e.predictor.criticalLearningRate - 2 * (1 + beta) / e.predictor.maxEigenvalue) <= 1e-15 * e.predictor.criticalLearningRate)
            var twin = e.makeTwin()
            // The residual along the top eigenvector of K̃₀ (the last column of V).
            let v = e.predictor.eigen.vectors
            func topResidual() -> Double {
                (0..<v.rows).reduce(0) { $0 + v[$1, v.cols - 1] * (twin.trainOutput[$1] - data.trainTargets.data[$1]) }
            }
            let r0 = abs(topResidual())
            for _ in 0..<600 { twin.step(batch: nil) }
            let r = abs(topResidual())
            if converges {
                #expect(r < 1e-3 * r0, "η = \(factor)·η_crit: top-mode residual \(r) from \(r0)")
            } else {
                #expect(!(r < 1e3 * r0), "η = \(factor)·η_crit: top-mode residual \(r) from \(r0)")
            }
            let top = e.learningRate * e.predictor.maxEigenvalue
            #expect((HeavyBallModes.spectralRadius(x: top, momentum: beta) < 1) == converges)
        }
    }

    /// The cross-entropy gradient equals central finite differences of the loss, for logistic (k = 1) and softmax
    /// (k = 3), mean and sum; and through a network with an output scale, ∇_θ[L(F)/α²].
    @Test("the cross-entropy gradient matches central finite differences")
    func crossEntropyGradientMatchesFiniteDifferences() throws {
        var rng = RandomSource(seed: 8, stream: 3)
        for k in [1, 3] {
            let n = 4
            let y = Self.targets(.crossEntropy, samples: n, outputs: k, seed: 5)
            let f = (0..<(n * k)).map { _ in 2 * rng.normal() }
            for norm in LossNormalization.allCases {
                let g = LossFunction.crossEntropy.gradient(f, y, samples: n, outputs: k, normalization: norm)
                let fd = centralDifferenceGradient({ LossFunction.crossEntropy.loss($0, y, samples: n, outputs: k, normalization: norm) }, at: f)
                #expect(naiveDistance(g, fd) <= 1e-8 * naiveNorm(fd), "k = \(k) \(norm)")
            }
        }
        // Through the network: GradientDescent's ∇_θ of L(α(f − f₀))/α² against finite differences of the reference f.
        let net = TinyNet(activation: .gelu, parameterization: .ntk, depth: 1, outputs: 3, hasBias: true)
        let xs = net.inputs(), alpha = 2.5
        let y = Self.targets(.crossEntropy, samples: net.samples, outputs: 3, seed: 1)
        var gd = GradientDescent(model: net.model(), inputs: Matrix(xs), targets: Matrix(rows: net.samples, cols: 3, data: y),
                                 loss: .mean, learningRate: 1, outputScale: alpha, lossFunction: .crossEntropy)
        let theta0 = gd.model.parameters.flattened
        let f0 = Reference.outputs(xs, net.architecture, flat: theta0)
        for _ in 0..<3 { _ = gd.step(measureKernel: false) }
        let theta = gd.model.parameters.flattened
        func loss(_ t: [Double]) -> Double {
            let big = zip(Reference.outputs(xs, net.architecture, flat: t), f0).map { alpha * ($0 - $1) }
            return CrossEntropyLoss.loss(big, y, outputs: 3, normalizer: Double(net.samples * 3)) / (alpha * alpha)
        }
        let fd = centralDifferenceGradient(loss, at: theta)
        let g = gd.gradient().flattened
        #expect(naiveDistance(g, fd) <= 1e-6 * naiveNorm(fd), "network gradient of L(F)/α²")
    }

    /// Logistic loss of f with y = ±1 is softmax cross-entropy of the logits (f/2, −f/2) with the one-hot target
    /// (1, 0) for y = +1 and (0, 1) for y = −1, per sample (`sum` normalization); the gradients match by the chain rule.
    @Test("logistic with k = 1 equals softmax with k = 2 on matching targets")
    func logisticIsTwoClassSoftmax() {
        let f = [-3.0, -0.4, 0, 0.7, 5, 40, -40]
        let y = [1.0, -1, 1, -1, 1, -1, 1]
        let logits = f.flatMap { [$0 / 2, -$0 / 2] }
        let oneHot = y.flatMap { $0 > 0 ? [1.0, 0] : [0.0, 1] }
        let logistic = CrossEntropyLoss.loss(f, y, outputs: 1, normalizer: 1)
        let softmax = CrossEntropyLoss.loss(logits, oneHot, outputs: 2, normalizer: 1)
        #expect(abs(logistic - softmax) <= 1e-13 * logistic)
        let g1 = CrossEntropyLoss.gradient(f, y, outputs: 1, normalizer: 1)
        let g2 = CrossEntropyLoss.gradient(logits, oneHot, outputs: 2, normalizer: 1)
        for i in f.indices { #expect(abs(g1[i] - (g2[2 * i] - g2[2 * i + 1]) / 2) <= 1e-15 + 1e-13 * abs(g1[i]), "sample \(i)") }
        #expect(CrossEntropyLoss.targetProblem([1, -1, 0.5], outputs: 1) != nil)
        #expect(CrossEntropyLoss.targetProblem([0, 1, 0, 1, 0, 0], outputs: 3) == nil)
        #expect(CrossEntropyLoss.targetProblem([0, 1, 1, 1, 0, 0], outputs: 3) != nil)
    }

    /// Batches are drawn without replacement within each epoch, and the same seed gives the same sequence.
    @Test("batches cover every point once per epoch")
    func batchScheduleIsAPermutationPerEpoch() {
        var s = BatchSchedule(samples: 10, batchSize: 4, seed: 1)
        for _ in 0..<3 {
            let epoch = (0..<s.stepsPerEpoch).map { _ in s.next() }
            #expect(epoch.map(\.count) == [4, 4, 2])
            #expect(epoch.flatMap { $0 }.sorted() == Array(0..<10))
        }
        #expect(BatchSchedule.sequence(samples: 10, batchSize: 4, seed: 1, steps: 7)
            == BatchSchedule.sequence(samples: 10, batchSize: 4, seed: 1, steps: 7))
        #expect(BatchSchedule.sequence(samples: 10, batchSize: 4, seed: 1, steps: 7)
            != BatchSchedule.sequence(samples: 10, batchSize: 4, seed: 2, steps: 7))
    }

    /// `arrays/batch_indices.npy` replays the run: GD from θ₀ on those batches ends at the run's f_T bit for bit.
    @Test("the saved batch sequence replays the run exactly")
    func savedBatchesReplayTheRun() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let data = DataSettings(samples: 11, testSamples: 3, inputDim: 3).generate(seed: 3)
        let a = NetworkArchitecture(inputDim: 3, width: 16, depth: 1)
        var s = TrainingSettings(steps: 9, kernelEvery: 9)
        s.optimizer = .heavyBall(beta: 0.5, batch: 4)
        let e = try NTKExperiment(architecture: a, dataset: data, settings: s)
        _ = try RunRecorder.record(e, data: DataSettings(), command: ["test"], into: RunDirectory.create(at: scratch.url))
        let bytes = [UInt8](try Data(contentsOf: scratch.file("arrays/batch_indices.npy")))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<i8'") && header.contains("'shape': (9, 4)"), "\(header)")
        let body = Array(bytes[(10 + headerLength)...])
        var indices: [Int] = []
        for i in 0..<(body.count / 8) {
            var bits: UInt64 = 0
            for byte in 0..<8 { bits |= UInt64(body[8 * i + byte]) << UInt64(8 * byte) }
            indices.append(Int(Int64(bitPattern: bits)))
        }
        var batches: [[Int]] = []
        for t in 0..<9 { batches.append(indices[(4 * t)..<(4 * t + 4)].filter { $0 >= 0 }) }
        var gd = GradientDescent(model: Network<Double>(architecture: a, parameters: e.initialParameters), inputs: data.trainInputs,
                                 targets: data.trainTargets, loss: .mean, learningRate: e.learningRate, momentum: 0.5)
        for b in batches { _ = gd.step(measureKernel: false, batch: b) }
        #expect(gd.step(measureKernel: false, update: false).output.data == e.latestTrainOutput)
    }

    /// A full-batch squared-loss run is its own counterpart: gap_nonlinearity is gap and gap_minibatch 0. A
    /// minibatch run splits its gap in two, and the triangle inequality holds row by row.
    @Test("the two gaps split the gap")
    func gapsSplitTheGap() throws {
        let data = DataSettings(samples: 16, testSamples: 8, inputDim: 4).generate(seed: 1)
        let a = NetworkArchitecture(inputDim: 4, width: 64, depth: 1)
        var records: [StepRecord] = []
        _ = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 20)).run { records.append($0) }
        #expect(records.allSatisfy { $0.gapNonlinearity == $0.gap && $0.gapMinibatch == 0 })
        var s = TrainingSettings(steps: 40)
        s.optimizer = .sgd(batch: 4)
        records = []
        let summary = try NTKExperiment(architecture: a, dataset: data, settings: s).run { records.append($0) }
        #expect(summary.status == .completed)
        for r in records {
            let n = try #require(r.gapNonlinearity), m = try #require(r.gapMinibatch)
            #expect(r.gap <= n + m + 1e-12 && n <= r.gap + m + 1e-12, "step \(r.step)")
        }
        #expect((summary.maxGapMinibatch ?? 0) > 0.01, "minibatches move the linearized model off the full-batch path")
    }

    /// With an output scale α the centred model's counterpart does not depend on α (same K₀, F₀ = 0), so the
    /// minibatch gap is the same for every α, while the nonlinearity gap falls as 1/α (lazy training).
    @Test("with --output-scale the minibatch gap is fixed and the nonlinearity gap falls as 1/α")
    func outputScaleSplitsAsExpected() throws {
        let data = DataSettings(samples: 24, testSamples: 8, inputDim: 4).generate(seed: 2)
        let a = NetworkArchitecture(inputDim: 4, width: 64, depth: 1, activation: .tanh)
        var nonlinear: [Double] = [], minibatch: [Double] = []
        let alphas = [1.0, 10, 100]
        for alpha in alphas {
            var s = TrainingSettings(steps: 60, kernelEvery: 60, modes: 0)
            s.optimizer = .heavyBall(beta: 0.5, batch: 6)
            s.outputScale = alpha
            let summary = try NTKExperiment(architecture: a, dataset: data, settings: s).run { _ in }
            nonlinear.append(try #require(summary.maxGapNonlinearity))
            minibatch.append(try #require(summary.maxGapMinibatch))
        }
        #expect(Set(minibatch).count == 1, "the counterpart does not depend on α: \(minibatch)")
        let slope = log(nonlinear.last! / nonlinear.first!) / log(alphas.last! / alphas.first!)
        #expect((-1.3 ... -0.7).contains(slope), "nonlinearity gap slope \(slope): \(nonlinear)")
    }

    /// Wider networks stay closer to their linearization trained on the same batches: at width 4096 the largest
    /// nonlinearity gap is several times smaller than at width 64, for SGD on squared loss and for cross-entropy.
    @Test("the nonlinearity gap shrinks with width", .tags(.slow), .endToEndEnabled,
          arguments: [LossFunction.mse, .crossEntropy])
    func nonlinearityGapShrinksWithWidth(_ loss: LossFunction) throws {
        let data = try DigitsDataset.load(.init(classes: [3, 8], samples: 48, testSamples: 16, seed: 0)).dataset
        var gaps: [Double] = []
        for width in [64, 4096] {
            let a = NetworkArchitecture(inputDim: 64, width: width, depth: 1, outputs: 1)
            var s = TrainingSettings(steps: 60, kernelEvery: 60, modes: 0)
            s.optimizer = .sgd(batch: 8)
            s.lossFunction = loss
            let summary = try NTKExperiment(architecture: a, dataset: data, settings: s).run { _ in }
            #expect(summary.status == .completed)
            gaps.append(try #require(summary.maxGapNonlinearity))
        }
        #expect(gaps[1] * 3 < gaps[0], "\(loss.rawValue): max nonlinearity gap \(gaps[0]) at width 64, \(gaps[1]) at 4096")
    }
}

/// The options through the built tool: config.json records them, steps.csv has the split, the batches are saved,
/// and bad combinations that need the data (a batch larger than N) are usage errors.
@Suite("Optimizers through the tool", .serialized)
struct OptimizerToolTests {
    @Test(.tags(.endToEnd), .endToEndEnabled) func crossEntropySGDOnDigitsThroughTheTool() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run(["--dataset", "digits", "--classes", "0,1,2", "--samples", "30", "--test-samples", "12",
                                          "--width", "32", "--depth", "1", "--steps", "12", "--optimizer", "momentum",
                                          "--momentum", "0.5", "--batch-size", "8", "--loss", "cross-entropy", "--out", scratch.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("mode rates       not defined for cross-entropy"))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("config.json"))) as! [String: Any]
        #expect(config["optimizer"] as? String == "momentum" && config["batch_size"] as? Int == 8)
        #expect(config["momentum"] as? Double == 0.5 && config["loss_function"] as? String == "cross-entropy")
        #expect(config["loss"] as? String == "mean")
        let lines = try String(contentsOf: scratch.file("steps.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        for column in ["gap_nonlinearity", "gap_minibatch", "train_loss_lin", "train_accuracy_lin", "train_margin_gd"] {
            let i = try #require(header.firstIndex(of: column), "\(column)")
            let last = lines.last!.split(separator: ",", omittingEmptySubsequences: false)
            #expect(Double(last[i]) != nil, "\(column) on the last row")
        }
        let flow = try #require(header.firstIndex(of: "gap_flow"))
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[flow].isEmpty })
        let bytes = try Data(contentsOf: scratch.file("arrays/batch_indices.npy"))
        #expect(String(decoding: bytes.prefix(128), as: UTF8.self).contains("'shape': (12, 8)"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.file("summary.json"))) as! [String: Any]
        #expect(summary["mode_rates_defined"] as? Bool == false && summary["max_gap_nonlinearity"] is Double)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled) func aBatchLargerThanTheDataIsAUsageError() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let result = try ToolProcess.run(["--samples", "10", "--width", "8", "--steps", "2", "--optimizer", "sgd",
                                          "--batch-size", "11", "--out", scratch.path])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--batch-size 11") && result.stderr.contains("10 training points"))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("config.json").path))
    }
}

/// ``OptimizerSpec`` from the loose name, batch size and β of the options and of config.json.
@Suite struct OptimizerSpecTests {
    @Test func theLooseFormMapsToOneOptimizer() {
        #expect(OptimizerSpec(.gd, batchSize: 8, momentum: 0.9) == .gd)
        #expect(OptimizerSpec(.sgd, batchSize: 8, momentum: 0.9) == .sgd(batch: 8))
        #expect(OptimizerSpec(.sgd, batchSize: nil, momentum: nil) == nil)
        #expect(OptimizerSpec(.momentum, batchSize: nil, momentum: nil) == .heavyBall(beta: 0, batch: nil))
        #expect(OptimizerSpec(.momentum, batchSize: 4, momentum: 0.5) == .heavyBall(beta: 0.5, batch: 4))
        for spec in [OptimizerSpec.gd, .sgd(batch: 3), .heavyBall(beta: 0.25, batch: nil), .heavyBall(beta: 0.5, batch: 7)] {
            #expect(OptimizerSpec(spec.kind, batchSize: spec.minibatchSize, momentum: spec.heavyBall) == spec, "\(spec)")
        }
    }

    /// The one data/optimizer rule (``TrainingSettings/problem(with:)``) that run, sweep and the experiment check.
    @Test func theDataRuleIsStatedOnce() {
        let data = DataSettings(dataset: .sine, samples: 10, testSamples: 0, inputDim: 1, outputs: 1).generate(seed: 1)
        var s = TrainingSettings(steps: 1)
        #expect(s.problem(with: data) == nil)
        s.optimizer = .sgd(batch: 11)
        guard case .batchLargerThanData(11, 10)? = s.problem(with: data) else {
            Issue.record("a batch of 11 on 10 points: \(String(describing: s.problem(with: data)))")
            return
        }
        s.optimizer = .heavyBall(beta: 0.5, batch: 10)
        #expect(s.problem(with: data) == nil)
        s.lossFunction = .crossEntropy   // the sine's targets are not ±1 classes
        guard case .targetsNotClasses? = s.problem(with: data) else {
            Issue.record("cross-entropy on a sine: \(String(describing: s.problem(with: data)))")
            return
        }
    }
}
