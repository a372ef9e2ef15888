import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics

/// Extreme but finite numbers through the data loader and a short run, and damaged logs through the
/// report (issue 14 item 6): each ends in a clear error or a completed piece of work, never a trap.
@Suite(.serialized)
struct ExtremeValueFuzzTests {
    static let extremes: [Double] = [1e300, -1e300, 1.7976931348623157e308, -1e308, 5e-324, -5e-324, 1e-310, 2.2250738585072014e-308,
                                     1e-300, 1e150, -1e155, 0, -0.0, 1, 3.5, 1e-9]

    /// A random cell: mostly extreme values, sometimes ordinary ones, columns of mixed scales.
    static func cell(_ rng: inout RandomSource) -> Double {
        rng.uniform() < 0.6 ? extremes[Int(rng.next() % UInt64(extremes.count))] : rng.normal() * Foundation.pow(10, Double(Int(rng.next() % 41)) - 20)
    }

    @Test func extremeFiniteDataEndsInARunOrAClearError() throws {
        var rng = RandomSource(seed: 2026)
        var outcomes: [String: Int] = [:]
        for trial in 0..<30 {
            let rows = 2 + Int(rng.next() % 6), cols = 2 + Int(rng.next() % 3)
            let text = "a" + (1..<cols).map { ",c\($0)" }.joined() + "\n"
                + (0..<rows).map { _ in (0..<cols).map { _ in "\(Self.cell(&rng))" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
            let loaded: LoadedDataset
            do {
                let table = try NumericTable.parse(Data(text.utf8), file: "f.csv")
                loaded = try CSVDataset.make(train: table, test: nil,
                                             options: CSVDataOptions(testFraction: trial % 3 == 0 ? 0.3 : 0, seed: UInt64(trial)))
            } catch {
                #expect(!error.description.isEmpty)
                outcomes["data error", default: 0] += 1
                continue
            }
            let d = loaded.dataset
            #expect(d.trainInputs.data.allSatisfy { $0.isFinite }, "trial \(trial): standardized inputs are finite")
            let scratch = ScratchDirectory()
            defer { scratch.cleanup() }
            let a = NetworkArchitecture(inputDim: d.inputDim, width: 8, depth: Int(rng.next() % 3), outputs: d.outputs,
                                    activation: Activation.allCases[trial % Activation.allCases.count])
            do {
                let e = try NTKExperiment(architecture: a, dataset: d, settings: TrainingSettings(steps: 6, seed: UInt64(trial)))
                let summary = try RunRecorder.record(e, data: DataSettings(), command: ["fuzz"],
                                                     into: RunDirectory.create(at: scratch.url))
                #expect(FileManager.default.fileExists(atPath: scratch.file("summary.json").path))
                #expect(summary.status == .completed || summary.divergedBecause != nil)
                _ = try RunReport.write(runDirectory: scratch.url)
                outcomes[summary.status.rawValue, default: 0] += 1
            } catch {
                // A kernel that is zero or not finite is a clear error before anything is written.
                #expect(!"\(error)".isEmpty)
                outcomes["run error", default: 0] += 1
            }
        }
        #expect(outcomes.values.reduce(0, +) == 30)
        #expect((outcomes["completed"] ?? 0) + (outcomes["diverged"] ?? 0) > 0, "\(outcomes)")
    }

    /// Cells a damaged or hand-edited log can hold where numbers belong.
    static let badCells = ["nan", "inf", "-inf", "1e19", "9.3e18", "-9.3e18", "1e308", "-1e300", "1e-320", "1.5", "", "x", "0x10", "-0"]

    @Test func damagedLogsGiveAReportNotATrap() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let data = DataSettings(samples: 6, testSamples: 3, inputDim: 1).generate(seed: 4)
        let e = try NTKExperiment(architecture: NetworkArchitecture(inputDim: 1, width: 8), dataset: data,
                                  settings: TrainingSettings(steps: 8))
        _ = try RunRecorder.record(e, data: DataSettings(), command: ["fuzz"], into: RunDirectory.create(at: scratch.url))
        let names = ["steps.csv", "spectrum.csv", "modes.csv", "summary.json", "config.json"]
        let originals = try names.map { try String(contentsOf: scratch.file($0), encoding: .utf8) }
        var rng = RandomSource(seed: 14)
        for trial in 0..<40 {
            for (name, text) in zip(names, originals) {
                var damaged = text
                if name.hasSuffix(".csv") {
                    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                    for _ in 0..<3 where lines.count > 2 {
                        let i = 1 + Int(rng.next() % UInt64(lines.count - 2))
                        var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                        cells[Int(rng.next() % UInt64(cells.count))] = Self.badCells[Int(rng.next() % UInt64(Self.badCells.count))]
                        lines[i] = cells.joined(separator: ",")
                    }
                    damaged = lines.joined(separator: "\n")
                    if trial % 4 == 1 { damaged = String(damaged.dropLast(7)) }  // cut short
                } else {
                    // A number of the JSON file replaced by an extreme one.
                    let numbers = ["1e308", "-1e308", "1e19", "-5e-324", "0", "null", "\"inf\""]
                    damaged = text.replacingOccurrences(of: #": [-0-9.e+]+"#, with: ": \(numbers[trial % numbers.count])",
                                                        options: .regularExpression,
                                                        range: text.range(of: #": [-0-9.e+]+"#, options: .regularExpression,
                                                                          range: text.index(text.startIndex, offsetBy: Int(rng.next() % UInt64(text.count / 2)))..<text.endIndex))
                }
                try damaged.write(to: scratch.file(name), atomically: true, encoding: .utf8)
            }
            do {
                _ = try RunReport.write(runDirectory: scratch.url)
            } catch {
                #expect(error is ReportError, "trial \(trial): \(error)")
            }
        }
    }

    /// The axis code sees whatever a log holds: ticks and labels for extreme ranges stay finite, no trap.
    @Test func ticksForExtremeRangesAreFinite() {
        let values: [Double] = [5e-324, 1e-323, 2.2250738585072014e-308, 1e-300, 1, 1e300, 1.7976931348623157e308, -1.7976931348623157e308, -5e-324, 0]
        for lo in values {
            for hi in values {
                let t = Ticks.linear(lo: lo, hi: hi)
                #expect(t.values.allSatisfy { $0.isFinite } && t.lo.isFinite && t.hi.isFinite, "linear \(lo) … \(hi)")
                for v in t.values { _ = Ticks.label(v, step: t.step) }
                let l = Ticks.log(lo: lo, hi: hi)
                #expect(l.major.allSatisfy { $0.isFinite }, "log \(lo) … \(hi)")
                for v in l.major { _ = Ticks.logLabel(v) }
                _ = Ticks.text(lo)
            }
        }
    }
}
