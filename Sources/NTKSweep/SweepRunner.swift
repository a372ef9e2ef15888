import Dispatch
import Foundation

/// Runs the cells of a sweep, in parallel, each into its own run directory `ROOT/runs/<cell>/`
/// (``SweepCell/directoryName``).
///
/// A cell whose directory already holds a `summary.json` with status completed or diverged is not run
/// again: its row is rebuilt from that summary (resume). A directory left by an interrupted or crashed run is
/// replaced. Rows depend only on the runs' logs, so a resumed sweep writes the same `sweep.csv` as an
/// uninterrupted one (wall times aside).
public struct SweepRunner: Sendable {
    /// What one cell runs: its network and its training settings (its seed, parameterization, α, depth and η).
    public typealias CellSetup = (architecture: NetworkArchitecture, settings: TrainingSettings)

    public var dataset: Dataset
    public var data: DataSettings
    /// The seed the data was drawn from (recorded in each run's config.json).
    public var dataSeed: UInt64
    /// The network and settings of a cell; η is fixed (`learningRate` not nil) so that it is the same across widths.
    public var setup: @Sendable (SweepCell) -> CellSetup
    public var command: [String]
    public var writeArrays: Bool
    /// Runs at once (each with one BLAS thread when > 1).
    public var workers: Int

    public init(dataset: Dataset, data: DataSettings, dataSeed: UInt64, setup: @escaping @Sendable (SweepCell) -> CellSetup,
                command: [String], writeArrays: Bool, workers: Int) {
        self.dataset = dataset
        self.data = data
        self.dataSeed = dataSeed
        self.setup = setup
        self.command = command
        self.writeArrays = writeArrays
        self.workers = workers
    }

    /// Progress of the sweep as a whole.
    public struct Progress: Sendable {
        public var finished: Int
        public var total: Int
        /// Cells found finished on disk (resumed), included in `finished`.
        public var resumed: Int
        public var cell: SweepCell
        public var status: RunStatus
        public var seconds: Double
    }

    /// The directory of a cell's run.
    public static func directory(of cell: SweepCell, in root: URL) -> URL {
        root.appendingPathComponent(RunFormat.sweepRuns).appendingPathComponent(cell.directoryName)
    }

    /// The summary of a finished cell on disk, if any.
    public static func finishedSummary(of cell: SweepCell, in root: URL) -> RunSummary? {
        let url = directory(of: cell, in: root).appendingPathComponent(RunFormat.summary)
        guard let data = try? Data(contentsOf: url),
              let s = try? RunDirectory.jsonDecoder.decode(RunSummary.self, from: data),
              s.status == .completed || s.status == .diverged else { return nil }
        return s
    }

    /// The wall time recorded for a run: K₀, eigendecomposition and training.
    static func wallTime(_ s: RunSummary) -> Double {
        s.initialKernelSeconds + s.eigendecompositionSeconds + s.trainingSeconds
    }

    /// The row of a cell's finished run.
    func row(_ cell: SweepCell, _ summary: RunSummary) -> SweepRow {
        let cellSetup = setup(cell)
        return SweepRow(cell: cell, summary: summary, wallTime: Self.wallTime(summary),
                        architecture: cellSetup.architecture, outputScale: cellSetup.settings.outputScale)
    }

    /// Runs (or resumes) `cells` into `root`; returns their rows sorted by (width, seed). Cells interrupted
    /// by `shouldContinue` are left out of the result.
    public func run(_ cells: [SweepCell], into root: URL, shouldContinue: @escaping @Sendable () -> Bool,
                    progress: @escaping @Sendable (Progress) -> Void) throws -> [SweepRow] {
        let state = SharedState()
        var pending: [SweepCell] = []
        for cell in cells {
            if let s = Self.finishedSummary(of: cell, in: root) {
                state.append(row(cell, s))
                let n = state.finishedCount
                progress(Progress(finished: n, total: cells.count, resumed: n, cell: cell, status: s.status, seconds: 0))
            } else {
                pending.append(cell)
            }
        }
        let resumed = state.finishedCount
        if workers > 1 { BLAS.threadCount = 1 }
        let work = pending
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, work.count))) { _ in
            while let index = state.next(limit: work.count), shouldContinue(), !state.failed {
                let cell = work[index]
                do {
                    let summary = try runCell(cell, root: root, shouldContinue: shouldContinue)
                    guard summary.status != .interrupted else { continue }
                    state.append(row(cell, summary))
                    progress(Progress(finished: state.finishedCount, total: cells.count, resumed: resumed, cell: cell,
                                      status: summary.status, seconds: Self.wallTime(summary)))
                } catch {
                    state.fail(error)
                }
            }
        }
        if let error = state.error { throw error }
        return state.rows.sorted { $0.cell < $1.cell }
    }

    private func runCell(_ cell: SweepCell, root: URL, shouldContinue: () -> Bool) throws -> RunSummary {
        let url = Self.directory(of: cell, in: root)
        if OutputInventory.fileType(url) != nil {
            // Left by an interrupted run of this sweep; removed only when it holds nothing else (Docs/CLI.md#guarantees).
            let foreign = OutputInventory.isDirectory(url) ? OutputInventory.foreignEntries(ofRun: url) : ["a symbolic link or file at its name"]
            guard foreign.isEmpty else {
                throw OutputError.cannotWrite(path: url.path, reason: """
                    this unfinished sweep run holds \(foreign.joined(separator: ", ")), which ntk-dynamics did not write, so the resumed \
                    sweep will not delete it; move them away and rerun
                    """)
            }
            try FileManager.default.removeItem(at: url)
        }
        let cellSetup = setup(cell)
        precondition(cellSetup.settings.learningRate != nil || cell.learningRateFactor != nil,
                     "a sweep fixes η across widths, except on an --lr-factors axis")
        let experiment = try NTKExperiment(architecture: cellSetup.architecture, dataset: dataset, settings: cellSetup.settings)
        let dir = try RunDirectory.create(at: url)
        return try RunRecorder.record(experiment, data: data, command: command, into: dir, writeArrays: writeArrays,
                                      dataSeed: dataSeed, shouldContinue: shouldContinue)
    }
}

/// Rows, the next cell to take, and the first error, shared by the workers under a lock.
private final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var _rows: [SweepRow] = []
    private var _next = 0
    private var _error: (any Error)?

    func next(limit: Int) -> Int? {
        lock.withLock {
            guard _next < limit else { return nil }
            defer { _next += 1 }
            return _next
        }
    }

    func append(_ row: SweepRow) { lock.withLock { _rows.append(row) } }
    func fail(_ error: any Error) { lock.withLock { if _error == nil { _error = error } } }
    var rows: [SweepRow] { lock.withLock { _rows } }
    var finishedCount: Int { lock.withLock { _rows.count } }
    var failed: Bool { lock.withLock { _error != nil } }
    var error: (any Error)? { lock.withLock { _error } }
}
