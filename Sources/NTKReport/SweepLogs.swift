import Foundation

extension WidthListLogs {
    /// The rows of a sweep directory's `sweep.csv` (one per width × seed), drawn like a width list with one
    /// point per run, and the fitted slopes of `sweep_summary.json` (95% intervals across seeds) as notes.
    public init(sweepDirectory directory: URL) throws {
        guard try RunLogs.kind(of: directory).isSweep else { throw ReportError.notARunDirectory(path: directory.path) }
        self.directory = directory
        label = "sweep"
        problems = []
        notes = []
        rows = []
        let table = directory.appendingPathComponent(RunFormat.sweep)
        guard FileManager.default.fileExists(atPath: table.path) else {
            problems.append("sweep.csv is missing: the sweep has not finished; rerun its command to complete it")
            return
        }
        let csv = try CSVTable(contentsOf: table)
        if csv.skippedRows > 0 { problems.append("sweep.csv: \(csv.skippedRows) incomplete row(s) skipped") }
        let renamed = [SweepColumn.wallTime: SummaryColumn.trainingSeconds]
        // Which axes name the run folders (SweepCell.directoryName): those sweep_config.json lists.
        let config = try? JSONObject(contentsOf: directory.appendingPathComponent(RunFormat.sweepConfig))
        typealias Key = SweepConfiguration.SweepRecord.CodingKeys
        let (namesParameterization, namesScale) = (config?[Key.parameterizations] != nil, config?[Key.outputScales] != nil)
        let (namesDepth, namesFactor) = (config?[Key.depths] != nil, config?[Key.lrFactors] != nil)
        let namesArchitecture = config?[Key.architectures] != nil
        for r in csv.rows {
            var values: [String: Double] = [:]
            var width: Int?, seed: UInt64?, status = "unknown", parameterization: String?, phase: String?, architecture: String?
            for (name, cell) in zip(csv.columns, r) {
                switch name {
                case SweepColumn.width: width = Int(cell)
                case SweepColumn.seed:
                    seed = UInt64(cell)
                    values[SweepColumn.seed] = seed.map { Double($0) }  // for the across-seed fits of the report
                case SummaryColumn.status: status = cell.isEmpty ? "unknown" : cell
                case SweepColumn.parameterization: parameterization = cell.isEmpty ? nil : cell
                case SummaryColumn.phase: phase = cell.isEmpty ? nil : cell
                case SweepColumn.architecture: architecture = cell.isEmpty ? nil : cell
                default: if let v = CSVTable.number(cell) { values[renamed[name] ?? name] = v }
                }
            }
            guard let width, let seed else { continue }
            let cell = SweepCell(width: width, seed: seed,
                                 parameterization: namesParameterization ? parameterization.flatMap(Parameterization.init) : nil,
                                 outputScale: namesScale ? values[SweepColumn.outputScale] : nil,
                                 depth: namesDepth ? values[SweepColumn.depth].map { Int($0) } : nil,
                                 learningRateFactor: namesFactor ? values[SweepColumn.lrFactor] : nil,
                                 architecture: namesArchitecture ? architecture.flatMap(ArchitectureKind.init) : nil)
            // sweep.csv has no λ_max(K̃₀); the run's summary.json does (the runs table shows it).
            if values[SummaryColumn.lambdaMax] == nil, let summary = try? JSONObject(contentsOf: directory.appendingPathComponent(
                "\(RunFormat.sweepRuns)/\(cell.directoryName)/\(RunFormat.summary)")) {
                values[SummaryColumn.lambdaMax] = summary.number(RunSummary.CodingKeys.lambdaMax)
            }
            var row = WidthListRow(width: width, status: status, values: values, directory: "\(RunFormat.sweepRuns)/\(cell.directoryName)",
                                   parameterization: parameterization)
            row.phase = phase
            row.architecture = architecture
            rows.append(row)
        }
        let summaryURL = directory.appendingPathComponent(RunFormat.sweepSummary)
        if let data = try? Data(contentsOf: summaryURL), let summary = try? JSONDecoder().decode(SweepSummary.self, from: data) {
            let groups = summary.groups ?? []
            for g in groups.count > 1 ? groups : [] {
                let name = g.label
                for m in g.metrics where m.column == SummaryColumn.maxKernelDrift || m.column == SummaryColumn.maxGap {
                    notes.append("sweep_summary.json, \(name): " + Self.slopeText(m.column, SweepColumn.width, m.fit))
                }
            }
            for m in summary.metrics where m.fit.slope != nil {
                notes.append("sweep_summary.json: " + Self.slopeText(m.column, SweepColumn.width, m.fit))
            }
            for c in summary.collapse ?? [] {
                notes += c.sentences { Ticks.text($0 ?? .nan, digits: 3) }.map { "sweep_summary.json, " + $0 }
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
