import Foundation

/// Linear or logarithmic.
public enum ScaleKind: String, Sendable {
    case linear, log
}

/// Maps data values in a domain onto pixel coordinates in a range (either may be reversed, e.g. a y axis).
///
/// `map` returns nil for a value the scale cannot place: NaN, ±∞, and on a log scale zero or a negative
/// number. Plots draw such values as gaps, so no "nan" or "inf" reaches the SVG.
public struct Scale: Sendable, Equatable {
    public var kind: ScaleKind
    public var domain: (lo: Double, hi: Double)
    public var range: (start: Double, end: Double)

    public init(kind: ScaleKind, domain: (Double, Double), range: (Double, Double)) {
        self.kind = kind
        self.domain = (lo: domain.0, hi: domain.1)
        self.range = (start: range.0, end: range.1)
    }

    public static func linear(domain: (Double, Double), range: (Double, Double)) -> Scale {
        Scale(kind: .linear, domain: domain, range: range)
    }

    public static func log(domain: (Double, Double), range: (Double, Double)) -> Scale {
        Scale(kind: .log, domain: domain, range: range)
    }

    public static func == (a: Scale, b: Scale) -> Bool {
        a.kind == b.kind && a.domain == b.domain && a.range == b.range
    }

    /// Whether the scale can place `v` at all.
    public func accepts(_ v: Double) -> Bool {
        v.isFinite && (kind == .linear || v > 0)
    }

    /// The pixel coordinate of `v`, or nil when it cannot be placed (see the type's note).
    public func map(_ v: Double) -> Double? {
        guard accepts(v) else { return nil }
        let u: Double
        switch kind {
        case .linear:
            guard domain.lo.isFinite, domain.hi.isFinite, domain.hi != domain.lo else { return (range.start + range.end) / 2 }
            if (domain.hi - domain.lo).isFinite {
                u = (v - domain.lo) / (domain.hi - domain.lo)
            } else {
                // A domain wider than the largest Double: work with halves, which cannot overflow.
                u = (v / 2 - domain.lo / 2) / (domain.hi / 2 - domain.lo / 2)
            }
        case .log:
            guard domain.lo > 0, domain.hi > 0 else { return nil }
            let l0 = Foundation.log10(domain.lo), l1 = Foundation.log10(domain.hi)
            guard l1 != l0 else { return (range.start + range.end) / 2 }
            u = (Foundation.log10(v) - l0) / (l1 - l0)
        }
        let p = range.start + u * (range.end - range.start)
        return p.isFinite ? p : nil
    }

    /// The data value at pixel coordinate `p` (the inverse of `map`).
    public func invert(_ p: Double) -> Double {
        let span = range.end - range.start
        let u = span == 0 ? 0 : (p - range.start) / span
        switch kind {
        case .linear:
            return domain.lo + u * (domain.hi - domain.lo)
        case .log:
            let l0 = Foundation.log10(domain.lo), l1 = Foundation.log10(domain.hi)
            return Foundation.pow(10, l0 + u * (l1 - l0))
        }
    }

    /// The values of `values` this kind of scale can place (finite; positive on a log scale).
    public static func placeable(_ values: [Double], kind: ScaleKind) -> [Double] {
        values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
    }
}
