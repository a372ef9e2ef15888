import ArgumentParser
import Foundation
import NTKDynamics

/// `ntk-bench`: the machine's dgemm rate, then the hot paths of ntk-dynamics as a fraction of it.
@main
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntk-bench",
        abstract: "Measure dgemm GFLOP/s and the GD step, structured NTK, eigendecomposition and prediction against it.",
        discussion: "Each figure is the median of --repetitions runs after a warm-up. 'vs dgemm' is the time divided by the time the same flop count takes at the dgemm rate measured in this run (1.0 = at the BLAS limit).")

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

    @Option(help: "OpenBLAS threads (default 1, as the ntk-dynamics command).")
    var threads: Int = 1

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
        print("OpenBLAS core \(BLAS.coreName), \(BLAS.threadCount) threads; OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")")
        let dgemmRate = try measureDgemm()
        print(String(format: "dgemm rate used below: %.1f GFLOP/s\n", dgemmRate / 1e9))

        var rows: [[String]] = []
        let header = ["n", "width", "depth", "what", "ms", "GFLOP/s", "vs_dgemm"]
        print(header.map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined())
        func report(_ n: Int, _ w: Int, _ what: String, _ seconds: Double, _ flops: Double?) {
            let gflops = flops.map { $0 / seconds / 1e9 }
            let ratio = flops.map { seconds / ($0 / dgemmRate) }
            let cells = [String(n), String(w), String(depth), what, String(format: "%.3f", seconds * 1e3),
                         gflops.map { String(format: "%.1f", $0) } ?? "", ratio.map { String(format: "%.2f", $0) } ?? ""]
            rows.append(cells)
            print(cells.map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined())
        }

        for n in parse(samples)! {
            let data = DataSettings(dataset: .gaussian, samples: n, testSamples: n, inputDim: inputDim).generate(seed: 0)
            for w in parse(widths)! {
                let a = MLPArchitecture(inputDim: inputDim, width: w, depth: depth)
                var rng = RandomSource(seed: 0, stream: 2)
                let model = MLP(architecture: a, rng: &rng)
                var gd = GradientDescent(model: model, inputs: data.trainInputs, targets: data.trainTargets,
                                         loss: .mean, learningRate: 1e-6)
                report(n, w, "forward", medianSeconds(repetitions: repetitions) { _ = model(data.trainInputs) },
                       FlopCounts.forward(a, samples: n))
                report(n, w, "gd_step", medianSeconds(repetitions: repetitions) { _ = gd.step(measureKernel: false) },
                       FlopCounts.gradientDescentStep(a, samples: n))
                report(n, w, "ntk", medianSeconds(repetitions: repetitions) { _ = EmpiricalNTK.kernel(model, data.trainInputs) },
                       FlopCounts.kernel(a, samples: n))
                report(n, w, "gd_step+ntk", medianSeconds(repetitions: repetitions) { _ = gd.step(measureKernel: true) },
                       FlopCounts.gradientDescentStep(a, samples: n) + FlopCounts.kernel(a, samples: n) - FlopCounts.forward(a, samples: n) - FlopCounts.backward(a, rows: n))
                var k = EmpiricalNTK.kernel(model, data.trainInputs)
                BLAS.scale(&k.data, by: 1 / Double(n))
                report(n, w, "dsyevd", try medianSeconds(repetitions: repetitions) { _ = try SymmetricEigendecomposition(k) }, nil)
                let experiment = try NTKExperiment(architecture: a, dataset: data, settings: TrainingSettings(steps: 0))
                let p = experiment.predictor
                report(n, w, "prediction", medianSeconds(repetitions: repetitions) {
                    for form in PredictionForm.allCases {
                        _ = p.trainOutput(step: 100, form: form)
                        _ = p.testOutput(step: 100, form: form)
                    }
                }, nil)
                if fullRunSteps > 0 {
                    let settings = TrainingSettings(steps: fullRunSteps, kernelEvery: 10)
                    let seconds = try medianSeconds(repetitions: 1, warmup: 0) {
                        let e = try NTKExperiment(architecture: a, dataset: data, settings: settings)
                        _ = e.run { _ in }
                    }
                    report(n, w, "run_\(fullRunSteps)_steps", seconds, nil)
                }
            }
        }
        if let csv {
            let text = ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
            try text.write(toFile: csv, atomically: true, encoding: .utf8)
            print("\nwrote \(csv)")
        }
    }

    /// dgemm GFLOP/s on square and tall shapes like the network's; returns the best rate.
    func measureDgemm() throws -> Double {
        var best = 0.0
        for (m, k, n) in [(256, 1024, 1024), (1024, 1024, 1024), (2048, 2048, 2048)] {
            var rng = RandomSource(seed: 1)
            let a = Matrix(rows: m, cols: k, data: rng.normals(m * k))
            let b = Matrix(rows: k, cols: n, data: rng.normals(k * n))
            var c = Matrix(rows: m, cols: n)
            let t = medianSeconds(repetitions: repetitions) { BLAS.gemm(a, b, into: &c) }
            let rate = 2 * Double(m) * Double(k) * Double(n) / t
            print(String(format: "dgemm %4d×%4d×%4d  %8.3f ms  %6.1f GFLOP/s", m, k, n, t * 1e3, rate / 1e9))
            best = max(best, rate)
        }
        return best
    }
}
