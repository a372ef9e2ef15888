import Foundation

/// Built-in synthetic regression problems. Output a of k has the phase-shifted target of output 0
/// (phase a·π/4), so k > 1 gives k related but distinct functions.
///
/// Training targets get i.i.d. N(0, noise²) added; test targets are noise-free, so the test loss
/// measures the error against the true function.
public enum SyntheticDataset: String, CaseIterable, Codable, Sendable {
    /// 1-D: x ~ U[−1, 1], y = sin(2πx + a·π/4). The test inputs are an even grid over [−1, 1], so the
    /// test outputs draw the learned function.
    case sine
    /// x ~ N(0, I_d), y = sin(Σ_j x_j/√d·√2 + a·π/4): a smooth teacher along the diagonal direction.
    case gaussian
    /// Points on the unit circle x = (cos θ, sin θ), θ ~ U[0, 2π): y = x₁x₂ = sin(2θ)/2 for output 0
    /// (Jacot et al. 2018), sin(2θ + a·π/4)/2 in general.
    case circle

    /// The input dimension this dataset forces, or nil when `--input-dim` chooses it.
    public var fixedInputDim: Int? {
        switch self {
        case .sine: return 1
        case .circle: return 2
        case .gaussian: return nil
        }
    }

    /// Draws a dataset. The same `seed` gives the same data whatever the network.
    public func generate(samples: Int, testSamples: Int, inputDim: Int, outputs: Int, noise: Double, seed: UInt64) -> Dataset {
        precondition(fixedInputDim == nil || fixedInputDim == inputDim, "\(rawValue) has input dimension \(fixedInputDim!)")
        // Separate streams: the test set does not change with --samples or --noise, nor the training
        // inputs with the noise level.
        var trainRNG = RandomSource(seed: seed, stream: .trainInputs)
        var testRNG = RandomSource(seed: seed, stream: .testInputs)
        var noiseRNG = RandomSource(seed: seed, stream: .trainNoise)
        let xTrain: Matrix
        var yTrain: Matrix
        (xTrain, yTrain) = draw(samples, inputDim: inputDim, outputs: outputs, rng: &trainRNG)
        let (xTest, yTest) = draw(testSamples, inputDim: inputDim, outputs: outputs, rng: &testRNG, grid: self == .sine)
        if noise > 0 {
            for i in yTrain.data.indices { yTrain.data[i] += noise * noiseRNG.normal() }
        }
        return Dataset(name: rawValue, trainInputs: xTrain, trainTargets: yTrain, testInputs: xTest, testTargets: yTest)
    }

    /// `grid`: for sine, x_i = −1 + 2i/(n − 1) instead of random draws.
    private func draw(_ n: Int, inputDim d: Int, outputs k: Int, rng: inout RandomSource,
                      grid: Bool = false) -> (Matrix, Matrix) {
        var x = Matrix(rows: n, cols: d)
        var y = Matrix(rows: n, cols: k)
        for i in 0..<n {
            let phase: Double
            switch self {
            case .sine:
                let u = grid ? (n > 1 ? -1 + 2 * Double(i) / Double(n - 1) : 0) : rng.uniform(-1, 1)
                x[i, 0] = u
                phase = 2 * Double.pi * u
            case .gaussian:
                var s = 0.0
                for j in 0..<d {
                    let v = rng.normal()
                    x[i, j] = v
                    s += v
                }
                phase = s / Double(d).squareRoot() * 2.0.squareRoot()
            case .circle:
                let theta = rng.uniform(0, 2 * Double.pi)
                x[i, 0] = Foundation.cos(theta)
                x[i, 1] = Foundation.sin(theta)
                phase = 2 * theta
            }
            let amplitude = self == .circle ? 0.5 : 1
            for a in 0..<k {
                y[i, a] = amplitude * Foundation.sin(phase + Double(a) * Double.pi / 4)
            }
        }
        return (x, y)
    }
}
