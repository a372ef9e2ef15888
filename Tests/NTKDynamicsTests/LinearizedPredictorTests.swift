import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The closed-form NTK prediction against GD run explicitly on the linearized network
/// f_lin(θ) = f_0 + J_0(θ − θ_0), with J_0 from the naive reference Jacobian.
@Suite("Linearized predictor")
struct LinearizedPredictorTests {
    /// A tiny network with train and test inputs, random targets, and everything at θ_0 computed by the reference.
    struct Setup: CustomTestStringConvertible, Sendable {
        var outputs: Int
        var loss: LossNormalization
        var trainCount = 5
        var testCount = 3

        var net: TinyNet {
            TinyNet(activation: .tanh, parameterization: .ntk, depth: 1, outputs: outputs, hasBias: true,
                    samples: trainCount)
        }
        var testDescription: String { "k=\(outputs) loss=\(loss.rawValue)" }
        var nu: Double { loss == .mean ? Double(trainCount * outputs) : 1 }

        var xTrain: [[Double]] { net.inputs() }
        var xTest: [[Double]] { net.inputs(testCount, stream: 5) }
        var theta0: [Double] { net.model().parameters.flattened }
        var targets: [Double] {
            var rng = RandomSource(seed: 99, stream: UInt64(outputs))
            return (0..<(trainCount * outputs)).map { _ in rng.normal() }
        }

        /// J_0 on the train and the test inputs.
        func jacobians() -> (train: [[Double]], test: [[Double]]) {
            let a = net.architecture, t = theta0
            return (Reference.jacobian(xTrain, a, flat: t), Reference.jacobian(xTest, a, flat: t))
        }

        /// K̃_0 = J_0J_0ᵀ/ν and K̃_0(X*, X) = J_0*J_0ᵀ/ν.
        func effectiveKernels() -> (train: Matrix, cross: Matrix) {
            let (j, jt) = jacobians()
            let k = naiveProductTransposed(j, j).map { $0.map { $0 / nu } }
            let kx = naiveProductTransposed(jt, j).map { $0.map { $0 / nu } }
            return (Matrix(k), Matrix(kx))
        }

        func predictor(learningRate: Double) throws -> LinearizedPredictor {
            let (k, kx) = effectiveKernels()
            let a = net.architecture
            return try LinearizedPredictor(effectiveKernel: k, effectiveCrossKernel: kx,
                                           initialOutput: Reference.outputs(xTrain, a, flat: theta0),
                                           targets: targets,
                                           initialTestOutput: Reference.outputs(xTest, a, flat: theta0),
                                           learningRate: learningRate)
        }

        /// 2/λ_max(K̃_0) as the predictor reports it (only used to pick η; checked independently below).
        func criticalLearningRate() throws -> Double { try predictor(learningRate: 1).criticalLearningRate }

        static let all: [Setup] = [1, 2].flatMap { k in LossNormalization.allCases.map { Setup(outputs: k, loss: $0) } }
    }

    @Test("discrete prediction equals GD on the linearized model (train and test)", arguments: Setup.all)
    func discreteEqualsExplicitLinearizedGD(s: Setup) throws {
        let eta = 0.8 * (try s.criticalLearningRate())
        let predictor = try s.predictor(learningRate: eta)
        let (j, jt) = s.jacobians()
        let a = s.net.architecture
        let f0 = Reference.outputs(s.xTrain, a, flat: s.theta0)
        let f0Test = Reference.outputs(s.xTest, a, flat: s.theta0)
        let y = s.targets
        let r0 = naiveNorm(zip(f0, y).map { $0 - $1 })

        // GD in parameter space on f_lin: δ ← δ − η·J_0ᵀ(f_lin − y)/ν, δ = θ − θ_0.
        var delta = [Double](repeating: 0, count: s.theta0.count)
        var worstTrain = 0.0, worstTest = 0.0
        for t in 0...50 {
            let fLin = zip(f0, naiveMatVec(j, delta)).map { $0 + $1 }
            let fLinTest = zip(f0Test, naiveMatVec(jt, delta)).map { $0 + $1 }

            let train = predictor.trainOutput(step: t, form: .discrete)
            let test = predictor.testOutput(step: t, form: .discrete)
            // Relative to the output itself and, stricter for the residual, to ‖f_0 − y‖.
            let eTrain = naiveDistance(train, fLin) / min(naiveNorm(fLin), r0)
            let eTest = naiveDistance(test, fLinTest) / min(naiveNorm(fLinTest), r0)
            worstTrain = max(worstTrain, eTrain)
            worstTest = max(worstTest, eTest)

            let grad = naiveTransposedMatVec(j, zip(fLin, y).map { ($0 - $1) / s.nu })
            for p in delta.indices { delta[p] -= eta * grad[p] }
        }
        #expect(worstTrain < 1e-9, "train: max relative error \(worstTrain)")
        #expect(worstTest < 1e-9, "test: max relative error \(worstTest)")
        // The run must actually have trained: the residual after 50 steps is much smaller than at 0.
        let final = predictor.trainOutput(step: 50, form: .discrete)
        #expect(naiveDistance(final, y) < 0.5 * r0)
    }

    /// η_crit = 2/λ_max, checked by its meaning: linearized GD converges just below it and diverges just above.
    @Test("criticalLearningRate separates convergence from divergence", arguments: Setup.all)
    func criticalLearningRateMeaning(s: Setup) throws {
        let etaCrit = try s.criticalLearningRate()
        let (k, _) = s.effectiveKernels()
        let kk = k.nested
        let f0 = Reference.outputs(s.xTrain, s.net.architecture, flat: s.theta0)
        let r0 = zip(f0, s.targets).map { $0 - $1 }
        func residualNorm(after steps: Int, eta: Double) -> Double {
            var r = r0  // r ← (I − ηK̃)r
            for _ in 0..<steps {
                let kr = naiveMatVec(kk, r)
                for i in r.indices { r[i] -= eta * kr[i] }
            }
            return naiveNorm(r)
        }
        #expect(residualNorm(after: 300, eta: 0.95 * etaCrit) < naiveNorm(r0))
        #expect(residualNorm(after: 300, eta: 1.05 * etaCrit) > 1e6 * naiveNorm(r0))
    }

    /// The test formula applied to the training inputs themselves reproduces the train formula.
    @Test("testOutput on the training inputs equals trainOutput", arguments: Setup.all)
    func testFormulaOnTrainInputs(s: Setup) throws {
        let (k, _) = s.effectiveKernels()
        let f0 = Reference.outputs(s.xTrain, s.net.architecture, flat: s.theta0)
        let eta = 0.5 * (try s.criticalLearningRate())
        let p = try LinearizedPredictor(effectiveKernel: k, effectiveCrossKernel: k, initialOutput: f0,
                                        targets: s.targets, initialTestOutput: f0, learningRate: eta)
        let r0 = naiveDistance(f0, s.targets)
        for form in PredictionForm.allCases {
            for t in [0, 1, 2, 7, 40] {
                let e = naiveDistance(p.testOutput(step: t, form: form), p.trainOutput(step: t, form: form)) / r0
                #expect(e < 1e-10, "\(form) t=\(t): \(e)")
            }
        }
    }

    @Test("flow and discrete agree as η → 0 at equal η·t", arguments: Setup.all)
    func flowMatchesDiscreteForSmallEta(s: Setup) throws {
        let etaCrit = try s.criticalLearningRate()
        let r0 = naiveDistance(Reference.outputs(s.xTrain, s.net.architecture, flat: s.theta0), s.targets)
        // η·λ_max = 2·fraction; compare at η·t·λ_max = 2 (the top mode has decayed by e^{-2}).
        func gap(fraction: Double) throws -> (train: Double, test: Double) {
            let eta = fraction * etaCrit
            let p = try s.predictor(learningRate: eta)
            let t = Int((1 / fraction).rounded())
            let train = naiveDistance(p.trainOutput(step: t, form: .flow), p.trainOutput(step: t, form: .discrete))
            let test = naiveDistance(p.testOutput(step: t, form: .flow), p.testOutput(step: t, form: .discrete))
            return (train / r0, test / r0)
        }
        let coarse = try gap(fraction: 1e-2), fine = try gap(fraction: 1e-3)
        #expect(coarse.train < 0.05 && coarse.test < 0.05, "ηλ_max = 0.02: \(coarse)")
        #expect(fine.train < 5e-3 && fine.test < 5e-3, "ηλ_max = 0.002: \(fine)")
        // First order in η: ten times smaller η, about ten times smaller gap.
        #expect(fine.train < coarse.train / 5, "\(coarse.train) → \(fine.train)")
        #expect(fine.test < coarse.test / 5, "\(coarse.test) → \(fine.test)")
    }

    @Test("near η_crit flow and discrete differ", arguments: Setup.all)
    func flowDiffersFromDiscreteNearCritical(s: Setup) throws {
        let eta = 0.95 * (try s.criticalLearningRate())
        let p = try s.predictor(learningRate: eta)
        let lmax = p.maxEigenvalue
        let t = 5
        // Top mode: (1 − ηλ)^t = (−0.9)^5 under GD, e^{−1.9·5} under the flow.
        let x = eta * lmax
        #expect(abs(x - 1.9) < 1e-12)
        #expect(abs(p.decay(lmax, step: t, form: .discrete) - pow(1 - x, Double(t))) < 1e-14)
        #expect(abs(p.decay(lmax, step: t, form: .flow) - exp(-x * Double(t))) < 1e-14)

        let top = p.initialModeResiduals.last!
        let diff = naiveDistance(p.trainOutput(step: t, form: .flow), p.trainOutput(step: t, form: .discrete))
        // Orthonormal V: ‖flow − discrete‖ ≥ |((−0.9)^5 − e^{−9.5})·c_top| ≈ 0.59·|c_top|,
        // a visible difference as long as the residual has a non-negligible top-mode component.
        let r0 = naiveDistance(Reference.outputs(s.xTrain, s.net.architecture, flat: s.theta0), s.targets)
        #expect(abs(top) > 0.01 * r0, "c_top = \(top), ‖f_0 − y‖ = \(r0)")
        #expect(diff > 0.5 * abs(top), "‖flow − discrete‖ = \(diff), c_top = \(top)")
    }

    // MARK: Eigenvalue clipping.

    /// Q·diag(λ)·Qᵀ with Q a Householder reflection of a fixed vector (computed with plain loops).
    static func symmetric(eigenvalues lambda: [Double]) -> Matrix {
        let n = lambda.count
        let v: [Double] = (0..<n).map { (i: Int) -> Double in
            let x = Double(i)
            return 1 + 0.37 * x * x - 0.9 * x
        }
        let vv = v.reduce(0) { $0 + $1 * $1 }
        var q = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n { q[i][j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv } }
        var m = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                var acc = 0.0
                for l in 0..<n { acc += q[i][l] * lambda[l] * q[j][l] }
                m[i][j] = acc
            }
        }
        // Exactly symmetric storage.
        for i in 0..<n { for j in 0..<i { m[i][j] = m[j][i] } }
        return Matrix(m)
    }

    @Test("a round-off negative eigenvalue is clipped and counted")
    func clipsNegativeRoundOff() throws {
        // Eigenvalues of a PSD kernel whose null direction came out at −1e−13 after round-off.
        let k = Self.symmetric(eigenvalues: [2, -1e-13, 1, 0.25])
        let r0 = [0.3, -1.2, 0.5, 0.8]
        let p = try LinearizedPredictor(effectiveKernel: k, effectiveCrossKernel: Matrix(rows: 0, cols: 4),
                                        initialOutput: r0, targets: [0, 0, 0, 0], initialTestOutput: [],
                                        learningRate: 0.5)
        #expect(p.eigen.values.first! < 0)
        #expect(p.clippedCount == 1)
        #expect(p.clippedValues.first == 0)
        #expect(p.minEigenvalue == 0)
        #expect(p.clippedValues.allSatisfy { $0 >= 0 })
        #expect(abs(p.maxEigenvalue - 2) < 1e-14)
        #expect(abs(p.criticalLearningRate - 1) < 1e-14)
        // The clipped mode does not move in either form.
        for form in PredictionForm.allCases {
            #expect(p.modeResiduals(step: 1000, form: form)[0] == p.initialModeResiduals[0])
        }

        // A matrix whose eigenvalues are all clearly positive is not clipped.
        let q = try LinearizedPredictor(effectiveKernel: Self.symmetric(eigenvalues: [2, 1e-6, 1, 0.25]),
                                        effectiveCrossKernel: Matrix(rows: 0, cols: 4), initialOutput: r0,
                                        targets: [0, 0, 0, 0], initialTestOutput: [], learningRate: 0.5)
        #expect(q.clippedCount == 0)
        #expect(abs(q.minEigenvalue - 1e-6) < 1e-14)
    }

    @Test("a rank-deficient Gram matrix: round-off negatives are clipped, the null modes stay put")
    func clipsRankDeficientGram() throws {
        // B·Bᵀ with B 8×3: exactly PSD of rank 3, five zero eigenvalues that LAPACK returns as ±ε.
        var sawNegative = false
        for seed in 0..<20 where !sawNegative {
            var rng = RandomSource(seed: UInt64(seed), stream: 40)
            let b = gaussianInputs(8, 3, rng: &rng)
            let k = Matrix(naiveProductTransposed(b, b))
            let r0 = (0..<8).map { _ in rng.normal() }
            let p = try LinearizedPredictor(effectiveKernel: k, effectiveCrossKernel: Matrix(rows: 0, cols: 8),
                                            initialOutput: r0, targets: [Double](repeating: 0, count: 8),
                                            initialTestOutput: [], learningRate: 0.01)
            let negatives = p.eigen.values.filter { $0 < 0 }.count
            #expect(p.clippedCount == negatives)
            #expect(p.clippedCount <= 5)
            #expect(p.clippedValues.allSatisfy { $0 >= 0 })
            #expect(p.clippedValues.prefix(5).allSatisfy { $0 <= 1e-12 * p.maxEigenvalue })
            if negatives > 0 {
                sawNegative = true
                // With η·λ_max < 2 every mode is non-increasing; the null modes keep their residual.
                let eta = p.learningRate
                #expect(eta * p.maxEigenvalue < 2)
                let c = p.initialModeResiduals
                for form in PredictionForm.allCases {
                    let m = p.modeResiduals(step: 500, form: form)
                    for i in 0..<p.clippedCount { #expect(m[i] == c[i]) }
                    #expect(m.allSatisfy { $0.isFinite })
                }
            }
        }
        #expect(sawNegative, "no seed produced a negative round-off eigenvalue")
    }
}
