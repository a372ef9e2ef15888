import Foundation
import NTKDynamics

/// The compact table printed while a run trains, and the summary printed at its end.
struct ProgressTable {
    static let header = [("step", 8), ("loss GD", 12), ("loss NTK-d", 12), ("gap", 10), ("drift", 10), ("Δθ/θ", 10)]
        .map { String(repeating: " ", count: max(0, $0.1 - $0.0.count)) + $0.0 }.joined(separator: "  ")

    /// Columns: GD train loss, train loss of the discrete NTK prediction (exact GD on the linearized
    /// model), gap against it, kernel drift, relative weight change.
    /// Drift is measured every --kernel-every steps; rows in between show the latest value.
    private var lastDrift: Double = 0

    /// Notes the drift of a row that is not printed (so the next printed row shows the latest value).
    mutating func observe(_ r: StepRecord) {
        if let d = r.kernelDrift { lastDrift = d }
    }

    /// The text of a row, after ``observe(_:)``.
    func line(_ r: StepRecord) -> String {
        String(format: "%8d  %12.5e  %12.5e  %10.3e  %10.3e  %10.3e",
               r.step, r.trainLossGD, r.trainLossNTKDiscrete, r.gap, lastDrift, r.weightChange)
    }

    static func number(_ x: Double?) -> String {
        guard let x else { return "n/a" }
        if x.isNaN { return "nan" }  // "%.4g" prints "-nan" for a NaN with its sign bit set
        return String(format: "%.4g", x == 0 ? 0 : x)  // −0 (a rate of a loss that did not move) prints as 0
    }

    /// - Parameter momentum: β of heavy ball, whose η_crit is 2(1 + β)/λ_max.
    static func summary(_ s: RunSummary, width: Int, directory: String, momentum: Double? = nil) -> String {
        let n = number
        var lines = ["summary (width \(width)): \(s.status.rawValue) after \(s.lastStep) of \(s.stepsRequested) steps"]
        lines.append("  K̃₀ eigenvalues  λ_min \(n(s.lambdaMin))  λ_max \(n(s.lambdaMax))  condition number \(n(s.conditionNumber))"
                     + (s.clippedEigenvalues > 0 ? "  (\(s.clippedEigenvalues) negative round-off eigenvalues clipped to 0)" : ""))
        lines.append("""
              learning rate    η \(n(s.learningRate)) = \(String(format: "%.4g", s.learningRateRatio))·η_crit  (η_crit = \
            \(momentum.map { "2(1 + β)/λ_max, β = \(n($0))" } ?? "2/λ_max") = \(n(s.criticalLearningRate)))
            """)
        lines.append("""
              train loss       GD \(n(s.finalTrainLossGD))  NTK flow \(n(s.finalTrainLossNTK))  NTK discrete \
            \(n(s.finalTrainLossNTKDiscrete))  (initial \(n(s.initialTrainLoss)))
            """)
        lines.append("  test loss        GD \(n(s.finalTestLossGD))  NTK flow \(n(s.finalTestLossNTK))  NTK discrete \(n(s.finalTestLossNTKDiscrete))")
        if s.finalTestAccuracyGD != nil || s.finalTestAccuracyNTK != nil {
            func percent(_ x: Double?) -> String { x.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a" }
            lines.append("  test accuracy    GD \(percent(s.finalTestAccuracyGD))  NTK discrete \(percent(s.finalTestAccuracyNTK))")
        }
        lines.append("  gap to NTK       max \(n(s.maxGap)) (discrete), \(n(s.maxGapFlow)) (flow), test \(n(s.maxTestGap)); final \(n(s.finalGap))")
        if (s.maxGapMinibatch ?? 0) > 0 || s.modeRatesDefined == false {
            lines.append("""
                  gap split        nonlinearity (network vs linearized, same batches) max \(n(s.maxGapNonlinearity)) final \
                \(n(s.finalGapNonlinearity)); minibatch noise (linearized vs full-batch prediction) max \(n(s.maxGapMinibatch)) \
                final \(n(s.finalGapMinibatch))
                """)
        }
        if s.finalTrainAccuracyGD != nil {
            func percent(_ x: Double?) -> String { x.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a" }
            lines.append("""
                  train accuracy   GD \(percent(s.finalTrainAccuracyGD))  linearized \(percent(s.finalTrainAccuracyLinearized));  \
                smallest margin GD \(n(s.finalTrainMarginGD))  linearized \(n(s.finalTrainMarginLinearized))
                """)
        }
        lines.append("  kernel drift     final \(n(s.finalKernelDrift))  max \(n(s.maxKernelDrift));  weight change \(n(s.finalWeightChange))")
        if s.kernelDistanceAnalytic != nil {
            lines.append("""
                  infinite width   ‖K₀ − Θ‖/‖Θ‖ \(n(s.kernelDistanceAnalytic)), λ_max(Θ̃) \(n(s.lambdaMaxAnalytic)); loss of the Θ \
                prediction: train \(n(s.finalTrainLossAnalytic)), test \(n(s.finalTestLossAnalytic)); max gap to GD \
                \(n(s.maxGapAnalytic))
                """)
        }
        if let r = s.ridge {
            lines.append("  kernel ridge     λ = \(n(r.ridge)): test loss K₀ \(n(r.testLossEmpirical))" + (r.testLossAnalytic.map { ", Θ \(n($0))" } ?? "")
                         + (r.jitterEmpirical > 0 || (r.jitterAnalytic ?? 0) > 0 ? """
                              (diagonal jitter added: K₀ \(n(r.jitterEmpirical)), Θ \(n(r.jitterAnalytic)))
                             """ : "")
                         + "; trained network \(n(s.finalTestLossGD)), NTK-GD \(n(s.finalTestLossNTKDiscrete))")
        }
        lines.append("""
              time             K₀ \(String(format: "%.3f", s.initialKernelSeconds)) s, eigendecomposition \
            \(String(format: "%.3f", s.eigendecompositionSeconds)) s, training \(String(format: "%.2f", s.trainingSeconds)) s
            """)
        lines.append("  logs             \(directory)  (report.html to view)")
        return lines.joined(separator: "\n")
    }

    /// "mode i measured/predicted (±e%)"; a prediction too fast to measure (ηλ at or within round-off of 1) is said in
    /// words rather than as its rate (∞, or 36.7 from round-off) and a relative error against it.
    static func modeRateText(_ r: ModeRate) -> String {
        guard let measured = r.measured else { return "mode \(r.rank) \(r.status.rawValue.replacingOccurrences(of: "_", with: " "))" }
        if r.predictedTooFast {
            return "mode \(r.rank) \(number(measured)) measured, predicted too fast (ηλ = \(number(r.predictedFlow)))"
        }
        let error = r.relativeError.map { String(format: " (%+.1f%%)", $0 * 100) } ?? ""
        return "mode \(r.rank) \(number(measured))/\(number(r.predictedDiscrete))" + error
    }

    /// Per-mode and loss convergence rates, and what GD did above η_crit.
    static func rates(_ s: RunSummary, _ modes: [ModeRate]) -> String {
        let n = number
        var lines: [String] = []
        if s.modeRatesDefined == false {
            return """
                  mode rates       not defined for cross-entropy: its linearized training has no spectral closed form (loss, \
                accuracy, margin and gaps are reported)
                """
        }
        if let real = s.modesRealRoots, let oscillating = s.modesOscillating {
            lines.append("  momentum modes   \(real) with real roots, \(oscillating) oscillating (complex roots); spectrum.csv column momentum_regime")
        }
        let top = modes.prefix(3).map(modeRateText)
        lines.append("  mode rates       measured/predicted per step: " + top.joined(separator: ", ")
                     + "; \(s.measuredModes) of \(modes.count) modes measured (spectrum.csv)")
        let window = s.lossRateWindow.map { "steps \($0[0])–\($0[1])" } ?? "too few steps"
        lines.append("  loss rate        GD \(n(s.lossRateMeasuredGD)), NTK \(n(s.lossRateNTK)) per step over \(window)")
        if s.learningRateRatio > 1 {
            let what: String
            switch s.gdOutcome {
            case .diverged: what = "GD diverged too"
            case .catapult: what = """
                GD catapulted: its loss rose to \(n(s.maxTrainLossGD)) at step \(s.maxTrainLossStep.map(String.init) ?? "?"), then \
                fell below the initial loss
                """
            case .converged: what = "GD still converged without a loss spike"
            case .notConverged: what = "GD did not bring the loss below its initial value"
            }
            lines.append("""
                  above η_crit     η = \(String(format: "%.4g", s.learningRateRatio))·η_crit: the linearized model diverges along \
                its top mode; \(what)
                """)
        }
        return lines.joined(separator: "\n")
    }
}
