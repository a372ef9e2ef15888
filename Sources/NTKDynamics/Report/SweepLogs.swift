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
        for r in csv.rows {
            var values: [String: Double] = [:]
            var width: Int?, seed: String?, status = "unknown"
            for (name, cell) in zip(csv.columns, r) {
                switch name {
                case "width": width = Int(cell)
                case "seed": seed = cell
                case "status": status = cell.isEmpty ? "unknown" : cell
                default: if let v = CSVTable.number(cell) { values[renamed[name] ?? name] = v }
                }
            }
            if let width, let seed {
                rows.append(WidthListRow(width: width, status: status, values: values, directory: "runs/w\(width)-s\(seed)"))
            }
        }
        let summaryURL = directory.appendingPathComponent("sweep_summary.json")
        if let data = try? Data(contentsOf: summaryURL), let summary = try? JSONDecoder().decode(SweepSummary.self, from: data) {
            for m in summary.metrics {
                guard let slope = m.fit.slope else { continue }
                let ci = m.fit.ci95.map { " (95% CI \(Ticks.text($0[0], digits: 3)) … \(Ticks.text($0[1], digits: 3)), \(m.fit.method))" } ?? ""
                notes.append("sweep_summary.json: \(m.column) ∝ width^\(Ticks.text(slope, digits: 3))\(ci).")
            }
        }
    }
}
