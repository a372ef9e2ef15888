/// One run: a real network trained by full-batch GD beside the NTK prediction from its own
/// initialization, with kernel drift and weight change (DESIGN.md §1–2).
///
/// Construction draws the network, measures K_0 on the training inputs and K_0(X*, X), eigendecomposes
/// K̃_0 and fixes η. ``run(shouldContinue:onRecord:)`` then trains and reports every logged step.
/// The library never prints: records go to the caller.
public final class NTKExperiment {
    public let architecture: MLPArchitecture
    public let dataset: Dataset
    public let settings: TrainingSettings
    /// θ_0 as drawn, in float64 (a `float32` run trains their rounding).
    public let initialParameters: MLPParameters
    /// K_0 on the training inputs, (N·k) × (N·k), sample-major.
    public let initialKernel: Matrix
    /// f_0 on the training inputs, N × k.
    public let initialTrainOutput: Matrix
    /// f_0 on the test inputs, N* × k.
    public let initialTestOutput: Matrix
    public let predictor: LinearizedPredictor
    /// η.
    public let learningRate: Double
    /// ν: N·k for mean loss, 1 for sum; K̃ = K/ν.
    public let normalizer: Double
    public let initialKernelSeconds: Double
    public let eigendecompositionSeconds: Double
    /// The last measured K_t (K_0 until a later kernel is measured).
    public private(set) var latestKernel: Matrix
    /// The step at which ``latestKernel`` was measured.
    public private(set) var latestKernelStep = 0
    /// f_t on the training inputs at the last evaluated step, sample-major.
    public private(set) var latestTrainOutput: [Double]
    /// The last evaluated step t.
    public private(set) var currentStep = 0
    /// f_t on the test inputs for GD and for the discrete NTK prediction at t = 0, T/4, T/2 and T
    /// (those reached), sample-major: to draw the learned function as training goes.
    public private(set) var testSnapshots: [(step: Int, gd: [Double], ntk: [Double])] = []
    /// Measured against predicted per-mode rates, largest eigenvalue first (after ``run(shouldContinue:onRecord:)``).
    public private(set) var modeRates: [ModeRate] = []
    /// GD residuals Vᵀ(f_t − y) along the eigenvectors of K̃_0 at the last evaluated step (LAPACK's ascending order).
    public private(set) var latestModeResiduals: [Double] = []

    /// K_0(X*, X) in the kernel layout of the run, (N*·k) × (N·k).
    public let initialCrossKernel: Matrix
    /// The prediction from the analytic infinite-width NTK, when `settings.analyticKernel` is set.
    public let infiniteWidth: InfiniteWidthPrediction?

    /// - Throws: ``LAPACKError`` if the eigendecomposition fails, ``ExperimentError`` if K̃_0 is zero.
    public init(architecture: MLPArchitecture, dataset: Dataset, settings: TrainingSettings) throws {
        precondition(architecture.inputDim == dataset.inputDim && architecture.outputs == dataset.outputs)
        self.architecture = architecture
        self.dataset = dataset
        self.settings = settings
        var rng = RandomSource(seed: settings.seed, stream: .parameters)
        let model = MLP(architecture: architecture, rng: &rng)
        initialParameters = model.parameters
        normalizer = settings.loss.normalizer(samples: dataset.trainCount, outputs: dataset.outputs)

        let clock = ContinuousClock()
        let kernelStart = clock.now
        // f_0, K_0 and K_0(X*, X) of the network in the precision it trains in.
        let initial = switch settings.precision {
        case .float64: Self.initialMeasurements(model, dataset)
        case .float32: Self.initialMeasurements(MLPNetwork<Float>(converting: model), dataset)
        }
        initialTrainOutput = initial.trainOutput
        latestTrainOutput = initial.trainOutput.data
        initialKernel = initial.kernel
        initialCrossKernel = settings.kernelLayout.arrange(initial.crossKernel, outputs: dataset.outputs)
        var cross = initialCrossKernel
        initialTestOutput = initial.testOutput
        initialKernelSeconds = (clock.now - kernelStart).seconds
        latestKernel = initialKernel

        let eigenStart = clock.now
        // K̃_0 = K_0/ν, or with `trace` layout the output-averaged kernel ⊗ I_k (KernelLayout.swift).
        let eigen = try settings.kernelLayout.effectiveEigendecomposition(initialKernel, outputs: dataset.outputs,
                                                                           normalizer: normalizer)
        eigendecompositionSeconds = (clock.now - eigenStart).seconds
        guard let top = eigen.values.last, top > 0, top.isFinite else {
            throw ExperimentError.degenerateKernel(lambdaMax: eigen.values.last ?? 0)
        }

        learningRate = settings.learningRate ?? settings.learningRateFactor * LinearizedPredictor.criticalLearningRate(eigen)
        BLAS.scale(&cross.data, by: 1 / normalizer)
        predictor = LinearizedPredictor(eigen: eigen, effectiveCrossKernel: cross, initialOutput: initialTrainOutput.data,
                                        targets: dataset.trainTargets.data, initialTestOutput: initialTestOutput.data,
                                        learningRate: learningRate)
        infiniteWidth = settings.analyticKernel
            ? try InfiniteWidthPrediction(architecture: architecture, dataset: dataset, initialKernel: initialKernel,
                                          initialTrainOutput: initialTrainOutput, initialTestOutput: initialTestOutput,
                                          normalizer: normalizer, learningRate: learningRate,
                                          quadratureDegree: settings.quadratureDegree)
            : nil
    }

    /// f_0 on the training and test inputs, K_0 and K_0(X*, X) (full layout) of `model`, all float64.
    private static func initialMeasurements<Scalar>(_ model: MLPNetwork<Scalar>, _ dataset: Dataset)
        -> (trainOutput: Matrix, kernel: Matrix, crossKernel: Matrix, testOutput: Matrix) {
        let pass = model.forward(Scalar.converting(dataset.trainInputs))
        let kernel = EmpiricalNTK.kernel(model.architecture, pass, derivatives: EmpiricalNTK.outputDerivatives(model, pass))
        return (Scalar.float64(pass.output), kernel, EmpiricalNTK.kernel(model, dataset.testInputs, dataset.trainInputs),
                model(dataset.testInputs))
    }

    /// Trains for `settings.steps` steps, calling `onRecord` at every logged step (t = 0, every
    /// `logEvery` steps and the last step). A run that diverges or is interrupted ends after its last
    /// finite, completed step; the step that diverged is not logged (the summary names it).
    ///
    /// `shouldContinue` is asked before each step; returning false ends the run as interrupted.
    /// - Complexity: per step, one GD step; every `kernelEvery` steps the kernel (two syrk per layer);
    ///   per logged step O((N·k)² + N*·k·N·k) for the predictions, and every `testEvery` logged steps a
    ///   forward pass on the test inputs.
    public func run(shouldContinue: () -> Bool = { true },
                    onRecord: (StepRecord) throws -> Void) rethrows -> RunSummary {
        let model = MLP(architecture: architecture, parameters: initialParameters)
        switch settings.precision {
        case .float64: return try train(model, shouldContinue: shouldContinue, onRecord: onRecord)
        case .float32: return try train(MLPNetwork<Float>(converting: model), shouldContinue: shouldContinue, onRecord: onRecord)
        }
    }

    /// ``run(shouldContinue:onRecord:)`` with the network in its precision.
    private func train<Scalar>(_ model: MLPNetwork<Scalar>, shouldContinue: () -> Bool,
                               onRecord: (StepRecord) throws -> Void) rethrows -> RunSummary {
        let data = dataset
        let k = data.outputs
        let theta0 = model.parameters
        var gd = GradientDescent(model: model, inputs: data.trainInputs, targets: data.trainTargets,
                                 loss: settings.loss, learningRate: learningRate)
        let y = data.trainTargets.data, yTest = data.testTargets.data
        let initialResidualNorm = distance(initialTrainOutput.data, y)
        let initialTestResidualNorm = distance(initialTestOutput.data, yTest)
        let thetaNorm = theta0.norm
        let theta0Finite = theta0.isFinite
        let k0Norm = initialKernel.frobeniusNorm
        func loss(_ f: [Double], _ t: [Double], _ n: Int) -> Double {
            settings.loss.loss(f, t, samples: n, outputs: k)
        }

        var status = RunStatus.completed
        var divergedAt: Int?
        var divergedBecause: String?
        let initialLoss = loss(initialTrainOutput.data, y, data.trainCount)
        // Docs/Conventions.md, "Divergence": a loss past this bound is divergence even while it is finite.
        let lossBound = initialLoss > 0 ? Self.divergenceLossFactor * initialLoss : .infinity
        var last: StepRecord?
        var maxGap = 0.0, maxGapFlow = 0.0, maxTestGap = 0.0, maxDrift = 0.0
        var maxGapAnalytic: Double?
        var tracker = ModeRateTracker(eigenvalues: predictor.clippedValues,
                                      initialResiduals: predictor.initialModeResiduals, learningRate: learningRate)
        var lossesGD: [Double] = [], lossesNTK: [Double] = []
        let modeCount = min(settings.modes, predictor.clippedValues.count)
        let vectors = predictor.eigen.vectors
        var lastDrift: Double? = 0
        var lastTestLossGD: Double?, lastTestStep: Int?
        var pending: StepRecord?
        let hasTestSet = data.testCount > 0
        var lastAccuracyGD: Double?, lastAccuracyNTK: Double?
        let clock = ContinuousClock()
        let start = clock.now
        let steps = settings.steps
        let snapshotSteps = Set([0, steps / 4, steps / 2, steps])
        testSnapshots = []
        var t = 0
        while t <= steps {
            if t > 0 && !shouldContinue() {
                status = .interrupted
                break
            }
            let measure = t > 0 && (t % settings.kernelEvery == 0 || t == steps)
            let logged = t % settings.logEvery == 0 || t == steps
            let theta = gd.model.parameters
            let distanceToStart = theta.distance(to: theta0)
            let weightChange = thetaNorm > 0 ? distanceToStart / thetaNorm : 0
            // A finite ‖θ_t − θ_0‖ with θ_0 finite means θ_t is finite: the full scan runs only otherwise.
            let parametersFinite = (theta0Finite && distanceToStart.isFinite) || theta.isFinite
            // f_t on the test inputs, evaluated before this step's update.
            let snapshot = snapshotSteps.contains(t)
            let testStep = logged && (t % settings.testEvery == 0 || t == steps)
            let fTest = testStep || snapshot ? gd.model(data.testInputs).data : nil
            let evaluation = gd.step(measureKernel: measure, update: t < steps)
            let f = evaluation.output.data
            let trainLoss = loss(f, y, data.trainCount)
            let stepTestLoss = testStep && hasTestSet ? fTest.map { loss($0, yTest, data.testCount) } : nil
            let stepDrift = evaluation.kernel.map { $0.frobeniusDistance(to: initialKernel) / k0Norm }
            // Any non-finite quantity of the trained network, or a loss past the bound, ends the run
            // (Docs/Conventions.md, "Divergence"). The loss alone can miss a NaN parameter (ReLU maps a NaN
            // pre-activation to 0); a finite θ whose distance to θ₀ overflows is as far gone.
            if let reason = Self.divergence(trainLoss: trainLoss, bound: lossBound, initialLoss: initialLoss,
                                            parametersFinite: parametersFinite, weightChange: weightChange,
                                            testLoss: stepTestLoss, drift: stepDrift) {
                status = .diverged
                divergedAt = t
                divergedBecause = reason
                break
            }
            latestTrainOutput = f
            currentStep = t
            if snapshot, let fTest {
                testSnapshots.append((t, fTest, predictor.testOutput(step: t, form: .discrete)))
            }
            var drift: Double? = t == 0 ? 0 : nil
            if let kt = evaluation.kernel, let stepDrift {
                drift = stepDrift
                latestKernel = kt
                latestKernelStep = t
                lastDrift = drift
                maxDrift = max(maxDrift, drift!)
            }
            var residual = f
            BLAS.axpy(-1, y, &residual)
            let modeResiduals = BLAS.matvec(vectors, residual, transA: .transposed)
            tracker.add(step: t, residuals: modeResiduals)
            latestModeResiduals = modeResiduals
            let predictedModes = predictor.modeResiduals(step: t, form: .discrete)
            let fDiscrete = predictor.trainOutput(step: t, form: .discrete)
            let fFlow = predictor.trainOutput(step: t, form: .flow)
            let gap = distance(f, fDiscrete) / initialResidualNorm
            let gapFlow = distance(f, fFlow) / initialResidualNorm
            maxGap = max(maxGap, gap)
            maxGapFlow = max(maxGapFlow, gapFlow)
            let ntkLoss = loss(fDiscrete, y, data.trainCount)
            var analytic: (trainLoss: Double, gap: Double)?
            if let inf = infiniteWidth?.predictor {
                let fInf = inf.trainOutput(step: t, form: .discrete)
                analytic = (loss(fInf, y, data.trainCount), distance(f, fInf) / initialResidualNorm)
                maxGapAnalytic = max(maxGapAnalytic ?? 0, analytic!.gap)
            }
            lossesGD.append(trainLoss)
            lossesNTK.append(ntkLoss)
            // Every step builds its row (cheap next to the step itself); unlogged rows are kept as `pending` so
            // a run that diverges or is interrupted between logged steps still logs its last finite step.
            do {
                let fTestDiscrete = predictor.testOutput(step: t, form: .discrete)
                var testLossGD: Double?, testGap: Double?
                var accuracyGD: Double?, accuracyNTK: Double?
                if testStep, hasTestSet, let fTest {
                    testLossGD = stepTestLoss
                    testGap = initialTestResidualNorm > 0 ? distance(fTest, fTestDiscrete) / initialTestResidualNorm : 0
                    maxTestGap = max(maxTestGap, testGap!)
                    lastTestLossGD = testLossGD
                    lastTestStep = t
                    if data.task == .classification {
                        accuracyGD = ClassTargets.accuracy(fTest, yTest, outputs: k)
                        accuracyNTK = ClassTargets.accuracy(fTestDiscrete, yTest, outputs: k)
                        (lastAccuracyGD, lastAccuracyNTK) = (accuracyGD, accuracyNTK)
                    }
                }
                let record = StepRecord(
                    step: t, time: (clock.now - start).seconds,
                    trainLossGD: trainLoss,
                    trainLossNTK: loss(fFlow, y, data.trainCount),
                    trainLossNTKDiscrete: ntkLoss,
                    testLossGD: testLossGD,
                    testLossNTK: hasTestSet ? loss(predictor.testOutput(step: t, form: .flow), yTest, data.testCount) : nil,
                    testLossNTKDiscrete: hasTestSet ? loss(fTestDiscrete, yTest, data.testCount) : nil,
                    gap: gap, gapFlow: gapFlow, testGap: testGap, kernelDrift: drift, weightChange: weightChange,
                    modes: (0..<modeCount).map { rank in
                        let i = predictedModes.count - 1 - rank
                        return ModeSample(rank: rank, eigenvalue: predictor.clippedValues[i],
                                          residualGD: modeResiduals[i], residualNTK: predictedModes[i])
                    },
                    testAccuracyGD: accuracyGD, testAccuracyNTK: accuracyNTK,
                    trainLossAnalytic: analytic?.trainLoss,
                    testLossAnalytic: hasTestSet ? infiniteWidth.map { loss($0.predictor.testOutput(step: t, form: .discrete), yTest, data.testCount) } : nil,
                    gapAnalytic: analytic?.gap)
                if logged {
                    try onRecord(record)
                    last = record
                    pending = nil
                } else {
                    pending = record
                }
            }
            t += 1
        }
        if status != .completed, let p = pending, p.step > (last?.step ?? -1) {
            try onRecord(p)
            last = p
        }
        modeRates = tracker.rates
        let p = predictor
        let lossRates = LossRates(lossesGD: lossesGD, lossesNTK: lossesNTK, lambdaMin: p.minEigenvalue,
                                  learningRate: learningRate)
        return RunSummary(
            status: status, lastStep: last?.step ?? 0, stepsRequested: steps, divergedAtStep: divergedAt,
            divergedBecause: divergedBecause,
            lambdaMin: p.minEigenvalue, lambdaMax: p.maxEigenvalue,
            conditionNumber: p.minEigenvalue > 0 ? finiteOrNil(p.maxEigenvalue / p.minEigenvalue) : nil,
            clippedEigenvalues: p.clippedCount, learningRate: learningRate,
            criticalLearningRate: p.criticalLearningRate, learningRateRatio: learningRate / p.criticalLearningRate,
            finalTrainLossGD: finiteOrNil(last?.trainLossGD), finalTrainLossNTK: finiteOrNil(last?.trainLossNTK),
            finalTrainLossNTKDiscrete: finiteOrNil(last?.trainLossNTKDiscrete),
            finalTestLossGD: finiteOrNil(lastTestLossGD), finalTestStep: lastTestStep, finalTestLossNTK: finiteOrNil(last?.testLossNTK ?? nil),
            finalTestLossNTKDiscrete: finiteOrNil(last?.testLossNTKDiscrete ?? nil),
            initialTrainLoss: finiteOrNil(initialLoss),
            finalGap: finiteOrNil(last?.gap), maxGap: finiteOrNil(maxGap), maxGapFlow: finiteOrNil(maxGapFlow),
            maxTestGap: hasTestSet ? finiteOrNil(maxTestGap) : nil, finalKernelDrift: finiteOrNil(lastDrift),
            maxKernelDrift: finiteOrNil(maxDrift), finalWeightChange: finiteOrNil(last?.weightChange),
            finalKernelStep: latestKernelStep,
            parameterCount: architecture.parameterCount, initialKernelSeconds: initialKernelSeconds,
            eigendecompositionSeconds: eigendecompositionSeconds, trainingSeconds: (clock.now - start).seconds,
            lossRatePredictedLambdaMin: finiteOrNil(lossRates.predictedFromLambdaMin),
            lossRateMeasuredGD: finiteOrNil(lossRates.measuredGD), lossRateNTK: finiteOrNil(lossRates.measuredNTK),
            lossRateWindow: lossRates.window.map { [$0.lowerBound, $0.upperBound] },
            maxTrainLossGD: finiteOrNil(lossesGD.max()), maxTrainLossStep: lossesGD.indices.max { lossesGD[$0] < lossesGD[$1] },
            gdOutcome: GDOutcome(status: status, losses: lossesGD),
            measuredModes: modeRates.filter { $0.status == .measured }.count,
            finalTestAccuracyGD: finiteOrNil(lastAccuracyGD), finalTestAccuracyNTK: finiteOrNil(lastAccuracyNTK),
            lambdaMaxAnalytic: finiteOrNil(infiniteWidth?.predictor.maxEigenvalue),
            kernelDistanceAnalytic: finiteOrNil(infiniteWidth?.kernelDistance),
            finalTrainLossAnalytic: finiteOrNil(last?.trainLossAnalytic),
            finalTestLossAnalytic: finiteOrNil(last?.testLossAnalytic),
            maxGapAnalytic: finiteOrNil(maxGapAnalytic))
    }
}

extension NTKExperiment {
    /// A training loss above this multiple of the initial loss is divergence (Docs/Conventions.md, "Divergence").
    ///
    /// Below η_crit GD on a wide network lowers the loss; above it, a catapult (Lewkowycz et al. 2020) raises the
    /// loss by a few orders of magnitude before it falls. 10¹⁰ leaves that room many times over, and still stops
    /// a run that grows geometrically (×10 a step or more) within a few steps of passing it, long before
    /// anything overflows, so the rows that are kept are meaningful numbers.
    public static let divergenceLossFactor = 1e10

    /// Why a step is divergence, in words; nil when it is not.
    static func divergence(trainLoss: Double, bound: Double, initialLoss: Double, parametersFinite: Bool,
                           weightChange: Double, testLoss: Double?, drift: Double?) -> String? {
        func g(_ v: Double) -> String { v.isFinite ? String(format: "%.4g", v) : CSVLogWriter.format(v) }
        if !trainLoss.isFinite { return "the training loss is \(g(trainLoss))" }
        if !parametersFinite { return "a parameter is no longer finite" }
        if trainLoss > bound {
            return "the training loss \(g(trainLoss)) exceeds 1e10 × the initial loss \(g(initialLoss))"
        }
        if !weightChange.isFinite { return "the weight change ‖θ_t − θ₀‖/‖θ₀‖ is \(g(weightChange))" }
        if let testLoss, !testLoss.isFinite { return "the test loss is \(g(testLoss))" }
        if let drift, !drift.isFinite { return "the kernel drift is \(g(drift))" }
        return nil
    }
}

/// A run that cannot start.
public enum ExperimentError: Error, Equatable, CustomStringConvertible, Sendable {
    /// λ_max(K̃_0) ≤ 0 or not finite: the network's outputs do not depend on its parameters at these inputs.
    case degenerateKernel(lambdaMax: Double)

    public var description: String {
        switch self {
        case let .degenerateKernel(lambdaMax):
            return "the initial NTK has largest eigenvalue \(lambdaMax), so GD cannot move the outputs and η_crit is undefined; check the inputs (all zero?) and --weight-std/--bias-std"
        }
    }
}
