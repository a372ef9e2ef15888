import Foundation

/// Writes .npy and .npz bytes for the loader's tests, independently of the loader (test helper): NumPy's
/// format 1.0 header, little- or big-endian elements, and a zip container with stored members or deflated
/// ones (deflate's stored blocks, method 8), each with its CRC-32.
enum NumPyFileWriter {
    /// An element type: NumPy's `descr` and how one value becomes its bytes (little-endian).
    struct DType: Sendable {
        var descr: String
        var encode: @Sendable (Double) -> [UInt8]

        static func littleEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] { (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        static let f8 = DType(descr: "<f8") { littleEndian($0.bitPattern) }
        static let f4 = DType(descr: "<f4") { littleEndian(Float($0).bitPattern) }
        static let u1 = DType(descr: "|u1") { [UInt8($0)] }
        static let i1 = DType(descr: "|i1") { [UInt8(bitPattern: Int8($0))] }
        static let i2 = DType(descr: "<i2") { littleEndian(Int16($0)) }
        static let i4 = DType(descr: "<i4") { littleEndian(Int32($0)) }
        static let i8 = DType(descr: "<i8") { littleEndian(Int64($0)) }
        static let u2 = DType(descr: "<u2") { littleEndian(UInt16($0)) }
        static let bigI4 = DType(descr: ">i4") { littleEndian(Int32($0)).reversed() }
        static let bigF8 = DType(descr: ">f8") { littleEndian($0.bitPattern).reversed() }
        /// A type the loader must refuse, written with `size` bytes per element.
        static func other(_ descr: String, size: Int) -> DType { DType(descr: descr) { _ in [UInt8](repeating: 0, count: size) } }
    }

    /// An .npy file: `values` in the order given (C order, or Fortran order when `fortranOrder`).
    static func npy(_ values: [Double], shape: [Int], dtype: DType = .f8, fortranOrder: Bool = false) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(\(shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(dtype.descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += DType.littleEndian(UInt16(header.utf8.count))
        bytes += Array(header.utf8)
        for v in values { bytes += dtype.encode(v) }
        return Data(bytes)
    }

    /// A zip archive of `members` (name → bytes), stored (method 0) or deflated (method 8, stored blocks).
    static func zip(_ members: [(name: String, data: Data)], deflated: Bool) -> Data {
        var out: [UInt8] = [], central: [UInt8] = []
        let le16 = { (v: Int) in DType.littleEndian(UInt16(v)) }, le32 = { (v: Int) in DType.littleEndian(UInt32(v)) }
        for (name, data) in members {
            let raw = [UInt8](data), body = deflated ? deflateStored(raw) : raw
            let crc = crc32(raw), offset = out.count
            let common = le16(20) + le16(0) + le16(deflated ? 8 : 0) + le16(0) + le16(0x21) + le32(Int(crc))
                + le32(body.count) + le32(raw.count) + le16(name.utf8.count)
            out += le32(0x0403_4b50) + common + le16(0) + Array(name.utf8) + body
            central += le32(0x0201_4b50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
                + le32(offset) + Array(name.utf8)
        }
        let centralOffset = out.count
        out += central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            + le32(central.count) + le32(centralOffset) + le16(0)
        return Data(out)
    }

    /// A deflate stream (RFC 1951) of stored blocks: BFINAL/BTYPE 00, LEN, NLEN, then the bytes.
    static func deflateStored(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let n = min(65535, raw.count - start)
            let last = start + n == raw.count
            out.append(last ? 1 : 0)
            out += DType.littleEndian(UInt16(n)) + DType.littleEndian(~UInt16(n))
            out += raw[start..<(start + n)]
            start += n
        } while start < raw.count
        return out
    }

    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    /// An archive written by NumPy 2.4 itself, `numpy.savez_compressed(f, x=numpy.arange(12, dtype=numpy.uint8)
    /// .reshape(3, 2, 2, 1), y=numpy.array([0, 1, 0]))`: zlib-deflated members with zip64 local records.
    static let numpySavezCompressed = Data(hex: """
        504b03042d0000000800000021001bc842f5ffffffffffffffff05001400782e6e7079010010008c0000000000000055000000000000009bec17ea1b10c9c850c650ad\
        9e925a9c5ca46ea5a05e536aa8aea3a09e965f54529498179f5f94920a12774bcc294e058a17672416a402f91ac63a0a466064a8a9a350ab4006e06260646266616563e7\
        e0e4e20600504b03042d0000000800000021008a4737a8ffffffffffffffff05001400792e6e70790100100098000000000000004a000000000000009bec17ea1b10c9c8\
        50c650ad9e925a9c5ca46ea5a06e9369a1aea3a09e965f54529498179f5f94920a12774bcc294e058a17672416a402f91ac63a9a3a0ab50a14002e06286064400500504b\
        01022d032d0000000800000021001bc842f5550000008c000000050000000000000000000000800100000000782e6e7079504b01022d032d0000000800000021008a4737\
        a84a0000009800000005000000000000000000000080018c000000792e6e7079504b05060000000002000200660000000d0100000000
        """)
}

extension Data {
    /// Bytes from hexadecimal digits (test helper).
    init(hex: String) {
        let digits = Array(hex.utf8)
        self.init((0..<(digits.count / 2)).map { i in UInt8(String(decoding: digits[(2 * i)...(2 * i + 1)], as: UTF8.self), radix: 16)! })
    }
}
