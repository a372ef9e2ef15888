import NTKDynamics

/// `--check-rates TOL`: every measured mode's rate must be within TOL (relative) of the NTK prediction.
struct RateCheck {
    let tolerance: Double
    /// Only the top this many modes, or all when nil.
    let topModes: Int?

    /// The modes that fail, largest eigenvalue first.
    func failures(_ rates: [ModeRate]) -> [ModeRate] {
        rates.filter { rate in
            guard topModes.map({ rate.rank < $0 }) ?? true, let e = rate.relativeError else { return false }
            return abs(e) > tolerance
        }
    }

    /// Checked modes: measured, with a finite prediction, within the top modes.
    func checked(_ rates: [ModeRate]) -> Int {
        rates.filter { ($0.rank < (topModes ?? Int.max)) && $0.relativeError != nil }.count
    }

    func report(_ rates: [ModeRate], width: Int) -> (passed: Bool, text: String) {
        let bad = failures(rates)
        let n = checked(rates)
        let pct = ProgressTable.number(tolerance * 100)
        guard n > 0 else {
            return (false, """
                rate check failed (width \(width)): no mode had a measurable rate to check (spectrum.csv fit_status says why: too \
                fast, no measurable decay, negligible residual); change --lr/--steps or drop --check-modes.
                """)
        }
        guard !bad.isEmpty else {
            return (true, "  rate check       \(n) measured modes within \(pct)% of the NTK prediction")
        }
        var lines = ["rate check failed (width \(width)): \(bad.count) of \(n) measured modes differ from the NTK prediction by more than \(pct)%:"]
        for r in bad.prefix(10) {
            lines.append("""
                  mode \(r.rank) (λ = \(ProgressTable.number(r.eigenvalue))): measured \(ProgressTable.number(r.measured)) ± \
                \(ProgressTable.number(r.standardError)) per step, predicted \(ProgressTable.number(r.predictedDiscrete)), relative \
                error \(ProgressTable.number(r.relativeError))
                """)
        }
        if bad.count > 10 { lines.append("  … and \(bad.count - 10) more (spectrum.csv lists every mode)") }
        return (false, lines.joined(separator: "\n"))
    }
}
