import Foundation
import ZIPFoundation

/// The members of an .npz file: a zip archive (stored or deflated members, zip64 records as NumPy writes
/// them) of .npy files, one per array, named `<name>.npy`. ZIPFoundation reads the archive and checks each
/// member's CRC-32; ``NPYArray`` parses the member.
enum NPZArchive {
    /// The arrays `names` (without `.npy`) of the archive at `url`, in that order.
    static func read(_ url: URL, file: String, members names: [String]) throws(DataFileError) -> [NPYArray] {
        _ = try ArrayDataset.readFile(url, file: file)
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw DataFileError(file: file, "this is not a readable .npz (zip) archive (\(error)): the file is truncated or corrupt, or not an archive; write it with numpy.savez or numpy.savez_compressed")
        }
        var arrays: [NPYArray] = []
        for name in names {
            let member = "\(name).npy"
            guard let entry = archive[member] else {
                let present = archive.map(\.path).prefix(12).map { "'\($0)'" }.joined(separator: ", ")
                throw DataFileError(file: file, "the archive has no member '\(member)' (it has \(present.isEmpty ? "none" : present)); save the inputs as x and the targets as y: numpy.savez(FILE, x=inputs, y=targets)")
            }
            var bytes = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { bytes.append($0) }
            } catch {
                throw DataFileError(file: file, member: member, "the member cannot be extracted (\(error)): the archive is corrupt or truncated")
            }
            arrays.append(try NPYArray.parse(bytes, file: file, member: member))
        }
        return arrays
    }
}
