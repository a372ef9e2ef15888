import Foundation
import ZIPFoundation

/// The members of an .npz file: a zip archive (stored or deflated members, zip64 records as NumPy writes
/// them) of .npy files, one per array, named `<name>.npy`. ZIPFoundation reads the archive and checks each
/// member's CRC-32; ``NumPyArray`` parses the member.
enum NPZArchive {
    enum ArchiveCorruption: Error, CustomStringConvertible {
        case checksum(found: UInt32, recorded: UInt32)

        var description: String {
            switch self {
            case let .checksum(found, recorded):
                return "CRC-32 \(String(found, radix: 16)) of the data, \(String(recorded, radix: 16)) recorded"
            }
        }
    }

    /// The arrays `names` (without `.npy`) of the archive at `url`, in that order.
    static func read(_ url: URL, file: String, members names: [String]) throws(DataFileError) -> [NumPyArray] {
        _ = try ArrayDataset.readFile(url, file: file)
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw DataFileError(file: file, "this is not a readable .npz (zip) archive (\(error)): the file is truncated or corrupt, or not an archive; "
                + "write it with numpy.savez or numpy.savez_compressed")
        }
        var arrays: [NumPyArray] = []
        for name in names {
            let member = "\(name).npy"
            guard let entry = archive[member] else {
                let present = archive.map(\.path).prefix(12).map { "'\($0)'" }.joined(separator: ", ")
                throw DataFileError(file: file, "the archive has no member '\(member)' (it has \(present.isEmpty ? "none" : present)); "
                    + "save the inputs as x and the targets as y: numpy.savez(FILE, x=inputs, y=targets)")
            }
            var bytes = Data()
            do {
                // Extracting to memory returns the CRC-32 of the bytes without comparing it with the entry's.
                let crc = try archive.extract(entry, skipCRC32: false) { bytes.append($0) }
                guard crc == entry.checksum else { throw ArchiveCorruption.checksum(found: crc, recorded: entry.checksum) }
            } catch {
                throw DataFileError(file: file, member: member, "the member cannot be extracted (\(error)): the archive is corrupt or truncated")
            }
            guard UInt64(bytes.count) == entry.uncompressedSize else {
                throw DataFileError(file: file, member: member, "the member holds \(bytes.count) bytes, "
                    + "but the archive records \(entry.uncompressedSize): the archive is corrupt or truncated")
            }
            arrays.append(try NumPyArray.parse(bytes, file: file, member: member))
        }
        return arrays
    }
}
