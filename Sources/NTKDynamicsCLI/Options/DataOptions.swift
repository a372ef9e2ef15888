import ArgumentParser
import Foundation
import NTKDynamics

/// `--dataset`: a synthetic problem, or the bundled digits.
public enum DatasetChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case sine, gaussian, circle, digits

    /// The synthetic dataset of this choice (nil for `digits`).
    public var synthetic: SyntheticDataset? { SyntheticDataset(rawValue: rawValue) }
}

/// The data: a built-in dataset and its size, or the user's CSV files (Docs/RealData.md).
public struct DataOptions: ParsableArguments {
    @Option(name: .customLong("dataset"), help: """
        Dataset: sine (1-D, y = sin 2πx), gaussian (x ~ N(0, I_d), smooth teacher), circle (unit circle, y = x₁x₂) — \
        synthetic; digits: the bundled UCI handwritten digits (8×8, 1797 images, CC BY 4.0). Default gaussian.
        """)
    public var datasetChoice: DatasetChoice?

    @Option(name: .customLong("data"), help: ArgumentHelp(
        "Train on a CSV file of numbers (one row per sample, the target column(s) and the inputs), "
            + "an .npz archive of arrays x and y (numpy.savez), or an .npy file of inputs x with --targets.", valueName: "file.csv|file.npz|x.npy"))
    public var dataFile: String?

    @Option(name: .customLong("targets"), help: ArgumentHelp(
        "With --data x.npy: the .npy file of the targets y — integer class labels (N,) or float targets (N,) or (N, k).", valueName: "y.npy"))
    public var targetsFile: String?

    @Option(name: .customLong("image-shape"), help: ArgumentHelp(
        "With --data: the inputs of each row are an image of H×W×C pixels in row-major HWC order (numpy's reshape of an "
            + "(N, H, W, C) array); H·W·C must equal the number of inputs. Recorded in config.json.", valueName: "HxWxC"))
    public var imageShape: ImageShapeArgument?

    @Option(name: .customLong("target-columns"), parsing: .unconditional, help: ArgumentHelp("""
        With --data: the target columns, by header name or 0-based index (−1 = last), comma-separated (default: the last \
        column).
        """, valueName: "columns"))
    public var targetColumns: String?

    @Flag(name: .customLong("header"), inversion: .prefixedNo, help: """
        With --data: the first row is (not) a header of column names (default: a header exactly when none of its cells is a \
        number).
        """)
    public var header: Bool?

    @Option(name: .customLong("test-data"), help: ArgumentHelp("""
        With --data: a CSV file of test rows with the same columns (and header) as the training file.
        """, valueName: "file.csv"))
    public var testDataFile: String?

    @Option(name: .customLong("test-fraction"), parsing: .unconditional, help: """
        With --data and no --test-data: the fraction of rows held out as the test set, chosen by --seed (default 0.2; 0 for \
        none).
        """)
    public var testFraction: Double?

    @Flag(name: .customLong("standardize"), inversion: .prefixedNo, help: """
        Standardize every input column with the training split's mean and std (recorded in config.json). Default: on for \
        --data, off for --dataset digits (pixels/16).
        """)
    public var standardize: Bool?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "With --dataset digits or integer labels in --data .npz/.npy: the classes to keep, e.g. 0,1 (two: one output, targets ±1) "
            + "or 3,5,8 (one-hot, k outputs). Default: every label (digits: all ten, k = 10).", valueName: "labels"))
    public var classes: IntList?

    @Option(name: .customLong("samples"), parsing: .unconditional, help: """
        Number of training points N (default 256; with --data every training row, or at most this many drawn by --seed).
        """)
    public var samplesOption: Int?

    @Option(name: .customLong("test-samples"), parsing: .unconditional, help: """
        Number of test points (synthetic targets without noise; default 256; with --data every test row, or at most this \
        many; digits: 256 or as many as are left).
        """)
    public var testSamplesOption: Int?

    @Option(name: .customLong("input-dim"), parsing: .unconditional, help: "Input dimension d for gaussian (default 8); sine has 1 and circle 2.")
    public var inputDim: Int?

    @Option(name: .customLong("outputs"), parsing: .unconditional, help: """
        Number of outputs k of a synthetic dataset (the kernel is (N·k)×(N·k)); real data set k themselves.
        """)
    public var outputsOption: Int?

    @Option(name: .customLong("noise"), parsing: .unconditional, help: "Standard deviation of Gaussian noise added to the synthetic training targets.")
    public var noiseOption: Double?

    public init() {}

    /// The synthetic dataset (gaussian unless --dataset names another).
    public var dataset: SyntheticDataset { datasetChoice?.synthetic ?? .gaussian }
    public var samples: Int { samplesOption ?? 256 }
    public var testSamples: Int { testSamplesOption ?? 256 }
    public var outputs: Int { outputsOption ?? 1 }
    public var noise: Double { noiseOption ?? 0 }

    /// Whether `--data` names NumPy arrays (.npz or .npy) rather than a CSV file.
    public var isArrayData: Bool { dataFile.map(Self.isArrayFile) ?? false }

    /// Whether the inputs are images, as far as the options tell before loading (``RunSpecification/inputsAreImages``):
    /// the digits and `--image-shape` are, the synthetic datasets and CSV rows without `--image-shape` are not, and
    /// only the arrays of an .npz or .npy file can tell (nil).
    public var inputsAreImages: Bool? {
        if datasetChoice == .digits || imageShape != nil { return true }
        return isArrayData ? nil : false
    }

    static func isArrayFile(_ path: String) -> Bool {
        let p = path.lowercased()
        return p.hasSuffix(".npz") || p.hasSuffix(".npy")
    }

    /// Whether the run trains on real data (a CSV file or the digits) rather than a synthetic dataset.
    public var isRealData: Bool { dataFile != nil || datasetChoice == .digits }

    static let maxSamples = 100_000
    /// (N·k) above this would need several (N·k)² kernels beyond a workstation's memory.
    static let maxKernelRows = 16_384
    static let maxInputDim = 1 << 20

    public func validate() throws {
        if let n = samplesOption, !(n >= 1 && n <= Self.maxSamples) {
            throw ValidationError("--samples \(n) is out of range; use 1 to \(Self.maxSamples) training points.")
        }
        if let n = testSamplesOption, !(n >= 0 && n <= Self.maxSamples) {
            throw ValidationError("--test-samples \(n) is out of range; use 0 to \(Self.maxSamples).")
        }
        if dataFile != nil, let choice = datasetChoice {
            throw ValidationError("""
                --data and --dataset \(choice.rawValue) conflict: --data trains on your CSV file, --dataset on a built-in dataset; \
                give one.
                """)
        }
        try validateRealDataOptions()
        if isRealData {
            for (given, option) in [(outputsOption != nil, "--outputs"), (inputDim != nil, "--input-dim"), (noiseOption != nil, "--noise")] where given {
                throw ValidationError("""
                    \(option) applies to the synthetic datasets only; with \(dataFile != nil ? "--data" : "--dataset digits") the data \
                    set it. Drop \(option).
                    """)
            }
        }
        if datasetChoice == .digits {
            let k = ClassTargets.outputs(classCount: classes?.values.count ?? 10)
            guard samples * k <= Self.maxKernelRows else {
                throw ValidationError("""
                    --samples \(samples) × \(k) outputs (--classes) = \(samples * k) kernel rows exceeds \(Self.maxKernelRows); the \
                    (N·k)² kernel would not fit in memory. Use fewer samples or classes.
                    """)
            }
            return
        }
        if dataFile != nil { return }
        guard outputs >= 1 && outputs <= 1000 else {
            throw ValidationError("--outputs \(outputs) is out of range; use 1 to 1000 outputs.")
        }
        guard samples * outputs <= Self.maxKernelRows else {
            throw ValidationError("""
                --samples \(samples) × --outputs \(outputs) = \(samples * outputs) kernel rows exceeds \(Self.maxKernelRows); the \
                (N·k)² kernel would not fit in memory. Use fewer samples or outputs.
                """)
        }
        if let d = inputDim {
            guard d >= 1 && d <= Self.maxInputDim else {
                throw ValidationError("--input-dim \(d) is out of range; use 1 to \(Self.maxInputDim).")
            }
            if let fixed = dataset.fixedInputDim, fixed != d {
                throw ValidationError("--input-dim \(d) does not fit --dataset \(dataset.rawValue), whose inputs have dimension \(fixed); drop --input-dim.")
            }
        }
        guard noise.isFinite && noise >= 0 else {
            throw ValidationError("--noise \(noise) is invalid; use a finite standard deviation ≥ 0.")
        }
    }

    /// The options of --data and --dataset digits, each only where it applies.
    private func validateRealDataOptions() throws {
        if dataFile == nil {
            for (given, option) in [(targetColumns != nil, "--target-columns"), (header != nil, "--header/--no-header"),
                                    (testDataFile != nil, "--test-data"), (testFraction != nil, "--test-fraction")] where given {
                throw ValidationError("\(option) applies to a CSV file: it needs --data FILE.csv.")
            }
        }
        if let path = dataFile, path.isEmpty { throw ValidationError("--data is empty; give the path of a CSV file.") }
        if let path = testDataFile, path.isEmpty { throw ValidationError("--test-data is empty; give the path of a CSV file.") }
        if let columns = targetColumns, CSVColumn.list(columns) == nil {
            throw ValidationError("--target-columns '\(columns)' is invalid; give header names or 0-based indices separated by commas, e.g. y or 3,4 or -1.")
        }
        if testDataFile != nil && testFraction != nil {
            throw ValidationError("--test-data and --test-fraction conflict: the test set comes from the test file or is held out of --data; give one.")
        }
        if let f = testFraction, !(f.isFinite && f >= 0 && f < 1) {
            throw ValidationError("--test-fraction \(f) is invalid; use a fraction in [0, 1), e.g. 0.2.")
        }
        if standardize != nil && !isRealData {
            throw ValidationError("--standardize/--no-standardize apply to --data and --dataset digits; the synthetic datasets are used as drawn.")
        }
        try validateArrayOptions()
        if let classes {
            guard datasetChoice == .digits || isArrayData else {
                throw ValidationError("--classes applies to --dataset digits (labels 0 to 9) and to integer labels in --data FILE.npz or x.npy.")
            }
            guard datasetChoice == .digits else {
                guard classes.values.count >= 2, Set(classes.values).count == classes.values.count else {
                    throw ValidationError("--classes \(classes.defaultValueDescription) is invalid; list at least two different classes, e.g. 0,1 or 3,8.")
                }
                return
            }
            for c in classes.values where !(0...9).contains(c) {
                throw ValidationError("--classes \(classes.defaultValueDescription) lists \(c); the digits have classes 0 to 9.")
            }
            guard classes.values.count >= 2, Set(classes.values).count == classes.values.count else {
                throw ValidationError("--classes \(classes.defaultValueDescription) is invalid; list at least two different classes, e.g. 0,1 or 3,8.")
            }
        }
    }

    /// The options of --data FILE.npz / x.npy, --targets and --image-shape, each only where it applies.
    private func validateArrayOptions() throws {
        if imageShape != nil && dataFile == nil {
            throw ValidationError(datasetChoice == .digits
                ? "--image-shape applies to --data; the digits are 8x8x1 images already. Drop --image-shape."
                : "--image-shape applies to --data FILE (a CSV file or NumPy arrays); the synthetic datasets are not images.")
        }
        guard let path = dataFile, isArrayData else {
            if targetsFile != nil { throw ValidationError("--targets applies to --data x.npy (the targets of an .npy file of inputs).") }
            return
        }
        for (given, option) in [(targetColumns != nil, "--target-columns"), (header != nil, "--header/--no-header")] where given {
            throw ValidationError("\(option) applies to a CSV file; \(path) holds NumPy arrays, whose targets are the array y. Drop \(option).")
        }
        if path.lowercased().hasSuffix(".npy") {
            guard let t = targetsFile, !t.isEmpty else {
                throw ValidationError("--data \(path) is an .npy file of inputs; give the targets with --targets y.npy, "
                    + "or pack both in one archive: numpy.savez('data.npz', x=x, y=y).")
            }
        } else if targetsFile != nil {
            throw ValidationError("--targets applies to --data x.npy; \(path) is an .npz archive, whose targets are its member y. Drop --targets.")
        }
        if let t = testDataFile, !t.lowercased().hasSuffix(".npz") {
            throw ValidationError("--test-data \(t): with NumPy arrays the test set is an .npz archive of x and y "
                + "(numpy.savez('test.npz', x=x_test, y=y_test)).")
        }
    }

    /// The synthetic dataset's settings.
    public var settings: DataSettings {
        DataSettings(dataset: dataset, samples: samples, testSamples: testSamples,
                     inputDim: inputDim ?? dataset.fixedInputDim ?? 8, outputs: outputs, noise: noise)
    }

    /// The settings recorded for `dataset`: the synthetic settings, or for real data the sizes of the data
    /// (``RunConfiguration/describe(_:)`` then records the real source).
    public func settings(for dataset: Dataset) -> DataSettings {
        guard dataset.source != nil else { return settings }
        return DataSettings(dataset: .gaussian, samples: dataset.trainCount, testSamples: dataset.testCount,
                            inputDim: dataset.inputDim, outputs: dataset.outputs, noise: 0)
    }

    /// The CSV loader's options.
    public func csvOptions(seed: UInt64) -> CSVDataOptions {
        CSVDataOptions(targetColumns: targetColumns.flatMap(CSVColumn.list),
                       header: header.map { $0 ? .present : .absent } ?? .auto,
                       testFraction: testDataFile != nil ? 0 : (testFraction ?? 0.2),
                       samples: samplesOption, testSamples: testSamplesOption,
                       standardize: standardize ?? true, seed: seed)
    }

    /// Refuses data whose (N·k)² kernel would not fit in memory.
    private func checkKernelRows(_ d: Dataset, path: String) throws {
        guard d.trainCount * d.outputs <= Self.maxKernelRows else {
            throw ValidationError("""
                --data \(path): \(d.trainCount) training rows × \(d.outputs) target column\(d.outputs == 1 ? "" : "s") = \
                \(d.trainCount * d.outputs) kernel rows exceeds \(Self.maxKernelRows); the (N·k)² kernel would not fit in memory. \
                Pass --samples \(Self.maxKernelRows / d.outputs) or fewer.
                """)
        }
    }

    /// The data of a run, drawn or read for `seed`.
    /// - Throws: ``CSVDataError`` for a data file that cannot be used; `ValidationError` when the data
    ///   would make too large a kernel.
    public func load(seed: UInt64) throws -> LoadedDataset {
        if let path = dataFile, isArrayData {
            let options = ArrayDataOptions(classes: classes?.values, imageShape: imageShape?.shape, split: csvOptions(seed: seed))
            let loaded = try ArrayDataset.load(URL(fileURLWithPath: path), file: path,
                                               targetsURL: targetsFile.map { URL(fileURLWithPath: $0) }, targetsFile: targetsFile,
                                               testURL: testDataFile.map { URL(fileURLWithPath: $0) }, testFile: testDataFile,
                                               options: options)
            try checkKernelRows(loaded.dataset, path: path)
            return loaded
        }
        if let path = dataFile {
            var loaded = try CSVDataset.load(URL(fileURLWithPath: path), file: path,
                                             testURL: testDataFile.map { URL(fileURLWithPath: $0) }, testFile: testDataFile,
                                             options: csvOptions(seed: seed))
            if let shape = imageShape?.shape {
                guard shape.pixelCount == loaded.dataset.inputDim else {
                    let d = loaded.dataset.inputDim
                    throw DataFileError(file: path, "--image-shape \(shape) needs \(shape.pixelCount) input columns, but the file has \(d) "
                        + "(besides its target columns); give H, W and C with H·W·C = \(d)")
                }
                loaded.dataset.imageShape = shape
            }
            try checkKernelRows(loaded.dataset, path: path)
            return loaded
        }
        if datasetChoice == .digits {
            return try DigitsDataset.load(.init(classes: classes?.values ?? Array(0...9), samples: samples,
                                                testSamples: testSamplesOption, standardize: standardize ?? false, seed: seed))
        }
        return LoadedDataset(dataset: settings.generate(seed: seed))
    }
}

/// `--image-shape HxWxC`.
public struct ImageShapeArgument: ExpressibleByArgument, Sendable {
    public var shape: ImageShape

    public init?(argument: String) {
        guard let shape = ImageShape(parsing: argument) else { return nil }
        self.shape = shape
    }

    public var defaultValueDescription: String { "\(shape.height)x\(shape.width)x\(shape.channels)" }
}
