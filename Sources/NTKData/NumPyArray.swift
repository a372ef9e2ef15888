import Foundation

/// A data file (or a member of an .npz archive) that cannot be used: the file, the member, and what is
/// wrong and what to do. The CLI shows it as `Error: FILE, member 'x.npy': …` with exit status 65.
public struct DataFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// The archive member (`x.npy`), for .npz files.
    public var member: String?
    public var message: String

    public init(file: String, member: String? = nil, _ message: String) {
        self.file = file
        self.member = member
        self.message = message
    }

    public var description: String { "\(file)\(member.map { ", member '\($0)'" } ?? ""): \(message)" }
}

/// One array of an .npy file (NumPy's format 1.0–3.0: magic `\x93NUMPY`, a Python-dict header with `descr`,
/// `fortran_order` and `shape`, then the raw elements), converted to float64 in C (row-major) order.
///
/// Accepted element types: float32, float64, signed and unsigned integers of 1–8 bytes, either byte order.
/// Anything else (bool, float16, complex, strings, objects, structured types) is refused with its `descr`.
public struct NumPyArray: Equatable, Sendable {
    public var shape: [Int]
    /// The elements in C order, as float64. Integer elements are exact: beyond ±2⁵³ they are refused.
    public var values: [Double]
    /// Whether the element type is an integer type (then `values` are integers, e.g. class labels).
    public var isInteger: Bool
    /// NumPy's type string, e.g. `<f8`, `|u1`.
    public var descr: String

    public var count: Int { values.count }

    /// The element kinds this reader converts: `f` (4 or 8 bytes), `i` and `u` (1, 2, 4 or 8 bytes).
    static func isSupported(kind: Character, size: Int) -> Bool {
        switch kind {
        case "f": return size == 4 || size == 8
        case "i", "u": return [1, 2, 4, 8].contains(size)
        default: return false
        }
    }

    /// Parses the bytes of an .npy file; errors name `file` (and `member`).
    public static func parse(_ bytes: Data, file: String, member: String? = nil) throws(DataFileError) -> NumPyArray {
        func fail(_ message: String) -> DataFileError { DataFileError(file: file, member: member, message) }
        let b = [UInt8](bytes)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard b.count >= 10, Array(b[0..<6]) == magic else {
            throw fail("not an .npy array (it does not start with NumPy's magic bytes \\x93NUMPY); save it with numpy.save or numpy.savez")
        }
        let major = b[6]
        guard (1...3).contains(major) else { throw fail("unknown .npy format version \(major).\(b[7]); this reader knows versions 1 to 3") }
        let lengthBytes = major == 1 ? 2 : 4
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(b[8 + i]) << (8 * i) }
        let start = 8 + lengthBytes
        guard b.count >= start + headerLength else { throw fail("the file is truncated inside its .npy header") }
        guard let header = String(bytes: b[start..<(start + headerLength)], encoding: major == 3 ? .utf8 : .ascii) else {
            throw fail("the .npy header is not text; the file is corrupt")
        }
        let (descr, fortran, shape) = try parseHeader(header, fail: fail)
        let body = b[(start + headerLength)...]
        return try decode(body, descr: descr, fortranOrder: fortran, shape: shape, fail: fail)
    }

    /// `descr`, `fortran_order` and `shape` from the header dict, e.g. `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
    static func parseHeader(_ h: String, fail: (String) -> DataFileError) throws(DataFileError) -> (String, Bool, [Int]) {
        func value(of key: String) -> Substring? {
            guard let r = h.range(of: "'\(key)':") else { return nil }
            return h[r.upperBound...].drop { $0 == " " }
        }
        guard let d = value(of: "descr"), let f = value(of: "fortran_order"), let s = value(of: "shape") else {
            throw fail("the .npy header lacks 'descr', 'fortran_order' or 'shape'; the file is corrupt")
        }
        guard d.first == "'", let end = d.dropFirst().firstIndex(of: "'") else {
            throw fail("the array has a structured dtype (\(d.prefix(40))…); save a plain numeric array, e.g. numpy.asarray(x, dtype=numpy.float64)")
        }
        let descr = String(d[d.index(after: d.startIndex)..<end])
        let fortran: Bool
        if f.hasPrefix("True") { fortran = true } else if f.hasPrefix("False") { fortran = false } else {
            throw fail("the .npy header's 'fortran_order' is neither True nor False; the file is corrupt")
        }
        guard s.first == "(", let close = s.firstIndex(of: ")") else {
            throw fail("the .npy header's 'shape' is not a tuple; the file is corrupt")
        }
        var shape: [Int] = []
        for part in s[s.index(after: s.startIndex)..<close].split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            guard let n = Int(t), n >= 0 else { throw fail("the .npy header's 'shape' holds '\(t)'; the file is corrupt") }
            shape.append(n)
        }
        return (descr, fortran, shape)
    }

    /// The elements of `body` as float64 in C order.
    static func decode(_ body: ArraySlice<UInt8>, descr: String, fortranOrder: Bool, shape: [Int],
                       fail: (String) -> DataFileError) throws(DataFileError) -> NumPyArray {
        let chars = Array(descr)
        guard chars.count >= 3, "<>|=".contains(chars[0]), let size = Int(String(chars[2...])),
              isSupported(kind: chars[1], size: size) else {
            throw fail("the array's element type '\(descr)' is not supported; use float32, float64 or an integer type (e.g. uint8 pixels, "
                + "int64 labels): numpy.asarray(x, dtype=numpy.float64)")
        }
        let kind = chars[1]
        let bigEndian = chars[0] == ">"
        var count = 1
        for n in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, p <= Int(Int32.max) else { throw fail("the array's shape \(shape) is too large") }
            count = p
        }
        guard body.count == count * size else {
            throw fail(body.count < count * size
                ? "the file is truncated: shape \(shape) of '\(descr)' needs \(count * size) bytes of data, but only \(body.count) follow the header"
                : "the file has \(body.count - count * size) bytes after the \(count * size) bytes of shape \(shape) of '\(descr)'; the file is corrupt")
        }
        var values = [Double](repeating: 0, count: count)
        let exact = 1 << 53
        let base = body.startIndex
        for e in 0..<count {
            var raw: UInt64 = 0
            for i in 0..<size {
                let byte = UInt64(body[base + e * size + (bigEndian ? size - 1 - i : i)])
                raw |= byte << (8 * UInt64(i))
            }
            switch kind {
            case "f":
                values[e] = size == 8 ? Double(bitPattern: raw) : Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
            case "i":
                let shift = UInt64(64 - 8 * size)
                let v = Int(Int64(bitPattern: raw << shift) >> Int64(shift))
                guard abs(v) <= exact else { throw fail("the integer \(v) is beyond ±2⁵³, which float64 cannot hold exactly") }
                values[e] = Double(v)
            default:
                guard raw <= UInt64(exact) else { throw fail("the integer \(raw) is beyond 2⁵³, which float64 cannot hold exactly") }
                values[e] = Double(raw)
            }
        }
        if fortranOrder && shape.count > 1 {
            let order = cOrderFromFortran(shape: shape)
            values = order.map { values[$0] }
        }
        return NumPyArray(shape: shape, values: values, isInteger: kind != "f", descr: descr)
    }

    /// For each element in C order, its position in Fortran (column-major) order.
    static func cOrderFromFortran(shape: [Int]) -> [Int] {
        let count = shape.reduce(1, *)
        var strides = [Int](repeating: 1, count: shape.count)
        for k in 1..<shape.count { strides[k] = strides[k - 1] * shape[k - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        var result = [Int](repeating: 0, count: count)
        for c in 0..<count {
            var f = 0
            for k in 0..<shape.count { f += index[k] * strides[k] }
            result[c] = f
            var k = shape.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < shape[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return result
    }

    /// The C-order multi-index of flat element `e`, as NumPy prints it: `[3, 0, 1]`.
    public func position(of e: Int) -> String {
        var rest = e
        var index = [Int](repeating: 0, count: shape.count)
        for k in stride(from: shape.count - 1, through: 0, by: -1) where shape[k] > 0 {
            index[k] = rest % shape[k]
            rest /= shape[k]
        }
        return "[\(index.map(String.init).joined(separator: ", "))]"
    }
}
