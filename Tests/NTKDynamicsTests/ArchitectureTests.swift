import Foundation
import Testing

/// The library's folders are layers (Docs/Architecture.md): a file may use the types of its own folder and of the
/// folders below it, never of one above. This reads the sources, so a change that reaches up a layer fails here
/// rather than in a review.
@Suite("Architecture")
struct ArchitectureTests {
    /// Each folder of Sources/NTKDynamics with the folders it may use (besides itself).
    static let allowed: [String: Set<String>] = [
        "Support": [],
        "LinearAlgebra": ["Support"],
        "Quadrature": ["Support", "LinearAlgebra"],
        "Model": ["Support", "LinearAlgebra", "Quadrature"],
        "Kernels": ["Support", "LinearAlgebra", "Quadrature", "Model"],
        "Data": ["Support", "LinearAlgebra", "Model"],
        "Dynamics": ["Support", "LinearAlgebra", "Quadrature", "Model", "Kernels", "Data"],
        "Output": ["Support", "LinearAlgebra", "Quadrature", "Model", "Kernels", "Data", "Dynamics"],
        "Sweep": ["Support", "LinearAlgebra", "Quadrature", "Model", "Kernels", "Data", "Dynamics", "Output"],
        "Report": ["Support", "LinearAlgebra", "Quadrature", "Model", "Kernels", "Data", "Dynamics", "Output", "Sweep"],
    ]

    static let library = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/NTKDynamics")

    /// Swift source of every file per folder, comments removed.
    static func sources() throws -> [String: [(file: String, text: String)]] {
        var result: [String: [(String, String)]] = [:]
        for folder in try FileManager.default.contentsOfDirectory(atPath: library.path) {
            let dir = library.appendingPathComponent(folder)
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for f in files where f.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
                let code = text.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
                    .joined(separator: "\n")
                result[folder, default: []].append((f, code))
            }
        }
        return result
    }

    @Test("Every folder of the library is a known layer")
    func foldersAreLayers() throws {
        let folders = Set(try Self.sources().keys)
        #expect(folders == Set(Self.allowed.keys), "update ArchitectureTests.allowed and Docs/Architecture.md")
    }

    @Test("No file uses a type declared in a layer above its own")
    func layersHold() throws {
        let sources = try Self.sources()
        // Types declared at the top level of each folder.
        let declaration = try NSRegularExpression(pattern: #"^(?:public |final |@usableFromInline |internal )*(?:struct|enum|class|protocol|actor|typealias) (\w+)"#,
                                                  options: .anchorsMatchLines)
        var owner: [String: String] = [:]
        for (folder, files) in sources {
            for (_, text) in files {
                for m in declaration.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    owner[String(text[Range(m.range(at: 1), in: text)!])] = folder
                }
            }
        }
        #expect(owner.count > 50, "the scan found the library's types")
        var violations: [String] = []
        for (folder, files) in sources {
            for (file, text) in files {
                for (type, typeFolder) in owner where typeFolder != folder && !(Self.allowed[folder]?.contains(typeFolder) ?? true) {
                    if text.range(of: #"\b\#(type)\b"#, options: .regularExpression) != nil {
                        violations.append("\(folder)/\(file) uses \(type) of \(typeFolder)")
                    }
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }
}
