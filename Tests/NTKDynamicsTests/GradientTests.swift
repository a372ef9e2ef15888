import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// ∇L from backpropagation against finite differences of the loss, and the two code paths of a GD step.
@Suite("Loss gradient and GD step")
struct GradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var activation: Activation
        var parameterization: Parameterization
        var outputs: Int
        var loss: LossNormalization
        var hasBias = true
        var depth = 2

        var net: TinyNet {
            TinyNet(activation: activation, parameterization: parameterization, depth: depth, outputs: outputs,
                    hasBias: hasBias, samples: 6)
        }

        var testDescription: String { "\(net.testDescription) loss=\(loss.rawValue)" }

        /// Targets of the same order as f, flattened sample-major, independent of the model.
        func targets() -> [Double] {
            var rng = RandomSource(seed: net.seed, stream: 30)
            return (0..<(net.samples * outputs)).map { _ in rng.normal() }
        }

        func descent(learningRate: Double = 0.1) -> GradientDescent<Double> {
            let n = net
            return GradientDescent(model: n.model(), inputs: Matrix(n.inputs()),
                                   targets: Matrix(rows: n.samples, cols: outputs, data: targets()),
                                   loss: loss, learningRate: learningRate)
        }

        static let all: [Case] = {
            var cases: [Case] = []
            for act in [Activation.tanh, .relu, .gelu, .erf] {
                for k in [1, 2] {
                    for loss in LossNormalization.allCases {
                        cases.append(Case(activation: act, parameterization: .ntk, outputs: k, loss: loss))
                    }
                }
            }
            // The other parameterizations and the bias-free network, once each; mean-field has one hidden layer
            // and rates r_l = n, mup depth 2 has all three kinds of layer.
            for k in [1, 2] {
                cases.append(Case(activation: .tanh, parameterization: .standard, outputs: k, loss: .mean))
                cases.append(Case(activation: .gelu, parameterization: .ntk, outputs: k, loss: .sum, hasBias: false))
                cases.append(Case(activation: .tanh, parameterization: .mup, outputs: k, loss: .mean))
                cases.append(Case(activation: .gelu, parameterization: .meanField, outputs: k, loss: .mean, depth: 1))
            }
            cases.append(Case(activation: .relu, parameterization: .mup, outputs: 1, loss: .sum, hasBias: false, depth: 1))
            return cases
        }()
    }

    @Test("∇L equals central finite differences of L", arguments: Case.all)
    func gradientMatchesFiniteDifferences(c: Case) {
        let gd = c.descent()
        let a = c.net.architecture
        let xs = c.net.inputs()
        let y = c.targets()
        let theta = gd.model.parameters.flattened
        let g = gd.gradient().flattened
        #expect(g.count == theta.count)

        func loss(_ t: [Double]) -> Double {
            c.loss.loss(Reference.outputs(xs, a, flat: t), y, samples: xs.count, outputs: c.outputs)
        }
        // Independently of `LossNormalization.loss`: L = Σ(f − y)²/(2ν) with ν = N·k or 1.
        let nu = c.loss == .mean ? Double(xs.count * c.outputs) : 1
        let f0 = Reference.outputs(xs, a, flat: theta)
        let l0 = zip(f0, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * nu)
        #expect(abs(loss(theta) - l0) <= 1e-14 * l0)

        let fd = centralDifferenceGradient(loss, at: theta)
        let err = naiveDistance(g, fd) / naiveNorm(fd)
        #expect(err < 1e-6, "gradient vs finite differences: relative error \(err)")

        // One GD step moves each parameter by η·r_l times its finite-difference derivative, r_l the layer's rate
        // from the reference's own table (n under mean-field, 1 elsewhere).
        var stepped = gd
        _ = stepped.step(measureKernel: false)
        let rates = Reference.rates(a)
        let moved = zip(theta, stepped.model.parameters.flattened).map { ($0 - $1) / gd.learningRate }
        let scaledFD = zip(rates, fd).map { $0 * $1 }
        let errStep = naiveDistance(moved, scaledFD) / naiveNorm(scaledFD)
        #expect(errStep < 1e-6, "(θ₀ − θ₁)/η vs r_l·finite differences: relative error \(errStep)")

        // And against the reference Jacobian: ∇L = Jᵀ(f − y)/ν (a sharper check than FD).
        let j = Reference.jacobian(xs, a, flat: theta)
        let exact = naiveTransposedMatVec(j, zip(f0, y).map { ($0 - $1) / nu })
        let errExact = naiveDistance(g, exact) / naiveNorm(exact)
        #expect(errExact < 1e-12, "gradient vs Jᵀ(f − y)/ν: relative error \(errExact)")
    }

    @Test("a step with and without the kernel gives the same θ_{t+1}; the kernel is K(θ_t)", arguments: Case.all)
    func stepPathsAgree(c: Case) throws {
        let eta = 0.05
        var withKernel = c.descent(learningRate: eta)
        var plain = c.descent(learningRate: eta)
        let start = plain.model
        let grad = plain.gradient()

        let e1 = withKernel.step(measureKernel: true)
        let e0 = plain.step(measureKernel: false)
        #expect(e0.kernel == nil)

        let theta0 = start.parameters.flattened
        let update = naiveNorm(zip(Reference.rates(c.net.architecture), grad.flattened).map { $0 * $1 }) * eta
        #expect(update > 0)

        // θ_1 = θ_0 − η·r_l·∇_l L(θ_0) on the plain path …
        var expected = theta0
        let rates = Reference.rates(c.net.architecture)
        for (i, gi) in grad.flattened.enumerated() { expected[i] -= eta * rates[i] * gi }
        let errPlain = naiveDistance(plain.model.parameters.flattened, expected) / update
        #expect(errPlain < 1e-12, "plain step vs θ − η∇L: \(errPlain) of the update")

        // … and the kernel-measuring path (shared derivatives when k = 1) lands on the same θ_1.
        let errShared = naiveDistance(withKernel.model.parameters.flattened, plain.model.parameters.flattened) / update
        #expect(errShared < 1e-12, "measureKernel: true vs false: \(errShared) of the update")

        // Both report f(θ_0) …
        let f0 = Reference.outputs(c.net.inputs(), c.net.architecture, flat: theta0)
        #expect(naiveDistance(e0.output.data, f0) <= 1e-13 * naiveNorm(f0))
        #expect(e1.output == e0.output)

        // … and the kernel at θ_0, not θ_1.
        let kernel = try #require(e1.kernel)
        let k0 = EmpiricalNTK.kernel(start, withKernel.inputs)
        #expect(kernel.frobeniusDistance(to: k0) <= 1e-13 * k0.frobeniusNorm)
        let j = Reference.jacobian(c.net.inputs(), c.net.architecture, flat: theta0)
        let errRef = relativeFrobeniusError(kernel, Reference.weightedKernel(j, j, rates: rates))
        #expect(errRef < 1e-10, "step kernel vs Σ_l r_l·J₀,l·J₀,lᵀ: \(errRef)")
        let k1 = EmpiricalNTK.kernel(withKernel.model, withKernel.inputs)
        #expect(kernel.frobeniusDistance(to: k1) > 1e-6 * k0.frobeniusNorm, "the step must report K(θ_0), and θ moved")
    }

    @Test("step(update: false) evaluates without moving θ")
    func evaluateOnly() {
        for c in Case.all.prefix(4) {
            var gd = c.descent()
            let before = gd.model.parameters
            let e = gd.step(measureKernel: true, update: false)
            #expect(gd.model.parameters == before)
            #expect(e.kernel != nil)
        }
    }

    /// One step moves L by −η·Σ_j r_j·(∂L/∂θ_j)² to first order (‖∇L‖² when every rate r_j is 1), so the ratio
    /// of the two is 1 + O(η). So the update has the sign and the size of η·r·∇L (a step of 2η·∇L, a missing
    /// rate, or a stale gradient fails), and the ratio's error shrinks about tenfold with η.
    @Test("A GD step changes L by −η‖∇L‖² to first order", arguments: Case.all)
    func firstOrderLossChange(c: Case) {
        let y = c.targets()
        func loss(_ gd: inout GradientDescent<Double>) -> Double {
            c.loss.loss(gd.step(measureKernel: false, update: false).output.data, y, samples: c.net.samples, outputs: c.outputs)
        }
        func ratioError(learningRate eta: Double) -> Double {
            var gd = c.descent(learningRate: eta)
            let g = gd.gradient().flattened
            let squaredNorm = zip(Reference.rates(c.net.architecture), g).reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
            let before = loss(&gd)
            _ = gd.step(measureKernel: false)
            let after = loss(&gd)
            return abs((after - before) / (-eta * squaredNorm) - 1)
        }
        let base = c.loss == .mean ? 1e-3 : 1e-4
        let coarse = ratioError(learningRate: base), fine = ratioError(learningRate: base / 10)
        #expect(coarse < 0.05, "\(c.testDescription): first-order ratio off by \(coarse)")
        #expect(fine < coarse / 5 || fine < 1e-6, "\(c.testDescription): \(coarse) at η, \(fine) at η/10")
    }
}
