import Foundation

/// A minimal, independent reader of NumPy `.npy` version 1.0 files holding `<f8` C-order arrays (test helper).
package struct NPYArray {
    package var shape: [Int]
    package var values: [Double]

    package enum Failure: Error { case malformed(String) }

    package init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw Failure.malformed("bad magic")
        }
        guard bytes[6] == 1, bytes[7] == 0 else { throw Failure.malformed("version \(bytes[6]).\(bytes[7])") }
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        guard (10 + headerLength) % 64 == 0 else { throw Failure.malformed("data not 64-byte aligned") }
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        guard header.hasSuffix("\n"), header.contains("'descr': '<f8'"), header.contains("'fortran_order': False") else {
            throw Failure.malformed("header \(header)")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw Failure.malformed("no shape")
        }
        shape = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let count = shape.reduce(1, *)
        let body = bytes[(10 + headerLength)...]
        guard body.count == 8 * count else { throw Failure.malformed("\(body.count) data bytes for \(count) values") }
        var values = [Double](repeating: 0, count: count)
        var index = body.startIndex
        for i in 0..<count {
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(body[index + b]) << (8 * b) }
            values[i] = Double(bitPattern: bits)
            index += 8
        }
        self.values = values
    }
}
