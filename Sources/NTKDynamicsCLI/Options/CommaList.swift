import ArgumentParser

/// A comma-separated list of values of one option type, e.g. `64,256,1024` or `ntk,mup`.
public struct CommaList<Element: ExpressibleByArgument & Equatable & Sendable>: ExpressibleByArgument, Equatable, Sendable {
    public var values: [Element]

    public init(_ values: [Element]) { self.values = values }

    public init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        var out: [Element] = []
        for p in parts {
            guard let v = Element(argument: p.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(v)
        }
        guard !out.isEmpty else { return nil }
        values = out
    }

    public var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }

    /// Whether some value is listed twice.
    public var hasDuplicates: Bool {
        values.indices.contains { i in values[..<i].contains(values[i]) }
    }
}

/// A comma-separated list of integers, e.g. `64,256,1024`.
public typealias IntList = CommaList<Int>
