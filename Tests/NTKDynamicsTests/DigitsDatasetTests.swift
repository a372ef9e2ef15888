import Foundation
import Testing
@testable import NTKDynamics

/// The bundled digits: present offline with the documented shape and label counts, sampled deterministically,
/// with ±1 or one-hot targets.
struct DigitsDatasetTests {
    /// The well-known per-class counts of scikit-learn's load_digits (labels 0–9).
    static let knownCounts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]

    @Test func resourceHasTheDocumentedShapeAndLabelCounts() throws {
        let url = try #require(DigitsDataset.resourceURL, "digits.csv is bundled with the library")
        // Counted from the text itself, without the loader.
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 1 + 1797)
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.count == 65 && header.last == "label" && header[0] == "pixel_0_0" && header[63] == "pixel_7_7")
        var counts = [Int](repeating: 0, count: 10)
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(cells.count == 65)
            for cell in cells.dropLast() {
                let v = try #require(Int(cell))
                #expect((0...16).contains(v))
            }
            counts[try #require(Int(cells[64]))] += 1
        }
        #expect(counts == Self.knownCounts)
        #expect(DigitsDataset.labelCounts == Self.knownCounts)

        // The loader agrees.
        let table = try DigitsDataset.table()
        #expect(table.rowCount == 1797 && table.columnCount == 65 && table.header == header)
        #expect(table.lines.first == 2 && table.lines.last == 1798)
        // The license note ships beside it.
        let readme = url.deletingLastPathComponent().appendingPathComponent("digits-README.md")
        let note = try String(contentsOf: readme, encoding: .utf8)
        #expect(note.contains("CC BY 4.0") && note.contains("load_digits"))
    }

    @Test func binaryClassesGivePlusMinusOneTargets() throws {
        let loaded = try DigitsDataset.load(.init(classes: [3, 8], samples: 120, testSamples: 80, seed: 4))
        let d = loaded.dataset
        #expect(d.task == .classification && d.outputs == 1 && d.inputDim == 64)
        #expect(d.trainCount == 120 && d.testCount == 80)
        #expect(d.trainTargets.data.allSatisfy { $0 == 1 || $0 == -1 })
        #expect(d.trainInputs.data.allSatisfy { $0 >= 0 && $0 <= 1 }, "pixel/16")
        #expect(d.trainInputs.data.contains(1) && d.trainInputs.data.contains(0))
        // Train and test are disjoint (no image repeats in the file).
        let train = Set((0..<d.trainCount).map { d.trainInputs.row($0) })
        #expect(train.count == d.trainCount)
        #expect((0..<d.testCount).allSatisfy { !train.contains(d.testInputs.row($0)) })
        // Each target matches the label of its image in the file.
        let table = try DigitsDataset.table()
        var labelOf: [[Double]: Int] = [:]
        for i in 0..<table.rowCount {
            labelOf[(0..<64).map { table[i, $0] / 16 }] = Int(table[i, 64])
        }
        for i in 0..<d.trainCount {
            let label = try #require(labelOf[d.trainInputs.row(i)])
            #expect([3, 8].contains(label))
            #expect(d.trainTargets[i, 0] == (label == 8 ? 1 : -1))
        }
        let source = try #require(d.source)
        #expect(source.classes == [3, 8] && source.rowsAvailable == 183 + 174)
        #expect(source.license?.contains("CC BY 4.0") == true)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func allTenClassesGiveOneHotTargets() throws {
        let d = try DigitsDataset.load(.init(samples: 200, seed: 1)).dataset
        #expect(d.outputs == 10 && d.trainCount == 200 && d.testCount == DigitsDataset.defaultTestSamples)
        for i in 0..<d.trainCount {
            let row = d.trainTargets.row(i)
            #expect(row.filter { $0 == 1 }.count == 1 && row.filter { $0 == 0 }.count == 9)
        }
        #expect(ClassTargets.accuracy(d.testTargets.data, d.testTargets.data, outputs: 10) == 1)
    }

    @Test func samplingIsDeterministicInTheSeed() throws {
        let a = try DigitsDataset.load(.init(classes: [0, 1], samples: 50, testSamples: 30, seed: 9)).dataset
        let b = try DigitsDataset.load(.init(classes: [0, 1], samples: 50, testSamples: 30, seed: 9)).dataset
        let c = try DigitsDataset.load(.init(classes: [0, 1], samples: 50, testSamples: 30, seed: 10)).dataset
        #expect(a.trainInputs == b.trainInputs && a.testInputs == b.testInputs && a.trainTargets == b.trainTargets)
        #expect(a.trainInputs != c.trainInputs)
        // Default test size: 256, or what is left after the training samples.
        let rest = try DigitsDataset.load(.init(classes: [0, 1], samples: 300, seed: 9)).dataset
        #expect(rest.testCount == 178 + 182 - 300)
        // Standardized on request, with the training split's statistics.
        let s = try DigitsDataset.load(.init(classes: [0, 1], samples: 50, testSamples: 30, standardize: true, seed: 9)).dataset
        #expect(s.source?.standardization?.mean.count == 64)
        let column = s.trainInputs.column(20)
        #expect(abs(column.reduce(0, +) / 50) < 1e-12)
    }

    @Test func tooManySamplesIsAnError() {
        let e1 = csvError { _ = try DigitsDataset.load(.init(classes: [0, 1], samples: 361)) }
        #expect(e1?.problem == .tooFewRows(available: 360, requested: 361, what: "--samples 361 (rows with label 0,1)"))
        #expect(e1?.description.hasPrefix("digits.csv (bundled): --samples 361") == true)
        let e2 = csvError { _ = try DigitsDataset.load(.init(classes: [0, 1], samples: 300, testSamples: 61)) }
        #expect(e2?.problem == .tooFewRows(available: 60, requested: 61,
                                           what: "--test-samples 61 (rows with label 0,1, after the 300 training samples)"))
        let e3 = csvError { _ = try DigitsDataset.load(.init(classes: [1, 11])) }
        #expect(e3 != nil)
    }

    @Test func accuracyComparesSignsOrArgmax() {
        #expect(ClassTargets.accuracy([0.3, -2, 0.1, -0.5], [1, -1, -1, 1], outputs: 1) == 0.5)
        #expect(ClassTargets.accuracy([0.2, 0.9, 0.1, 0.5, 0.4, 0.3], [0, 1, 0, 0, 0, 1], outputs: 3) == 0.5)
        #expect(ClassTargets.accuracy([], [], outputs: 2) == nil)
        #expect(ClassTargets.encode([5, 2, 5], classes: [2, 5]).data == [1, -1, 1])
        #expect(ClassTargets.encode([7, 2], classes: [2, 5, 7]).data == [0, 0, 1, 1, 0, 0])
    }
}
