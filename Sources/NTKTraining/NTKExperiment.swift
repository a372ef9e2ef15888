/// One run: a real network trained by full-batch GD beside the NTK prediction from its own
/// initialization, with kernel drift and weight change (Docs/Conventions.md).
///
/// Construction draws the network, measures K_0 on the training inputs and K_0(X*, X), eigendecomposes
/// K̃_0 and fixes η. ``run(shouldContinue:onRecord:)`` then trains and reports every logged step.
/// The library never prints: records go to the caller.
public final class NTKExperiment {
    public let architecture: NetworkArchitecture
    public let dataset: Dataset
    public let settings: TrainingSettings
    /// θ_0 as drawn, in float64 (a `float32` run trains their rounding).
    public let initialParameters: NetworkParameters<Double>
    /// K_0 on the training inputs, (N·k) × (N·k), sample-major.
    public let initialKernel: Matrix
    /// f_0 on the training inputs, N × k (F₀ = 0 with an output scale: the model is then F = α·(f − f₀)).
    public let initialTrainOutput: Matrix
    /// f_0 on the test inputs, N* × k (0 with an output scale, as for the training inputs).
    public let initialTestOutput: Matrix
    /// The network's own f(θ₀) on the test inputs: ``initialTestOutput`` unless an output scale centres the model.
    let networkInitialTestOutput: Matrix
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
    /// With ``TrainingSettings/outputHistoryEvery`` K: the network's outputs on the training and test inputs at
    /// t = 0, K, 2K, … as far as the run got, and at T for a completed run, sample-major (`arrays/f_*_history.npy`).
    public private(set) var outputHistory: [(step: Int, train: [Double], test: [Double])] = []
    /// With ``TrainingSettings/kernelHistoryEvery`` K: K_t (full layout, not divided by ν) at t = 0, K, 2K, … and at the
    /// last measured step, as far as the run got (`arrays/ntk_history.npy`).
    public private(set) var kernelHistory: [(step: Int, kernel: Matrix)] = []
    /// With ``TrainingSettings/outputHistoryEvery``: θ after the last update taken (θ_T for a completed run, the
    /// update after `last_step` for an interrupted one), in float64 (`arrays/params_final/`); nil for a diverged run.
    public private(set) var finalParameters: NetworkParameters<Double>?
    /// Measured against predicted per-mode rates, largest eigenvalue first (after ``run(shouldContinue:onRecord:)``).
    public private(set) var modeRates: [ModeRate] = []
    /// GD residuals Vᵀ(f_t − y) along the eigenvectors of K̃_0 at the last evaluated step (LAPACK's ascending order).
    public private(set) var latestModeResiduals: [Double] = []
    /// The full-batch prediction's residuals Vᵀ(f_t − y) at the last evaluated step, in the same order: the closed
    /// form for squared loss, the iterated full-batch counterpart for cross-entropy.
    public var finalPredictedModeResiduals: [Double] {
        fullBatchModeResiduals ?? predictor.modeResiduals(step: currentStep, form: .discrete)
    }
    /// The full-batch counterpart's Vᵀ(f_t − y) at the last evaluated step, when it is iterated (cross-entropy).
    private var fullBatchModeResiduals: [Double]?

    /// K_0(X*, X) in the kernel layout of the run, (N*·k) × (N·k).
    public let initialCrossKernel: Matrix
    /// The prediction from the analytic infinite-width NTK, when `settings.kernel` is `.analytic`.
    public let infiniteWidth: InfiniteWidthPrediction?
    /// Kernel ridge regression with K₀ and Θ on the test points, with `settings.ridge` (computed with the
    /// kernels, so that a system that cannot be factorized stops the run before anything is written).
    public private(set) var ridge: RidgeComparison?

    /// - Throws: ``LAPACKError`` if the eigendecomposition or the ridge regression's factorization fails,
    ///   ``ExperimentError`` if K̃_0 is zero.
    /// - Precondition: `settings.sharpnessEvery` is nil unless the family is the MLP (``HessianSharpness/supports(_:)``).
    public init(architecture: NetworkArchitecture, dataset: Dataset, settings: TrainingSettings) throws {
        precondition(architecture.inputDim == dataset.inputDim && architecture.outputs == dataset.outputs)
        precondition(settings.sharpnessEvery == nil || HessianSharpness.supports(architecture.family),
                     "the Hessian sharpness (--sharpness-every) is computed for the MLP only")
        try Self.checkOptimizer(settings, dataset)
        self.architecture = architecture
        self.dataset = dataset
        self.settings = settings
        var rng = RandomSource(seed: settings.seed, stream: .parameters)
        let model = Network<Double>(architecture: architecture, rng: &rng)
        initialParameters = model.parameters
        normalizer = settings.loss.normalizer(samples: dataset.trainCount, outputs: dataset.outputs)

        let clock = ContinuousClock()
        let kernelStart = clock.now
        // f_0, K_0 and K_0(X*, X) of the network in the precision it trains in.
        let initial = switch settings.precision {
        case .float64: Self.initialMeasurements(model, dataset)
        case .float32: Self.initialMeasurements(Network<Float>(converting: model), dataset)
        }
        try Self.checkFinite(architecture, settings.precision, output: initial.trainOutput.data + initial.testOutput.data,
                             kernels: [initial.kernel, initial.crossKernel])
        // With an output scale the model is F = α·(f − f₀), which starts at 0 on every input (Docs/Parameterizations.md).
        let centred = settings.outputScale != nil
        networkInitialTestOutput = initial.testOutput
        initialTrainOutput = centred ? Matrix(rows: initial.trainOutput.rows, cols: initial.trainOutput.cols) : initial.trainOutput
        latestTrainOutput = initialTrainOutput.data
        initialKernel = initial.kernel
        initialCrossKernel = settings.kernelLayout.arrange(initial.crossKernel, outputs: dataset.outputs)
        var cross = initialCrossKernel
        initialTestOutput = centred ? Matrix(rows: initial.testOutput.rows, cols: initial.testOutput.cols) : initial.testOutput
        initialKernelSeconds = (clock.now - kernelStart).seconds
        latestKernel = initialKernel

        let eigenStart = clock.now
        let eigen = try Self.effectiveEigendecomposition(initialKernel, dataset, settings)
        eigendecompositionSeconds = (clock.now - eigenStart).seconds

        learningRate = settings.learningRate
            ?? settings.learningRateFactor * LinearizedPredictor.criticalLearningRate(eigen, momentum: settings.heavyBall)
        BLAS.scale(&cross.data, by: 1 / normalizer)
        predictor = LinearizedPredictor(eigen: eigen, effectiveCrossKernel: cross, initialOutput: initialTrainOutput.data,
                                        targets: dataset.trainTargets.data, initialTestOutput: initialTestOutput.data,
                                        learningRate: learningRate, optimizer: settings.optimizer)
        infiniteWidth = settings.kernel == .analytic
            ? try InfiniteWidthPrediction(architecture: architecture, dataset: dataset, initialKernel: initialKernel,
                                          initialTrainOutput: initialTrainOutput, initialTestOutput: initialTestOutput,
                                          normalizer: normalizer, learningRate: learningRate,
                                          quadratureDegree: settings.quadratureDegree, momentum: settings.heavyBall)
            : nil
        ridge = try settings.ridge.map { try RidgeComparison(ridge: $0, experiment: self) }
    }

    /// η_crit = 2/λ_max(K̃_0) of the network that `settings.seed` draws, without the rest of a run's setup (no test
    /// kernels, no Θ, no ridge): what a sweep fixes η from. The same arithmetic as ``init(architecture:dataset:settings:)``,
    /// so it equals that run's `predictor.criticalLearningRate` bit for bit.
    ///
    /// - Throws: ``LAPACKError`` if the eigendecomposition fails, ``ExperimentError`` if K̃_0 is zero.
    public static func criticalLearningRate(architecture: NetworkArchitecture, dataset: Dataset,
                                            settings: TrainingSettings) throws -> Double {
        let kernel = try finiteInitialKernel(architecture: architecture, dataset: dataset, settings: settings)
        return LinearizedPredictor.criticalLearningRate(try effectiveEigendecomposition(kernel, dataset, settings),
                                                        momentum: settings.heavyBall)
    }

    /// K_0 on the training inputs of the network that `settings.seed` draws, after checking that f_0 and K_0 are finite:
    /// what a sweep with a given η checks before it writes anything.
    ///
    /// - Throws: ``ExperimentError/notFiniteAtInitialization(what:weightStd:biasStd:precision:)``.
    @discardableResult
    public static func finiteInitialKernel(architecture: NetworkArchitecture, dataset: Dataset, settings: TrainingSettings) throws -> Matrix {
        var rng = RandomSource(seed: settings.seed, stream: .parameters)
        let model = Network<Double>(architecture: architecture, rng: &rng)
        let (output, kernel) = switch settings.precision {
        case .float64: trainMeasurements(model, dataset)
        case .float32: trainMeasurements(Network<Float>(converting: model), dataset)
        }
        try checkFinite(architecture, settings.precision, output: output.data, kernels: [kernel])
        return kernel
    }

    /// Refuses a network whose initial outputs or kernel overflow the precision (σ_w^(L+1) or σ_b past its range):
    /// the eigendecomposition would fail on infinite entries with a message that names no option.
    private static func checkFinite(_ a: NetworkArchitecture, _ precision: Precision, output: [Double], kernels: [Matrix]) throws {
        let what: String
        if !output.allSatisfy(\.isFinite) {
            what = "the network's outputs f(θ₀)"
        } else if !kernels.allSatisfy({ $0.data.allSatisfy(\.isFinite) }) {
            what = "the initial NTK K₀"
        } else {
            return
        }
        throw ExperimentError.notFiniteAtInitialization(what: what, weightStd: a.weightStd, biasStd: a.hasBias ? a.biasStd : nil,
                                                        precision: precision)
    }

    /// Refuses an optimizer or loss the data cannot take (``TrainingSettings/problem(with:)``).
    private static func checkOptimizer(_ settings: TrainingSettings, _ dataset: Dataset) throws {
        if let problem = settings.problem(with: dataset) { throw problem }
    }

    /// The linearized network trained in function space with this run's optimizer and loss, from f₀ (``FunctionSpaceTwin``).
    func makeTwin() -> FunctionSpaceTwin {
        FunctionSpaceTwin(kernel: settings.kernelLayout.arrange(initialKernel, outputs: dataset.outputs),
                          crossKernel: initialCrossKernel, initialOutput: initialTrainOutput.data,
                          initialTestOutput: initialTestOutput.data, targets: dataset.trainTargets.data,
                          outputs: dataset.outputs, lossFunction: settings.lossFunction, normalization: settings.loss,
                          learningRate: learningRate, momentum: settings.heavyBall)
    }

    /// The eigendecomposition of K̃_0 = K_0/ν, or with `trace` layout of the output-averaged kernel ⊗ I_k
    /// (KernelLayout.swift).
    ///
    /// - Throws: ``LAPACKError``, or ``ExperimentError/degenerateKernel(lambdaMax:)`` when λ_max is not positive and finite.
    private static func effectiveEigendecomposition(_ kernel: Matrix, _ dataset: Dataset,
                                                    _ settings: TrainingSettings) throws -> SymmetricEigendecomposition {
        let eigen = try settings.kernelLayout.effectiveEigendecomposition(
            kernel, outputs: dataset.outputs, normalizer: settings.loss.normalizer(samples: dataset.trainCount, outputs: dataset.outputs))
        guard let top = eigen.values.last, top > 0, top.isFinite else {
            throw ExperimentError.degenerateKernel(lambdaMax: eigen.values.last ?? 0)
        }
        return eigen
    }

    /// f_0 and K_0 on the training inputs of `model`, float64, from one forward pass.
    private static func trainMeasurements<Scalar>(_ model: Network<Scalar>, _ dataset: Dataset) -> (output: Matrix, kernel: Matrix) {
        let pass = model.forward(Scalar.converting(dataset.trainInputs))
        return (Scalar.float64(pass.output),
                EmpiricalNTK.kernel(model.architecture, pass, derivatives: EmpiricalNTK.outputDerivatives(model, pass)))
    }

    /// f_0 on the training and test inputs, K_0 and K_0(X*, X) (full layout) of `model`, all float64.
    private static func initialMeasurements<Scalar>(_ model: Network<Scalar>, _ dataset: Dataset)
        -> (trainOutput: Matrix, kernel: Matrix, crossKernel: Matrix, testOutput: Matrix) {
        let train = trainMeasurements(model, dataset)
        return (train.output, train.kernel, EmpiricalNTK.kernel(model, dataset.testInputs, dataset.trainInputs),
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
        let model = Network<Double>(architecture: architecture, parameters: initialParameters)
        switch settings.precision {
        case .float64: return try train(model, shouldContinue: shouldContinue, onRecord: onRecord)
        case .float32: return try train(Network<Float>(converting: model), shouldContinue: shouldContinue, onRecord: onRecord)
        }
    }

    /// ``run(shouldContinue:onRecord:)`` with the network in its precision: step, check, record, accumulate.
    private func train<Scalar>(_ model: Network<Scalar>, shouldContinue: () -> Bool,
                               onRecord: (StepRecord) throws -> Void) rethrows -> RunSummary {
        var gd = GradientDescent(model: model, inputs: dataset.trainInputs, targets: dataset.trainTargets,
                                 loss: settings.loss, learningRate: learningRate, outputScale: settings.outputScale,
                                 lossFunction: settings.lossFunction, momentum: settings.heavyBall)
        let reference = StepReference(self, theta0: model.parameters)
        var tracker = ModeRateTracker(eigenvalues: predictor.clippedValues,
                                      initialResiduals: predictor.initialModeResiduals, learningRate: learningRate,
                                      momentum: settings.heavyBall, predicted: settings.hasClosedFormPrediction)
        var schedule = settings.minibatchSize.map { BatchSchedule(samples: dataset.trainCount, batchSize: $0, seed: settings.seed) }
        // The linearized counterparts that have no closed form: the same batches as the network (minibatch runs),
        // and the full batch (cross-entropy). Squared loss on the full batch is the predictor's closed form.
        var twins = LinearizedTwins(sameBatches: schedule == nil ? nil : makeTwin(),
                                    fullBatch: settings.hasClosedFormPrediction ? nil : makeTwin())
        var accumulator = SummaryAccumulator()
        var end = SummaryAccumulator.Ending(status: .completed, trainingSeconds: 0, ridge: ridge, initialLoss: reference.initialLoss)
        var pending: StepRecord?
        let clock = ContinuousClock()
        let start = clock.now
        let steps = settings.steps
        let snapshotSteps = Set([0, steps / 4, steps / 2, steps])
        testSnapshots = []
        outputHistory = []
        kernelHistory = settings.kernelHistoryEvery == nil ? [] : [(0, initialKernel)]
        for t in 0...steps {
            if t > 0 && !shouldContinue() {
                end.status = .interrupted
                break
            }
            let logged = t % settings.logEvery == 0 || t == steps
            let snapshot = snapshotSteps.contains(t)
            let kept = settings.outputHistoryEvery.map { t % $0 == 0 || t == steps } ?? false
            let batch = t < steps ? schedule?.next() : nil
            let o = observe(&gd, step: t, reference, logged: logged, snapshot: snapshot || kept, batch: batch)
            if let reason = Self.divergence(trainLoss: o.trainLoss, bound: reference.lossBound, initialLoss: reference.initialLoss,
                                            parametersFinite: o.parametersFinite, weightChange: o.weightChange,
                                            testLoss: o.testLoss, drift: o.drift) {
                (end.status, end.divergedAt, end.divergedBecause) = (.diverged, t, reason)
                break
            }
            latestTrainOutput = o.output
            currentStep = t
            if snapshot, let fTest = o.testOutput {
                testSnapshots.append((t, fTest, twins.fullBatch?.testOutput ?? predictor.testOutput(step: t, form: .discrete)))
            }
            if kept, let fTest = o.testOutput { outputHistory.append((t, o.output, fTest)) }
            if let kt = o.kernel { keep(kernel: kt, step: t) }
            var residual = o.output
            BLAS.axpy(-1, dataset.trainTargets.data, &residual)
            latestModeResiduals = BLAS.matvec(predictor.eigen.vectors, residual, transA: .transposed)
            if let full = twins.fullBatch { fullBatchModeResiduals = modeResiduals(of: full.trainOutput) }
            tracker.add(step: t, residuals: latestModeResiduals)
            // Every step builds its row (cheap next to the step itself); unlogged rows are kept as `pending` so
            // a run that diverges or is interrupted between logged steps still logs its last finite step.
            let record = makeRecord(o, reference, twins, time: (clock.now - start).seconds)
            if t < steps { twins.step(batch: batch) }
            accumulator.add(record)
            if logged {
                try onRecord(record)
                accumulator.logged(record)
                pending = nil
            } else {
                pending = record
            }
        }
        // A diverged run's last update is what blew up: its parameters are not kept.
        if settings.outputHistoryEvery != nil && end.status != .diverged {
            finalParameters = NetworkParameters<Double>(converting: gd.model.parameters)
        }
        if end.status != .completed, let p = pending, p.step > (accumulator.last?.step ?? -1) {
            try onRecord(p)
            accumulator.logged(p)
        }
        modeRates = tracker.rates
        end.trainingSeconds = (clock.now - start).seconds
        return accumulator.summary(of: self, end)
    }

    /// A measured K_t becomes the latest kernel, and with `--keep-kernel-every` K joins ``kernelHistory`` at t % K = 0 and T.
    private func keep(kernel: Matrix, step t: Int) {
        latestKernel = kernel
        latestKernelStep = t
        if let k = settings.kernelHistoryEvery, t % k == 0 || t == settings.steps { kernelHistory.append((t, kernel)) }
    }

    /// What every step compares against: the targets, the initial residual norms, ‖θ₀‖, ‖K₀‖ and the divergence bound.
    private struct StepReference<Scalar: NetworkScalar> {
        let theta0: NetworkParameters<Scalar>
        let theta0Finite: Bool
        let thetaNorm: Double
        /// ‖W_l(0)‖ of each layer's weights.
        let layerWeightNorms: [Double]
        /// ‖W_l(0)‖₂ (spectral) of each layer's weights.
        let layerSpectralNorms: [Double]
        /// What each measured K_t is compared with (``KernelObservables``).
        let kernel: KernelObservables.Reference
        let k0Norm: Double
        /// ‖f₀ − y‖ on the training points and on the test points.
        let initialResidualNorm: Double, initialTestResidualNorm: Double
        let initialLoss: Double
        /// Docs/Conventions.md, "Divergence": a loss past this bound is divergence even while it is finite.
        let lossBound: Double

        init(_ e: NTKExperiment, theta0: NetworkParameters<Scalar>) {
            self.theta0 = theta0
            theta0Finite = theta0.isFinite
            thetaNorm = theta0.norm
            layerWeightNorms = theta0.weights.map { Double(BLAS.norm($0.data)) }
            layerSpectralNorms = theta0.weights.map { w in
                (try? SpectralNorm.largestSingularValue(Matrix(rows: w.rows, cols: w.cols, data: w.data.map { Double($0) }))) ?? .nan
            }
            kernel = KernelObservables.Reference(
                initialKernel: e.initialKernel, initialEigen: e.predictor.eigen, modes: e.settings.modes,
                targets: e.dataset.trainTargets.data, layout: e.settings.kernelLayout, outputs: e.dataset.outputs,
                normalizer: e.normalizer)
            k0Norm = e.initialKernel.frobeniusNorm
            initialResidualNorm = distance(e.initialTrainOutput.data, e.dataset.trainTargets.data)
            initialTestResidualNorm = distance(e.initialTestOutput.data, e.dataset.testTargets.data)
            initialLoss = e.loss(e.initialTrainOutput.data, e.dataset.trainTargets.data, e.dataset.trainCount)
            lossBound = initialLoss > 0 ? NTKExperiment.divergenceLossFactor * initialLoss : .infinity
        }
    }

    /// What GD showed at step t, before its update.
    private struct StepObservation {
        let step: Int
        /// f_t on the training inputs, sample-major.
        let output: [Double]
        let trainLoss: Double
        let weightChange: Double
        /// ‖W_l(t) − W_l(0)‖/‖W_l(0)‖ of each layer.
        let layerWeightChanges: [Double]
        let parametersFinite: Bool
        /// f_t on the test inputs, at test and snapshot steps.
        let testOutput: [Double]?
        /// Whether the test set is evaluated (and logged) at this step.
        let testStep: Bool
        /// The GD test loss at test steps.
        let testLoss: Double?
        /// K_t and its drift ‖K_t − K₀‖_F/‖K₀‖_F, at the steps K_t is measured.
        let kernel: Matrix?
        let drift: Double?
        /// What K_t shows and ‖ΔW_l‖₂/‖W_l(0)‖₂, at t = 0 (of K₀) and the steps K_t is measured.
        let kernelObservables: KernelObservables?
        let spectralChanges: [Double]?
        /// λ_max(R^{1/2}·∇²L(θ_t)·R^{1/2}) at the steps `--sharpness-every` measures it.
        let sharpness: Double?
    }

    /// Evaluates GD at step t and takes its update (none at the last step).
    private func observe<Scalar>(_ gd: inout GradientDescent<Scalar>, step t: Int, _ ref: StepReference<Scalar>,
                                 logged: Bool, snapshot: Bool, batch: [Int]?) -> StepObservation {
        let steps = settings.steps
        let measure = t > 0 && (t % settings.kernelEvery == 0 || t == steps)
        let theta = gd.model.parameters
        let (distanceToStart, layerDistances) = theta.distances(to: ref.theta0)
        // A finite ‖θ_t − θ_0‖ with θ_0 finite means θ_t is finite: the full scan runs only otherwise.
        let parametersFinite = (ref.theta0Finite && distanceToStart.isFinite) || theta.isFinite
        let testStep = logged && (t % settings.testEvery == 0 || t == steps)
        // f_t on the test inputs, evaluated before this step's update.
        let fTest = testStep || snapshot ? modelOutput(gd.model(dataset.testInputs), initial: networkInitialTestOutput) : nil
        let sharpness = settings.sharpnessEvery.flatMap { t % $0 == 0 || t == steps ? Self.sharpness(of: gd) : nil }
        let evaluation = gd.step(measureKernel: measure, update: t < steps, batch: batch)
        let f = evaluation.output.data
        let hasTestSet = dataset.testCount > 0
        // Diagnostics of the kernel steps: an eigendecomposition that fails leaves their cells empty, not the run.
        let measured = t == 0 ? initialKernel : evaluation.kernel
        let observables = measured.flatMap { try? KernelObservables($0, ref.kernel) }
        return StepObservation(
            step: t, output: f, trainLoss: loss(f, dataset.trainTargets.data, dataset.trainCount),
            weightChange: ref.thetaNorm > 0 ? distanceToStart / ref.thetaNorm : 0,
            layerWeightChanges: zip(layerDistances, ref.layerWeightNorms).map { d, w in w > 0 ? d / w : 0 },
            parametersFinite: parametersFinite,
            testOutput: fTest, testStep: testStep,
            testLoss: testStep && hasTestSet ? fTest.map { loss($0, dataset.testTargets.data, dataset.testCount) } : nil,
            kernel: evaluation.kernel, drift: evaluation.kernel.map { $0.frobeniusDistance(to: initialKernel) / ref.k0Norm },
            kernelObservables: observables,
            spectralChanges: measured == nil ? nil : Self.spectralChanges(theta, ref.theta0, initialNorms: ref.layerSpectralNorms),
            sharpness: sharpness)
    }

    /// λ_max(R^{1/2}·∇²L·R^{1/2}) of GD's full-batch training loss at its current θ (``HessianSharpness``, in float64);
    /// nan when the Lanczos iteration fails (non-finite parameters).
    private static func sharpness<Scalar>(of gd: GradientDescent<Scalar>) -> Double {
        let hessian = HessianSharpness(network: Network<Double>(converting: gd.model), inputs: Scalar.float64(gd.inputs),
                                       targets: Scalar.float64(gd.targets), lossFunction: gd.lossFunction,
                                       normalization: gd.loss, outputScale: gd.centring.map { ($0.scale, $0.initialOutput64) })
        return (try? hessian.largestEigenvalue()) ?? .nan
    }

    /// ‖W_l − W_l(0)‖₂/‖W_l(0)‖₂ of each layer's weights, in float64 (nan where it cannot be computed).
    private static func spectralChanges<Scalar>(_ theta: NetworkParameters<Scalar>, _ theta0: NetworkParameters<Scalar>,
                                                initialNorms: [Double]) -> [Double] {
        zip(theta.weights, theta0.weights).enumerated().map { l, pair in
            let (w, w0) = pair
            let delta = Matrix(rows: w.rows, cols: w.cols, data: zip(w.data, w0.data).map { Double($0) - Double($1) })
            guard initialNorms[l] > 0, let s = try? SpectralNorm.largestSingularValue(delta) else { return .nan }
            return s / initialNorms[l]
        }
    }

    /// The logged row of a step: GD beside the flow, discrete and (with Θ) infinite-width predictions, and the
    /// linearized counterpart trained with the same batches.
    private func makeRecord<Scalar>(_ o: StepObservation, _ ref: StepReference<Scalar>, _ twins: LinearizedTwins,
                                    time: Double) -> StepRecord {
        let t = o.step, f = o.output
        let y = dataset.trainTargets.data, yTest = dataset.testTargets.data
        let n = dataset.trainCount, nTest = dataset.testCount, hasTestSet = nTest > 0
        let closedForm = settings.hasClosedFormPrediction
        // The full-batch prediction: the closed form for squared loss, the iterated full-batch twin otherwise.
        let fDiscrete = twins.fullBatch?.trainOutput ?? predictor.trainOutput(step: t, form: .discrete)
        let fTestDiscrete = twins.fullBatch?.testOutput ?? predictor.testOutput(step: t, form: .discrete)
        let predictedModes = closedForm ? predictor.modeResiduals(step: t, form: .discrete) : modeResiduals(of: fDiscrete)
        let fFlow = closedForm ? predictor.trainOutput(step: t, form: .flow) : fDiscrete
        var record = StepRecord(
            step: t, time: time, trainLossGD: o.trainLoss, trainLossNTK: closedForm ? loss(fFlow, y, n) : .nan,
            trainLossNTKDiscrete: loss(fDiscrete, y, n), testLossGD: nil,
            testLossNTK: hasTestSet && closedForm ? loss(predictor.testOutput(step: t, form: .flow), yTest, nTest) : nil,
            testLossNTKDiscrete: hasTestSet ? loss(fTestDiscrete, yTest, nTest) : nil,
            gap: distance(f, fDiscrete) / ref.initialResidualNorm,
            gapFlow: closedForm ? distance(f, fFlow) / ref.initialResidualNorm : .nan,
            testGap: nil, kernelDrift: t == 0 ? 0 : o.drift, weightChange: o.weightChange,
            modes: (0..<min(settings.modes, predictor.clippedValues.count)).map { rank in
                let i = predictedModes.count - 1 - rank
                let angles = o.kernelObservables?.principalAngles ?? []
                return ModeSample(rank: rank, eigenvalue: predictor.clippedValues[i],
                                  residualGD: latestModeResiduals[i], residualNTK: predictedModes[i],
                                  principalAngle: rank < angles.count ? angles[rank] : nil)
            })
        record.flowDefined = closedForm
        record.layerWeightChanges = o.layerWeightChanges
        record.kernelObservables = o.kernelObservables
        record.layerSpectralChanges = o.spectralChanges
        record.sharpness = o.sharpness
        let fLinear = twins.sameBatches?.trainOutput ?? fDiscrete
        let fTestLinear = twins.sameBatches?.testOutput ?? fTestDiscrete
        recordLinearized(&record, f: f, fLinear: fLinear, fTestLinear: fTestLinear, fFullBatch: fDiscrete, ref)
        if o.testStep, hasTestSet, let fTest = o.testOutput {
            record.testLossGD = o.testLoss
            record.testGap = ref.initialTestResidualNorm > 0 ? distance(fTest, fTestDiscrete) / ref.initialTestResidualNorm : 0
            if dataset.task == .classification {
                record.testAccuracyGD = ClassTargets.accuracy(fTest, yTest, outputs: dataset.outputs)
                record.testAccuracyNTK = ClassTargets.accuracy(fTestDiscrete, yTest, outputs: dataset.outputs)
                record.testAccuracyLinearized = ClassTargets.accuracy(fTestLinear, yTest, outputs: dataset.outputs)
            }
        }
        if let inf = infiniteWidth?.predictor {
            let fInf = inf.trainOutput(step: t, form: .discrete)
            record.trainLossAnalytic = loss(fInf, y, n)
            record.gapAnalytic = distance(f, fInf) / ref.initialResidualNorm
            record.testLossAnalytic = hasTestSet ? loss(inf.testOutput(step: t, form: .discrete), yTest, nTest) : nil
        }
        return record
    }

    /// The columns of the linearized counterpart with the same batches: its losses, the two gaps that split
    /// today's gap (network vs linearized = nonlinearity, linearized vs full-batch prediction = minibatch noise),
    /// and for classification the training accuracies and smallest margins.
    private func recordLinearized<Scalar>(_ record: inout StepRecord, f: [Double], fLinear: [Double], fTestLinear: [Double],
                                          fFullBatch: [Double], _ ref: StepReference<Scalar>) {
        let y = dataset.trainTargets.data, k = dataset.outputs
        record.trainLossLinearized = loss(fLinear, y, dataset.trainCount)
        record.testLossLinearized = dataset.testCount > 0 ? loss(fTestLinear, dataset.testTargets.data, dataset.testCount) : nil
        record.gapNonlinearity = distance(f, fLinear) / ref.initialResidualNorm
        record.gapMinibatch = distance(fLinear, fFullBatch) / ref.initialResidualNorm
        if dataset.task == .classification {
            record.trainAccuracyGD = ClassTargets.accuracy(f, y, outputs: k)
            record.trainAccuracyLinearized = ClassTargets.accuracy(fLinear, y, outputs: k)
            record.trainMarginGD = CrossEntropyLoss.minimumMargin(f, y, outputs: k)
            record.trainMarginLinearized = CrossEntropyLoss.minimumMargin(fLinear, y, outputs: k)
        }
    }

    /// Vᵀ(f − y) along the eigenvectors of K̃₀ (LAPACK's ascending order).
    private func modeResiduals(of f: [Double]) -> [Double] {
        var residual = f
        BLAS.axpy(-1, dataset.trainTargets.data, &residual)
        return BLAS.matvec(predictor.eigen.vectors, residual, transA: .transposed)
    }

    /// The model's outputs from the network's `f` (float64): α·(f − f₀) with an output scale, f itself otherwise.
    private func modelOutput(_ f: Matrix, initial f0: Matrix) -> [Double] {
        settings.outputScale.map { centredOutput(f.data, initial: f0.data, scale: $0) } ?? f.data
    }

    /// The run's loss on `f` against targets `y` of `n` points.
    fileprivate func loss(_ f: [Double], _ y: [Double], _ n: Int) -> Double {
        settings.lossFunction.loss(f, y, samples: n, outputs: dataset.outputs, normalization: settings.loss)
    }
}

/// The linearized counterparts a run iterates in function space (``FunctionSpaceTwin``): with the network's own
/// minibatches, and on the full batch when the loss has no closed form. nil where the closed form stands in.
struct LinearizedTwins {
    var sameBatches: FunctionSpaceTwin?
    var fullBatch: FunctionSpaceTwin?

    /// Both take their step t: the same batch as the network, and the full batch.
    mutating func step(batch: [Int]?) {
        sameBatches?.step(batch: batch)
        fullBatch?.step(batch: nil)
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
        // nan (whatever its sign bit: "\(-Double.nan)" is "-nan"), inf, -inf
        func g(_ v: Double) -> String { v.isNaN ? "nan" : v.isFinite ? String(format: "%.4g", v) : "\(v)" }
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
    /// A minibatch larger than the training set.
    case batchLargerThanData(batchSize: Int, samples: Int)
    /// Cross-entropy on targets that are not class encodings (the sentence says which).
    case targetsNotClasses(String)
    /// f(θ₀) or K₀ overflowed the network's precision at initialization (``Precision``), before any training.
    case notFiniteAtInitialization(what: String, weightStd: Double, biasStd: Double?, precision: Precision)

    public var description: String {
        switch self {
        case let .degenerateKernel(lambdaMax):
            return """
                the initial NTK has largest eigenvalue \(lambdaMax), so GD cannot move the outputs and η_crit is undefined; check \
                the inputs (all zero?) and --weight-std/--bias-std
                """
        case let .batchLargerThanData(b, n):
            return "--batch-size \(b) is larger than the \(n) training points; use --batch-size 1 to \(n) (\(n) is full-batch)"
        case let .notFiniteAtInitialization(what, sw, sb, precision):
            let scales = "--weight-std \(sw)" + (sb.map { " and --bias-std \($0)" } ?? "")
            return "\(what) overflow \(precision.rawValue) at initialization, before training: with \(scales) the forward pass "
                + "multiplies by about σ_w per layer (and adds σ_b), past the largest \(precision.rawValue) (\(precision.largestFinite)); "
                + "use scales of order 1 (the defaults are --weight-std 1.5, --bias-std 0.05)"
        case let .targetsNotClasses(problem):
            return "\(problem); use --loss mse for regression targets, or class data: --dataset digits, or --data whose "
                + "--target-columns hold ±1 (one output) or one-hot class columns (Docs/RealData.md)"
        }
    }
}
