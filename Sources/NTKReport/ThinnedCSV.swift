import Foundation

extension CSVTable {
    /// Files up to this size are read whole (``init(contentsOf:)``), so the report of an ordinary run draws every
    /// row as before; larger ones are streamed and thinned while they are read (``ThinnedCSV``). 16 MiB is about
    /// 80 000 rows of steps.csv.
    public static let streamingThreshold = 16 * 1_048_576

    /// A run log for the report: read whole when it is at most ``streamingThreshold`` bytes, otherwise streamed and
    /// thinned to the rows that shape its curves (Docs/Report.md#long-runs).
    ///
    /// - Parameters:
    ///   - groupBy: a column whose values split the rows into curves thinned separately (`mode` in modes.csv).
    ///   - maxGroups: with `groupBy`, only the rows of this many smallest group values (integers ≥ 0) are kept.
    ///   - tracked: the columns whose extremes are kept (all when nil); the others are read but not parsed.
    public init(log url: URL, groupBy: String? = nil, maxGroups: Int = .max, tracked: [String]? = nil) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        if size <= Self.streamingThreshold {
            try self.init(contentsOf: url)
        } else {
            self = try ThinnedCSV.read(url, groupBy: groupBy, maxGroups: maxGroups, tracked: tracked)
        }
    }
}

/// Reads a large CSV log in chunks and keeps, out of every run of consecutive rows (a bucket; 512 to 1024 buckets
/// per curve, about one per pixel of a 600-pixel plot), only the rows that a plot of any column needs: the bucket's
/// first and last row and, per column, the rows with the smallest and largest finite value, the smallest positive
/// value (a log axis) and the first and last present value. Extremes survive exactly, so the curves, their
/// envelopes and every maximum or last value read from the table are those of the whole file; what is lost is
/// below a pixel. Memory is O(buckets · columns) rows, whatever the length of the file.
///
/// Rows are bucketed by their index (in a group), which is proportional to the step in the logs the tool writes.
/// Like ``CSVTable/init(text:)`` a row with the wrong number of cells, and a last line without its newline, is
/// skipped and counted; a file that is not UTF-8 is unreadable.
enum ThinnedCSV {
    /// Buckets per curve: merged pairwise (halved) whenever there are more, so 512 to 1024, about one per pixel
    /// column of a 600-pixel plot.
    static let maxBuckets = 1024
    static let chunkBytes = 4 * 1_048_576

    static func read(_ url: URL, groupBy: String?, maxGroups: Int, tracked: [String]? = nil) throws -> CSVTable {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw ReportError.unreadable(path: url.path, reason: "the file cannot be opened")
        }
        defer { try? handle.close() }
        var state = State(groupBy: groupBy, maxGroups: maxGroups, tracked: tracked)
        var carry: [UInt8] = []
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: chunkBytes) ?? Data()
            } catch {
                throw ReportError.unreadable(path: url.path, reason: error.localizedDescription)
            }
            if chunk.isEmpty { break }
            carry.append(contentsOf: chunk)
            let consumed = try carry.withUnsafeBufferPointer { try state.lines(in: $0, path: url.path) }
            carry.removeFirst(consumed)
        }
        if !carry.isEmpty {
            // No final newline: the last row may be cut off (a header alone is still a header).
            if state.header == nil {
                try carry.withUnsafeBufferPointer { try state.line($0, path: url.path) }
            } else {
                state.skipped += 1
            }
        }
        return state.table()
    }

    /// What the reader has seen so far.
    struct State {
        let groupBy: String?
        let maxGroups: Int
        let trackedNames: [String]?
        var header: [String]?
        var groupColumn: Int?
        /// Whether each column's extremes are kept (all, or those named by `tracked`).
        var tracked: [Bool] = []
        var skipped = 0
        var rowsRead = 0
        var keys: [Double] = []
        var thinners: [Thinner] = []
        let parser = NumberParser()
        /// Reused per row: where each cell ends, and the tracked cells' numbers.
        var ends: [Int] = []
        var values: [Double?] = []

        init(groupBy: String?, maxGroups: Int, tracked: [String]?) {
            self.groupBy = groupBy
            self.maxGroups = maxGroups
            self.trackedNames = tracked
        }

        /// Handles every complete line of `bytes`; returns how many bytes were consumed.
        mutating func lines(in bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> Int {
            var start = 0
            for i in 0..<bytes.count where bytes[i] == 0x0A {
                try line(UnsafeBufferPointer(rebasing: bytes[start..<i]), path: path)
                start = i + 1
            }
            return start
        }

        mutating func line(_ raw: UnsafeBufferPointer<UInt8>, path: String) throws {
            var line = raw
            if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            guard line.contains(where: { $0 >= 0x80 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }) else {
                add(line)
                return
            }
            // Non-ASCII text: as CSVTable(text:) reads it (UTF-8 or unreadable, split on any newline character).
            guard let text = String(validating: line, as: UTF8.self) else {
                throw ReportError.unreadable(path: path, reason: "the file is not UTF-8 text")
            }
            for part in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
                Array(part.utf8).withUnsafeBufferPointer { add($0) }
            }
        }

        mutating func add(_ line: UnsafeBufferPointer<UInt8>) {
            guard let header else {
                let columns = String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
                    .map { CSVTable.trimmed($0) }
                self.header = columns
                groupColumn = groupBy.flatMap { columns.firstIndex(of: $0) }
                tracked = columns.map { name in trackedNames.map { $0.contains(name) } ?? true }
                values = Array(repeating: nil, count: columns.count)
                return
            }
            if line.isEmpty { return }
            ends.removeAll(keepingCapacity: true)
            for i in 0...line.count where i == line.count || line[i] == 0x2C { ends.append(i) }
            guard ends.count == header.count else { skipped += 1; return }
            rowsRead += 1
            func cell(_ j: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: line[(j == 0 ? 0 : ends[j - 1] + 1)..<ends[j]])
            }
            let g = group(groupColumn.flatMap { parser.number(cell($0)) })
            guard let g else { return }
            for j in values.indices { values[j] = tracked[j] ? parser.number(cell(j)) : nil }
            thinners[g].add(row: rowsRead - 1, values: values, line: line)
        }

        /// The thinner of a row whose group column holds `key` (the one curve without `groupBy`); nil for a row left out.
        mutating func group(_ key: Double?) -> Int? {
            guard groupColumn != nil else {
                if thinners.isEmpty { thinners = [Thinner(columns: values.count)] }
                return 0
            }
            // Mode ranks are small integers; anything else (a damaged file) is not a mode.
            guard let k = key, k >= 0, k < 1e9, k == k.rounded() else { return nil }
            if let i = keys.firstIndex(of: k) { return i }
            if keys.count >= maxGroups {
                guard let largest = keys.indices.max(by: { keys[$0] < keys[$1] }), k < keys[largest] else { return nil }
                keys.remove(at: largest)
                thinners.remove(at: largest)
            }
            keys.append(k)
            thinners.append(Thinner(columns: values.count))
            return keys.count - 1
        }

        /// The kept rows of every group, in file order.
        func table() -> CSVTable {
            let kept = thinners.flatMap { $0.keptRows }.sorted { $0.row < $1.row }
            let rows = kept.map { r in
                String(decoding: r.line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map { CSVTable.trimmed($0) }
            }
            return CSVTable(columns: header ?? [], rows: rows, skippedRows: skipped, rowsRead: rowsRead)
        }
    }

    /// The buckets of one curve.
    struct Thinner {
        /// A row that a slot holds, with the value that put it there.
        struct Slot {
            var row: Int
            var value: Double
        }

        /// Slots of a bucket: `first`, `last`, then per column: min, max, min positive, first present, last present.
        static let perColumn = 5
        let columns: Int
        var rowsPerBucket = 1
        var buckets: [[Slot?]] = []
        var index = 0
        /// Lines of rows that a slot held when the next row came (some may have been displaced since).
        var lines: [Int: [UInt8]] = [:]
        var collectAt = 65_536
        /// The newest row: its bytes are copied into ``lines`` only if a slot still holds it when the next row has
        /// been placed, so most rows of a long file are never copied.
        var latest: [UInt8] = []
        var latestRow = -1
        var latestBucket = -1

        init(columns: Int) { self.columns = columns }

        mutating func add(row: Int, values: [Double?], line: UnsafeBufferPointer<UInt8>) {
            let b = index / rowsPerBucket
            index += 1
            if b == buckets.count { buckets.append(Array(repeating: nil, count: 2 + Self.perColumn * columns)) }
            var slots = buckets[b]
            buckets[b] = []  // the only reference: the writes below do not copy
            let here = Slot(row: row, value: 0)
            if slots[0] == nil { slots[0] = here }
            slots[1] = here
            for (c, v) in values.enumerated() {
                guard let v else { continue }
                let base = 2 + Self.perColumn * c
                let s = Slot(row: row, value: v)
                if v.isFinite {
                    if slots[base].map({ v < $0.value }) ?? true { slots[base] = s }
                    if slots[base + 1].map({ v > $0.value }) ?? true { slots[base + 1] = s }
                    if v > 0, slots[base + 2].map({ v < $0.value }) ?? true { slots[base + 2] = s }
                }
                if slots[base + 3] == nil { slots[base + 3] = s }
                slots[base + 4] = s
            }
            if latestRow >= 0 && (latestBucket != b || slots.contains { $0?.row == latestRow }) { lines[latestRow] = latest }
            buckets[b] = slots
            latest.removeAll(keepingCapacity: true)
            latest.append(contentsOf: line)
            (latestRow, latestBucket) = (row, b)
            if buckets.count > ThinnedCSV.maxBuckets && index % rowsPerBucket == 0 {
                halve()
                latestBucket /= 2
            }
            if lines.count >= collectAt { collect() }
        }
        /// Merges buckets pairwise: the pair's first and last row, and per column the better extreme of the two.
        mutating func halve() {
            var merged: [[Slot?]] = []
            merged.reserveCapacity(buckets.count / 2 + 1)
            for p in stride(from: 0, to: buckets.count, by: 2) {
                var a = buckets[p]
                guard p + 1 < buckets.count else { merged.append(a); continue }
                for (i, s) in buckets[p + 1].enumerated() {
                    guard let s else { continue }
                    let role = i < 2 ? i - 2 : (i - 2) % Self.perColumn  // −2 first, −1 last
                    switch role {
                    case -2, 3: if a[i] == nil { a[i] = s }
                    case 0, 2: if a[i].map({ s.value < $0.value }) ?? true { a[i] = s }
                    case 1: if a[i].map({ s.value > $0.value }) ?? true { a[i] = s }
                    default: a[i] = s  // last row, last present value
                    }
                }
                merged.append(a)
            }
            buckets = merged
            rowsPerBucket *= 2
        }

        /// The rows some slot holds.
        var held: Set<Int> { Set(buckets.lazy.flatMap { $0 }.compactMap { $0?.row }) }

        /// Drops the lines no slot holds any more.
        mutating func collect() {
            let keep = held
            lines = lines.filter { keep.contains($0.key) }
            collectAt = max(65_536, 2 * lines.count)
        }

        /// Every row some slot holds.
        var keptRows: [(row: Int, line: [UInt8])] {
            let keep = held
            var rows: [(row: Int, line: [UInt8])] = lines.filter { keep.contains($0.key) }.map { ($0.key, $0.value) }
            if latestRow >= 0 && keep.contains(latestRow) && lines[latestRow] == nil { rows.append((latestRow, latest)) }
            return rows
        }
    }

    /// Numbers of cells as ``CSVTable/number(_:)`` reads them, without making a String of every cell: a cell of
    /// ASCII digits, sign, point and exponent goes to strtod (which Swift's Double(String) also calls); anything
    /// else (blanks, nan, inf, other text) to CSVTable.number.
    final class NumberParser {
        private let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: 64)

        deinit { buffer.deallocate() }

        func number(_ cell: UnsafeBufferPointer<UInt8>) -> Double? {
            if cell.isEmpty { return nil }
            let plain = cell.count < 64 && cell.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 }
            guard plain else { return CSVTable.number(String(decoding: cell, as: UTF8.self)) }
            for i in 0..<cell.count { buffer[i] = CChar(bitPattern: cell[i]) }
            buffer[cell.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buffer, &end)
            guard end == buffer + cell.count else { return nil }
            return v
        }
    }
}
