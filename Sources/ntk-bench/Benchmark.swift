import ArgumentParser
import Foundation
import NTKDynamics

/// `ntk-bench`: the machine's dgemm rate, then the hot paths of ntk-dynamics as a fraction of it.
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntk-bench",
        abstract: "Measure dgemm GFLOP/s and the GD step, structured NTK, eigendecomposition and prediction against it.",
        discussion: """
            Each figure is the median of --repetitions runs after a warm-up. 'vs dgemm' is the time divided by the time the same \
            flop count takes at the dgemm rate measured in this run (1.0 = at the BLAS limit); 'vs sgemm' the same against the \
            sgemm rate, for the float32 rows (--precision float32).
            """)

    @Option(help: "Sample counts N (comma list).")
    var samples: String = "256"

    @Option(help: "Widths (comma list).")
    var widths: String = "256,1024"

    @Option(help: "Hidden layers.")
    var depth: Int = 2

    @Option(help: "Input dimension.")
    var inputDim: Int = 8

    @Option(help: "Repetitions per measurement (the median is reported).")
    var repetitions: Int = 5

    @Option(help: "Also time a whole run of this many steps (kernel every 10) at each point; 0 skips it.")
    var fullRunSteps: Int = 0

    @Option(help: "Write the table as CSV to this file.")
    var csv: String?

    @Option(help: "OpenBLAS threads (default: every core, as the ntk-dynamics command).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(inversion: .prefixedNo, help: """
        Measure the eigendecomposition of K̃₀, the prediction from it and --full-run-steps, which all need dsyevd (of a 4096 \
        × 4096 matrix: about 10 s per repetition).
        """)
    var eigen = true

    @Flag(inversion: .prefixedNo, help: """
        Also measure the network in float32 (--precision float32): sgemm rate, forward, GD step, NTK, and the two ways of \
        forming the Gram products.
        """)
    var float32 = true

    @Flag(help: """
        Measure the CNN instead (issue 24): the two forms of a convolution's kernel term, then the pipeline of --cnn-steps GD \
        steps on digits (N = --samples, 3 convolutions of --cnn-channels, GAP, K every 10 steps).
        """)
    var cnn = false

    @Option(help: "Channels of the CNN measurements.")
    var cnnChannels: Int = 64

    @Option(help: "GD steps of the CNN pipeline (K_t every 10).")
    var cnnSteps: Int = 300

    @Flag(inversion: .prefixedNo, help: "With --cnn, also time the two forms of a convolution's kernel term (about 10 s).")
    var cnnKernelChoice = true

    func validate() throws {
        guard parse(samples) != nil else { throw ValidationError("--samples \(samples) is not a comma list of positive integers.") }
        guard parse(widths) != nil else { throw ValidationError("--widths \(widths) is not a comma list of positive integers.") }
        guard depth >= 1 else { throw ValidationError("--depth \(depth) must be at least 1.") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions \(repetitions) must be at least 1.") }
    }

    func parse(_ list: String) -> [Int]? {
        let v = list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return v.isEmpty || v.contains { $0 <= 0 } ? nil : v
    }

    func run() throws {
        BLAS.threadCount = threads
        printCore()
        let dgemmRate = measureGemm(Double.self, name: "dgemm")
        let sgemmRate = float32 && !cnn ? measureGemm(Float.self, name: "sgemm") : nil
        print(String(format: "dgemm rate used below: %.1f GFLOP/s", dgemmRate / 1e9)
              + (sgemmRate.map { String(format: ", sgemm rate %.1f GFLOP/s (%.2f× dgemm)", $0 / 1e9, $0 / dgemmRate) } ?? "") + "\n")
        if cnn {
            var table = Table(depth: 3, dgemmRate: dgemmRate, sgemmRate: nil)
            for n in parse(samples)! {
                if cnnKernelChoice { measureConvolutionKernelChoice(samples: n, channels: cnnChannels, dgemmRate: dgemmRate) }
                print(Table.line(Table.header))
                try measureConvolutionalPipeline(samples: n, channels: cnnChannels, depth: 3, steps: cnnSteps, &table)
            }
            return
        }

        var table = Table(depth: depth, dgemmRate: dgemmRate, sgemmRate: sgemmRate)
        print(Table.line(Table.header))
        for n in parse(samples)! {
            let data = DataSettings(dataset: .gaussian, samples: n, testSamples: n, inputDim: inputDim).generate(seed: 0)
            for w in parse(widths)! {
                let a = NetworkArchitecture(inputDim: inputDim, width: w, depth: depth)
                var rng = RandomSource(seed: 0, stream: .parameters)
                let model = Network<Double>(architecture: a, rng: &rng)
                measureNetwork(model, data, &table)
                measureOptimizers(model, data, &table)
                if float32 { measureFloat32(Network<Float>(converting: model), data, &table) }
                if eigen { try measureEigen(model, data, &table) }
            }
        }
        if let csv {
            let text = ([Table.header] + table.rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
            try text.write(toFile: csv, atomically: true, encoding: .utf8)
            print("\nwrote \(csv)")
        }
    }

    /// The rows measured so far, each printed as it is added; the ratios are against the rates of this run.
    struct Table {
        static let header = ["n", "width", "depth", "what", "ms", "GFLOP/s", "vs_dgemm", "vs_sgemm"]
        let depth: Int
        let dgemmRate: Double
        let sgemmRate: Double?
        var rows: [[String]] = []

        static func line(_ cells: [String]) -> String {
            cells.map { $0.padding(toLength: 16, withPad: " ", startingAt: 0) }.joined()
        }

        /// Adds and prints the row of `what` at (n, width): `seconds`, and when `flops` is known the rate and
        /// the time against the dgemm (and, for `single`, the sgemm) rate.
        mutating func report(_ n: Int, _ w: Int, _ what: String, _ seconds: Double, _ flops: Double?, single: Bool = false) {
            let gflops = flops.map { $0 / seconds / 1e9 }
            let ratio = flops.map { seconds / ($0 / dgemmRate) }
            let sRatio = single ? flops.flatMap { f in sgemmRate.map { seconds / (f / $0) } } : nil
            let cells = [String(n), String(w), String(depth), what, String(format: "%.3f", seconds * 1e3),
                         gflops.map { String(format: "%.1f", $0) } ?? "", ratio.map { String(format: "%.2f", $0) } ?? "",
                         sRatio.map { String(format: "%.2f", $0) } ?? ""]
            rows.append(cells)
            print(Self.line(cells))
        }
    }

    /// The OpenBLAS kernel family in use, why, and the threads.
    func printCore() {
        let core = BLASCoreStartup.status
        print("OpenBLAS core \(core.core) (reason \(core.reason.rawValue); the library's own choice \(core.libraryCore ?? "not made: OPENBLAS_CORETYPE is set")"
              + (core.rejectedCore.map { "; \($0) failed the self-check: \(core.failure ?? "")" } ?? "")
              + "), \(BLAS.threadCount) threads; OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")")
    }

    /// Forward pass, GD step, NTK and GD step with the NTK of the float64 network.
    func measureNetwork(_ model: Network<Double>, _ data: Dataset, _ table: inout Table) {
        let a = model.architecture, n = data.trainInputs.rows, w = a.width
        var gd = GradientDescent(model: model, inputs: data.trainInputs, targets: data.trainTargets,
                                 loss: .mean, learningRate: 1e-6)
        table.report(n, w, "forward", medianSeconds(repetitions: repetitions) { _ = model(data.trainInputs) },
                     FlopCounts.forward(a, samples: n))
        table.report(n, w, "gd_step", medianSeconds(repetitions: repetitions) { _ = gd.step(measureKernel: false) },
                     FlopCounts.gradientDescentStep(a, samples: n))
        table.report(n, w, "ntk", medianSeconds(repetitions: repetitions) { _ = EmpiricalNTK.kernel(model, data.trainInputs) },
                     FlopCounts.kernel(a, samples: n))
        table.report(n, w, "gd_step+ntk", medianSeconds(repetitions: repetitions) { _ = gd.step(measureKernel: true) },
                     FlopCounts.gradientDescentStep(a, samples: n) + FlopCounts.kernel(a, samples: n)
                         - FlopCounts.forward(a, samples: n) - FlopCounts.backward(a, rows: n))
    }

    /// An SGD step with B = 32 (forward on all N points, backward and gradient on the batch), and a step of the
    /// function-space linearized counterpart (two gemv with K₀ and K₀(X*, X), N* = N): what issue 17 adds to a step.
    func measureOptimizers(_ model: Network<Double>, _ data: Dataset, _ table: inout Table) {
        let a = model.architecture, n = data.trainInputs.rows, w = a.width, b = min(32, n)
        var sgd = GradientDescent(model: model, inputs: data.trainInputs, targets: data.trainTargets,
                                  loss: .mean, learningRate: 1e-6)
        var schedule = BatchSchedule(samples: n, batchSize: b, seed: 0)
        table.report(n, w, "sgd_step_b\(b)", medianSeconds(repetitions: repetitions) { _ = sgd.step(measureKernel: false, batch: schedule.next()) },
                     FlopCounts.forward(a, samples: n) + FlopCounts.forward(a, samples: b) + FlopCounts.backward(a, rows: b))
        let kernel = EmpiricalNTK.kernel(model, data.trainInputs)
        let cross = EmpiricalNTK.kernel(model, data.testInputs, data.trainInputs)
        let f0 = model(data.trainInputs).data, f0Test = model(data.testInputs).data
        var twin = FunctionSpaceTwin(kernel: kernel, crossKernel: cross, initialOutput: f0, initialTestOutput: f0Test,
                                     targets: data.trainTargets.data, outputs: a.outputs, lossFunction: .mse,
                                     normalization: .mean, learningRate: 1e-6, momentum: nil)
        let r = Double(n * a.outputs), rTest = Double(data.testInputs.rows * a.outputs)
        table.report(n, w, "twin_step_b\(b)", medianSeconds(repetitions: repetitions) { twin.step(batch: schedule.next()) },
                     2 * r * r + 2 * rTest * r)
    }

    /// The same for the float32 network (--precision float32), and the two ways of forming its Gram products.
    func measureFloat32(_ model32: Network<Float>, _ data: Dataset, _ table: inout Table) {
        let a = model32.architecture, n = data.trainInputs.rows, w = a.width
        var gd32 = GradientDescent(model: model32, inputs: data.trainInputs, targets: data.trainTargets,
                                   loss: .mean, learningRate: 1e-6)
        table.report(n, w, "forward_f32", medianSeconds(repetitions: repetitions) { _ = model32(data.trainInputs) },
                     FlopCounts.forward(a, samples: n), single: true)
        table.report(n, w, "gd_step_f32", medianSeconds(repetitions: repetitions) { _ = gd32.step(measureKernel: false) },
                     FlopCounts.gradientDescentStep(a, samples: n), single: true)
        table.report(n, w, "ntk_f32", medianSeconds(repetitions: repetitions) { _ = EmpiricalNTK.kernel(model32, data.trainInputs) },
                     FlopCounts.kernel(a, samples: n), single: true)
        table.report(n, w, "gd_step+ntk_f32", medianSeconds(repetitions: repetitions) { _ = gd32.step(measureKernel: true) },
                     FlopCounts.gradientDescentStep(a, samples: n) + FlopCounts.kernel(a, samples: n)
                         - FlopCounts.forward(a, samples: n) - FlopCounts.backward(a, rows: n),
                     single: true)
        // The Gram products of the float32 kernel: ssyrk then widen the n×n result (EmpiricalNTK does this per
        // 256-row panel, widening as it accumulates), against widening the n×width factors and dsyrk.
        // One hidden layer's D_l and A_l.
        let pass = model32.forward(data.trainInputs)
        let d = EmpiricalNTK.outputDerivatives(model32, pass)[1], act = pass.inputs[1]
        let gramFlops = 2 * Double(n) * Double(n) * Double(w)
        table.report(n, w, "grams_ssyrk", medianSeconds(repetitions: repetitions) {
            _ = Float.float64(BLAS.gram(d))
            _ = Float.float64(BLAS.gram(act))
        }, gramFlops, single: true)
        table.report(n, w, "grams_dsyrk", medianSeconds(repetitions: repetitions) {
            _ = BLAS.gram(Float.float64(d))
            _ = BLAS.gram(Float.float64(act))
        }, gramFlops, single: true)
    }

    /// dsyevd of K̃₀, the prediction from it, and whole runs of --full-run-steps steps.
    func measureEigen(_ model: Network<Double>, _ data: Dataset, _ table: inout Table) throws {
        let a = model.architecture, n = data.trainInputs.rows, w = a.width
        var k = EmpiricalNTK.kernel(model, data.trainInputs)
        BLAS.scale(&k.data, by: 1 / Double(n))
        table.report(n, w, "dsyevd", try medianSeconds(repetitions: repetitions) { _ = try SymmetricEigendecomposition(k) }, nil)
        let experiment = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 0))
        let p = experiment.predictor
        table.report(n, w, "prediction", medianSeconds(repetitions: repetitions) {
            for form in PredictionForm.allCases {
                _ = p.trainOutput(step: 100, form: form)
                _ = p.testOutput(step: 100, form: form)
            }
        }, nil)
        guard fullRunSteps > 0 else { return }
        for precision in float32 ? [Precision.float64, .float32] : [.float64] {
            var settings = TrainingSettings(steps: fullRunSteps, kernelEvery: 10)
            settings.precision = precision
            let seconds = try medianSeconds(repetitions: 1, warmup: 0) {
                let e = try NTKExperiment(architecture: a, dataset: data, settings: settings)
                _ = e.run { _ in }
            }
            table.report(n, w, "run_\(fullRunSteps)_steps" + (precision == .float32 ? "_f32" : ""), seconds, nil)
        }
    }

    /// dgemm (or sgemm) GFLOP/s on square and tall shapes like the network's; returns the best rate.
    func measureGemm<T: BLASScalar>(_: T.Type, name: String) -> Double {
        var best = 0.0
        for (m, k, n) in [(256, 1024, 1024), (1024, 1024, 1024), (2048, 2048, 2048)] {
            var rng = RandomSource(seed: 1)
            let a = T.converting(Matrix(rows: m, cols: k, data: rng.normals(m * k)))
            let b = T.converting(Matrix(rows: k, cols: n, data: rng.normals(k * n)))
            var c = DenseMatrix<T>(rows: m, cols: n)
            let t = medianSeconds(repetitions: repetitions) { BLAS.gemm(a, b, into: &c) }
            let rate = 2 * Double(m) * Double(k) * Double(n) / t
            print(String(format: "\(name) %4d×%4d×%4d  %8.3f ms  %6.1f GFLOP/s", m, k, n, t * 1e3, rate / 1e9))
            best = max(best, rate)
        }
        return best
    }
}
