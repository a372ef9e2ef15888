import Foundation
import NTKDynamics

/// `widths.csv` and the printed table comparing the runs of a `--width` list.
enum WidthsTable {
    static let columns = [
        "width", "status", "lr", "lr_crit", "lambda_min", "lambda_max", "final_train_loss_gd",
        "final_train_loss_ntk_discrete", "final_test_loss_gd", "final_test_loss_ntk_discrete",
        "max_gap", "max_gap_flow", "final_kernel_drift", "max_kernel_drift", "final_weight_change",
        "training_seconds", "directory",
        // Added after `directory`, so that readers taking columns by position keep working (Docs/LogFormat.md#widthscsv).
        "max_test_gap", "kernel_distance_analytic", "max_gap_analytic", "final_train_loss_ntk_analytic",
        "final_test_loss_ntk_analytic", "max_gap_nonlinearity", "max_gap_minibatch",
        "final_kernel_lambda_max", "final_lr_kernel_lambda_max", "final_kernel_target_alignment", "final_kernel_cka",
        "final_eigenvector_angle_max", "phase", "final_sharpness", "max_sharpness",
        "architecture",
    ]

    /// - Parameter architecture: the network every width of the list trains (the `architecture` column).
    static func write(_ rows: [(Int, RunSummary, String)], architecture: ArchitectureKind, to dir: RunDirectory) throws {
        let f = CSVLogWriter.format
        func cell(_ x: Double?) -> String { x.map(f) ?? "" }
        var text = columns.joined(separator: ",") + "\n"
        for (w, s, d) in rows {
            text += ([String(w), s.status.rawValue, f(s.learningRate), f(s.criticalLearningRate), f(s.lambdaMin),
                      f(s.lambdaMax), cell(s.finalTrainLossGD), cell(s.finalTrainLossNTKDiscrete),
                      cell(s.finalTestLossGD), cell(s.finalTestLossNTKDiscrete), cell(s.maxGap), cell(s.maxGapFlow),
                      cell(s.finalKernelDrift), cell(s.maxKernelDrift), cell(s.finalWeightChange),
                      f(s.trainingSeconds), d, cell(s.maxTestGap), cell(s.kernelDistanceAnalytic), cell(s.maxGapAnalytic),
                      cell(s.finalTrainLossAnalytic), cell(s.finalTestLossAnalytic), cell(s.maxGapNonlinearity),
                      cell(s.maxGapMinibatch), cell(s.finalKernelLambdaMax), cell(s.finalLearningRateKernelLambdaMax),
                      cell(s.finalKernelTargetAlignment), cell(s.finalKernelCKA), cell(s.finalEigenvectorAngleMax),
                      (s.phase ?? GDPhase(s)).rawValue, cell(s.finalSharpness), cell(s.maxSharpness),
                      architecture.rawValue].joined(separator: ",")) + "\n"
        }
        try dir.write(Data(text.utf8), to: RunFormat.widths)
    }

    static func render(_ rows: [(Int, RunSummary)]) -> String {
        let n = ProgressTable.number
        let head = ["width", "max gap", "gap (flow)", "nonlinear", "minibatch", "drift", "max drift", "Δθ/θ", "loss GD", "loss NTK-d"]
        var lines = [head.map { Console.pad($0, 11) }.joined()]
        for (w, s) in rows {
            lines.append([String(w), n(s.maxGap), n(s.maxGapFlow), n(s.maxGapNonlinearity), n(s.maxGapMinibatch), n(s.finalKernelDrift), n(s.maxKernelDrift),
                          n(s.finalWeightChange), n(s.finalTrainLossGD), n(s.finalTrainLossNTKDiscrete)]
                .map { Console.pad($0, 11) }.joined())
        }
        return lines.joined(separator: "\n")
    }

}
