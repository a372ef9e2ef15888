import Foundation

/// The run report's view of the kernel itself (Docs/Report.md#run-report): heatmaps of K₀ and of K_T − K₀ on the
/// training points (arrays/ntk_init.npy, ntk_final.npy), the samples sorted by target (one output) or by class
/// (the argmax of the one-hot targets), and the motion of each weight layer over training (steps.csv
/// `weight_change_layer_<l>`).
enum KernelHeatmapFigures {
    /// At most this many cells per side: a larger kernel is averaged over b × b blocks, b = ⌈N/64⌉.
    static let maxCells = 64
    /// Nine levels: a diverging blue–white–red scale symmetric about 0, or a white-to-blue scale for a kernel ≥ 0.
    static let diverging = ["#2166AC", "#4393C3", "#92C5DE", "#D1E5F0", "#F7F7F7", "#FDDBC7", "#F4A582", "#D6604D", "#B2182B"]
    static let sequential = ["#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B"]

    static func figures(_ logs: RunLogs) -> [RunReport.Figure] {
        var out: [RunReport.Figure] = []
        if let k0 = outputBlock(logs, "ntk_init"), let order = sampleOrder(logs, count: k0.n) {
            out.append(heatmap(k0, order: order.indices, id: "kernel-init", title: "K₀ on the training points",
                               caption: "The initial empirical NTK K₀(xᵢ, xⱼ) (arrays/ntk_init.npy\(k0.outputs > 1 ? ", output 0" : "")), "
                                   + "the N = \(k0.n) training points \(order.how)."))
            if let kT = outputBlock(logs, "ntk_final"), kT.n == k0.n {
                let step = logs.summary?.int(RunReport.SummaryKey.finalKernelStep).map { "t = \($0)" } ?? "the last measured step"
                let delta = Matrix(rows: k0.n, cols: k0.n, data: zip(kT.values.data, k0.values.data).map { $0 - $1 })
                out.append(heatmap((delta, k0.n, k0.outputs), order: order.indices, id: "kernel-change", title: "K_T − K₀ (\(step))",
                                   caption: "How the kernel moved: K_T − K₀ (arrays/ntk_final.npy minus ntk_init.npy) at \(step), on the same "
                                       + "points in the same order, on a scale symmetric about 0. In lazy training it is small and unstructured; "
                                       + "a block pattern along the sorted targets means the kernel has aligned with the task."))
            }
        }
        if let motion = layerMotion(logs) { out.append(motion) }
        return out
    }

    /// The output-0 block (entries i·k, j·k) of an (N·k) × (N·k) kernel array, as an N × N matrix.
    static func outputBlock(_ logs: RunLogs, _ name: String) -> (values: Matrix, n: Int, outputs: Int)? {
        guard let a = logs.array(name), a.shape.count == 2, a.shape[0] == a.shape[1], a.shape[0] > 0 else { return nil }
        let k = Swift.max(logs.array("y_train")?.columnCount ?? 1, 1)
        let r = a.shape[0]
        guard r % k == 0 else { return nil }
        let n = r / k
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { for j in 0..<n { m[i, j] = a.values[(i * k) * r + j * k] } }
        return (m, n, k)
    }

    /// The samples sorted by target (k = 1) or by class, the argmax of the target row (k > 1), stable in the index.
    static func sampleOrder(_ logs: RunLogs, count n: Int) -> (indices: [Int], how: String)? {
        guard let y = logs.array("y_train"), y.rowCount == n else { return nil }
        let k = y.columnCount
        let key: [Double] = (0..<n).map { i -> Double in
            guard k > 1 else { return y.values[i] }
            let row = Array(y.values[(i * k)..<(i * k + k)])
            return Double(row.indices.max { row[$0] < row[$1] } ?? 0)
        }
        let order = (0..<n).sorted { key[$0] != key[$1] ? key[$0] < key[$1] : $0 < $1 }
        return (order, k == 1 ? "sorted by their target y" : "sorted by class (the argmax of the target)")
    }

    /// The heatmap of `m` with rows and columns in `order`, averaged over blocks when N > ``maxCells``.
    static func heatmap(_ m: (values: Matrix, n: Int, outputs: Int), order: [Int], id: String, title: String,
                        caption: String) -> RunReport.Figure {
        let n = m.n
        let b = (n + maxCells - 1) / maxCells
        let cells = (n + b - 1) / b
        var mean = Array(repeating: 0.0, count: cells * cells)
        for bi in 0..<cells {
            for bj in 0..<cells {
                let rows = order[(bi * b)..<Swift.min(n, (bi + 1) * b)], cols = order[(bj * b)..<Swift.min(n, (bj + 1) * b)]
                let sum = rows.reduce(0.0) { acc, i in cols.reduce(acc) { $0 + m.values[i, $1] } }
                mean[bi * cells + bj] = sum / Double(rows.count * cols.count)
            }
        }
        let finite = mean.filter(\.isFinite)
        let signed = finite.contains { $0 < 0 }
        let top = finite.map { Swift.abs($0) }.max() ?? 0
        let palette = signed ? diverging : sequential
        let lo = signed ? -top : 0
        let width = top > 0 ? (top - lo) / Double(palette.count) : 1
        var levels = Array(repeating: [DataPoint](), count: palette.count)
        for bi in 0..<cells {
            for bj in 0..<cells where mean[bi * cells + bj].isFinite {
                let level = Swift.min(palette.count - 1, Swift.max(0, Int((mean[bi * cells + bj] - lo) / width)))
                levels[level].append(DataPoint(Double(bj) + 0.5, Double(bi) + 0.5))
            }
        }
        let series = palette.indices.map { l in
            PlotSeries(id: "\(id)-level\(l)",
                       label: "\(Ticks.text(lo + Double(l) * width, digits: 2)) … \(Ticks.text(lo + Double(l + 1) * width, digits: 2))",
                       points: levels[l], style: SeriesStyle(mark: .cells, color: palette[l]))
        }
        let unit = b > 1 ? "block of \(b) sorted samples" : "sample, sorted"
        let notes: [PlotNote] = b > 1 ? ["N = \(n): each cell is the mean over a \(b) × \(b) block of the sorted samples."] : []
        let plot = LinePlot(id: id, title: title, x: Axis("\(unit) j", domain: (0, Double(cells)), nice: false),
                            y: Axis("\(unit) i", domain: (0, Double(cells)), nice: false), series: series, notes: notes,
                            width: 460, plotHeight: 340)
        return RunReport.Figure(section: "The kernel on the training points", plot: plot, caption: caption
            + " Colour levels: nine equal steps" + (signed ? " from −max|·| to max|·|." : " from 0 to the largest entry."))
    }

    /// ‖W_l(t) − W_l(0)‖_F/‖W_l(0)‖_F per weight layer against the step, from the `weight_change_layer_<l>` columns.
    static func layerMotion(_ logs: RunLogs) -> RunReport.Figure? {
        guard let steps = logs.column(StepColumn.step) else { return nil }
        let columns = (logs.steps?.columns ?? [])
            .compactMap { c in StepColumn.layer(of: c, prefix: StepColumn.layerWeightChangePrefix).map { (c, $0) } }.sorted { $0.1 < $1.1 }
        guard !columns.isEmpty else { return nil }
        let last = columns.last!.1
        let kind = ArchitectureWording.nonMLPKind(logs.config)
        let colors = SweepAxesFigures.colors
        let series = columns.enumerated().compactMap { i, c -> PlotSeries? in
            guard let y = logs.column(c.0) else { return nil }
            let role = ArchitectureWording.layerRole(c.1, last: last, kind: kind)
            return PlotSeries(id: c.0, label: "layer \(c.1) (\(role))", x: steps, y: y,
                              style: SeriesStyle(color: colors[i % colors.count], dash: SweepAxesFigures.dashes[i % SweepAxesFigures.dashes.count],
                                                 lineWidth: 1.8))
        }
        let (notes, markers) = RunReport.divergenceNotesAndMarkers(logs)
        let plot = RunReport.relativeChangePlot(id: "layer-motion", title: "Weight change per layer", y: "‖W_l(t) − W_l(0)‖_F/‖W_l(0)‖_F",
                                                series: series, notes: notes, markers: markers, x: RunReport.stepAxis(logs.config))
        return RunReport.Figure(section: "Distance from the linearized model", plot: plot, caption:
            "Relative Frobenius change of each weight layer's raw weights (biases aside), steps.csv weight_change_layer_<l>: l = 1 the "
            + "\(ArchitectureWording.layerRole(1, last: last, kind: kind)) layer, \(last) the readout. weight_change (the figure above) "
            + "is over all parameters together, so it is dominated by the "
            + "layers with the most weights; this figure shows which layers move.")
    }
}
