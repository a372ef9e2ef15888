import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// The built-in datasets have the documented shapes, targets and seeding.
struct SyntheticDatasetTests {
    @Test func circleTargetIsProductOfCoordinatesOnTheUnitCircle() {
        let d = SyntheticDataset.circle.generate(samples: 50, testSamples: 20, inputDim: 2, outputs: 2, noise: 0, seed: 3)
        for i in 0..<50 {
            let (x1, x2) = (d.trainInputs[i, 0], d.trainInputs[i, 1])
            #expect(abs(x1 * x1 + x2 * x2 - 1) < 1e-12)
            #expect(abs(d.trainTargets[i, 0] - x1 * x2) < 1e-12)
            // Output 1 is output 0's target with phase π/4: sin(2θ + π/4)/2.
            let theta = atan2(x2, x1)
            #expect(abs(d.trainTargets[i, 1] - 0.5 * sin(2 * theta + .pi / 4)) < 1e-12)
        }
    }

    @Test func sineIsOneDimensionalOnTheInterval() {
        let d = SyntheticDataset.sine.generate(samples: 100, testSamples: 10, inputDim: 1, outputs: 1, noise: 0, seed: 1)
        #expect(d.inputDim == 1)
        for i in 0..<100 {
            let x = d.trainInputs[i, 0]
            #expect(x >= -1 && x < 1)
            #expect(abs(d.trainTargets[i, 0] - sin(2 * .pi * x)) < 1e-12)
        }
    }

    @Test func sineTestInputsAreAnEvenGrid() {
        let d = SyntheticDataset.sine.generate(samples: 5, testSamples: 41, inputDim: 1, outputs: 1, noise: 0.1, seed: 2)
        for i in 0..<41 {
            #expect(abs(d.testInputs[i, 0] - (-1 + Double(i) / 20)) < 1e-15)
            #expect(abs(d.testTargets[i, 0] - sin(2 * .pi * d.testInputs[i, 0])) < 1e-12)
        }
    }

    @Test func gaussianInputsAreStandardNormal() {
        let d = SyntheticDataset.gaussian.generate(samples: 4000, testSamples: 0, inputDim: 5, outputs: 1, noise: 0, seed: 9)
        let v = d.trainInputs.data
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        // 20 000 draws: standard errors 0.007 (mean) and 0.01 (variance).
        #expect(abs(mean) < 0.035)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func noiseHasTheRequestedSizeAndOnlyTouchesTrainingTargets() {
        let clean = SyntheticDataset.gaussian.generate(samples: 3000, testSamples: 30, inputDim: 3, outputs: 1, noise: 0, seed: 4)
        let noisy = SyntheticDataset.gaussian.generate(samples: 3000, testSamples: 30, inputDim: 3, outputs: 1, noise: 0.3, seed: 4)
        #expect(noisy.trainInputs == clean.trainInputs)
        #expect(noisy.testTargets == clean.testTargets)
        let residual = zip(noisy.trainTargets.data, clean.trainTargets.data).map { $0 - $1 }
        let std = (residual.map { $0 * $0 }.reduce(0, +) / Double(residual.count)).squareRoot()
        #expect(abs(std - 0.3) < 0.02)
    }

    @Test(arguments: SyntheticDataset.allCases)
    func testSetDoesNotDependOnTheTrainingSetSize(_ dataset: SyntheticDataset) {
        let dim = dataset.fixedInputDim ?? 4
        let a = dataset.generate(samples: 10, testSamples: 7, inputDim: dim, outputs: 1, noise: 0, seed: 5)
        let b = dataset.generate(samples: 40, testSamples: 7, inputDim: dim, outputs: 1, noise: 0.1, seed: 5)
        #expect(a.testInputs == b.testInputs)
        #expect(a.testTargets == b.testTargets)
        #expect(b.trainInputs.rows(0..<10) == a.trainInputs)
        let c = dataset.generate(samples: 10, testSamples: 7, inputDim: dim, outputs: 1, noise: 0, seed: 6)
        #expect(c.trainInputs != a.trainInputs)
    }
}
