import ArgumentParser
import NTKDynamics

/// The built-in dataset and its size.
public struct DataOptions: ParsableArguments {
    @Option(help: "Dataset: sine (1-D, y = sin 2πx), gaussian (x ~ N(0, I_d), smooth teacher), circle (unit circle, y = x₁x₂).")
    public var dataset: SyntheticDataset = .gaussian

    @Option(parsing: .unconditional, help: "Number of training points N.")
    public var samples: Int = 256

    @Option(name: .customLong("test-samples"), parsing: .unconditional, help: "Number of test points (targets without noise).")
    public var testSamples: Int = 256

    @Option(name: .customLong("input-dim"), parsing: .unconditional, help: "Input dimension d for gaussian (default 8); sine has 1 and circle 2.")
    public var inputDim: Int?

    @Option(parsing: .unconditional, help: "Number of outputs k (the kernel is (N·k)×(N·k)).")
    public var outputs: Int = 1

    @Option(parsing: .unconditional, help: "Standard deviation of Gaussian noise added to the training targets.")
    public var noise: Double = 0

    public init() {}

    static let maxSamples = 100_000
    /// (N·k) above this would need several (N·k)² kernels beyond a workstation's memory.
    static let maxKernelRows = 16_384
    static let maxInputDim = 1 << 20

    public func validate() throws {
        guard samples >= 1 && samples <= Self.maxSamples else {
            throw ValidationError("--samples \(samples) is out of range; use 1 to \(Self.maxSamples) training points.")
        }
        guard testSamples >= 0 && testSamples <= Self.maxSamples else {
            throw ValidationError("--test-samples \(testSamples) is out of range; use 0 to \(Self.maxSamples).")
        }
        guard outputs >= 1 && outputs <= 1000 else {
            throw ValidationError("--outputs \(outputs) is out of range; use 1 to 1000 outputs.")
        }
        guard samples * outputs <= Self.maxKernelRows else {
            throw ValidationError("--samples \(samples) × --outputs \(outputs) = \(samples * outputs) kernel rows exceeds \(Self.maxKernelRows); the (N·k)² kernel would not fit in memory. Use fewer samples or outputs.")
        }
        if let d = inputDim {
            guard d >= 1 && d <= Self.maxInputDim else {
                throw ValidationError("--input-dim \(d) is out of range; use 1 to \(Self.maxInputDim).")
            }
            if let fixed = dataset.fixedInputDim, fixed != d {
                throw ValidationError("--input-dim \(d) does not fit --dataset \(dataset.rawValue), whose inputs have dimension \(fixed); drop --input-dim.")
            }
        }
        guard noise.isFinite && noise >= 0 else {
            throw ValidationError("--noise \(noise) is invalid; use a finite standard deviation ≥ 0.")
        }
    }

    public var settings: DataSettings {
        DataSettings(dataset: dataset, samples: samples, testSamples: testSamples,
                     inputDim: inputDim ?? dataset.fixedInputDim ?? 8, outputs: outputs, noise: noise)
    }
}
