import ArgumentParser

/// A comma-separated list of integers, e.g. `64,256,1024`.
public struct IntList: ExpressibleByArgument, Equatable, Sendable {
    public var values: [Int]

    public init(_ values: [Int]) { self.values = values }

    public init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        var out: [Int] = []
        for p in parts {
            guard let v = Int(p.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(v)
        }
        guard !out.isEmpty else { return nil }
        values = out
    }

    public var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}
