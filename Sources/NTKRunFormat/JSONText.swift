import Foundation

/// The JSON text of the run directory's files: pretty-printed, sorted keys, and every non-finite number
/// written as `null` (Docs/LogFormat.md, "Number format": JSON has no NaN or ∞).
///
/// JSONEncoder can only throw on a non-finite number or spell it as a string; it spells it as a marker
/// string here, and the marker (quotes included) is then replaced by `null`. The marker holds characters
/// no value of ours contains, so no real string can be mistaken for it.
package enum JSONText {
    /// Encodes the records of one configuration into one flat JSON object, in order (their keys must not overlap).
    package static func encode(_ records: any Encodable..., to encoder: any Encoder) throws {
        for record in records { try record.encode(to: encoder) }
    }

    private static let marker = "\u{2063}ntk-non-finite\u{2063}"

    package static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        return Data((text.replacingOccurrences(of: "\"\(marker)\"", with: "null") + "\n").utf8)
    }
}
