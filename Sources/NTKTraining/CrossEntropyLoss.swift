import Foundation

/// Cross-entropy on class targets (Docs/Optimizers.md#losses), normalized by ν like squared loss:
///
///     k ≥ 2, one-hot y_i:   L = 1/ν · Σ_i [ logsumexp(f_i) − Σ_a y_ia·f_ia ]       ∂L/∂f_i = (softmax(f_i) − y_i)/ν
///     k = 1, y_i = ±1:      L = 1/ν · Σ_i log(1 + e^{−y_i·f_i})                     ∂L/∂f_i = −y_i·σ(−y_i·f_i)/ν
///
/// with ν = N·k (`mean`) or 1 (`sum`), so that K̃ = K/ν is the same effective kernel as for squared loss. The
/// logistic loss of one output is the softmax cross-entropy of two outputs with logits (f/2, −f/2).
/// Everything is evaluated without overflow: logsumexp subtracts the row maximum, log(1 + e^x) is
/// max(x, 0) + log1p(e^{−|x|}).
public enum CrossEntropyLoss {
    /// L(f, y) over the samples of sample-major `f` and `y` with `k` outputs, divided by `normalizer`.
    /// - Complexity: O(N·k).
    public static func loss(_ f: [Double], _ y: [Double], outputs k: Int, normalizer nu: Double) -> Double {
        precondition(f.count == y.count && k >= 1 && f.count % k == 0)
        var total = 0.0
        for i in 0..<(f.count / k) {
            if k == 1 {
                total += softplus(-y[i] * f[i])
            } else {
                let start = i * k
                var dot = 0.0
                for a in 0..<k { dot += y[start + a] * f[start + a] }
                total += logSumExp(f, start, k) - dot
            }
        }
        return total / nu
    }

    /// ∂L/∂f, sample-major like `f`.
    /// - Complexity: O(N·k).
    public static func gradient(_ f: [Double], _ y: [Double], outputs k: Int, normalizer nu: Double) -> [Double] {
        precondition(f.count == y.count && k >= 1 && f.count % k == 0)
        var g = [Double](repeating: 0, count: f.count)
        for i in 0..<(f.count / k) {
            if k == 1 {
                g[i] = -y[i] * logistic(-y[i] * f[i]) / nu
            } else {
                let start = i * k
                let lse = logSumExp(f, start, k)
                for a in 0..<k { g[start + a] = (Foundation.exp(f[start + a] - lse) - y[start + a]) / nu }
            }
        }
        return g
    }

    /// The smallest classification margin over the samples: y·f for k = 1, f_c − max_{a≠c} f_a (c the target
    /// class) for k ≥ 2; positive exactly when every sample is classified correctly. nil for no samples.
    public static func minimumMargin(_ f: [Double], _ y: [Double], outputs k: Int) -> Double? {
        precondition(f.count == y.count && k >= 1 && f.count % k == 0)
        let n = f.count / k
        guard n > 0 else { return nil }
        var smallest = Double.infinity
        for i in 0..<n {
            let margin: Double
            if k == 1 {
                margin = (y[i] > 0 ? 1 : -1) * f[i]
            } else {
                let start = i * k
                var c = 0
                for a in 1..<k where y[start + a] > y[start + c] { c = a }
                var other = -Double.infinity
                for a in 0..<k where a != c { other = max(other, f[start + a]) }
                margin = f[start + c] - other
            }
            smallest = min(smallest, margin)
        }
        return smallest
    }

    /// Why `y` (sample-major, `k` outputs) cannot be trained with cross-entropy, in words; nil when it can.
    /// k = 1 needs every target −1 or +1, k ≥ 2 one-hot rows (one 1, the rest 0): the encodings of
    /// ``ClassTargets``.
    public static func targetProblem(_ y: [Double], outputs k: Int) -> String? {
        if k == 1 {
            if let bad = y.first(where: { $0 != 1 && $0 != -1 }) {
                return "cross-entropy with one output is the logistic loss and needs targets −1 or +1, but a target is \(bad)"
            }
            return nil
        }
        for i in 0..<(y.count / k) {
            let row = y[(i * k)..<((i + 1) * k)]
            if !(row.allSatisfy { $0 == 0 || $0 == 1 } && row.filter { $0 == 1 }.count == 1) {
                return """
                    cross-entropy with \(k) outputs is softmax cross-entropy and needs one-hot targets (one 1, the rest 0), but sample \
                    \(i) has targets \(row.map { "\($0)" }.joined(separator: ", "))
                    """
            }
        }
        return nil
    }

    /// log Σ_a e^{f[start + a]}, with the maximum subtracted first.
    private static func logSumExp(_ f: [Double], _ start: Int, _ count: Int) -> Double {
        var m = -Double.infinity
        for a in 0..<count { m = max(m, f[start + a]) }
        guard m.isFinite else { return m }
        var s = 0.0
        for a in 0..<count { s += Foundation.exp(f[start + a] - m) }
        return m + Foundation.log(s)
    }

    /// log(1 + e^x) without overflow.
    static func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }

    /// σ(x) = 1/(1 + e^{−x}) without overflow.
    static func logistic(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}
