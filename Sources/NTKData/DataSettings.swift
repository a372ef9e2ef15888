/// Which built-in dataset a run draws, and how much of it.
public struct DataSettings: Codable, Equatable, Sendable {
    public var dataset: SyntheticDataset
    public var samples: Int
    public var testSamples: Int
    public var inputDim: Int
    public var outputs: Int
    /// Standard deviation of the Gaussian noise on the training targets.
    public var noise: Double

    public init(dataset: SyntheticDataset = .gaussian, samples: Int = 256, testSamples: Int = 256,
                inputDim: Int = 8, outputs: Int = 1, noise: Double = 0) {
        self.dataset = dataset
        self.samples = samples
        self.testSamples = testSamples
        self.inputDim = inputDim
        self.outputs = outputs
        self.noise = noise
    }

    enum CodingKeys: String, CodingKey {
        case dataset, samples, testSamples = "test_samples", inputDim = "input_dim", outputs, noise
    }

    /// Draws the data for `seed` (independent of the network, so every width sees the same data).
    public func generate(seed: UInt64) -> Dataset {
        dataset.generate(samples: samples, testSamples: testSamples, inputDim: inputDim, outputs: outputs,
                         noise: noise, seed: seed)
    }
}
