import Foundation
import NTKDynamics

/// `widths.csv` and the printed table comparing the runs of a `--width` list.
enum WidthsTable {
    /// Writes `widths.csv`, one row per width (``WidthColumn/table``: the summary's figures projected as in
    /// sweep.csv).
    /// - Parameter architecture: the network every width of the list trains (the `architecture` column).
    static func write(_ rows: [(Int, RunSummary, String)], architecture: ArchitectureKind, to dir: RunDirectory) throws {
        let table = WidthColumn.table
        let lines = rows.map { table.line((width: $0.0, summary: $0.1, directory: $0.2, architecture: architecture.rawValue)) }
        let text = ([table.header] + lines).joined(separator: "\n") + "\n"
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
