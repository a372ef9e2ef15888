import Foundation

/// The run report's figures of the measured kernel over training (Docs/Report.md#run-report): λ_max and λ_min of
/// K̃_t against the stability line 2/η, the kernel's alignment with the targets and with K₀ and the rotation of its
/// top eigenvectors, and the spectral change of each layer. Drawn from the `steps.csv` columns of
/// Docs/LogFormat.md#stepscsv; a run written before them has none of these figures.
enum KernelObservableFigures {
    static let section = "The kernel over training"

    static func figures(_ logs: RunLogs) -> [RunReport.Figure] {
        guard let steps = logs.column(StepColumn.step) else { return [] }
        let (notes, markers) = RunReport.divergenceNotesAndMarkers(logs)
        // Only the rows where K_t was measured, so that the lines join the measurements.
        func measured(_ column: String) -> (x: [Double?], y: [Double?])? {
            guard let y = logs.column(column), y.contains(where: { $0 != nil }) else { return nil }
            let kept = y.indices.filter { y[$0] != nil }
            return (kept.map { steps[$0] }, kept.map { y[$0] })
        }
        var figures: [RunReport.Figure] = []
        if let top = measured(StepColumn.kernelLambdaMax) {
            var series = [PlotSeries(id: StepColumn.kernelLambdaMax, label: "λ_max(K̃_t)", x: top.x, y: top.y, style: RunReport.gd)]
            if let low = measured(StepColumn.kernelLambdaMin) {
                series.append(PlotSeries(id: StepColumn.kernelLambdaMin, label: "λ_min(K̃_t)", x: low.x, y: low.y,
                                         style: SeriesStyle(color: Palette.green, dash: "2 3", lineWidth: 2)))
            }
            if let line = stabilityLine(logs, over: top.x, label: "2/η (linearized GD stable below)") { series.append(line) }
            let plot = LinePlot(id: "kernel-eigenvalues", title: "Extreme eigenvalues of K̃_t vs step",
                                x: Axis(RunReport.stepAxis, nice: false), y: Axis("eigenvalue of K̃_t = K_t/ν (log scale)", kind: .log),
                                series: series, notes: notes, markers: markers)
            let caption = "λ_max and λ_min of K̃_t at the steps K_t was measured (LAPACK dsyevd, the normalization and layout of K̃₀). GD "
                + "on the linearized model is stable while η·λ_max < 2: above η_crit a catapult drives λ_max(K̃_t) below 2/η "
                + "(Lewkowycz et al. 2020)."
            figures.append(.init(section: section, plot: plot, caption: caption))
        }
        let shapes: [(String, String, SeriesStyle)] = [
            (StepColumn.kernelTargetAlignment, "alignment A(K_t, yyᵀ)", RunReport.gd),
            (StepColumn.kernelCKA, "CKA(K₀, K_t)", SeriesStyle(color: Palette.green, dash: "2 3", lineWidth: 2)),
            (StepColumn.eigenvectorAngleMax, "largest principal angle / (π/2), top eigenvectors",
             SeriesStyle(color: Palette.purple, dash: "7 4", lineWidth: 1.8)),
        ]
        let shapeSeries = shapes.compactMap { column, label, style -> PlotSeries? in
            guard let m = measured(column) else { return nil }
            let y = column == StepColumn.eigenvectorAngleMax ? m.y.map { $0.map { $0 / (Double.pi / 2) } } : m.y
            return PlotSeries(id: column, label: label, x: m.x, y: y, style: style)
        }
        if !shapeSeries.isEmpty {
            let plot = LinePlot(id: "kernel-alignment", title: "Kernel alignment and eigenvector rotation vs step",
                                x: Axis(RunReport.stepAxis, nice: false), y: Axis("alignment, CKA, angle/(π/2)", domain: (0, 1)),
                                series: shapeSeries, notes: notes, markers: markers)
            let caption = "A(K_t, yyᵀ) = yᵀK_t y/(‖K_t‖_F‖y‖²) rises when the kernel learns the targets (Baratin et al. 2021); CKA(K₀, "
                + "K_t) is the centred alignment with the initial kernel, 1 while K_t keeps K₀'s shape; the angle is the largest "
                + "principal angle between the top --modes eigenvectors of K̃₀ and K̃_t."
            figures.append(.init(section: section, plot: plot, caption: caption))
        }
        if let spectral = spectralFigure(logs, measured, notes: notes, markers: markers) { figures.append(spectral) }
        if let sharpness = sharpnessFigure(logs, measured, notes: notes, markers: markers) { figures.append(sharpness) }
        return figures
    }

    /// The horizontal line 2/η (η from config.json) over the steps `x` span; nil without η.
    private static func stabilityLine(_ logs: RunLogs, over x: [Double?], label: String) -> PlotSeries? {
        guard let eta = logs.config?.number(RunConfiguration.RunRecord.CodingKeys.lr), eta > 0,
              let first = x.compactMap({ $0 }).first, let last = x.compactMap({ $0 }).last else { return nil }
        return PlotSeries(id: "two_over_lr", label: label, x: [first, last], y: [2 / eta, 2 / eta],
                          style: SeriesStyle(color: Palette.vermillion, dash: "7 4", lineWidth: 1.5))
    }

    /// The sharpness λ_max(R^{1/2}∇²L R^{1/2}) at the `--sharpness-every` steps against the edge of stability 2/η, with
    /// λ_max(K̃_t) beside it (Docs/Conventions.md#sharpness); nil for a run without the column's values.
    private static func sharpnessFigure(_ logs: RunLogs, _ measured: (String) -> (x: [Double?], y: [Double?])?,
                                        notes: [PlotNote], markers: [VerticalMarker]) -> RunReport.Figure? {
        guard let sharp = measured(StepColumn.sharpness) else { return nil }
        var series = [PlotSeries(id: StepColumn.sharpness, label: "sharpness λ_max(R^½∇²L R^½)", x: sharp.x, y: sharp.y, style: RunReport.gd)]
        if let kernel = measured(StepColumn.kernelLambdaMax) {
            series.append(PlotSeries(id: StepColumn.kernelLambdaMax, label: "λ_max(K̃_t)", x: kernel.x, y: kernel.y,
                                     style: SeriesStyle(color: Palette.green, dash: "2 3", lineWidth: 2)))
        }
        if let line = stabilityLine(logs, over: sharp.x, label: "2/η (edge of stability)") { series.append(line) }
        let plot = LinePlot(id: "sharpness", title: "Sharpness of the loss vs step", x: Axis(RunReport.stepAxis, nice: false),
                            y: Axis("λ_max of the preconditioned Hessian (log scale)", kind: .log),
                            series: series, notes: notes, markers: markers)
        let caption = "λ_max(R^½·∇²L·R^½) of the training loss (R the per-layer learning-rate scales; Lanczos on exact "
            + "Hessian-vector products) at the --sharpness-every steps. GD is stable while η·sharpness < 2: at the edge of "
            + "stability (Cohen et al. 2021) the sharpness rises to 2/η and hovers there. For squared loss its Gauss–Newton part "
            + "has the eigenvalues of K̃_t, so the two curves meet where the residual is small."
        return .init(section: section, plot: plot, caption: caption)
    }

    /// ‖ΔW_l‖₂/‖W_l(0)‖₂ of each layer over training.
    private static func spectralFigure(_ logs: RunLogs, _ measured: (String) -> (x: [Double?], y: [Double?])?,
                                       notes: [PlotNote], markers: [VerticalMarker]) -> RunReport.Figure? {
        let colors = [Palette.blue, Palette.vermillion, Palette.green, Palette.purple, Palette.orange, Palette.sky]
        let columns = (logs.steps?.columns ?? []).filter { StepColumn.layer(of: $0, prefix: StepColumn.layerSpectralChangePrefix) != nil }
        let kind = ArchitectureWording.nonMLPKind(logs.config)
        let series = columns.enumerated().compactMap { i, column -> PlotSeries? in
            guard let m = measured(column) else { return nil }
            let layer = column.dropFirst(StepColumn.layerSpectralChangePrefix.count)
            let role = Int(layer).map { ArchitectureWording.layerRole($0, last: columns.count, kind: kind) }
            let suffix = kind == nil ? (i == columns.count - 1 ? " (readout)" : "") : role.map { " (\($0))" } ?? ""
            return PlotSeries(id: column, label: "layer \(layer)" + suffix, x: m.x, y: m.y,
                              style: SeriesStyle(color: colors[i % colors.count], lineWidth: 1.8))
        }
        guard !series.isEmpty else { return nil }
        let plot = RunReport.relativeChangePlot(id: "weight-change-spectral", title: "Spectral weight change per layer vs step",
                                                y: "‖W_l(t) − W_l(0)‖₂ / ‖W_l(0)‖₂", series: series, notes: notes, markers: markers)
        let caption = "The relative change of each layer's weights in spectral norm (largest singular value, by Lanczos power "
            + "iteration). Under μP a hidden layer's spectral change stays O(1) as the width grows, while its Frobenius "
            + "change (weight_change_layer_<l>) falls as n^(−1/2) (Docs/Parameterizations.md)."
        return .init(section: section, plot: plot, caption: caption)
    }
}
