import Foundation

/// Axis ticks: "nice numbers" (1, 2, 5 × 10^e) for linear axes, decades for log axes.
///
/// The linear algorithm is Heckbert's ("Nice numbers for graph labels", Graphics Gems, 1990): the tick
/// step is a nice number near range/(count − 1), and the axis is extended outward to multiples of it.
public enum Ticks {
    /// A nice number near `x` (> 0): 1, 2, 5 or 10 times a power of ten. With `round`, the nearest such
    /// number (1 below 1.5, 2 below 3, 5 below 7, else 10); without, the smallest that is ≥ x.
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x.isFinite, x > 0 else { return 1 }
        let exponent = Foundation.floor(Foundation.log10(x))
        let power = Foundation.pow(10, exponent)
        let fraction = x / power
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    /// Ticks of a linear axis covering [lo, hi].
    public struct Linear: Equatable, Sendable {
        /// The axis domain, extended outward to multiples of `step`.
        public var lo: Double
        public var hi: Double
        public var step: Double
        /// The tick values lo, lo + step, …, hi (rounded to the step's decimals, so 0.3 is 0.3).
        public var values: [Double]
    }

    /// Nice ticks for the data range [lo, hi], about `count` of them.
    ///
    /// A degenerate range (lo = hi) is widened around the value: by 10 % of |value|, or to [−1, 1] around 0.
    /// Non-finite bounds give the domain [0, 1].
    public static func linear(lo: Double, hi: Double, count: Int = 5) -> Linear {
        var (a, b) = (Swift.min(lo, hi), Swift.max(lo, hi))
        if !a.isFinite || !b.isFinite { (a, b) = (0, 1) }
        if a == b {
            let pad = a == 0 ? 1 : Swift.abs(a) * 0.1
            (a, b) = (a - pad, b + pad)
        }
        // A range too wide for a Double difference: scale down, tick, scale back.
        if !(b - a).isFinite {
            let t = linear(lo: a / 4, hi: b / 4, count: count)
            let big = Double.greatestFiniteMagnitude
            return Linear(lo: Swift.max(-big, t.lo * 4), hi: Swift.min(big, t.hi * 4), step: t.step * 4,
                          values: t.values.map { $0 * 4 }.filter(\.isFinite))
        }
        // A range so narrow that its powers of ten underflow (subnormal data): scale up by 2⁶⁰⁰, tick, scale back.
        if b - a < 1e-290 {
            let k = 0x1p600
            let t = linear(lo: a * k, hi: b * k, count: count)
            return Linear(lo: t.lo / k, hi: t.hi / k, step: t.step / k, values: t.values.map { $0 / k })
        }
        let range = niceNumber(b - a, round: false)
        let step = niceNumber(range / Double(Swift.max(1, count - 1)), round: true)
        let first = Foundation.floor(a / step), last = Foundation.ceil(b / step)
        let span = last - first
        let n = span.isFinite ? Int(Swift.min(span, 1000)) : 0  // never Int(NaN), whatever the range
        let values = (0...Swift.max(0, n)).map { clean((first + Double($0)) * step, step: step) }
        return Linear(lo: values.first ?? a, hi: values.last ?? b, step: step, values: values)
    }

    /// Ticks of a log axis.
    public struct Log: Equatable, Sendable {
        /// The domain: whole decades 10^loExponent … 10^hiExponent.
        public var lo: Double
        public var hi: Double
        /// Labelled ticks: powers of ten 10^e with e a multiple of a nice stride (1, 2, 3, 5, 10, 20, 25, 50, …)
        /// chosen so there are at most about `maxLabels`; within one decade also 2× and 5×.
        public var major: [Double]
        /// Unlabelled ticks: 2…9 × 10^e when the axis spans at most three decades, otherwise the unlabelled
        /// decades (none beyond 60 decades).
        public var minor: [Double]
    }

    /// Log-axis ticks for positive data in [lo, hi]; at most about `maxLabels` labelled ticks.
    ///
    /// The domain is extended to whole decades. A single value is centred in a two-decade span
    /// (an exact power of ten 10^e gives [10^(e−1), 10^(e+1)]). Non-positive or non-finite bounds give [0.1, 10].
    public static func log(lo: Double, hi: Double, maxLabels: Int = 7) -> Log {
        var (a, b) = (Swift.min(lo, hi), Swift.max(lo, hi))
        if !(a > 0) || !b.isFinite || !a.isFinite { (a, b) = (0.1, 10) }
        var e0 = Int(Foundation.floor(Foundation.log10(a) + 1e-9))
        var e1 = Int(Foundation.ceil(Foundation.log10(b) - 1e-9))
        if e1 <= e0 {
            // One value, or a range inside one decade [10^e0, 10^(e0+1)].
            if a == b {
                let e = Foundation.log10(a)
                e0 = Int(Foundation.floor(e - 0.5 + 1e-9))
                e1 = Int(Foundation.ceil(e + 0.5 - 1e-9))
                if e1 <= e0 { e1 = e0 + 1 }
            } else {
                e1 = e0 + 1
            }
        }
        e0 = Swift.max(e0, -323)
        e1 = Swift.min(e1, 308)
        let decades = e1 - e0
        // Label every `stride`-th decade, stride a nice number, at exponents that are multiples of it.
        let needed = Swift.max(1, Int(Foundation.ceil(Double(decades) / Double(Swift.max(1, maxLabels - 1)))))
        let stride = [1, 2, 3, 5, 10, 20, 25, 50, 100, 200, 250, 500].first { $0 >= needed } ?? needed
        var major: [Double] = [], minor: [Double] = []
        for e in e0...e1 {
            let p = power10(e)
            if e % stride == 0 {
                major.append(p)
            } else if decades <= 60 {
                minor.append(p)
            }
            if e < e1, stride == 1, decades <= 3 {
                for m in 2...9 {
                    let v = Double(m) * p
                    if decades == 1, m == 2 || m == 5 { major.append(v) } else { minor.append(v) }
                }
            }
        }
        return Log(lo: power10(e0), hi: power10(e1), major: major.sorted(), minor: minor.sorted())
    }

    /// 10^e, exact for the decimal powers a Double holds exactly, and as written in decimal otherwise.
    static func power10(_ e: Int) -> Double {
        Double("1e\(e)") ?? Foundation.pow(10, Double(e))
    }

    /// v rounded to the decimals of `step`, so the ticks 0.1, 0.2, 0.3 are not 0.30000000000000004.
    static func clean(_ v: Double, step: Double) -> Double {
        let decimals = decimalsOf(step)
        guard decimals > 0, decimals < 300 else { return v == 0 ? 0 : v }
        let r = Double(String(format: "%.\(decimals)f", v)) ?? v
        return r == 0 ? 0 : r
    }

    /// Digits after the decimal point needed to write multiples of a nice step exactly.
    static func decimalsOf(_ step: Double) -> Int {
        guard step.isFinite, step > 0 else { return 0 }
        return Swift.max(0, -Int(Foundation.floor(Foundation.log10(step) + 1e-9)))
    }

    // MARK: - Labels

    /// The label of a linear-axis tick: plain decimals ("0.25", "300"), or m×10ⁿ ("2.5×10⁻⁶", "1.2×10⁸")
    /// when the numbers are very small or very large.
    public static func label(_ v: Double, step: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "−∞") }
        if v == 0 { return "0" }
        // A step that underflowed to 0 (subnormal data) must not reach Int(log10(0)).
        let step = step.isFinite && step > 0 ? step : Swift.abs(v)
        let magnitude = Swift.max(Swift.abs(v), step)
        let e = Int(Foundation.floor(Foundation.log10(magnitude) + 1e-9))
        if e >= 6 || e <= -5 || step < 1e-5 {
            let mantissa = v / Foundation.pow(10, Double(e))
            let decimals = Swift.max(0, e - Int(Foundation.floor(Foundation.log10(step) + 1e-9)))
            var m = String(format: "%.\(Swift.min(decimals, 6))f", mantissa)
            m = trimZeros(m)
            if m == "1" { return "10" + superscript(e) }
            if m == "-1" { return "−10" + superscript(e) }
            return minus(m) + "×10" + superscript(e)
        }
        return minus(String(format: "%.\(decimalsOf(step))f", v))
    }

    /// The label of a log-axis tick: decimals from 0.001 to 10000, m×10ⁿ beyond.
    public static func logLabel(_ v: Double) -> String {
        guard v.isFinite, v > 0 else { return label(v, step: 1) }
        let e = Int(Foundation.floor(Foundation.log10(v) + 1e-9))
        let mantissa = v / power10(e)
        let m = trimZeros(String(format: "%.2f", mantissa))
        if e >= -3, e <= 4 {
            return trimZeros(String(format: "%.\(Swift.max(0, -e + (m.contains(".") ? 2 : 0)))f", v))
        }
        return (m == "1" ? "" : m + "×") + "10" + superscript(e)
    }

    /// A compact number for text (tables, notes): 4 significant digits, "∞", "NaN", "—" for nil.
    public static func text(_ v: Double?, digits: Int = 4) -> String {
        guard let v else { return "—" }
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "−∞") }
        if v == 0 { return "0" }
        let e = Int(Foundation.floor(Foundation.log10(Swift.abs(v))))
        if e >= 6 || e <= -4 {
            let s = String(format: "%.\(digits - 1)e", v)
            let parts = s.split(separator: "e")
            guard parts.count == 2, let exponent = Int(parts[1]) else { return s }
            return minus(trimZeros(String(parts[0]))) + "×10" + superscript(exponent)
        }
        return minus(trimZeros(String(format: "%.\(Swift.max(0, digits - 1 - e))f", v)))
    }

    static func trimZeros(_ s: String) -> String {
        guard s.contains("."), !s.contains("e") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t == "-0" ? "0" : t
    }

    static func minus(_ s: String) -> String {
        s.hasPrefix("-") ? "−" + s.dropFirst() : s
    }

    /// An integer in Unicode superscript digits ("⁻¹²").
    public static func superscript(_ n: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return (n < 0 ? "⁻" : "") + String(String(Swift.abs(n)).map { digits[Int(String($0))!] })
    }
}
