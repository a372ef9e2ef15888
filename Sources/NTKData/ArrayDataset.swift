import Foundation
import ZIPFoundation

/// What the array loader needs besides the files: the CSV loader's split and sample options, the classes to
/// keep and an image shape for 2-D inputs.
public struct ArrayDataOptions: Equatable, Sendable {
    /// Integer labels to keep, in target order (nil: every label in the training file, ascending).
    public var classes: [Int]?
    /// The image shape of (N, d) inputs (`--image-shape`); for (N, H, W, C) inputs it must equal (H, W, C).
    public var imageShape: ImageShape?
    public var split: CSVDataOptions

    public init(classes: [Int]? = nil, imageShape: ImageShape? = nil, split: CSVDataOptions = CSVDataOptions()) {
        self.classes = classes
        self.imageShape = imageShape
        self.split = split
    }
}

/// User data as NumPy arrays: an .npz archive (`numpy.savez` or `numpy.savez_compressed`) with members `x`
/// and `y`, or an .npy file of inputs with an .npy file of targets
/// (Docs/RealData.md#numpy-arrays-and-images-npz-npy).
///
/// `x` is (N, d) or (N, H, W, C) — images, flattened to rows of H·W·C inputs in HWC order (``ImageShape``).
/// `y` of an integer type and shape (N,) holds class labels, encoded by ``ClassTargets`` (±1 for two classes,
/// one-hot for more); a float `y` of shape (N,) or (N, k) holds regression targets. Rows are split, drawn and
/// standardized exactly as CSV rows are (``CSVDataset``, seed streams 5 and 6).
public enum ArrayDataset {
    /// At most this many distinct labels become classes (k outputs each need an N × N kernel block).
    public static let maxClasses = 1000

    /// The inputs and targets of one file (or pair of files), checked against each other.
    struct Arrays {
        var file: String
        var x: NumPyArray
        var y: NumPyArray
        var imageShape: ImageShape?
        var rows: Int { x.shape[0] }
        var inputDim: Int { x.count / max(rows, 1) }
    }

    /// Reads the arrays and builds the dataset.
    /// - Parameters:
    ///   - url, file: an .npz archive, or the .npy inputs (then `targetsURL` holds the .npy targets).
    ///   - testURL, testFile: an .npz archive of test arrays (replaces the split by the test fraction).
    public static func load(_ url: URL, file: String, targetsURL: URL? = nil, targetsFile: String? = nil,
                            testURL: URL? = nil, testFile: String? = nil, options: ArrayDataOptions) throws -> LoadedDataset {
        let train = try read(url, file: file, targetsURL: targetsURL, targetsFile: targetsFile, imageShape: options.imageShape)
        let test = try testURL.map { try read($0, file: testFile ?? $0.path, targetsURL: nil, targetsFile: nil, imageShape: options.imageShape) }
        if let test {
            guard test.inputDim == train.inputDim, test.imageShape == train.imageShape else {
                throw DataFileError(file: test.file, member: "x.npy",
                                    "the test inputs have shape \(test.x.shape), but \(train.file)'s have \(train.x.shape); "
                                        + "both need the same shape after the first axis")
            }
            guard test.y.isInteger == train.y.isInteger, test.y.shape.dropFirst() == train.y.shape.dropFirst() else {
                throw DataFileError(file: test.file, member: "y.npy",
                                    "the test targets ('\(test.y.descr)', shape \(test.y.shape)) do not match \(train.file)'s ('\(train.y.descr)', "
                                        + "shape \(train.y.shape)); both need integer labels, or float targets of the same width")
            }
        }
        return try make(train: train, test: test, options: options)
    }

    /// The arrays of an .npz archive (members `x.npy`, `y.npy`) or of two .npy files, checked.
    static func read(_ url: URL, file: String, targetsURL: URL?, targetsFile: String?,
                     imageShape: ImageShape?) throws(DataFileError) -> Arrays {
        let x: NumPyArray, y: NumPyArray, yFile: String, yMember: String?
        if let targetsURL {
            x = try NumPyArray.parse(readFile(url, file: file), file: file)
            yFile = targetsFile ?? targetsURL.path
            y = try NumPyArray.parse(readFile(targetsURL, file: yFile), file: yFile)
            yMember = nil
        } else {
            let members = try NPZArchive.read(url, file: file, members: ["x", "y"])
            (x, y, yFile, yMember) = (members[0], members[1], file, "y.npy")
        }
        let xMember = targetsURL == nil ? "x.npy" : nil
        guard x.shape.count == 2 || x.shape.count == 4 else {
            throw DataFileError(file: file, member: xMember,
                                "the inputs x have shape \(x.shape) (rank \(x.shape.count)); x needs shape (N, d) or (N, H, W, C) "
                                    + "— add a channel axis to (N, H, W) images with x[..., None]")
        }
        guard x.shape.allSatisfy({ $0 >= 1 }) else {
            throw DataFileError(file: file, member: xMember, "the inputs x have shape \(x.shape); every axis needs at least one entry")
        }
        guard y.shape.count == 1 || y.shape.count == 2, y.shape[0] == x.shape[0], y.shape.allSatisfy({ $0 >= 1 }) else {
            throw DataFileError(file: yFile, member: yMember,
                                "the targets y have shape \(y.shape), but x has \(x.shape[0]) samples; "
                                    + "y needs shape (\(x.shape[0]),) (labels or targets) or (\(x.shape[0]), k)")
        }
        if y.isInteger && y.shape.count == 2 {
            throw DataFileError(file: yFile, member: yMember,
                                "the targets y are integers of shape \(y.shape); integer labels need shape (N,), "
                                    + "and k targets per sample need a float type (y.astype(numpy.float64))")
        }
        for (a, f, m, what) in [(x, file, xMember, "input x"), (y, yFile, yMember, "target y")] {
            if let e = a.values.firstIndex(where: { !$0.isFinite }) {
                throw DataFileError(file: f, member: m, "the \(what)\(a.position(of: e)) is \(a.values[e]); "
                    + "NaN and infinite values cannot be trained on — remove or impute them")
            }
        }
        var shape = imageShape
        if x.shape.count == 4 {
            let own = ImageShape(height: x.shape[1], width: x.shape[2], channels: x.shape[3])
            if let imageShape, imageShape != own {
                throw DataFileError(file: file, member: xMember, "--image-shape \(imageShape) differs from the images' own shape \(own) (x has shape "
                    + "\(x.shape)); drop --image-shape")
            }
            shape = own
        } else if let imageShape, imageShape.pixelCount != x.shape[1] {
            throw DataFileError(file: file, member: xMember, "--image-shape \(imageShape) needs \(imageShape.pixelCount) inputs per sample, "
                + "but x has shape \(x.shape) (\(x.shape[1]) inputs); give H, W and C with H·W·C = \(x.shape[1])")
        }
        return Arrays(file: file, x: x, y: y, imageShape: shape)
    }

    /// The bytes of a regular file, or an error naming it.
    static func readFile(_ url: URL, file: String) throws(DataFileError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataFileError(file: file, "no such file; give the path of an .npz or .npy file")
        }
        guard !isDirectory.boolValue else { throw DataFileError(file: file, "this is a directory, not a file") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw DataFileError(file: file, "the file cannot be read (\(error.localizedDescription))")
        }
    }
}

extension ArrayDataset {
    /// Splits, draws and standardizes the rows as ``CSVDataset`` does, and encodes integer labels as classes.
    static func make(train: Arrays, test: Arrays?, options: ArrayDataOptions) throws(DataFileError) -> LoadedDataset {
        let classes = try chooseClasses(train, options.classes)
        let trainTable = table(train, keeping: classes), testTable = test.map { table($0, keeping: classes) }
        var rows: CSVDataset.SplitRows
        do {
            rows = try CSVDataset.splitRows(train: trainTable, test: testTable, options: options.split)
            try CSVDataset.keepRequestedSamples(&rows, train: trainTable, test: testTable, options: options.split)
        } catch {
            throw DataFileError(file: error.file, error.message)
        }
        let d = train.inputDim, inputs = Array(0..<d), targets = Array(d..<trainTable.columnCount)
        let testSource = testTable ?? trainTable
        var xTrain = CSVDataset.matrix(trainTable, rows.train, inputs), xTest = CSVDataset.matrix(testSource, rows.test, inputs)
        func y(_ t: NumericTable, _ r: [Int]) -> Matrix {
            guard let classes else { return CSVDataset.matrix(t, r, targets) }
            return ClassTargets.encode(r.map { Int(t[$0, d]) }, classes: classes)
        }
        var standardization: Standardization?
        var warnings: [DataWarning] = []
        if options.split.standardize {
            let s = Standardization.fitAndApply(train: &xTrain, test: &xTest)
            standardization = s
            warnings += CSVDataset.constantColumnWarnings(s, inputs: inputs, train: trainTable)
        }
        let kind = train.file.lowercased().hasSuffix(".npz") ? "npz" : "npy"
        var dataset = Dataset(name: kind, trainInputs: xTrain, trainTargets: y(trainTable, rows.train),
                              testInputs: xTest, testTargets: y(testSource, rows.test))
        dataset.imageShape = train.imageShape
        let duplicates = dataset.duplicateTrainingInputs()
        if !duplicates.isEmpty {
            warnings.append(DataWarning(file: train.file, message: "\(duplicates.count) training sample(s) repeat the inputs of another: K₀ has equal rows "
                + "and is singular (λ_min = 0); the run goes on, negative round-off eigenvalues are clipped to 0 and counted in the summary"))
        }
        let k = dataset.outputs
        dataset.task = classes == nil ? .regression : .classification
        dataset.source = DataSource(
            name: kind, file: train.file, testFile: test?.file, header: false, headerMode: .absent,
            inputColumns: Array(trainTable.header!.prefix(d)),
            targetColumns: classes.map { c in k == 1 ? ["y: +1 for \(c[1]), −1 for \(c[0])"] : c.map { "y == \($0)" } }
                ?? Array(trainTable.header!.dropFirst(d)),
            rowsAvailable: trainTable.rowCount, testRowsAvailable: testTable?.rowCount,
            testFraction: test == nil ? options.split.testFraction : nil,
            selection: rows.selection.replacingOccurrences(of: "rows", with: "samples")
                + (classes.map { " (samples whose label is one of \($0.map(String.init).joined(separator: ",")))" } ?? ""),
            task: dataset.task, classes: classes, targetEncoding: classes.map(ClassTargets.encodingDescription(classes:)),
            inputScaling: options.split.standardize
                ? "standardized: (x − mean)/std per input with the training split's mean and population std (std 0: centered only)"
                : "none (values as in the file, converted to float64)",
            standardization: standardization)
        return LoadedDataset(dataset: dataset, warnings: warnings)
    }

    /// The classes of integer labels: `requested` (each must occur in the training labels), or every label
    /// that occurs, ascending; nil for float targets.
    static func chooseClasses(_ train: Arrays, _ requested: [Int]?) throws(DataFileError) -> [Int]? {
        let yMember: String? = train.file.lowercased().hasSuffix(".npz") ? "y.npy" : nil
        guard train.y.isInteger else {
            if requested != nil {
                throw DataFileError(file: train.file, member: yMember, "--classes needs integer class labels, "
                    + "but y holds '\(train.y.descr)' values (regression targets); save the labels as integers (y.astype(numpy.int64)) or drop --classes")
            }
            return nil
        }
        let labels = train.y.values.map { Int($0) }
        let present = Set(labels)
        if let requested {
            for c in requested where !present.contains(c) {
                throw DataFileError(file: train.file, member: yMember, "--classes lists \(c), "
                    + "but no sample has that label (labels present: \(present.sorted().prefix(20).map(String.init).joined(separator: ",")))")
            }
            return requested
        }
        guard present.count >= 2 else {
            throw DataFileError(file: train.file, member: yMember, "every label in y is \(labels[0]); "
                + "classification needs at least two classes (for regression targets save y as floats)")
        }
        guard present.count <= maxClasses else {
            throw DataFileError(file: train.file, member: yMember, "y holds \(present.count) different integer labels, more than \(maxClasses) classes; "
                + "keep some with --classes, or save regression targets as floats (y.astype(numpy.float64))")
        }
        return present.sorted()
    }

    /// The arrays as a table of samples (inputs, then the label or the targets), keeping the samples whose
    /// label is one of `classes`. Column names: `x[h,w,c]` for images, `x[j]` otherwise; `y` or `y[a]`.
    static func table(_ a: Arrays, keeping classes: [Int]?) -> NumericTable {
        let d = a.inputDim, kY = a.y.count / a.rows
        let kept = classes.map(Set.init)
        let keep = (0..<a.rows).filter { i in kept.map { $0.contains(Int(a.y.values[i])) } ?? true }
        var values: [Double] = []
        values.reserveCapacity(keep.count * (d + kY))
        for i in keep {
            values += a.x.values[(i * d)..<((i + 1) * d)]
            values += a.y.values[(i * kY)..<((i + 1) * kY)]
        }
        let inputNames: [String]
        if let s = a.imageShape {
            inputNames = (0..<d).map { j in "x[\(j / (s.width * s.channels)),\(j / s.channels % s.width),\(j % s.channels)]" }
        } else {
            inputNames = (0..<d).map { "x[\($0)]" }
        }
        let targetNames = a.y.shape.count == 1 ? ["y"] : (0..<kY).map { "y[\($0)]" }
        return NumericTable(file: a.file, header: inputNames + targetNames, headerLine: nil, columnCount: d + kY,
                            values: values, lines: keep.map { $0 + 1 })
    }
}
