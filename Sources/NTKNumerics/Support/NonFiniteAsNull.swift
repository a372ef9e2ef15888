/// A number that is always present but may be NaN or ±∞: JSON has no such values, so the tool writes them as `null`
/// (Docs/LogFormat.md, "Number format"), and this reads `null` back as NaN. Without it a summary holding, say, an
/// infinite η/η_crit could be written but not read again (a sweep would then re-run the finished cell on resume).
@propertyWrapper
public struct NonFiniteAsNull: Codable, Sendable, Equatable {
    public var wrappedValue: Double

    public init(wrappedValue: Double) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? .nan : try c.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }

    /// NaN equals NaN here: a summary read back equals the one written.
    public static func == (a: Self, b: Self) -> Bool {
        a.wrappedValue == b.wrappedValue || (a.wrappedValue.isNaN && b.wrappedValue.isNaN)
    }
}
