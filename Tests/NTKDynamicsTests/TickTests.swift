import Foundation
import Testing
@testable import NTKDynamics

/// Nice-number ticks, log ticks, tick labels and scales, against values worked out by hand.
struct TickTests {
    private func close(_ a: [Double], _ b: [Double], relative: Double = 1e-12) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= relative * Swift.max(Swift.abs($0), Swift.abs($1), 1e-300) }
    }

    @Test func niceNumbers() {
        // round: fraction f of x/10^⌊log x⌋ → 1 (f < 1.5), 2 (< 3), 5 (< 7), else 10.
        #expect(Ticks.niceNumber(0.73, round: true) == 1)        // f = 7.3 → 10 × 0.1
        #expect(Ticks.niceNumber(2.4, round: true) == 2)
        #expect(Ticks.niceNumber(1.4, round: true) == 1)
        #expect(Ticks.niceNumber(4999, round: true) == 5000)     // f = 4.999 → 5 × 1000
        #expect(Ticks.niceNumber(0.0029, round: true) == 0.002)
        #expect(Ticks.niceNumber(3.0, round: true) == 5)
        // ceiling: the smallest of 1, 2, 5, 10 × 10^e that is ≥ x.
        #expect(Ticks.niceNumber(0.73, round: false) == 1)
        #expect(Ticks.niceNumber(2.4, round: false) == 5)
        #expect(Ticks.niceNumber(1.0, round: false) == 1)
        #expect(Ticks.niceNumber(1.01, round: false) == 2)
        #expect(Ticks.niceNumber(15.9, round: false) == 20)
        // Degenerate input falls back to 1.
        #expect(Ticks.niceNumber(0, round: true) == 1)
        #expect(Ticks.niceNumber(.nan, round: false) == 1)
    }

    @Test func linearTicksOfTheUnitInterval() {
        // range nice(1) = 1, step nice(1/5) = 0.2.
        let t = Ticks.linear(lo: 0, hi: 1, count: 6)
        #expect(t.step == 0.2)
        #expect(t.values == [0, 0.2, 0.4, 0.6, 0.8, 1.0])  // exact decimals, not 0.6000000000000001
        #expect(t.lo == 0 && t.hi == 1)
    }

    @Test func linearTicksExtendOutward() {
        // [0.13, 0.87], 5 ticks: range nice(0.74) = 1, step nice(0.25) = 0.2 → 0 … 1.
        let a = Ticks.linear(lo: 0.13, hi: 0.87, count: 5)
        #expect(a.step == 0.2)
        #expect(a.values == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        // [−3.7, 12.2]: range nice(15.9) = 20, step nice(5) = 5 → −5 … 15.
        let b = Ticks.linear(lo: -3.7, hi: 12.2, count: 5)
        #expect(b.step == 5)
        #expect(b.values == [-5, 0, 5, 10, 15])
        #expect(b.lo == -5 && b.hi == 15)
        // Reversed bounds are the same range.
        #expect(Ticks.linear(lo: 12.2, hi: -3.7, count: 5) == b)
    }

    @Test func linearTicksOfAConstant() {
        // 1234 ± 10 %: [1110.6, 1357.4], range nice(246.8) = 500, step nice(125) = 100 → 1100 … 1400.
        let t = Ticks.linear(lo: 1234, hi: 1234, count: 5)
        #expect(t.values == [1100, 1200, 1300, 1400])
        // 0 → [−1, 1], range 2, step nice(0.5) = 0.5.
        #expect(Ticks.linear(lo: 0, hi: 0, count: 5).values == [-1, -0.5, 0, 0.5, 1])
        // Non-finite bounds → [0, 1].
        let n = Ticks.linear(lo: .nan, hi: .infinity, count: 6)
        #expect(n.lo == 0 && n.hi == 1)
        // A range wider than the largest Double difference still gives finite ticks.
        let huge = Ticks.linear(lo: -1e308, hi: 1e308, count: 5)
        #expect(huge.values.allSatisfy { $0.isFinite })
        #expect(huge.values.count >= 3)
    }

    @Test func logTicksOverSeveralDecades() {
        // [0.013, 870]: decades 10⁻² … 10³, one label per decade, no 2…9 ticks beyond three decades.
        let t = Ticks.log(lo: 0.013, hi: 870)
        #expect(t.lo == 0.01 && t.hi == 1000)
        #expect(t.major == [0.01, 0.1, 1, 10, 100, 1000])
        #expect(t.minor.isEmpty)
    }

    @Test func logTicksInsideOneDecade() {
        // [0.2, 0.7] lies in [0.1, 1]: labels 0.1, 0.2, 0.5, 1; the other multiples unlabelled.
        let t = Ticks.log(lo: 0.2, hi: 0.7)
        #expect(t.lo == 0.1 && t.hi == 1)
        #expect(close(t.major, [0.1, 0.2, 0.5, 1]))
        #expect(close(t.minor, [0.3, 0.4, 0.6, 0.7, 0.8, 0.9]))
    }

    @Test func logTicksOfAConstantAndOfBadInput() {
        // 10⁻³ exactly: centred in [10⁻⁴, 10⁻²], labels at each decade, 2…9 × 10^e between.
        let t = Ticks.log(lo: 1e-3, hi: 1e-3)
        #expect(t.lo == 1e-4 && t.hi == 1e-2)
        #expect(t.major == [1e-4, 1e-3, 1e-2])
        #expect(t.minor.count == 16)
        // 0.5 is inside the decade [0.1, 1]: that decade, labelled at 0.1, 0.2, 0.5 and 1.
        let c = Ticks.log(lo: 0.5, hi: 0.5)
        #expect(c.lo == 0.1 && c.hi == 1)
        #expect(c.major.contains(0.5))
        // Zero or negative bounds cannot be on a log axis: the default [0.1, 10].
        for (lo, hi) in [(0.0, 5.0), (-3.0, -1.0), (Double.nan, 1.0)] {
            let d = Ticks.log(lo: lo, hi: hi)
            #expect(d.lo == 0.1 && d.hi == 10)
        }
    }

    @Test func logTicksOfAHugeRangeUseANiceStride() {
        // 10⁻¹⁵ … 10³⁰⁰: 315 decades, ≤ 7 labels → stride ⌈315/6⌉ = 53 → the nice stride 100.
        let t = Ticks.log(lo: 1e-15, hi: 1e300)
        #expect(t.lo == 1e-15 && t.hi == 1e300)
        #expect(t.major == [1, 1e100, 1e200, 1e300])
        #expect(t.minor.isEmpty)  // no grid line per decade beyond 60 decades
        // 10⁻⁴ … 10⁸: 12 decades → stride 2, labels at even exponents.
        let m = Ticks.log(lo: 1e-4, hi: 1e8)
        #expect(m.major == [1e-4, 1e-2, 1, 1e2, 1e4, 1e6, 1e8])
        #expect(m.minor == [1e-3, 1e-1, 10, 1e3, 1e5, 1e7])
    }

    @Test func tickLabels() {
        #expect(Ticks.label(0.30000000000000004, step: 0.1) == "0.3")
        #expect(Ticks.label(-2, step: 1) == "−2")
        #expect(Ticks.label(0, step: 0.5) == "0")
        #expect(Ticks.label(1200, step: 100) == "1200")
        #expect(Ticks.label(2.5e-6, step: 5e-7) == "2.5×10⁻⁶")
        #expect(Ticks.label(1e8, step: 5e7) == "10⁸")
        #expect(Ticks.label(1.5e8, step: 5e7) == "1.5×10⁸")
        #expect(Ticks.logLabel(0.01) == "0.01")
        #expect(Ticks.logLabel(1000) == "1000")
        #expect(Ticks.logLabel(1) == "1")
        #expect(Ticks.logLabel(0.2) == "0.2")
        #expect(Ticks.logLabel(1e5) == "10⁵")
        #expect(Ticks.logLabel(1e-7) == "10⁻⁷")
        #expect(Ticks.logLabel(2e-7) == "2×10⁻⁷")
        #expect(Ticks.logLabel(1e300) == "10³⁰⁰")
        #expect(Ticks.superscript(-12) == "⁻¹²")
        #expect(Ticks.text(nil) == "—")
        #expect(Ticks.text(.nan) == "NaN")
        #expect(Ticks.text(-.infinity) == "−∞")
        #expect(Ticks.text(0.5) == "0.5")
        #expect(Ticks.text(2.9819133784489494e306) == "2.982×10³⁰⁶")
    }

    @Test func linearScaleMapsAndInverts() {
        let s = Scale.linear(domain: (0, 10), range: (0, 100))
        #expect(s.map(2.5) == 25)
        #expect(s.invert(25) == 2.5)
        // A y axis: range reversed.
        let y = Scale.linear(domain: (0, 1), range: (300, 100))
        #expect(y.map(0.25) == 250)
        #expect(y.map(.nan) == nil && y.map(.infinity) == nil && y.map(-.infinity) == nil)
        // A huge domain does not overflow to NaN.
        let h = Scale.linear(domain: (-1e308, 1e308), range: (0, 200))
        #expect(h.map(1e308) == 200)
        #expect(h.map(0) == 100)
        // A degenerate domain puts everything in the middle instead of dividing by zero.
        #expect(Scale.linear(domain: (3, 3), range: (0, 10)).map(3) == 5)
    }

    @Test func logScaleRejectsZeroAndNegatives() {
        let s = Scale.log(domain: (1, 1000), range: (0, 300))
        #expect(Swift.abs(s.map(10)! - 100) < 1e-9)
        #expect(Swift.abs(s.map(1000)! - 300) < 1e-9)
        #expect(Swift.abs(s.invert(200) - 100) < 1e-9)
        #expect(s.map(0) == nil)
        #expect(s.map(-1) == nil)
        #expect(s.map(.nan) == nil)
        #expect(s.map(.infinity) == nil)
        #expect(Scale.placeable([0, -1, 2, .nan, .infinity, 1e-300], kind: .log) == [2, 1e-300])
        #expect(Scale.placeable([0, -1, .nan], kind: .linear) == [0, -1])
    }

    /// The statistics module (``Statistics``, ``LinearFit``, ``StudentT``) against hand-worked values.
    @Test func statisticsByHand() {
        // Exact power law y = 3·x^(−1/2): slope −0.5 on log-log axes, intercept log₁₀ 3, zero residuals.
        let x: [Double] = [16, 64, 256, 1024]
        let exact = LinearFit(x.map { (Foundation.log10($0), Foundation.log10(3 / $0.squareRoot())) })
        #expect(Swift.abs(exact.slope + 0.5) < 1e-12)
        #expect(Swift.abs(exact.intercept - Foundation.log10(3)) < 1e-12)
        // SE = √(RSS/…): a rounding-level RSS (~1e-17) shows as its square root.
        #expect(exact.slopeStandardError < 1e-7)
        #expect(Swift.abs(Statistics.logLogSlope(x: x, y: x.map { 3 / $0.squareRoot() })! + 0.5) < 1e-12)
        // log x = 0, 1, 2; log y = 0, 1, 3: slope Sxy/Sxx = 3/2, intercept 4/3 − 3/2 = −1/6,
        // residuals 1/6, −1/3, 1/6 → RSS 1/6, SE √(RSS/(n−2)/Sxx) = √(1/12); t(0.975, 1) = 12.706 (tables).
        let f = LinearFit([(0, 0), (1, 1), (2, 3)])
        #expect(Swift.abs(f.slope - 1.5) < 1e-12)
        #expect(Swift.abs(f.intercept + 1.0 / 6) < 1e-12)
        #expect(Swift.abs(f.slopeStandardError - (1.0 / 12).squareRoot()) < 1e-12)
        #expect(Swift.abs(Statistics.logLogSlope(x: [1, 10, 100], y: [1, 10, 1000])! - 1.5) < 1e-12)
        #expect(Swift.abs(StudentT.quantile(0.975, dof: 1) - 12.706) < 1e-3)
        #expect(Swift.abs(StudentT.quantile(0.975, dof: 120) - 1.980) < 1e-3)
        // Sample standard deviation: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and Σ(x − x̄)² = 32, so s = √(32/7).
        let v: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
        #expect(Statistics.mean(v) == 5)
        #expect(Swift.abs(Statistics.sampleStandardDeviation(v)! - (32.0 / 7).squareRoot()) < 1e-15)
        #expect(Statistics.sampleStandardDeviation([3]) == nil)
        #expect(Statistics.logLogSlope(x: [10, 10], y: [1, 2]) == nil)
        #expect(Statistics.logLogSlope(x: [10, 100], y: [1, 0]) == nil)
    }
}
