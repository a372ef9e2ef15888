import Foundation
import Testing
@testable import NTKDynamics
@testable import NTKTraining
import NTKTestSupport

/// R^{1/2}·H·R^{1/2} (R = I without `root`), H[i][j] = (∂_i L(θ + h e_j) − ∂_i L(θ − h e_j))/(2h) from the exact
/// gradient `gradient`, symmetrized.
func finiteDifferenceHessian(_ theta: [Double], root: [Double]? = nil, h: Double = 1e-5,
                             gradient: ([Double]) -> [Double]) -> Matrix {
    let p = theta.count, r = root ?? [Double](repeating: 1, count: p)
    var hessian = Matrix(rows: p, cols: p)
    for j in 0..<p {
        var plus = theta, minus = theta
        plus[j] += h
        minus[j] -= h
        let gp = gradient(plus), gm = gradient(minus)
        for i in 0..<p {
            let v = 0.5 * r[i] * r[j] * (gp[i] - gm[i]) / (2 * h)
            hessian[i, j] += v
            hessian[j, i] += v
        }
    }
    return hessian
}

/// Exact Hessian-vector products (Pearlmutter's R-operator) and the sharpness λ_max(R^{1/2}∇²L R^{1/2}) against the
/// full Hessian built by central finite differences of the exact gradient, its top eigenvalue by LAPACK `dsyevd`,
/// and the closed form of linear networks.
@Suite("Hessian sharpness")
struct HessianSharpnessTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var activation: Activation
        var parameterization: Parameterization
        var outputs: Int
        var loss: LossFunction
        var depth = 2

        var net: TinyNet {
            TinyNet(activation: activation, parameterization: parameterization, depth: depth, outputs: outputs,
                    hasBias: true, samples: 5)
        }

        var testDescription: String { "\(net.testDescription) \(loss.rawValue)" }

        /// Targets independent of the model: Gaussian for squared loss, ±1 or one-hot rows for cross-entropy.
        func targets() -> Matrix {
            var rng = RandomSource(seed: net.seed, stream: 31)
            let n = net.samples, k = outputs
            var y = [Double](repeating: 0, count: n * k)
            for i in 0..<n {
                switch (loss, k) {
                case (.mse, _): for a in 0..<k { y[i * k + a] = rng.normal() }
                case (.crossEntropy, 1): y[i] = rng.normal() > 0 ? 1 : -1
                case (.crossEntropy, _): y[i * k + Int(abs(rng.normal() * 1000)) % k] = 1
                }
            }
            return Matrix(rows: n, cols: k, data: y)
        }

        func sharpness(_ model: Network<Double>) -> HessianSharpness {
            HessianSharpness(network: model, inputs: Matrix(net.inputs()), targets: targets(), lossFunction: loss,
                             normalization: .mean)
        }

        /// ∇L at `flat` by the library's backpropagation (``GradientDescent/gradient()``), flattened.
        func gradient(at flat: [Double]) -> [Double] {
            var m = net.model()
            m.parameters = Reference.parameters(fromFlat: flat, net.architecture)
            let gd = GradientDescent(model: m, inputs: Matrix(net.inputs()), targets: targets(), loss: .mean, learningRate: 0.1,
                                     lossFunction: loss)
            return gd.gradient().flattened
        }


        static let all: [Case] = {
            var cases: [Case] = []
            for act in [Activation.relu, .tanh, .gelu, .erf] {
                for loss in LossFunction.allCases {
                    for k in [1, 3] {
                        for p in [Parameterization.ntk, .mup] {
                            cases.append(Case(activation: act, parameterization: p, outputs: k, loss: loss))
                        }
                    }
                }
            }
            // Rates r_l = n: the preconditioned Hessian differs from ∇²L.
            cases.append(Case(activation: .tanh, parameterization: .meanField, outputs: 1, loss: .mse, depth: 1))
            cases.append(Case(activation: .gelu, parameterization: .meanField, outputs: 3, loss: .crossEntropy, depth: 1))
            return cases
        }()
    }

    @Test("φ″ is the central difference of φ′", arguments: Activation.allCases)
    func secondDerivativeMatchesFiniteDifferences(activation: Activation) {
        let h = 1e-6
        for z in stride(from: -2.95, through: 3.05, by: 0.25) {
            let fd = (activation.derivative(z + h) - activation.derivative(z - h)) / (2 * h)
            #expect(abs(activation.secondDerivative(z) - fd) <= 1e-7, "\(activation) at z = \(z)")
        }
    }

    @Test("Hv and λ_max(R^½HR^½) match the finite-difference Hessian and dsyevd", arguments: Case.all)
    func matchesFiniteDifferenceHessian(c: Case) throws {
        let theta = c.net.model().parameters.flattened, p = theta.count
        let hessian = finiteDifferenceHessian(theta, gradient: c.gradient(at:))
        let s = c.sharpness(c.net.model())
        var rng = RandomSource(seed: c.net.seed, stream: 40)
        let v = (0..<p).map { _ in rng.normal() }
        let hv = s.hessianVectorProduct(Reference.parameters(fromFlat: v, c.net.architecture)).flattened
        let expected = BLAS.matvec(hessian, v)
        let scale = hessian.frobeniusNorm * vectorNorm(v)
        #expect(distance(hv, expected) <= 1e-6 * scale, "‖Hv − H_fd v‖ = \(distance(hv, expected)), scale \(scale)")
        // R^{1/2} H R^{1/2} with the rates typed again from the docs, and its λ_max by dsyevd.
        let root = Reference.rates(c.net.architecture).map { $0.squareRoot() }
        let pre = finiteDifferenceHessian(theta, root: root, gradient: c.gradient(at:))
        let top = try SymmetricEigendecomposition(pre).values.last!
        let lanczos = try s.largestEigenvalue()
        #expect(abs(lanczos - top) <= 1e-5 * max(abs(top), 1e-3), "Lanczos \(lanczos), dsyevd \(top)")
    }

    /// With an output scale α, squared loss of F = α·(f − f₀) over α² is |f − (f₀ + y/α)|²/(2ν): the plain loss with
    /// targets f₀ + y/α, so its Hessian products agree.
    @Test func outputScaleIsTheShiftedTargetsLoss() throws {
        let c = Case(activation: .tanh, parameterization: .ntk, outputs: 3, loss: .mse)
        let model = c.net.model(), x = Matrix(c.net.inputs()), y = c.targets(), alpha = 7.0
        var rng = RandomSource(seed: 4, stream: 5)
        let f0 = y.data.map { _ in rng.normal() }   // any fixed f₀
        let scaled = HessianSharpness(network: model, inputs: x, targets: y, lossFunction: .mse, normalization: .mean,
                                      outputScale: (alpha, f0))
        let shifted = HessianSharpness(network: model, inputs: x, targets: Matrix(rows: y.rows, cols: y.cols,
                                                                                   data: zip(f0, y.data).map { $0 + $1 / alpha }),
                                       lossFunction: .mse, normalization: .mean)
        let v = (0..<model.architecture.parameterCount).map { _ in rng.normal() }
        let a = scaled.preconditionedProduct(v), b = shifted.preconditionedProduct(v)
        #expect(distance(a, b) <= 1e-12 * vectorNorm(b))
    }

    /// A linear network (identity activation) at zero residual, and the linear model of depth 0 with any targets: the
    /// Hessian of squared loss is the Gauss–Newton term JᵀJ/ν, so λ_max(R^½HR^½) = λ_max(J·R·Jᵀ)/ν, from the
    /// reference Jacobian.
    @Test("a linear network's sharpness is λ_max(J R Jᵀ)/ν", arguments: [
        (Parameterization.ntk, 2, 1), (.ntk, 0, 3), (.mup, 2, 3), (.meanField, 1, 1), (.standard, 3, 2),
    ])
    func linearNetworkClosedForm(parameterization: Parameterization, depth: Int, outputs: Int) throws {
        let net = TinyNet(activation: .linear, parameterization: parameterization, depth: depth, outputs: outputs,
                          hasBias: true, samples: 6)
        let model = net.model()
        let xs = net.inputs()
        var rng = RandomSource(seed: 9, stream: 3)
        let targets = depth == 0 ? (0..<(net.samples * outputs)).map { _ in rng.normal() }
            : Reference.outputs(xs, net.architecture, flat: model.parameters.flattened)
        let s = HessianSharpness(network: model, inputs: Matrix(xs), targets: Matrix(rows: net.samples, cols: outputs, data: targets),
                                 lossFunction: .mse, normalization: .mean)
        let j = Reference.jacobian(xs, net.architecture, flat: model.parameters.flattened)
        let kernel = Reference.weightedKernel(j, j, rates: Reference.rates(net.architecture))
        let nu = Double(net.samples * outputs)
        let top = try SymmetricEigendecomposition(Matrix(kernel.map { $0.map { $0 / nu } })).values.last!
        let lanczos = try s.largestEigenvalue()
        #expect(abs(lanczos - top) <= 1e-7 * top, "Lanczos \(lanczos), λ_max(JRJᵀ)/ν \(top)")
    }
}

/// `--sharpness-every` in a run: the column, the summary keys, and the value at t = 0 against the finite-difference
/// Hessian of the run's own initial parameters (dsyevd).
@Suite("Sharpness in a run")
struct SharpnessRunTests {
    static func experiment(every: Int?) throws -> NTKExperiment {
        let data = SyntheticDataset.gaussian.generate(samples: 8, testSamples: 3, inputDim: 2, outputs: 1, noise: 0, seed: 5)
        let a = NetworkArchitecture(inputDim: 2, width: 6, depth: 2, outputs: 1, activation: .tanh)
        var settings = TrainingSettings(steps: 10, learningRateFactor: 1.5, kernelEvery: 5, modes: 2)
        settings.sharpnessEvery = every
        return try NTKExperiment(architecture: a, dataset: data, settings: settings)
    }

    @Test func columnIsFilledAtSharpnessStepsAndSummarized() throws {
        let e = try Self.experiment(every: 4)
        var records: [StepRecord] = []
        let summary = e.run { records.append($0) }
        let table = StepColumn.table(layers: 3)
        #expect(table.names.last == "sharpness")
        for r in records {
            let measured = r.step % 4 == 0 || r.step == 10
            #expect((r.sharpness != nil) == measured, "step \(r.step)")
            let cells = table.cells(r)
            #expect(cells.count == table.names.count && (cells.last! != "") == measured)
        }
        let values = records.compactMap(\.sharpness)
        #expect(values.count == 4 && values.allSatisfy { $0.isFinite && $0 > 0 })
        #expect(summary.finalSharpness == values.last && summary.maxSharpness == values.max())
        // t = 0: λ_max of the Hessian by central differences of ∇L at θ₀ (every r_l = 1 under ntk).
        let data = e.dataset
        func gradient(_ flat: [Double]) -> [Double] {
            let m = Network<Double>(architecture: e.architecture, parameters: Reference.parameters(fromFlat: flat, e.architecture))
            return GradientDescent(model: m, inputs: data.trainInputs, targets: data.trainTargets, loss: .mean, learningRate: 1)
                .gradient().flattened
        }
        let hessian = finiteDifferenceHessian(e.initialParameters.flattened, gradient: gradient)
        let top = try SymmetricEigendecomposition(hessian).values.last!
        #expect(abs(values[0] - top) <= 1e-5 * top, "run \(values[0]), dsyevd \(top)")
    }

    @Test func withoutTheOptionTheColumnIsEmpty() throws {
        let e = try Self.experiment(every: nil)
        var records: [StepRecord] = []
        let summary = e.run { records.append($0) }
        #expect(records.allSatisfy { $0.sharpness == nil && StepColumn.table(layers: 3).cells($0).last == "" })
        #expect(summary.finalSharpness == nil && summary.maxSharpness == nil)
    }
}

/// The report's sharpness figure: the measured rows only, against 2/η of the run's config.json.
@Suite struct SharpnessReportTests {
    @Test func figureDrawsTheMeasuredRowsAndTheEdgeOfStability() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        let value = { (t: Int) in 1.5 + 0.01 * Double(t) }
        let lines = SyntheticRun.steps(40).split(separator: "\n").enumerated().map { i, line in
            line + (i == 0 ? ",sharpness" : ((i - 1) % 10 == 0 ? ",\(value(i - 1))" : ","))
        }
        try run.write("steps.csv", lines.joined(separator: "\n") + "\n")
        let plot = try #require(try ReportIssue25Tests.figures(run)["sharpness"]).plot
        let sharp = try #require(plot.series.first { $0.id == "sharpness" })
        #expect(sharp.points.map(\.x) == [0, 10, 20, 30, 40] && sharp.points.map(\.y) == [0, 10, 20, 30, 40].map(value))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.url.appendingPathComponent("config.json")))
        let eta = try #require((config as? [String: Any])?["lr"] as? Double)
        let line = try #require(plot.series.first { $0.id == "two_over_lr" })
        #expect(line.points.map(\.y) == [2 / eta, 2 / eta] && line.points.map(\.x) == [0, 40])
    }

    @Test func noFigureWithoutValues() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url)
        let lines = SyntheticRun.steps(40).split(separator: "\n").enumerated().map { i, line in line + (i == 0 ? ",sharpness" : ",") }
        try run.write("steps.csv", lines.joined(separator: "\n") + "\n")
        #expect(try ReportIssue25Tests.figures(run)["sharpness"] == nil)
    }
}

/// The tool with `--sharpness-every`: the files say what Docs/LogFormat.md promises, and the value at t = 0 is λ_max of
/// the preconditioned finite-difference Hessian built from the arrays the run wrote (mean-field: r_l = n, so the
/// preconditioning matters).
@Suite struct SharpnessToolTests {
    @Test(.tags(.endToEnd), .endToEndEnabled) func runWritesTheColumnKeysAndTheFiniteDifferenceValue() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["--width", "8", "--depth", "1", "--samples", "6", "--test-samples", "2", "--input-dim", "3",
                                     "--activation", "tanh", "--parameterization", "mean-field", "--steps", "12",
                                     "--sharpness-every", "5", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOf: dir.file("steps.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines[0].last == "sharpness")
        let filled = lines.dropFirst().filter { $0.last != "" }
        #expect(filled.map { Int($0[0])! } == [0, 5, 10, 12])
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("summary.json"))) as? [String: Any]
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("config.json"))) as? [String: Any]
        #expect(config?["sharpness_every"] as? Int == 5)
        #expect(summary?["final_sharpness"] as? Double == Double(filled.last!.last!))
        #expect(summary?["max_sharpness"] as? Double == filled.map { Double($0.last!)! }.max())
        // t = 0 from the written arrays alone.
        let a = NetworkArchitecture(inputDim: 3, width: 8, depth: 1, outputs: 1, activation: .tanh, parameterization: .meanField)
        var flat: [Double] = []
        for l in 0...1 {
            flat += try NPYArray(contentsOf: dir.file("arrays/params_init/W\(l).npy")).values
            flat += try NPYArray(contentsOf: dir.file("arrays/params_init/b\(l).npy")).values
        }
        let x = try NPYArray(contentsOf: dir.file("arrays/x_train.npy")), y = try NPYArray(contentsOf: dir.file("arrays/y_train.npy"))
        let inputs = Matrix(rows: 6, cols: 3, data: x.values), targets = Matrix(rows: 6, cols: 1, data: y.values)
        func gradient(_ theta: [Double]) -> [Double] {
            let m = Network<Double>(architecture: a, parameters: Reference.parameters(fromFlat: theta, a))
            return GradientDescent(model: m, inputs: inputs, targets: targets, loss: .mean, learningRate: 1).gradient().flattened
        }
        let hessian = finiteDifferenceHessian(flat, root: Reference.rates(a).map { $0.squareRoot() }, gradient: gradient)
        let top = try SymmetricEigendecomposition(hessian).values.last!
        let atZero = Double(filled[0].last!)!
        #expect(abs(atZero - top) <= 1e-5 * top, "run \(atZero), dsyevd \(top)")
        let refused = try ToolProcess.run(["--width", "8", "--sharpness-every", "0", "--out", dir.path + "-x"])
        #expect(refused.status == 64 && refused.stderr.contains("--sharpness-every 0"))
    }

    /// A width list: widths.csv copies each width's final_sharpness and max_sharpness from its summary.json.
    @Test(.tags(.endToEnd), .endToEndEnabled) func widthListCarriesTheSharpness() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["--width", "8,16", "--depth", "1", "--samples", "6", "--test-samples", "2", "--steps", "20",
                                     "--sharpness-every", "10", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let table = try CSVTable(contentsOf: dir.file("widths.csv"))
        for (i, w) in [8, 16].enumerated() {
            let summary = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("w\(w)/summary.json"))) as? [String: Any])
            for key in ["final_sharpness", "max_sharpness"] {
                let (csv, json) = (try #require(table.numbers(key)?[i]), try #require(summary[key] as? Double))
                #expect(abs(csv - json) <= 1e-14 * abs(json), "\(key) at width \(w)")
            }
        }
    }
}
