/// A fingerprint of the numbers a run trains and tests on: the training and test inputs and targets, with their
/// shapes, as they reach the network (after standardization and class encoding). `sweep_config.json` records it as
/// `data_fingerprint` (Docs/LogFormat.md#sweep_configjson), so that `merge` and a resumed sweep refuse shards
/// trained on other data even when every recorded setting agrees (a CSV file whose targets were edited in place).
///
/// 64-bit FNV-1a over the bytes of the four shapes and the little-endian float64 bit patterns of every value, in
/// the order train inputs, train targets, test inputs, test targets, written as 16 hexadecimal digits. It guards
/// against accidents, not against a forgery; −0 and 0 differ, as do two NaNs with different payloads.
public enum DataFingerprint {
    public static func of(_ d: Dataset) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ word: UInt64) {
            for byte in 0..<8 {
                hash ^= (word >> (8 * UInt64(byte))) & 0xff
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        for m in [d.trainInputs, d.trainTargets, d.testInputs, d.testTargets] {
            mix(UInt64(m.rows))
            mix(UInt64(m.cols))
            for v in m.data { mix(v.bitPattern) }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
