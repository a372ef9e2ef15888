/// The running maxima and finals of a run, fed one ``StepRecord`` per evaluated step, from which the run's
/// ``RunSummary`` is made (Docs/LogFormat.md#summaryjson).
///
/// A new per-step quantity becomes a summary figure here alone: ``add(_:)`` folds it in, ``summary(of:_:)``
/// reports it.
struct SummaryAccumulator {
    /// The last record passed to ``logged(_:)``: the source of every `final_*` figure.
    private(set) var last: StepRecord?
    private var maxGap = 0.0, maxGapFlow = 0.0, maxTestGap = 0.0, maxDrift = 0.0
    private var maxGapAnalytic: Double?
    private var maxGapNonlinearity: Double?, maxGapMinibatch: Double?
    /// The training losses of GD and of the discrete prediction at every evaluated step (the loss-rate fit).
    private(set) var lossesGD: [Double] = [], lossesNTK: [Double] = []
    /// The drift at the last step K_t was measured (0 at t = 0).
    private var lastDrift: Double? = 0
    private var lastTestLossGD: Double?, lastTestStep: Int?
    private var lastAccuracyGD: Double?, lastAccuracyNTK: Double?, lastAccuracyLinearized: Double?
    /// The kernel's observables and the spectral weight changes at the first and the last step K_t was measured.
    private var firstKernel: KernelObservables?, lastKernel: KernelObservables?, lastSpectral: [Double]?
    private var maxKernelLambdaMax: Double?
    /// The last and the largest measured sharpness (``StepRecord/sharpness``).
    private var lastSharpness: Double?, maxSharpness: Double?

    /// Folds in the record of an evaluated step, logged or not.
    mutating func add(_ r: StepRecord) {
        if let k = r.kernelObservables {
            if firstKernel == nil { firstKernel = k }
            lastKernel = k
            maxKernelLambdaMax = max(maxKernelLambdaMax ?? k.lambdaMax, k.lambdaMax)
        }
        if let s = r.layerSpectralChanges { lastSpectral = s }
        if let s = r.sharpness {
            lastSharpness = s
            if s.isFinite { maxSharpness = max(maxSharpness ?? s, s) }
        }
        if let d = r.kernelDrift {
            lastDrift = d
            maxDrift = max(maxDrift, d)
        }
        maxGap = max(maxGap, r.gap)
        if r.flowDefined { maxGapFlow = max(maxGapFlow, r.gapFlow) }
        if let g = r.gapNonlinearity { maxGapNonlinearity = max(maxGapNonlinearity ?? 0, g) }
        if let g = r.gapMinibatch { maxGapMinibatch = max(maxGapMinibatch ?? 0, g) }
        if let g = r.gapAnalytic { maxGapAnalytic = max(maxGapAnalytic ?? 0, g) }
        lossesGD.append(r.trainLossGD)
        lossesNTK.append(r.trainLossNTKDiscrete)
        if let loss = r.testLossGD {
            if let g = r.testGap { maxTestGap = max(maxTestGap, g) }
            lastTestLossGD = loss
            lastTestStep = r.step
            if r.testAccuracyGD != nil || r.testAccuracyNTK != nil {
                (lastAccuracyGD, lastAccuracyNTK) = (r.testAccuracyGD, r.testAccuracyNTK)
                lastAccuracyLinearized = r.testAccuracyLinearized
            }
        }
    }

    /// Marks `r` as written to the logs: the finals of the summary are its values.
    mutating func logged(_ r: StepRecord) { last = r }

    /// How the training loop ended.
    struct Ending {
        var status: RunStatus
        var divergedAt: Int?
        var divergedBecause: String?
        var trainingSeconds: Double
        var ridge: RidgeComparison?
        /// L(f_0) on the training points.
        var initialLoss: Double
    }

    /// The summary of `e`'s run, which ended as `end` says.
    func summary(of e: NTKExperiment, _ end: Ending) -> RunSummary {
        let p = e.predictor
        let lossRates = LossRates(lossesGD: lossesGD, lossesNTK: lossesNTK, lambdaMin: p.minEigenvalue, learningRate: e.learningRate)
        var s = RunSummary(
            status: end.status, lastStep: last?.step ?? 0, stepsRequested: e.settings.steps, divergedAtStep: end.divergedAt,
            divergedBecause: end.divergedBecause,
            lambdaMin: p.minEigenvalue, lambdaMax: p.maxEigenvalue,
            conditionNumber: p.minEigenvalue > 0 ? finiteOrNil(p.maxEigenvalue / p.minEigenvalue) : nil,
            clippedEigenvalues: p.clippedCount, learningRate: e.learningRate,
            criticalLearningRate: p.criticalLearningRate, learningRateRatio: e.learningRate / p.criticalLearningRate,
            finalTrainLossGD: finiteOrNil(last?.trainLossGD),
            finalTrainLossNTK: last?.flowDefined == false ? nil : finiteOrNil(last?.trainLossNTK),
            finalTrainLossNTKDiscrete: finiteOrNil(last?.trainLossNTKDiscrete),
            finalTestLossGD: finiteOrNil(lastTestLossGD), finalTestStep: lastTestStep,
            finalTestLossNTK: finiteOrNil(last?.testLossNTK ?? nil),
            finalTestLossNTKDiscrete: finiteOrNil(last?.testLossNTKDiscrete ?? nil),
            initialTrainLoss: finiteOrNil(end.initialLoss),
            finalGap: finiteOrNil(last?.gap), maxGap: finiteOrNil(maxGap), maxGapFlow: finiteOrNil(maxGapFlow),
            maxTestGap: e.dataset.testCount > 0 ? finiteOrNil(maxTestGap) : nil, finalKernelDrift: finiteOrNil(lastDrift),
            maxKernelDrift: finiteOrNil(maxDrift), finalWeightChange: finiteOrNil(last?.weightChange),
            finalKernelStep: e.latestKernelStep,
            parameterCount: e.architecture.parameterCount, initialKernelSeconds: e.initialKernelSeconds,
            eigendecompositionSeconds: e.eigendecompositionSeconds, trainingSeconds: end.trainingSeconds,
            lossRatePredictedLambdaMin: finiteOrNil(lossRates.predictedFromLambdaMin),
            lossRateMeasuredGD: finiteOrNil(lossRates.measuredGD), lossRateNTK: finiteOrNil(lossRates.measuredNTK),
            lossRateWindow: lossRates.window.map { [$0.lowerBound, $0.upperBound] },
            maxTrainLossGD: finiteOrNil(lossesGD.max()), maxTrainLossStep: lossesGD.indices.max { lossesGD[$0] < lossesGD[$1] },
            gdOutcome: GDOutcome(status: end.status, losses: lossesGD),
            measuredModes: e.modeRates.filter { $0.status == .measured }.count,
            finalTestAccuracyGD: finiteOrNil(lastAccuracyGD), finalTestAccuracyNTK: finiteOrNil(lastAccuracyNTK),
            lambdaMaxAnalytic: finiteOrNil(e.infiniteWidth?.predictor.maxEigenvalue),
            kernelDistanceAnalytic: finiteOrNil(e.infiniteWidth?.kernelDistance),
            finalTrainLossAnalytic: finiteOrNil(last?.trainLossAnalytic),
            finalTestLossAnalytic: finiteOrNil(last?.testLossAnalytic),
            maxGapAnalytic: finiteOrNil(maxGapAnalytic))
        s.ridge = end.ridge
        if !e.settings.hasClosedFormPrediction { s.maxGapFlow = nil }
        s.finalTrainLossLinearized = finiteOrNil(last?.trainLossLinearized ?? nil)
        s.finalTestLossLinearized = finiteOrNil(last?.testLossLinearized ?? nil)
        s.finalTestAccuracyLinearized = finiteOrNil(lastAccuracyLinearized)
        s.finalGapNonlinearity = finiteOrNil(last?.gapNonlinearity ?? nil)
        s.maxGapNonlinearity = finiteOrNil(maxGapNonlinearity)
        s.finalGapMinibatch = finiteOrNil(last?.gapMinibatch ?? nil)
        s.maxGapMinibatch = finiteOrNil(maxGapMinibatch)
        s.finalTrainAccuracyGD = finiteOrNil(last?.trainAccuracyGD ?? nil)
        s.finalTrainAccuracyLinearized = finiteOrNil(last?.trainAccuracyLinearized ?? nil)
        s.finalTrainMarginGD = finiteOrNil(last?.trainMarginGD ?? nil)
        s.finalTrainMarginLinearized = finiteOrNil(last?.trainMarginLinearized ?? nil)
        s.modeRatesDefined = e.settings.hasClosedFormPrediction
        if e.settings.heavyBall != nil && e.settings.hasClosedFormPrediction {
            s.modesRealRoots = e.modeRates.filter { $0.regime == .real }.count
            s.modesOscillating = e.modeRates.filter { $0.regime == .oscillating }.count
        }
        addKernelFigures(&s, learningRate: e.learningRate)
        s.phase = GDPhase(status: end.status, losses: lossesGD)
        return s
    }

    /// The summary's figures of the measured kernel and the spectral weight changes.
    private func addKernelFigures(_ s: inout RunSummary, learningRate: Double) {
        s.finalKernelLambdaMax = finiteOrNil(lastKernel?.lambdaMax)
        s.finalKernelLambdaMin = finiteOrNil(lastKernel?.lambdaMin)
        s.finalLearningRateKernelLambdaMax = finiteOrNil(lastKernel.map { learningRate * $0.lambdaMax })
        s.finalKernelTargetAlignment = finiteOrNil(lastKernel?.targetAlignment)
        s.finalKernelCKA = finiteOrNil(lastKernel?.centredAlignment)
        s.finalEigenvectorAngleMax = finiteOrNil(lastKernel?.principalAngles.max())
        s.finalWeightChangeSpectralLayers = lastSpectral.flatMap { v in v.allSatisfy(\.isFinite) ? v : nil }
        s.maxKernelLambdaMax = finiteOrNil(maxKernelLambdaMax)
        s.initialKernelTargetAlignment = finiteOrNil(firstKernel?.targetAlignment)
        s.finalSharpness = finiteOrNil(lastSharpness)
        s.maxSharpness = maxSharpness
    }
}
