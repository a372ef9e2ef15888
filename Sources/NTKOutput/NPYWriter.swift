import Foundation

/// Writes NumPy `.npy` files (format version 1.0): little-endian float64, C order (Docs/LogFormat.md).
public enum NPYWriter {
    /// The bytes of an `.npy` file holding `values` with `shape` (row-major; product of shape = count).
    public static func encode(_ values: [Double], shape: [Int]) -> Data {
        var data = header(descr: "<f8", shape: shape, count: values.count)
        data.reserveCapacity(data.count + values.count * 8)
        #if _endian(little)
        values.withUnsafeBytes { data.append(contentsOf: $0) }   // already '<f8': one copy
        #else
        values.withUnsafeBufferPointer { p in
            for v in p {
                var bits = v.bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
            }
        }
        #endif
        return data
    }

    /// The bytes of an `.npy` file holding the integers `values` as little-endian int64 (`<i8`) with `shape`.
    public static func encode(integers values: [Int64], shape: [Int]) -> Data {
        var data = header(descr: "<i8", shape: shape, count: values.count)
        for v in values {
            var bits = v.littleEndian
            withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// The magic string, version 1.0 and the header dictionary of an array of `count` values of type `descr`,
    /// padded with spaces so that the data start at a multiple of 64 bytes.
    static func header(descr: String, shape: [Int], count: Int) -> Data {
        precondition(shape.reduce(1, *) == count, "shape \(shape) does not hold \(count) values")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        return data
    }

    /// A matrix as a 2-D array.
    public static func encode(_ m: Matrix) -> Data { encode(m.data, shape: [m.rows, m.cols]) }
}
