import ArgumentParser
import Foundation
import NTKDynamics

extension DataOptions {
    /// The command's data, drawn or read for `seed`. A data file that cannot be used ends the command with
    /// `Error: …` and exit 65 before anything is written; the loader's warnings go to stderr, and for real data
    /// one line describing it goes to `describe`.
    func loadOrExit(seed: UInt64, describe: (String) -> Void) throws -> Dataset {
        let loaded: LoadedDataset
        do {
            loaded = try load(seed: seed)
        } catch let error as CSVDataError {
            Console.error("\(error)")
            throw ExitCode(NTKExitStatus.dataError)
        } catch let error as DataFileError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(NTKExitStatus.dataError)
        }
        for w in loaded.warnings { Console.warn(w.description) }
        let d = loaded.dataset
        if let s = d.source {
            let image = d.imageShape.map { " = \($0) image" } ?? ""
            describe("""
                data: \(s.file)\(s.testFile.map { " + \($0)" } ?? "") · \(d.trainCount) train, \(d.testCount) test · d = \
                \(d.inputDim)\(image) (\(s.inputScaling)) · targets \(s.targetEncoding ?? s.targetColumns.joined(separator: ", "))
                """)
        }
        return d
    }
}
