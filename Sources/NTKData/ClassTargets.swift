/// Class labels as regression targets for squared loss, and accuracy of real-valued outputs.
///
/// Two classes [a, b]: one output (k = 1), target −1 for a and +1 for b; the predicted class is b when
/// f > 0 and a otherwise. Three or more classes [c_0, …, c_{k−1}]: k outputs, one-hot targets (1 at the
/// class's position, 0 elsewhere); the predicted class is the argmax of f (the first on ties).
public enum ClassTargets {
    /// The number of outputs for `classCount` classes: 1 for two, `classCount` otherwise.
    public static func outputs(classCount: Int) -> Int {
        precondition(classCount >= 2, "classification needs at least two classes")
        return classCount == 2 ? 1 : classCount
    }

    /// Targets for `labels` (each one of `classes`), N × k, sample-major.
    public static func encode(_ labels: [Int], classes: [Int]) -> Matrix {
        let k = outputs(classCount: classes.count)
        var y = Matrix(rows: labels.count, cols: k)
        for (i, label) in labels.enumerated() {
            guard let position = classes.firstIndex(of: label) else {
                preconditionFailure("label \(label) is not one of the classes \(classes)")
            }
            if k == 1 {
                y[i, 0] = position == 0 ? -1 : 1
            } else {
                y[i, position] = 1
            }
        }
        return y
    }

    /// How `encode` turns labels into targets, in words (for config.json).
    public static func encodingDescription(classes: [Int]) -> String {
        if classes.count == 2 {
            return "one output: class \(classes[0]) → −1, class \(classes[1]) → +1; predicted class \(classes[1]) when f > 0"
        }
        return """
            one-hot over \(classes.count) outputs in the order \(classes.map(String.init).joined(separator: ",")) (1 for the \
            class, 0 elsewhere); predicted class = argmax f
            """
    }

    /// The fraction of samples whose predicted class (from `outputs`) is the class of `targets`.
    ///
    /// Both are sample-major with k values per sample: k = 1 compares signs (f > 0 against y > 0),
    /// k > 1 compares the argmax. Returns nil for no samples.
    public static func accuracy(_ outputs: [Double], _ targets: [Double], outputs k: Int) -> Double? {
        precondition(outputs.count == targets.count && k >= 1 && targets.count % k == 0)
        let n = targets.count / k
        guard n > 0 else { return nil }
        var correct = 0
        for i in 0..<n {
            if k == 1 {
                if (outputs[i] > 0) == (targets[i] > 0) { correct += 1 }
            } else if argmax(outputs, i * k, k) == argmax(targets, i * k, k) {
                correct += 1
            }
        }
        return Double(correct) / Double(n)
    }

    private static func argmax(_ v: [Double], _ start: Int, _ count: Int) -> Int {
        var best = 0
        for a in 1..<count where v[start + a] > v[start + best] { best = a }
        return best
    }
}
