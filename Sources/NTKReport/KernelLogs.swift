import Foundation

/// The files of a `kernel` directory (Docs/InfiniteWidth.md#run-directory), read leniently for the report:
/// `config.json`, `kernel.csv` (one row per width and seed), `summary.json` (missing while the study runs or
/// after it was killed) and the kernels in `arrays/`.
public struct KernelLogs: Sendable {
    /// One row of kernel.csv.
    public struct Measurement: Equatable, Sendable {
        public var width: Int
        public var seed: UInt64
        /// ‖K₀ − Θ‖_F/‖Θ‖_F.
        public var relativeError: Double
    }

    public let directory: URL
    public var config: JSONObject?
    public var summary: JSONObject?
    public var measurements: [Measurement]
    public var problems: [String]

    /// - Throws: ``ReportError/notARunDirectory(path:)`` when `directory` is not a kernel directory.
    public init(directory: URL) throws {
        guard try RunLogs.kind(of: directory) == .kernel else { throw ReportError.notARunDirectory(path: directory.path) }
        self.directory = directory
        problems = []
        config = try? JSONObject(contentsOf: directory.appendingPathComponent(RunFormat.config))
        if config == nil { problems.append("config.json is missing or unreadable") }
        summary = try? JSONObject(contentsOf: directory.appendingPathComponent(RunFormat.summary))
        if summary == nil { problems.append("summary.json is missing (a study still going or killed)") }
        measurements = []
        let url = directory.appendingPathComponent(RunFormat.kernel)
        guard let csv = try? CSVTable(contentsOf: url) else {
            problems.append("kernel.csv is missing or unreadable: no seed was measured")
            return
        }
        if csv.skippedRows > 0 { problems.append("kernel.csv: \(csv.skippedRows) incomplete row(s) skipped") }
        typealias C = KernelStudyColumn
        let (w, s, e) = (csv.numbers(C.width) ?? [], csv.numbers(C.seed) ?? [], csv.numbers(C.relativeError) ?? [])
        for i in 0..<Swift.min(w.count, s.count, e.count) {
            // A damaged row (a width or seed that is not a count) is skipped rather than trapping.
            guard let width = w[i], let seed = s[i], let error = e[i], width >= 1, width < 1e12, width == width.rounded(),
                  seed >= 0, seed < 1.8e19, seed == seed.rounded() else { continue }
            measurements.append(Measurement(width: Int(width), seed: UInt64(seed), relativeError: error))
        }
    }

    /// One row per measurement, as the width figures and fits take them: its relative error and its seed by their
    /// kernel.csv names.
    var widthListRows: [WidthListRow] {
        measurements.map { m in
            WidthListRow(width: m.width, status: RunStatus.completed.rawValue,
                         values: [KernelStudyColumn.relativeError: m.relativeError, KernelStudyColumn.seed: Double(m.seed)], directory: nil)
        }
    }

    /// The widths measured, in increasing order.
    public var widths: [Int] { Array(Set(measurements.map(\.width))).sorted() }

    /// The seed-averaged K₀ of a width (`ntk_empirical_mean_w<width>`, or `ntk_empirical_mean` for a study of one width).
    public func meanKernel(width: Int) -> NPYFile? {
        array("ntk_empirical_mean_w\(width)") ?? (widths.count == 1 ? array("ntk_empirical_mean") : nil)
    }

    /// `arrays/<name>.npy`, or nil when it is missing or unreadable.
    public func array(_ name: String) -> NPYFile? {
        try? NPYFile(contentsOf: directory.appendingPathComponent(RunFormat.array(name)))
    }

    /// The eigenvalues of a square kernel array, largest first; nil when it is not square or not finite.
    public static func eigenvalues(_ a: NPYFile) -> [Double]? {
        guard a.shape.count == 2, a.shape[0] == a.shape[1], a.values.count == a.shape[0] * a.shape[1] else { return nil }
        guard let e = try? SymmetricEigendecomposition(Matrix(rows: a.shape[0], cols: a.shape[1], data: a.values)) else { return nil }
        return e.values.reversed()
    }
}

extension KernelLogs {
    /// `.kernel` for a directory written by `ntk-dynamics kernel` (config.json says `"subcommand": "kernel"`, or
    /// kernel.csv without steps.csv), nil for anything else.
    ///
    /// - Throws: ``ReportError/cannotDraw(path:reason:)`` when config.json names another subcommand, whose
    ///   directory the report does not know how to draw.
    static func kind(of directory: URL) throws -> OutputKind? {
        let fm = FileManager.default
        let config = try? JSONObject(contentsOf: directory.appendingPathComponent(RunFormat.config))
        switch config?.string("subcommand") {
        case "kernel"?: return .kernel
        case let other?:
            throw ReportError.cannotDraw(path: directory.path, reason: """
                config.json says it was written by `ntk-dynamics \(other)`, and report draws only runs, width lists, sweeps, merges \
                and kernel studies
                """)
        case nil:
            let csv = fm.fileExists(atPath: directory.appendingPathComponent(RunFormat.kernel).path)
            return csv && !fm.fileExists(atPath: directory.appendingPathComponent(RunFormat.steps).path) ? .kernel : nil
        }
    }
}
