import Foundation

/// The UCI optical-recognition handwritten digits as shipped by scikit-learn's `load_digits`: 1797 images of
/// 8×8 pixels with values 0–16 and labels 0–9, bundled as `Resources/digits.csv` (CC BY 4.0; see
/// `Resources/digits-README.md`), so runs need no network.
///
/// Inputs are the 64 pixels divided by 16 (so in [0, 1]); with `standardize` they are then standardized
/// with the training split's statistics. Targets follow ``ClassTargets``: ±1 for two classes, one-hot for
/// more. Samples are drawn without replacement: a random permutation (stream 5 of the seed) of the rows
/// whose label is one of the classes; the first `samples` train, the next `testSamples` test.
public enum DigitsDataset {
    public static let imageCount = 1797
    public static let pixelCount = 64
    /// 8 × 8 pixels, one channel; the file's columns `pixel_r_c` are in row-major order, as ``ImageShape`` lays out.
    public static let imageShape = ImageShape(height: 8, width: 8, channels: 1)
    /// Images per label 0–9 in the bundled file.
    public static let labelCounts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    /// The name used for the resource in messages and config.json.
    public static let fileName = "digits.csv (bundled)"
    public static let citation = """
        E. Alpaydin, C. Kaynak: Optical Recognition of Handwritten Digits, UCI Machine Learning Repository (1998), the \
        1797-image test set as shipped by scikit-learn's load_digits
        """
    public static let license = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
    /// Test samples when none are requested: this many, or fewer if the classes have fewer rows left.
    public static let defaultTestSamples = 256

    /// The bundled CSV file.
    public static var resourceURL: URL? { Bundle.module.url(forResource: "digits", withExtension: "csv") }

    /// The bundled file, parsed and checked: 64 pixel columns and `label`.
    public static func table() throws(CSVDataError) -> NumericTable {
        guard let url = resourceURL else { throw CSVDataError(.fileNotFound, file: fileName) }
        return try NumericTable.read(url, file: fileName, header: .present)
    }

    public struct Options: Equatable, Sendable {
        /// Labels to keep, in target order; two give a binary task, more a one-hot one.
        public var classes: [Int]
        public var samples: Int
        /// nil: ``defaultTestSamples`` or as many as are left.
        public var testSamples: Int?
        public var standardize: Bool
        public var seed: UInt64

        public init(classes: [Int] = Array(0...9), samples: Int = 256, testSamples: Int? = nil,
                    standardize: Bool = false, seed: UInt64 = 0) {
            self.classes = classes
            self.samples = samples
            self.testSamples = testSamples
            self.standardize = standardize
            self.seed = seed
        }
    }

    public static func load(_ options: Options) throws(CSVDataError) -> LoadedDataset {
        let classes = options.classes
        for c in classes where !(0...9).contains(c) {
            throw CSVDataError(.invalidLabel(cell: String(c), reason: "is not a digit class: use 0 to 9"), file: fileName)
        }
        guard classes.count >= 2, Set(classes).count == classes.count else {
            throw CSVDataError(.invalidLabel(cell: classes.map(String.init).joined(separator: ","),
                                             reason: "must list at least two different classes"), file: fileName)
        }
        let table = try table()
        let labelColumn = table.columnCount - 1
        var eligible: [Int] = []
        var labels: [Int] = []
        for i in 0..<table.rowCount {
            let v = table[i, labelColumn]
            guard let label = Int(exactly: v) else {
                throw CSVDataError(.invalidLabel(cell: "\(v)", reason: "is not an integer"), file: fileName,
                                   line: table.lines[i], column: labelColumn + 1, columnName: table.header?[labelColumn])
            }
            labels.append(label)
            if classes.contains(label) { eligible.append(i) }
        }
        let order = CSVDataset.permutation(eligible.count, seed: options.seed, stream: .trainRows).map { eligible[$0] }
        let what = "rows with label \(classes.map(String.init).joined(separator: ","))"
        guard options.samples <= order.count else {
            throw CSVDataError(.tooFewRows(available: order.count, requested: options.samples,
                                           what: "--samples \(options.samples) (\(what))"), file: fileName)
        }
        let left = order.count - options.samples
        let testCount = options.testSamples ?? min(defaultTestSamples, left)
        guard testCount <= left else {
            throw CSVDataError(.tooFewRows(available: left, requested: testCount,
                                           what: "--test-samples \(testCount) (\(what), after the \(options.samples) training samples)"),
                               file: fileName)
        }
        let trainRows = order.prefix(options.samples).sorted()
        let testRows = order.dropFirst(options.samples).prefix(testCount).sorted()

        func inputs(_ rows: [Int]) -> Matrix {
            var m = Matrix(rows: rows.count, cols: pixelCount)
            for (r, i) in rows.enumerated() {
                for j in 0..<pixelCount { m.data[r * pixelCount + j] = table[i, j] / 16 }
            }
            return m
        }
        var xTrain = inputs(trainRows), xTest = inputs(testRows)
        var standardization: Standardization?
        if options.standardize {
            standardization = Standardization.fitAndApply(train: &xTrain, test: &xTest)
        }
        var dataset = Dataset(name: "digits", trainInputs: xTrain,
                              trainTargets: ClassTargets.encode(trainRows.map { labels[$0] }, classes: classes),
                              testInputs: xTest,
                              testTargets: ClassTargets.encode(testRows.map { labels[$0] }, classes: classes))
        dataset.task = .classification
        dataset.imageShape = imageShape
        let k = ClassTargets.outputs(classCount: classes.count)
        dataset.source = DataSource(
            name: "digits", file: fileName, header: true, headerMode: .present,
            inputColumns: (0..<pixelCount).map(table.name(ofColumn:)),
            targetColumns: k == 1 ? ["label: +1 for \(classes[1]), −1 for \(classes[0])"] : classes.map { "label == \($0)" },
            rowsAvailable: order.count,
            selection: """
                a random permutation (seed \(options.seed)) of the \(order.count) \(what): the first \(trainRows.count) train, the \
                next \(testRows.count) test
                """,
            task: .classification, classes: classes, targetEncoding: ClassTargets.encodingDescription(classes: classes),
            inputScaling: options.standardize
                ? "pixel/16, then standardized per pixel with the training split's mean and population std (std 0: centered only)"
                : "pixel/16, so every input lies in [0, 1]",
            standardization: standardization, citation: citation, license: license)
        var warnings: [DataWarning] = []
        let duplicates = dataset.duplicateTrainingInputs()
        if !duplicates.isEmpty {
            warnings.append(DataWarning(file: fileName, message: """
                \(duplicates.count) training image(s) repeat another: K₀ is singular; eigenvalues are clipped at 0
                """))
        }
        return LoadedDataset(dataset: dataset, warnings: warnings)
    }
}
