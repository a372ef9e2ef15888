/// Training and test data: inputs are rows, targets are N × k (sample-major when flattened).
public struct Dataset: Sendable {
    public var name: String
    public var trainInputs: Matrix
    public var trainTargets: Matrix
    public var testInputs: Matrix
    public var testTargets: Matrix
    /// Classification datasets report accuracy beside the losses (``ClassTargets``).
    public var task: DataTask = .regression
    /// Where real data came from (`config.json` → `data_source`); nil for the synthetic datasets.
    public var source: DataSource?
    /// The shape of each input as an image (rows hold H·W·C inputs in HWC order, ``ImageShape``); nil for
    /// plain vectors. The MLP reads the flattened row; `config.json` → `image_shape` records it.
    public var imageShape: ImageShape?

    public init(name: String, trainInputs: Matrix, trainTargets: Matrix, testInputs: Matrix, testTargets: Matrix) {
        precondition(trainInputs.rows == trainTargets.rows && testInputs.rows == testTargets.rows)
        precondition(trainInputs.cols == testInputs.cols && trainTargets.cols == testTargets.cols)
        self.name = name
        self.trainInputs = trainInputs
        self.trainTargets = trainTargets
        self.testInputs = testInputs
        self.testTargets = testTargets
    }

    public var inputDim: Int { trainInputs.cols }
    public var outputs: Int { trainTargets.cols }
    public var trainCount: Int { trainInputs.rows }
    public var testCount: Int { testInputs.rows }
}
