import Foundation

extension WidthListLogs {
    /// The rows of a sweep directory's `sweep.csv` (one per width × seed), drawn like a width list with one
    /// point per run, and the fitted slopes of `sweep_summary.json` (95% intervals across seeds) as notes.
    public init(sweepDirectory directory: URL) throws {
        guard try RunLogs.kind(of: directory) == .sweep else { throw ReportError.notARunDirectory(path: directory.path) }
        self.directory = directory
        label = "sweep"
        problems = []
        notes = []
        rows = []
        let table = directory.appendingPathComponent("sweep.csv")
        guard FileManager.default.fileExists(atPath: table.path) else {
            problems.append("sweep.csv is missing: the sweep has not finished; rerun its command to complete it")
            return
        }
        let csv = try CSVTable(contentsOf: table)
        if csv.skippedRows > 0 { problems.append("sweep.csv: \(csv.skippedRows) incomplete row(s) skipped") }
        let renamed = ["wall_time": "training_seconds"]
        // Which axes name the run folders (SweepCell.directoryName): those sweep_config.json lists.
        let config = try? JSONObject(contentsOf: directory.appendingPathComponent("sweep_config.json"))
        let (namesParameterization, namesScale) = (config?["parameterizations"] != nil, config?["output_scales"] != nil)
        for r in csv.rows {
            var values: [String: Double] = [:]
            var width: Int?, seed: UInt64?, status = "unknown", parameterization: String?
            for (name, cell) in zip(csv.columns, r) {
                switch name {
                case "width": width = Int(cell)
                case "seed":
                    seed = UInt64(cell)
                    values["seed"] = seed.map { Double($0) }  // for the across-seed fits of the report
                case "status": status = cell.isEmpty ? "unknown" : cell
                case "parameterization": parameterization = cell.isEmpty ? nil : cell
                default: if let v = CSVTable.number(cell) { values[renamed[name] ?? name] = v }
                }
            }
            guard let width, let seed else { continue }
            let cell = SweepCell(width: width, seed: seed,
                                 parameterization: namesParameterization ? parameterization.flatMap(Parameterization.init) : nil,
                                 outputScale: namesScale ? values["output_scale"] : nil)
            rows.append(WidthListRow(width: width, status: status, values: values, directory: "runs/\(cell.directoryName)",
                                     parameterization: parameterization))
        }
        let summaryURL = directory.appendingPathComponent("sweep_summary.json")
        if let data = try? Data(contentsOf: summaryURL), let summary = try? JSONDecoder().decode(SweepSummary.self, from: data) {
            let groups = summary.groups ?? []
            for g in groups.count > 1 ? groups : [] {
                let name = g.parameterization.rawValue + (g.outputScale.map { ", α = \(SweepCell.text($0))" } ?? "")
                for m in g.metrics where m.column == "max_kernel_drift" || m.column == "max_gap" {
                    notes.append("sweep_summary.json, \(name): " + Self.slopeText(m.column, "width", m.fit))
                }
            }
            for m in summary.metrics where m.fit.slope != nil {
                notes.append("sweep_summary.json: " + Self.slopeText(m.column, "width", m.fit))
            }
            for c in summary.collapse ?? [] {
                notes.append("sweep_summary.json, \(c.parameterization.rawValue): " + Self.slopeText(c.column, "(α√n)", c.fit)
                    + " Joint fit ∝ α^\(Ticks.text(c.joint?.alphaExponent ?? .nan, digits: 3))·n^\(Ticks.text(c.joint?.widthExponent ?? .nan, digits: 3)):"
                    + " the curves of all widths fall onto one of α·n^p with p = \(Ticks.text(c.joint?.collapseExponent ?? .nan, digits: 3)) (α√n: p = 0.5);"
                    + " rms log residual \(Ticks.text(c.rmsLogResidual ?? .nan, digits: 3)) about the α√n line, \(Ticks.text(c.rmsLogResidualAlphaOnly ?? .nan, digits: 3)) about the best line in α alone."
                    + (c.crossovers.map { list in
                        " The mean drift falls through \(Ticks.text(CollapseFit.crossoverLevel)) at α√n = "
                            + list.map { "\(Ticks.text($0.alphaSqrtWidth ?? .nan, digits: 3)) (width \($0.width))" }.joined(separator: ", ") + "."
                    } ?? ""))
            }
        }
    }

    /// "max_gap ∝ width^-0.82 (95% CI …, method)." for a note; nothing after the quantity when no slope was fitted.
    static func slopeText(_ column: String, _ variable: String, _ fit: ScalingFit) -> String {
        guard let slope = fit.slope else { return "\(column): no slope (fewer than two usable points)." }
        let ci = fit.ci95.map { " (95% CI \(Ticks.text($0[0], digits: 3)) … \(Ticks.text($0[1], digits: 3)), \(fit.method))" } ?? ""
        return "\(column) ∝ \(variable)^\(Ticks.text(slope, digits: 3))\(ci)."
    }
}
