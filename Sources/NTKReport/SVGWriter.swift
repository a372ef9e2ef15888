import Foundation

/// Text for SVG and HTML: escaping and coordinates.
public enum Markup {
    /// `s` with &, <, >, " and ' escaped, for element text and attribute values alike.
    public static func escape(_ s: String) -> String {
        // Most attribute values (path data, numbers) have nothing to escape: one scan of the bytes, no copy.
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A pixel coordinate with at most one decimal ("12.5", "-3", "0"). Callers pass finite values only;
    /// a non-finite one (a bug) is written as 0 rather than as "nan", which would break the SVG.
    public static func coordinate(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let clamped = Swift.max(-1e6, Swift.min(1e6, v))
        let tenths = (clamped * 10).rounded()
        if tenths == 0 { return "0" }
        let whole = Int(tenths) / 10, frac = Swift.abs(Int(tenths) % 10)
        if frac == 0 { return String(whole) }
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(frac)"
    }
}

/// Accumulates SVG elements as text. Attribute values and text content are escaped here, so callers
/// pass plain strings.
public struct SVGWriter {
    public private(set) var lines: [String] = []
    private var depth = 0

    public init() {}

    private static func attributes(_ attrs: KeyValuePairs<String, String>) -> String {
        attrs.map { " \($0.key)=\"\(Markup.escape($0.value))\"" }.joined()
    }

    private static func attributes(_ attrs: [(String, String)]) -> String {
        attrs.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
    }

    private mutating func emit(_ s: String) {
        lines.append(String(repeating: "  ", count: depth) + s)
    }

    /// An empty element: `<name a="…"/>`.
    public mutating func element(_ name: String, _ attrs: KeyValuePairs<String, String> = [:]) {
        emit("<\(name)\(Self.attributes(attrs))/>")
    }

    /// An empty element with attributes in a computed order.
    public mutating func element(_ name: String, attributes attrs: [(String, String)]) {
        emit("<\(name)\(Self.attributes(attrs))/>")
    }

    /// An element holding text: `<name a="…">text</name>`.
    public mutating func text(_ name: String = "text", _ attrs: KeyValuePairs<String, String> = [:], _ content: String) {
        emit("<\(name)\(Self.attributes(attrs))>\(Markup.escape(content))</\(name)>")
    }

    /// An element holding other elements.
    public mutating func group(_ name: String = "g", _ attrs: KeyValuePairs<String, String> = [:],
                               _ body: (inout SVGWriter) -> Void) {
        emit("<\(name)\(Self.attributes(attrs))>")
        depth += 1
        body(&self)
        depth -= 1
        emit("</\(name)>")
    }

    /// A complete `<svg>` document of `width` × `height` pixels.
    public static func document(width: Double, height: Double, attributes extra: [(String, String)] = [],
                                _ body: (inout SVGWriter) -> Void) -> String {
        var w = SVGWriter()
        let w0 = Markup.coordinate(width), h0 = Markup.coordinate(height)
        let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w0)\" height=\"\(h0)\" viewBox=\"0 0 \(w0) \(h0)\""
            + attributes(extra) + ">"
        w.lines.append(head)
        w.depth = 1
        body(&w)
        w.depth = 0
        w.lines.append("</svg>")
        return w.lines.joined(separator: "\n")
    }
}
