/// Text that is safe to show on a terminal: the control characters a file name may hold (a newline, ESC starting
/// an escape sequence, …) written as visible escapes (Docs/CLI.md#printed-output).
public enum TerminalText {
    /// `text` with every C0 control character, DEL and C1 control character written as an escape: `\n`, `\r`, `\t`,
    /// `\x1B` for the others below U+0080, `\u{85}` for C1. With `keepingNewlines`, a line feed stays a line feed
    /// (for text of several lines whose parts were escaped already).
    public static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && !(keepingNewlines && $0 == "\n") }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            guard isControl(scalar), !(keepingNewlines && scalar == "\n") else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{\(hex)}"
            }
        }
        return result
    }

    /// The bytes of a C string as text: valid UTF-8 as it is, each byte of an invalid sequence as `\xHH`, then
    /// ``escaped(_:keepingNewlines:)``.
    public static func shown(bytes: [UInt8]) -> String {
        var text = ""
        var i = 0
        while i < bytes.count {
            let length = sequenceLength(bytes, at: i)
            if length > 0, let s = String(validating: bytes[i..<i + length], as: UTF8.self) {
                text += escaped(s)
                i += length
            } else {
                let hex = String(bytes[i], radix: 16, uppercase: true)
                text += "\\x" + (hex.count < 2 ? "0" : "") + hex
                i += 1
            }
        }
        return text
    }

    /// Whether `bytes` are valid UTF-8.
    public static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || s.value == 0x7F || (0x80...0x9F).contains(s.value)
    }

    /// The length of the UTF-8 sequence that starts at `i`, from its lead byte (0 for a byte that cannot lead one).
    private static func sequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let b = bytes[i]
        let n = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
        return i + n <= bytes.count ? n : 0
    }
}
