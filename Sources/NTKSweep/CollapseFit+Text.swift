/// The sentences that the `sweep` command prints and the sweep report notes for a ``CollapseFit``.
extension CollapseFit {
    /// "ntk, depth 2" or "ntk, α = 10": the parameterization and the value of the other axis held fixed.
    public var setting: String {
        parameterization.rawValue + (depth.map { ", depth \($0)" } ?? "")
            + (axis == .depth ? outputScale.map { ", α = \(SweepCell.text($0))" } ?? "" : "")
    }

    /// The fit in words, numbers formatted by `number`: the slope against the combined variable with its
    /// interval, the joint exponents, the residuals, and the crossovers where there are some.
    public func sentences(_ number: (Double?) -> String) -> [String] {
        let v = axis == .outputScale ? "α" : "L"
        let ci = fit.ci95.map { " (95% CI \(number($0[0])) … \(number($0[1])))" } ?? ""
        var lines = ["\(setting): \(column) ∝ (\(axis.variable))^\(number(fit.slope))\(ci); joint fit ∝ "
            + "\(v)^\(number(joint?.axisExponent))·n^\(number(joint?.widthExponent)), collapse exponent p = b/a = "
            + "\(number(joint?.collapseExponent))\(collapseInterval(number)). \(verdict(number)) Rms log residual "
            + "\(number(rmsLogResidual)) about the \(axis.variable) line, \(number(rmsLogResidualWithoutWidth)) about the best line in \(v) alone."]
        if let crossovers {
            lines.append("\(setting): the mean \(column) falls through \(number(Self.crossoverLevel)) at α√n = "
                + crossovers.map { "\(number($0.alphaSqrtWidth)) (width \($0.width))" }.joined(separator: ", ") + ".")
        }
        return lines
    }
}

extension CollapseFit {
    /// " (95% CI lo … hi, across 3 seeds)", or "" without an interval.
    func collapseInterval(_ number: (Double?) -> String) -> String {
        guard let ci = joint?.collapseExponentCI95 else { return "" }
        let how = joint?.seedCollapseExponents.map { "across \($0.count) seeds" } ?? "least squares, one seed"
        return " (95% CI \(number(ci[0])) … \(number(ci[1])), \(how))"
    }

    /// Whether the hypothesis p = ½ (α√n) or −1 (L/n) lies inside the interval of the collapse exponent, in words.
    public func verdict(_ number: (Double?) -> String) -> String {
        let hypothesis = "\(axis.variable) (p = \(number(axis.widthPower)))"
        switch joint?.hypothesisInside {
        case true?:
            // An interval wider than one unit of p admits α·n^0 and α·n (or L·n^0 and L/n²) alike: it decides nothing.
            if let ci = joint?.collapseExponentCI95, ci[1] - ci[0] > 1 {
                return "The hypothesis \(hypothesis) lies inside the interval, but the interval is too wide to tell (more seeds narrow it)."
            }
            return "The hypothesis \(hypothesis) lies inside the interval: consistent with one curve of \(axis.variable)."
        case false?: return "The hypothesis \(hypothesis) lies OUTSIDE the interval: the widths do not fall onto one curve of \(axis.variable)."
        case nil: return "The hypothesis \(hypothesis) cannot be tested: no interval (the \(v) and the width must both vary, over 4 runs or more)."
        }
    }

    private var v: String { axis == .outputScale ? "α" : "depth" }
}

extension SweepSummary.Group {
    /// "mup, α = 0.1, depth 2": what sets this group apart.
    public var label: String {
        (architecture.map { $0 == .mlp ? "" : "\($0.rawValue), " } ?? "")
            + parameterization.rawValue + (outputScale.map { ", α = \(SweepCell.text($0))" } ?? "") + ", depth \(depth)"
    }
}
