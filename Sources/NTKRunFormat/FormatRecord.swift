/// The version of the files the tool writes (Docs/LogFormat.md#format-versions): the integer `format_version` of
/// every config.json (runs and kernel studies) and sweep_config.json.
///
/// Version 1 is every directory written before the key existed (it has no key); version 2 added the key. A reader
/// takes a missing key as version 1, and the readers of this version read both.
public struct FormatRecord: Codable, Equatable, Sendable {
    /// The version this build writes.
    public static let current = 2
    /// The version of the directories written before `format_version` existed.
    public static let unversioned = 1

    public var formatVersion: Int

    public init(formatVersion: Int = FormatRecord.current) {
        self.formatVersion = formatVersion
    }

    package enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
    }

    /// A missing (or null) `format_version` is ``unversioned``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decodeIfPresent(Int.self, forKey: .formatVersion) ?? Self.unversioned
    }
}
