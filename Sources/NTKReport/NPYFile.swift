import Foundation

/// A NumPy `.npy` array read back for the report: float64 (`<f8`), C order, format version 1.x or 2.x.
public struct NPYFile: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        self.shape = shape
        self.values = values
    }

    /// Rows of a 1-D or 2-D array: (N,) has N rows of one column, (N, k) has N rows of k columns.
    public var rowCount: Int { shape.first ?? (values.isEmpty ? 0 : 1) }
    public var columnCount: Int { shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1 }  // no overflow: init checked the product

    /// Column `j` of a 1-D or 2-D array.
    public func column(_ j: Int) -> [Double] {
        let k = columnCount
        guard j >= 0, j < k else { return [] }
        return stride(from: j, to: values.count, by: k).map { values[$0] }
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReportError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    public init(data: Data, path: String = "<data>") throws {
        let bytes = [UInt8](data)
        func bad(_ why: String) -> ReportError { .unreadable(path: path, reason: "not a float64 .npy file: \(why)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else { throw bad("bad magic") }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("truncated header") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw bad("format version \(major)")
        }
        guard headerStart + headerLength <= bytes.count else { throw bad("truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard header.contains("'<f8'") || header.contains("\"<f8\"") else { throw bad("dtype is not '<f8'") }
        guard !header.contains("'fortran_order': True") else { throw bad("Fortran order") }
        guard let open = header.range(of: "'shape':"), let lp = header[open.upperBound...].firstIndex(of: "("),
              let rp = header[lp...].firstIndex(of: ")") else { throw bad("no shape") }
        let dims = header[header.index(after: lp)..<rp].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var shape: [Int] = []
        for d in dims {
            guard let n = Int(d), n >= 0 else { throw bad("shape \(header[lp...rp])") }
            shape.append(n)
        }
        // A damaged header can name a shape whose product (or byte count) overflows Int: checked arithmetic.
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw bad("shape \(header[lp...rp]) has more values than an Int can count") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: 8)
        guard !overflow else { throw bad("shape \(header[lp...rp]) has more bytes than an Int can count") }
        let body = headerStart + headerLength
        guard bytes.count - body >= byteCount else { throw bad("\(bytes.count - body) data bytes for \(count) values") }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[body + 8 * i + b]) << (8 * b) }
            values[i] = Double(bitPattern: bits)
        }
        self.shape = shape
        self.values = values
    }
}
