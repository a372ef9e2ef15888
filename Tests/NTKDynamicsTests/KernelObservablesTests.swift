import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The observables of a measured K_t (issue 25, items 3, 10, 12, 13): spectral norms against closed forms and the
/// eigenvalues of AᵀA, alignment and CKA against the formulas written out with explicit loops, principal angles
/// against known rotations, and the steps.csv columns against the kernels and parameters the run leaves.
@Suite struct KernelObservablesTests {
    /// A random n × m matrix with entries in [−1, 1) from a small LCG (no library code).
    static func randomMatrix(_ n: Int, _ m: Int, seed: UInt64) -> Matrix {
        var x = seed &* 6364136223846793005 &+ 1442695040888963407
        return Matrix(rows: n, cols: m, data: (0..<(n * m)).map { _ in
            x = x &* 6364136223846793005 &+ 1442695040888963407
            return Double(x >> 11) / Double(1 << 53) * 2 - 1
        })
    }

    /// An orthogonal n × n matrix: Gram–Schmidt on random columns, written out here.
    static func orthogonal(_ n: Int, seed: UInt64) -> Matrix {
        let a = randomMatrix(n, n, seed: seed)
        var q = [[Double]]()
        for j in 0..<n {
            var v = (0..<n).map { a[$0, j] }
            for u in q {
                let d = zip(u, v).map(*).reduce(0, +)
                v = zip(v, u).map { $0 - d * $1 }
            }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            q.append(v.map { $0 / norm })
        }
        return Matrix(rows: n, cols: n, data: (0..<n).flatMap { i in (0..<n).map { j in q[j][i] } })
    }

    static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, cols: b.cols)
        for i in 0..<a.rows {
            for j in 0..<b.cols {
                var s = 0.0
                for k in 0..<a.cols { s += a[i, k] * b[k, j] }
                c.data[i * b.cols + j] = s
            }
        }
        return c
    }

    @Test func spectralNormMatchesClosedFormsAndTheGramEigenvalues() throws {
        // Q₁·diag(s)·Q₂ᵀ has singular values |s|, whatever the orthogonal Q₁, Q₂.
        let s = [3.0, -2.5, 0.7, 0.1, 0]
        var diag = Matrix(rows: 5, cols: 5)
        for i in 0..<5 { diag.data[i * 6] = s[i] }
        let a = Self.multiply(Self.multiply(Self.orthogonal(5, seed: 1), diag), Self.orthogonal(5, seed: 2).transposed)
        #expect(abs(try SpectralNorm.largestSingularValue(a) - 3) < 1e-10)
        let values = try SpectralNorm.singularValues(a)
        for (x, y) in zip(values, s.map(abs).sorted(by: >)) { #expect(abs(x - y) < 1e-10) }
        // A rank-one matrix uvᵀ has ‖uvᵀ‖₂ = ‖u‖‖v‖ (the Krylov space is invariant after one step).
        let u = [1.0, -2, 0.5], v = [0.3, 1, 2, -1]
        let outer = Matrix(rows: 3, cols: 4, data: u.flatMap { x in v.map { x * $0 } })
        let expected = vectorNorm(u) * vectorNorm(v)
        #expect(abs(try SpectralNorm.largestSingularValue(outer) - expected) < 1e-12 * expected)
        // Random rectangular matrices, either side: √λ_max(AᵀA) from dsyevd of a Gram matrix formed here.
        for (rows, cols) in [(60, 25), (25, 60), (120, 120)] {
            let m = Self.randomMatrix(rows, cols, seed: UInt64(rows * cols))
            let gram = Self.multiply(m.transposed, m)
            let top = try SymmetricEigendecomposition(gram).values.last!.squareRoot()
            #expect(abs(try SpectralNorm.largestSingularValue(m) - top) < 1e-8 * top, "\(rows)×\(cols)")
        }
        #expect(try SpectralNorm.largestSingularValue(Matrix(rows: 3, cols: 3)) == 0)
    }

    @Test func principalAnglesOfKnownRotations() throws {
        // U = [e₁, e₂]; V rotates e₁ by a towards e₃ and e₂ by b towards e₄: the angles are b and a.
        let (a, b) = (0.3, 1.1)
        var u = Matrix(rows: 5, cols: 2), v = Matrix(rows: 5, cols: 2)
        u[0, 0] = 1; u[1, 1] = 1
        v[0, 0] = cos(a); v[2, 0] = sin(a); v[1, 1] = cos(b); v[3, 1] = sin(b)
        let angles = try KernelObservables.principalAngles(u, v)
        #expect(abs(angles[0] - a) < 1e-12 && abs(angles[1] - b) < 1e-12)
        // The same span in another basis: angles 0.
        var w = Matrix(rows: 5, cols: 2)
        w[0, 0] = 0.6; w[1, 0] = 0.8; w[0, 1] = -0.8; w[1, 1] = 0.6
        #expect(try KernelObservables.principalAngles(u, w).allSatisfy { abs($0) < 1e-7 })
    }

    /// K = Q·diag(λ)·Qᵀ; K_t rotates its top eigenvector by φ in the plane of the third: the top-2 angles are {0, φ}.
    @Test func kernelObservablesAgainstDirectFormulas() throws {
        let n = 6, nu = 3.0, phi = 0.4
        let q = Self.orthogonal(n, seed: 7)
        let lambdas = [0.1, 0.5, 1.0, 2.0, 4.0, 9.0]
        func kernel(_ vectors: Matrix) -> Matrix {
            var k = Matrix(rows: n, cols: n)
            for i in 0..<n { for j in 0..<n { k[i, j] = (0..<n).map { lambdas[$0] * vectors[i, $0] * vectors[j, $0] }.reduce(0, +) } }
            return k
        }
        let k0 = kernel(q)
        var rotated = q
        for i in 0..<n {  // columns 5 (top) and 3 (third) turned by φ
            let (x, y) = (q[i, 5], q[i, 3])
            rotated[i, 5] = cos(phi) * x + sin(phi) * y
            rotated[i, 3] = -sin(phi) * x + cos(phi) * y
        }
        let kt = kernel(rotated)
        let y = [0.5, -1, 2, 0.3, -0.7, 1.2]
        let ref = KernelObservables.Reference(initialKernel: k0, initialEigen: try SymmetricEigendecomposition(k0.scaled(1 / nu)),
                                              modes: 2, targets: y, layout: .full, outputs: 1, normalizer: nu)
        let o = try KernelObservables(kt, ref)
        #expect(abs(o.lambdaMax - 9 / nu) < 1e-12 && abs(o.lambdaMin - 0.1 / nu) < 1e-12)
        #expect(abs(o.principalAngles[0]) < 1e-7 && abs(o.principalAngles[1] - phi) < 1e-10)
        // A(K, yyᵀ) = Σ K_ij y_i y_j / (‖K‖_F·Σ y_i²).
        var kyy = 0.0, kk = 0.0
        for i in 0..<n { for j in 0..<n { kyy += kt[i, j] * y[i] * y[j]; kk += kt[i, j] * kt[i, j] } }
        #expect(abs(o.targetAlignment - kyy / (kk.squareRoot() * y.map { $0 * $0 }.reduce(0, +))) < 1e-12)
        // CKA with H = I − 11ᵀ/n formed explicitly and the products written out.
        var h = Matrix.identity(n)
        for i in 0..<n { for j in 0..<n { h[i, j] -= 1 / Double(n) } }
        let c0 = Self.multiply(Self.multiply(h, k0), h), ct = Self.multiply(Self.multiply(h, kt), h)
        let inner = zip(c0.data, ct.data).map(*).reduce(0, +)
        let cka = inner / (c0.data.map { $0 * $0 }.reduce(0, +).squareRoot() * ct.data.map { $0 * $0 }.reduce(0, +).squareRoot())
        #expect(abs(o.centredAlignment - cka) < 1e-12)
        // K₀ against itself: CKA 1, angles 0; a scaled K₀ keeps both.
        let same = try KernelObservables(k0.scaled(5), ref)
        #expect(abs(same.centredAlignment - 1) < 1e-12 && same.principalAngles.allSatisfy { $0 < 1e-7 })
        #expect(abs(same.lambdaMax - 5 * 9 / nu) < 1e-11)
    }

    /// In a run: the columns are filled at t = 0 and the kernel steps only, and at T they are those of
    /// arrays-free recomputation from the run's own K_T (``NTKExperiment/latestKernel``) and parameters.
    @Test func runFillsTheColumnsAtKernelSteps() throws {
        let data = SyntheticDataset.gaussian.generate(samples: 10, testSamples: 4, inputDim: 2, outputs: 1, noise: 0, seed: 3)
        let a = NetworkArchitecture(inputDim: 2, width: 24, depth: 2, outputs: 1, activation: .tanh)
        var settings = TrainingSettings(steps: 12, learningRateFactor: 1.2, kernelEvery: 5, modes: 3)
        settings.seed = 2
        let e = try NTKExperiment(architecture: a, dataset: data, settings: settings)
        var records: [StepRecord] = []
        let summary = e.run { records.append($0) }
        let table = StepColumn.table(layers: 3)
        for r in records {
            let kernelStep = r.step == 0 || r.step % 5 == 0 || r.step == 12
            #expect((r.kernelObservables != nil) == kernelStep && (r.layerSpectralChanges != nil) == kernelStep, "step \(r.step)")
            // The steps.csv row: the kernel and spectral cells are filled at the kernel steps only.
            let cells = Dictionary(uniqueKeysWithValues: zip(table.names, table.cells(r)))
            for name in ["kernel_lambda_max", "kernel_cka", "eigenvector_angle_max", "weight_change_spectral_layer_3"] {
                #expect(cells[name].map { !$0.isEmpty } == kernelStep, "\(name) at step \(r.step)")
            }
            #expect(cells["weight_change_layer_3"].flatMap { Double($0) } == r.layerWeightChanges.last)
            #expect(r.modes.allSatisfy { ($0.principalAngle != nil) == kernelStep })
        }
        let first = try #require(records.first?.kernelObservables)
        #expect(abs(first.lambdaMax - e.predictor.maxEigenvalue) < 1e-12 * first.lambdaMax)
        #expect(abs(first.centredAlignment - 1) < 1e-12 && first.principalAngles.allSatisfy { $0 < 1e-7 })
        let last = try #require(records.last)
        let kt = e.latestKernel.scaled(1 / e.normalizer)
        let eigen = try SymmetricEigendecomposition(kt)
        let o = try #require(last.kernelObservables)
        #expect(abs(o.lambdaMax - eigen.values.last!) < 1e-12 * o.lambdaMax)
        #expect(abs(try #require(summary.finalLearningRateKernelLambdaMax) - e.learningRate * eigen.values.last!) < 1e-12)
        // The spectral change of each layer from the final parameters: √λ_max(ΔWᵀΔW)/√λ_max(W₀ᵀW₀).
        let model = Network<Double>(architecture: a, parameters: e.initialParameters)
        var gd = GradientDescent(model: model, inputs: data.trainInputs, targets: data.trainTargets, loss: settings.loss,
                                 learningRate: e.learningRate)
        for _ in 0..<12 { _ = gd.step(measureKernel: false, update: true, batch: nil) }
        for l in 0..<3 {
            let w0 = e.initialParameters.weights[l], wt = gd.model.parameters.weights[l]
            let delta = Matrix(rows: w0.rows, cols: w0.cols, data: zip(wt.data, w0.data).map { $0 - $1 })
            let top = { (m: Matrix) in try SymmetricEigendecomposition(Self.multiply(m.transposed, m)).values.last!.squareRoot() }
            let expected = try top(delta) / top(w0)
            #expect(abs(last.layerSpectralChanges![l] - expected) < 1e-8 * expected, "layer \(l + 1)")
        }
    }

    /// `--keep-kernel-every`: the kept kernels are the run's K₀ and K_T and the measured ones in between, and the
    /// memory estimate grows by their (N·k)² values each.
    @Test(.tags(.endToEnd), .endToEndEnabled) func keptKernelsAreWrittenAndCounted() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["--width", "8", "--depth", "1", "--samples", "6", "--test-samples", "2", "--steps", "25",
                                     "--kernel-every", "5", "--keep-kernel-every", "10", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try NPYArray(contentsOf: dir.file("arrays/ntk_history_steps.npy")).values == [0, 10, 20, 25])
        let history = try NPYArray(contentsOf: dir.file("arrays/ntk_history.npy"))
        #expect(history.shape == [4, 6, 6])
        #expect(Array(history.values.prefix(36)) == (try NPYArray(contentsOf: dir.file("arrays/ntk_init.npy"))).values)
        #expect(Array(history.values.suffix(36)) == (try NPYArray(contentsOf: dir.file("arrays/ntk_final.npy"))).values)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("config.json"))) as? [String: Any]
        #expect(config?["kernel_history_every"] as? Int == 10)
        let refused = try ToolProcess.run(["--width", "8", "--kernel-every", "10", "--keep-kernel-every", "15", "--out", dir.path + "-x"])
        #expect(refused.status == 64 && refused.stderr.contains("--keep-kernel-every 15"))
        var settings = TrainingSettings(steps: 25)
        settings.kernelHistoryEvery = 10
        #expect(settings.keptKernelCount == 4)
        let a = NetworkArchitecture(inputDim: 3, width: 64, depth: 1, outputs: 2, activation: .relu)
        let base = MemoryEstimate(architecture: a, samples: 50, testSamples: 10, kernel: .empirical).bytes
        let kept = MemoryEstimate(architecture: a, samples: 50, testSamples: 10, kernel: .empirical, keptKernels: 4).bytes
        #expect(kept - base == 4 * 100 * 100 * 8)
    }

    /// A width list: widths.csv carries each width's kernel figures and phase from its summary.json, and the final
    /// λ_max(K̃_T) is that of `arrays/ntk_final.npy`/ν by a power iteration written out here.
    @Test(.tags(.endToEnd), .endToEndEnabled) func widthListCarriesTheKernelFigures() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["--width", "16,48", "--depth", "1", "--samples", "8", "--test-samples", "2", "--steps", "30",
                                     "--lr-factor", "1.5", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        let table = try CSVTable(contentsOf: dir.file("widths.csv"))
        let phaseColumn = try #require(table.columns.firstIndex(of: "phase"))
        for (i, w) in [16, 48].enumerated() {
            let summary = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("w\(w)/summary.json"))) as? [String: Any])
            for key in ["final_kernel_lambda_max", "final_lr_kernel_lambda_max", "final_kernel_target_alignment", "final_kernel_cka"] {
                // JSONSerialization rounds the last digit of some doubles: compare to round-off.
                let (csv, json) = (try #require(table.numbers(key)?[i]), try #require(summary[key] as? Double))
                #expect(abs(csv - json) <= 1e-14 * abs(json), "\(key) at width \(w)")
            }
            #expect(table.rows[i][phaseColumn] == summary["phase"] as? String)
            let k = try NPYArray(contentsOf: dir.file("w\(w)/arrays/ntk_final.npy"))
            let n = k.shape[0], nu = Double(n)   // --loss mean, one output: ν = N
            var v = [Double](repeating: 1, count: n), lambda = 0.0
            for _ in 0..<2000 {
                let kv = (0..<n).map { a in (0..<n).map { b in k.values[a * n + b] * v[b] / nu }.reduce(0, +) }
                lambda = kv.map { $0 * $0 }.reduce(0, +).squareRoot()
                v = kv.map { $0 / lambda }
            }
            let reported = try #require(summary["final_kernel_lambda_max"] as? Double)
            #expect(abs(reported - lambda) < 1e-6 * lambda, "width \(w): \(reported) against \(lambda)")
        }
    }
}

extension Matrix {
    /// The matrix times s, entry by entry.
    func scaled(_ s: Double) -> Matrix { Matrix(rows: rows, cols: cols, data: data.map { $0 * s }) }
}
