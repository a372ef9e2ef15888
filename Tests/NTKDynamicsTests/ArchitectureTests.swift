import Foundation
import Testing

/// The library's layers are SwiftPM targets (Docs/Architecture.md#targets), so the compiler refuses an import
/// that reaches up a target. What targets cannot express is the order of the folders inside one target
/// (Support < LinearAlgebra < Quadrature in NTKNumerics, Model < Kernels in NTKModel) and that NTKData uses
/// neither Quadrature nor Kernels although its target sees them. This reads those sources, so a change that
/// reaches up a folder fails here rather than in a review.
@Suite("Architecture")
struct ArchitectureTests {
    /// Each folder that shares a target with another (or sees more than it may use), with its directory under
    /// Sources/ and the folders it may use (besides itself).
    static let layers: [String: (path: String, allowed: Set<String>)] = [
        "Support": ("NTKNumerics/Support", []),
        "LinearAlgebra": ("NTKNumerics/LinearAlgebra", ["Support"]),
        "Quadrature": ("NTKNumerics/Quadrature", ["Support", "LinearAlgebra"]),
        "Model": ("NTKModel/Model", ["Support", "LinearAlgebra", "Quadrature"]),
        "Kernels": ("NTKModel/Kernels", ["Support", "LinearAlgebra", "Quadrature", "Model"]),
        "Data": ("NTKData", ["Support", "LinearAlgebra", "Model"]),
    ]

    static let sourcesRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The code of one Swift file with comments and string literals removed, so a word in a message or a
    /// comment is not a use.
    static func code(_ text: String) -> String {
        let noLineComments = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .joined(separator: "\n")
        return noLineComments.replacingOccurrences(of: #""(?:[^"\\\n]|\\.)*""#, with: "\"\"", options: .regularExpression)
    }

    /// Swift source of every file per folder of ``layers``, comments and strings removed.
    static func sources() throws -> [String: [(file: String, text: String)]] {
        var result: [String: [(String, String)]] = [:]
        for (folder, layer) in layers {
            let dir = sourcesRoot.appendingPathComponent(layer.path)
            for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
                result[folder, default: []].append((f, code(text)))
            }
        }
        return result
    }

    @Test("The targets that hold several layers hold exactly the known folders")
    func foldersAreLayers() throws {
        for target in ["NTKNumerics", "NTKModel"] {
            let dir = Self.sourcesRoot.appendingPathComponent(target)
            let folders = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter {
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path, isDirectory: &isDirectory)
                    && isDirectory.boolValue
            }
            let known = Self.layers.values.map(\.path).filter { $0.hasPrefix(target + "/") }.map { String($0.dropFirst(target.count + 1)) }
            #expect(Set(folders) == Set(known), "update ArchitectureTests.layers and Docs/Architecture.md")
        }
    }

    @Test("Comments and string literals are not uses")
    func codeStripsCommentsAndStrings() {
        #expect(Self.code("let a = \"Kernels \\\"x\\\" here\" // Model\nlet b = 1") == "let a = \"\" \nlet b = 1")
    }

    @Test("No file uses a type declared in a folder above its own")
    func layersHold() throws {
        let sources = try Self.sources()
        // Types declared at the top level of each folder.
        let declaration = try NSRegularExpression(
            pattern: #"^(?:public |package |final |@usableFromInline |internal )*(?:struct|enum|class|protocol|actor|typealias) (\w+)"#,
            options: .anchorsMatchLines)
        var owner: [String: String] = [:]
        for (folder, files) in sources {
            for (_, text) in files {
                for m in declaration.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    owner[String(text[Range(m.range(at: 1), in: text)!])] = folder
                }
            }
        }
        #expect(owner.count > 30, "the scan found the library's types")
        var violations: [String] = []
        for (folder, files) in sources {
            for (file, text) in files {
                for (type, typeFolder) in owner where typeFolder != folder && !(Self.layers[folder]?.allowed.contains(typeFolder) ?? true) {
                    if text.range(of: #"\b\#(type)\b"#, options: .regularExpression) != nil {
                        violations.append("\(folder)/\(file) uses \(type) of \(typeFolder)")
                    }
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }
}
