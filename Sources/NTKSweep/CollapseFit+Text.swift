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
            + "\(v)^\(number(joint?.axisExponent))·n^\(number(joint?.widthExponent)), so the widths fall onto one curve of "
            + "\(v)·n^\(number(joint?.collapseExponent)) (\(axis.variable): \(number(axis.widthPower))); rms log residual "
            + "\(number(rmsLogResidual)) about the \(axis.variable) line, \(number(rmsLogResidualWithoutWidth)) about the best line in \(v) alone."]
        if let crossovers {
            lines.append("\(setting): the mean \(column) falls through \(number(Self.crossoverLevel)) at α√n = "
                + crossovers.map { "\(number($0.alphaSqrtWidth)) (width \($0.width))" }.joined(separator: ", ") + ".")
        }
        return lines
    }
}

extension SweepSummary.Group {
    /// "mup, α = 0.1, depth 2": what sets this group apart.
    public var label: String {
        parameterization.rawValue + (outputScale.map { ", α = \(SweepCell.text($0))" } ?? "") + ", depth \(depth)"
    }
}
