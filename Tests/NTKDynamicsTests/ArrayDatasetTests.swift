import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// NumPy arrays as data (`--data FILE.npz`, `--data x.npy --targets y.npy`, `--image-shape`): the loader reads
/// files written in the test by ``NumPyFileWriter`` (and one written by NumPy itself), and its inputs,
/// targets and image shapes are compared with the values the test wrote.
struct ArrayDatasetTests {
    /// No split, no standardization: the loader's rows are the file's rows in order.
    static let plain = ArrayDataOptions(split: CSVDataOptions(testFraction: 0, standardize: false))

    static func write(_ files: [String: Data], in scratch: ScratchDirectory) throws {
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: scratch.file(name)) }
    }

    static func loadNPZ(_ data: Data, options: ArrayDataOptions = plain) throws -> LoadedDataset {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try write(["d.npz": data], in: scratch)
        return try ArrayDataset.load(scratch.file("d.npz"), file: "d.npz", options: options)
    }

    /// The error of loading `data` as an .npz file (nil when it loads).
    static func npzError(_ data: Data, options: ArrayDataOptions = plain) -> DataFileError? {
        do {
            _ = try loadNPZ(data, options: options)
            return nil
        } catch let e as DataFileError {
            return e
        } catch {
            return DataFileError(file: "?", "unexpected error \(error)")
        }
    }

    /// Images (N, H, W, C) with pixel (i, h, w, c) = i + 10h + 3w + c + 1, as uint8.
    static func pixel(_ i: Int, _ h: Int, _ w: Int, _ c: Int) -> Double { Double(i + 10 * h + 3 * w + c + 1) }

    static func images(n: Int, h: Int, w: Int, c: Int) -> [Double] {
        var v: [Double] = []
        for i in 0..<n { for a in 0..<h { for b in 0..<w { for d in 0..<c { v.append(pixel(i, a, b, d)) } } } }
        return v
    }

    @Test(arguments: [false, true])
    func imagesAndLabelsLoadFlattenedInHWCOrderWithClassTargets(deflated: Bool) throws {
        let (n, h, w, c) = (5, 3, 4, 2)
        let labels: [Double] = [7, 2, 7, 2, 2]
        let npz = NumPyFileWriter.zip([("x.npy", NumPyFileWriter.npy(Self.images(n: n, h: h, w: w, c: c), shape: [n, h, w, c], dtype: .u1)),
                                       ("y.npy", NumPyFileWriter.npy(labels, shape: [n], dtype: .i8))], deflated: deflated)
        let d = try Self.loadNPZ(npz).dataset
        #expect(d.imageShape == ImageShape(height: h, width: w, channels: c))
        #expect(d.inputDim == h * w * c && d.trainCount == n && d.outputs == 1 && d.task == .classification)
        for i in 0..<n { for a in 0..<h { for b in 0..<w { for e in 0..<c {
            #expect(d.trainInputs[i, (a * w + b) * c + e] == Self.pixel(i, a, b, e))
        } } } }
        // Two classes, ascending: 2 → −1, 7 → +1.
        #expect(d.trainTargets.data == labels.map { $0 == 7 ? 1 : -1 })
        #expect(d.source?.classes == [2, 7])
    }

    @Test
    func anArchiveWrittenByNumPyItselfLoads() throws {
        let d = try Self.loadNPZ(NumPyFileWriter.numpySavezCompressed).dataset
        #expect(d.imageShape == ImageShape(height: 2, width: 2, channels: 1))
        #expect(d.trainInputs.data == (0..<12).map(Double.init))
        #expect(d.trainTargets.data == [-1, 1, -1])
    }

    @Test
    func everyAcceptedElementTypeConvertsToTheSameFloat64Values() throws {
        let values: [Double] = [0, 1, 5, 100, 127, 3]
        let signed: [Double] = [-128, -1, 0, 1, 5, 127]
        for (dtype, v) in [(NumPyFileWriter.DType.f8, [0.1, -2.5, 1e-300, 3, 7, 1e300]), (.f4, [0.5, -2.25, 3, 1024, 7, 0]), (.bigF8, [0.1, -2.5, 9, 3, 7, 2]),
                           (.u1, values), (.u2, values), (.i1, signed), (.i2, signed), (.i4, signed), (.i8, signed), (.bigI4, signed)] {
            let a = try NumPyArray.parse(NumPyFileWriter.npy(v, shape: [2, 3], dtype: dtype), file: "a.npy")
            #expect(a.shape == [2, 3], "\(dtype.descr)")
            #expect(a.values == v, "\(dtype.descr)")
            #expect(a.isInteger == !dtype.descr.contains("f"), "\(dtype.descr)")
        }
        // Integers float64 cannot hold exactly are refused rather than rounded.
        #expect(throws: DataFileError.self) { try NumPyArray.parse(NumPyFileWriter.npy([0x1p54], shape: [1], dtype: .i8), file: "a.npy") }
        #expect(try NumPyArray.parse(NumPyFileWriter.npy([0x1p53, -0x1p53], shape: [2], dtype: .i8), file: "a.npy").values == [0x1p53, -0x1p53])
    }

    @Test
    func fortranOrderIsReadBackInCOrder() throws {
        // A 2 × 3 × 2 array with element (i, j, k) = 100i + 10j + k, written column-major (first index fastest).
        let shape = [2, 3, 2]
        var fortran: [Double] = [], c: [Double] = []
        for k in 0..<2 { for j in 0..<3 { for i in 0..<2 { fortran.append(Double(100 * i + 10 * j + k)) } } }
        for i in 0..<2 { for j in 0..<3 { for k in 0..<2 { c.append(Double(100 * i + 10 * j + k)) } } }
        let a = try NumPyArray.parse(NumPyFileWriter.npy(fortran, shape: shape, fortranOrder: true), file: "f.npy")
        #expect(a.values == c)
    }

    @Test(arguments: ["|b1", "<f2", "<c16", "<U3", "|O", "<M8[ns]"])
    func otherElementTypesAreRefusedByName(descr: String) {
        let npy = NumPyFileWriter.npy([1, 2], shape: [2], dtype: .other(descr, size: 2))
        #expect(throws: DataFileError.self) { try NumPyArray.parse(npy, file: "a.npy") }
        do { _ = try NumPyArray.parse(npy, file: "a.npy") } catch {
            #expect(error.description.contains("a.npy") && error.description.contains("'\(descr)'") && error.description.contains("float64"))
        }
    }

    @Test
    func truncatedAndCorruptArraysAreRefused() {
        let good = NumPyFileWriter.npy([1, 2, 3, 4], shape: [2, 2])
        let cases: [(Data, String)] = [
            (good.prefix(good.count - 3), "truncated"),
            (good + Data([0, 0, 0, 0, 0, 0, 0, 0]), "bytes after"),
            (good.prefix(20), "truncated inside its .npy header"),
            (Data("x,y\n1,2\n".utf8), "magic bytes"),
        ]
        for (bytes, fragment) in cases {
            #expect(throws: DataFileError.self) { try NumPyArray.parse(bytes, file: "a.npy", member: "x.npy") }
            do { _ = try NumPyArray.parse(bytes, file: "a.npy", member: "x.npy") } catch {
                #expect(error.description.hasPrefix("a.npy, member 'x.npy': ") && error.description.contains(fragment), "\(error)")
            }
        }
    }

    static func npz(x: Data, y: Data, deflated: Bool = false) -> Data {
        NumPyFileWriter.zip([("x.npy", x), ("y.npy", y)], deflated: deflated)
    }

    static let x4 = NumPyFileWriter.npy(images(n: 4, h: 2, w: 2, c: 1), shape: [4, 2, 2, 1], dtype: .u1)
    static let y4 = NumPyFileWriter.npy([0, 1, 0, 1], shape: [4], dtype: .i8)

    @Test
    func badArchivesAndArraysNameTheFileAndMember() throws {
        let stored = Self.npz(x: Self.x4, y: Self.y4)
        var flipped = [UInt8](stored)
        flipped[30 + 5 + 64 + 3] ^= 0xFF  // a pixel of x.npy: after the 30-byte local header, the name and the 64-byte .npy header
        var flippedDeflated = [UInt8](Self.npz(x: Self.x4, y: Self.y4, deflated: true))
        flippedDeflated[30 + 5 + 5 + 64 + 3] ^= 0xFF  // the same pixel, after the stored block's 5-byte header
        let cases: [(Data, ArrayDataOptions, String?, [String])] = [
            (stored.prefix(stored.count - 10), Self.plain, nil, ["not a readable .npz", "truncated"]),
            (Data(flipped), Self.plain, "x.npy", ["cannot be extracted", "CRC-32", "corrupt"]),
            (Data(flippedDeflated), Self.plain, "x.npy", ["cannot be extracted", "CRC-32", "corrupt"]),
            (NumPyFileWriter.zip([("x.npy", Self.x4)], deflated: true), Self.plain, nil, ["no member 'y.npy'", "'x.npy'", "numpy.savez"]),
            (NumPyFileWriter.zip([("y.npy", Self.y4)], deflated: false), Self.plain, nil, ["no member 'x.npy'"]),
            (Self.npz(x: NumPyFileWriter.npy(Array(repeating: 1, count: 12), shape: [4, 3]), y: NumPyFileWriter.npy([0, 1, 0], shape: [3], dtype: .i8)),
             Self.plain, "y.npy", ["shape [3]", "4 samples"]),
            (Self.npz(x: NumPyFileWriter.npy(Array(repeating: 1, count: 8), shape: [4, 2, 1]), y: Self.y4), Self.plain, "x.npy", ["rank 3", "(N, H, W, C)"]),
            (Self.npz(x: NumPyFileWriter.npy([1, 2, .nan, 4], shape: [4, 1]), y: Self.y4), Self.plain, "x.npy", ["x[2, 0]", "nan", "NaN"]),
            (Self.npz(x: Self.x4, y: NumPyFileWriter.npy([1, 1, 1, 1], shape: [4], dtype: .i8)), Self.plain, "y.npy", ["every label in y is 1"]),
            (Self.npz(x: Self.x4, y: NumPyFileWriter.npy(Array(repeating: 1, count: 8), shape: [4, 2], dtype: .i4)), Self.plain, "y.npy", ["integers of shape [4, 2]"]),
            (Self.npz(x: Self.x4, y: NumPyFileWriter.npy([0.5, 1, 2, 3], shape: [4])),
             ArrayDataOptions(classes: [0, 1], split: Self.plain.split), "y.npy", ["--classes needs integer class labels", "'<f8'"]),
            (stored, ArrayDataOptions(classes: [0, 5], split: Self.plain.split), "y.npy", ["--classes lists 5", "labels present: 0,1"]),
            (stored, ArrayDataOptions(imageShape: ImageShape(height: 4, width: 1, channels: 1), split: Self.plain.split), "x.npy", ["differs", "2×2×1"]),
            (stored, ArrayDataOptions(split: CSVDataOptions(testFraction: 0, samples: 9)), nil, ["--samples 9", "only 4"]),
        ]
        for (bytes, options, member, fragments) in cases {
            let e = try #require(Self.npzError(bytes, options: options), "\(fragments)")
            #expect(e.file == "d.npz" && e.member == member, "\(e)")
            for f in fragments { #expect(e.description.contains(f), "\(e) lacks \(f)") }
        }
    }

    @Test
    func floatTargetsAreRegressionTargetsAndNPYPairsLoadWithAnImageShape() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let x = (0..<12).map { Double($0) * 0.5 }, y = (0..<6).map { Double($0) - 2.5 }
        try Self.write(["x.npy": NumPyFileWriter.npy(x, shape: [3, 4], dtype: .f4), "y.npy": NumPyFileWriter.npy(y, shape: [3, 2])], in: scratch)
        let options = ArrayDataOptions(imageShape: ImageShape(height: 1, width: 2, channels: 2), split: Self.plain.split)
        let d = try ArrayDataset.load(scratch.file("x.npy"), file: "x.npy", targetsURL: scratch.file("y.npy"), targetsFile: "y.npy",
                                      options: options).dataset
        #expect(d.task == .regression && d.outputs == 2 && d.trainInputs.data == x && d.trainTargets.data == y)
        #expect(d.imageShape == ImageShape(height: 1, width: 2, channels: 2))
        #expect(d.source?.name == "npy" && d.source?.targetColumns == ["y[0]", "y[1]"])
        let wrong = ArrayDataOptions(imageShape: ImageShape(height: 3, width: 1, channels: 1), split: Self.plain.split)
        #expect(throws: DataFileError.self) {
            try ArrayDataset.load(scratch.file("x.npy"), file: "x.npy", targetsURL: scratch.file("y.npy"), targetsFile: "y.npy", options: wrong)
        }
    }

    @Test
    func classesKeepTheirSamplesAndATestArchiveReplacesTheSplit() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let labels: [Double] = [0, 1, 2, 1, 0, 2]
        try Self.write(["a.npz": Self.npz(x: NumPyFileWriter.npy((0..<6).map(Double.init), shape: [6, 1]),
                                          y: NumPyFileWriter.npy(labels, shape: [6], dtype: .i2), deflated: true),
                        "t.npz": Self.npz(x: NumPyFileWriter.npy([10, 11, 12], shape: [3, 1]),
                                          y: NumPyFileWriter.npy([2, 1, 0], shape: [3], dtype: .i2))], in: scratch)
        let options = ArrayDataOptions(classes: [2, 0], split: Self.plain.split)
        let d = try ArrayDataset.load(scratch.file("a.npz"), file: "a.npz", testURL: scratch.file("t.npz"), testFile: "t.npz",
                                      options: options).dataset
        // Samples 0, 2, 4, 5 have label 0 or 2; the classes in the order given: 2 → −1, 0 → +1.
        #expect(d.trainInputs.data == [0, 2, 4, 5] && d.trainTargets.data == [1, -1, 1, -1])
        #expect(d.testInputs.data == [10, 12] && d.testTargets.data == [-1, 1])
        #expect(d.source?.testFile == "t.npz" && d.imageShape == nil)
    }

    @Test
    func imageShapeParsesHxWxC() {
        #expect(ImageShape(parsing: "28x28x1") == ImageShape(height: 28, width: 28, channels: 1))
        #expect(ImageShape(parsing: "32×32×3")?.pixelCount == 3072)
        for bad in ["28x28", "0x2x2", "2x2x-1", "axbxc", "", "2x2x2x2", "99999999999x99999999999x9"] {
            #expect(ImageShape(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test
    func digitsAreEightByEightImagesInRowMajorPixelOrder() throws {
        let d = try DigitsDataset.load(.init(classes: [3, 8], samples: 10, testSamples: 5)).dataset
        #expect(d.imageShape == ImageShape(height: 8, width: 8, channels: 1))
        // The HWC position of input j is (j / 8, j % 8): the bundled file's column pixel_<row>_<column>.
        let names = try DigitsDataset.table().header ?? []
        for j in 0..<64 { #expect(names[j] == "pixel_\(j / 8)_\(j % 8)") }
    }

    @Test
    func configRecordsTheImageShapeOnlyForImages() throws {
        var config = RunConfiguration(architecture: NetworkArchitecture(inputDim: 4, width: 8, depth: 1, outputs: 1), data: DataSettings(),
                                      settings: TrainingSettings(), learningRate: 0.1, criticalLearningRate: 0.2, command: [])
        let plain = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any]
        #expect(plain?["image_shape"] == nil)
        var d = Dataset(name: "npz", trainInputs: Matrix(rows: 1, cols: 4), trainTargets: Matrix(rows: 1, cols: 1),
                        testInputs: Matrix(rows: 0, cols: 4), testTargets: Matrix(rows: 0, cols: 1))
        d.imageShape = ImageShape(height: 2, width: 1, channels: 2)
        d.source = try Self.loadNPZ(Self.npz(x: Self.x4, y: Self.y4)).dataset.source
        config.describe(d)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any]
        #expect(json?["image_shape"] as? [Int] == [2, 1, 2])
        let decoded = try JSONDecoder().decode(RunConfiguration.self, from: JSONEncoder().encode(config))
        #expect(decoded.run.imageShape == ImageShape(height: 2, width: 1, channels: 2))
    }

    @Test
    func imageShapeOfCSVRowsIsCheckedAgainstTheInputColumns() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try Self.write(["t.csv": Data("a,b,c,d,y\n1,2,3,4,1\n5,6,7,8,2\n".utf8)], in: scratch)
        let path = scratch.file("t.csv").path
        let good = try DataOptions.parse(["--data", path, "--image-shape", "2x1x2", "--test-fraction", "0"])
        #expect(try good.load(seed: 0).dataset.imageShape == ImageShape(height: 2, width: 1, channels: 2))
        let bad = try DataOptions.parse(["--data", path, "--image-shape", "3x1x1"])
        #expect(throws: DataFileError.self) { try bad.load(seed: 0) }
        do { _ = try bad.load(seed: 0) } catch {
            #expect("\(error)".contains("t.csv") && "\(error)".contains("needs 3 input columns, but the file has 4"))
        }
    }

    @Test(arguments: [
        (["--data", "x.npy"], "--targets y.npy"),
        (["--data", "a.npz", "--targets", "y.npy"], "Drop --targets"),
        (["--data", "a.csv", "--targets", "y.npy"], "--targets applies to --data x.npy"),
        (["--data", "a.npz", "--target-columns", "1"], "--target-columns applies to a CSV file"),
        (["--data", "a.npz", "--test-data", "t.csv"], "test set is an .npz archive"),
        (["--image-shape", "2x2x1"], "--image-shape applies to --data"),
        (["--dataset", "digits", "--image-shape", "8x8x1"], "8x8x1 images already"),
        (["--data", "a.csv", "--classes", "0,1"], "--classes applies to --dataset digits"),
        (["--data", "a.npz", "--classes", "1,1"], "at least two different classes"),
    ])
    func arrayOptionsAreUsageErrorsWhereTheyDoNotApply(arguments: [String], fragment: String) {
        do {
            _ = try DataOptions.parse(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect(DataOptions.message(for: error).contains(fragment), "\(DataOptions.message(for: error))")
        }
    }

    @Test(arguments: ["2x", "2x2", "ax1x1", "0x1x1"])
    func aMalformedImageShapeIsAUsageError(text: String) {
        #expect(throws: (any Error).self) { try DataOptions.parse(["--data", "a.csv", "--image-shape", text]) }
    }
}

/// `--data FILE.npz` through the built tool, on arrays NumPy writes when python3 and NumPy are present.
@Suite(.serialized)
struct ArrayDataCommandTests {
    static var hasNumPy: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    static func python(_ script: String, in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        p.currentDirectoryURL = dir
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test(.tags(.endToEnd), .endToEndEnabled, .enabled(if: hasNumPy, "needs python3 with numpy"), arguments: ["savez", "savez_compressed"])
    func numpyArchivesTrainAndRecordTheirImageShape(writer: String) throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        // 40 images 5×4×3 (pixel = (7i + 5h + 3w + c) mod 256 as uint8), labels i mod 3 (three classes, one-hot).
        try Self.python("""
            import numpy as np
            i, h, w, c = np.meshgrid(np.arange(40), np.arange(5), np.arange(4), np.arange(3), indexing='ij')
            np.\(writer)('d.npz', x=((7*i + 5*h + 3*w + c) % 256).astype(np.uint8), y=np.arange(40) % 3)
            np.savez('bad.npz', x=np.zeros((40, 5, 4, 3), dtype=np.complex64), y=np.arange(40) % 3)
            """, in: scratch.url)
        let out = scratch.file("run").path
        let r = try ToolProcess.run(["--data", scratch.file("d.npz").path, "--no-standardize", "--test-fraction", "0.25", "--width", "16",
                                     "--steps", "3", "--out", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))) as? [String: Any]
        #expect(config?["image_shape"] as? [Int] == [5, 4, 3] && config?["outputs"] as? Int == 3 && config?["dataset"] as? String == "npz")
        // Every training row is one of the images, flattened in HWC order.
        let x = try NPYArray(contentsOf: URL(fileURLWithPath: out + "/arrays/x_train.npy"))
        #expect(x.shape == [30, 60])
        func pixel(_ i: Int, _ j: Int) -> Double {
            let (h, w, c) = (j / 12, j / 3 % 4, j % 3)
            return Double((7 * i + 5 * h + 3 * w + c) % 256)
        }
        let images: Set<[Double]> = Set((0..<40).map { i in (0..<60).map { j in pixel(i, j) } })
        for r in 0..<30 { #expect(images.contains(Array(x.values[(r * 60)..<((r + 1) * 60)]))) }

        let bad = try ToolProcess.run(["--data", scratch.file("bad.npz").path, "--out", scratch.file("bad").path])
        #expect(bad.status == 65 && bad.stderr.contains("bad.npz, member 'x.npy'") && bad.stderr.contains("'<c8'"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("bad").path))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled)
    func theSameRowsAsCSVAndAsArraysGiveTheSameRun() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        // 24 samples, 3 inputs, 2 float targets, written once as CSV text and once as an .npz archive.
        let (n, d, k) = (24, 3, 2)
        let x: [Double] = (0..<(n * d)).map { Foundation.sin(Double($0) * 1.7) * 2 }
        let y: [Double] = (0..<(n * k)).map { Foundation.cos(Double($0) * 0.9) }
        var csv: [String] = []
        for i in 0..<n {
            let row: [Double] = Array(x[(i * d)..<((i + 1) * d)]) + Array(y[(i * k)..<((i + 1) * k)])
            csv.append(row.map { "\($0)" }.joined(separator: ","))
        }
        try ArrayDatasetTests.write(["d.csv": Data((csv.joined(separator: "\n") + "\n").utf8),
                                     "d.npz": NumPyFileWriter.zip([("x.npy", NumPyFileWriter.npy(x, shape: [n, d])),
                                                                   ("y.npy", NumPyFileWriter.npy(y, shape: [n, k]))], deflated: true)], in: scratch)
        let common = ["--width", "16", "--steps", "20", "--quiet", "--threads", "1"]
        let a = try ToolProcess.run(["--data", scratch.file("d.csv").path, "--target-columns", "3,4", "--out", scratch.file("a").path] + common)
        let b = try ToolProcess.run(["--data", scratch.file("d.npz").path, "--out", scratch.file("b").path] + common)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        for file in ["arrays/x_train.npy", "arrays/y_test.npy", "arrays/ntk_final.npy", "arrays/f_train_final.npy"] {
            #expect(try Data(contentsOf: scratch.file("a/" + file)) == Data(contentsOf: scratch.file("b/" + file)), "\(file)")
        }
        // steps.csv agrees except for its wall-clock column.
        func steps(_ dir: String) throws -> [[Substring]] {
            try String(contentsOf: scratch.file(dir + "/steps.csv"), encoding: .utf8).split(separator: "\n").map { row in
                let cells = row.split(separator: ",", omittingEmptySubsequences: false)
                return [cells[0]] + cells.dropFirst(2)
            }
        }
        #expect(try steps("a") == steps("b"))
    }
}
