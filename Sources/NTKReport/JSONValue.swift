import Foundation

/// A JSON value, decoded without assuming a schema (config.json and summary.json change as the tool grows).
public enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public var number: Double? {
        if case let .number(d) = self { return d }
        return nil
    }

    public var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The value as short text for a table: numbers compactly, arrays joined by spaces.
    public var text: String {
        switch self {
        case .null: return "—"
        case let .bool(b): return b ? "true" : "false"
        case let .number(d):
            if d == d.rounded(), Swift.abs(d) < 1e15 { return String(Int(d)) }
            return Ticks.text(d, digits: 6)
        case let .string(s): return s
        case let .array(a): return a.map(\.text).joined(separator: " ")
        case let .object(o): return o.keys.sorted().map { "\($0): \(o[$0]!.text)" }.joined(separator: ", ")
        }
    }
}

/// A JSON object file (config.json, summary.json). Keys are looked up at the top level and then under
/// "model" (Docs/LogFormat.md allows either). A missing key and a JSON null both read as nil.
public struct JSONObject: Sendable {
    public var values: [String: JSONValue]

    public init(values: [String: JSONValue]) { self.values = values }

    public init(data: Data) throws {
        guard case let .object(o) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a JSON object"))
        }
        values = o
    }

    public init(contentsOf url: URL) throws {
        do {
            try self.init(data: Data(contentsOf: url))
        } catch {
            throw ReportError.unreadable(path: url.path, reason: "\(error)")
        }
    }

    public subscript(key: String) -> JSONValue? {
        if let v = values[key], v != .null { return v }
        if case let .object(model)? = values["model"], let v = model[key], v != .null { return v }
        return nil
    }

    public func number(_ key: String) -> Double? { self[key]?.number }
    public func int(_ key: String) -> Int? {
        guard let d = number(key), d.isFinite, d == d.rounded(), Swift.abs(d) < 9e15 else { return nil }
        return Int(d)
    }
    public func string(_ key: String) -> String? { self[key]?.string }

    /// The value of a record's key: the report reads config.json and summary.json under the keys of the types
    /// that write them (``RunSummary``, ``NetworkRecord``, ``TrainingRecord``, ``RunConfiguration/RunRecord``,
    /// ``BLASRecord``), so each name is defined once; absent and null read as nil, as for a string key.
    public subscript(key: some CodingKey) -> JSONValue? { self[key.stringValue] }
    public func number(_ key: some CodingKey) -> Double? { number(key.stringValue) }
    public func int(_ key: some CodingKey) -> Int? { int(key.stringValue) }
    public func string(_ key: some CodingKey) -> String? { string(key.stringValue) }

    /// Keys in sorted order (top level, then those under "model").
    public var keys: [String] {
        var k = values.keys.filter { $0 != "model" }
        if case let .object(model)? = values["model"] { k += model.keys.filter { values[$0] == nil } }
        return k.sorted()
    }
}
