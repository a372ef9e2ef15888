import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKDynamicsCLI

/// Issue 25 item 17: `report DIR --figures OUT` writes each figure of the page as a standalone SVG file.
@Suite struct FigureFilesTests {
    @Test func eachFigureIsAStandaloneSVGNumberedAsOnThePage() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url.appendingPathComponent("run"))
        let out = scratch.url.appendingPathComponent("figures")
        try ReportCommand.parse([run.url.path, "--figures", out.path]).run()
        let html = try String(contentsOf: run.url.appendingPathComponent("report.html"), encoding: .utf8)
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        // The page's figures, numbered in page order: one file per "Figure N." on the page.
        let onPage = html.components(separatedBy: "Figure ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(names.count == onPage.max() && names.count >= 7)
        for name in names {
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
            let doc = ReportXML(String(text.drop { $0 != "\n" }.dropFirst()))
            #expect(doc.isWellFormed && doc.nonFiniteGeometry.isEmpty, "\(name)")
            let root = try #require(doc.elements.first)
            #expect(root.name == "svg")
            // fig<NN>-<id>.svg: the id is the plot's, NN its number on the page, whose caption is the <desc>.
            let id = try #require(root.attributes["data-plot"])
            let number = Int(name.dropFirst(3).prefix(2))!
            #expect(name == String(format: "fig%02d-%@.svg", number, id))
            let desc = try #require(doc.all("desc").first?.text)
            #expect(desc.hasPrefix("Figure \(number). "))
            #expect(html.contains("data-plot=\"\(id)\""))
            #expect(!text.contains("http") || text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "http") == nil)
        }
        // Nothing is overwritten: a second call is a usage error (64) and leaves the files as they were.
        let before = try names.map { try Data(contentsOf: out.appendingPathComponent($0)) }
        do {
            try ReportCommand.parse([run.url.path, "--figures", out.path]).run()
            Issue.record("existing figures were overwritten")
        } catch {
            #expect(ReportCommand.exitCode(for: error).rawValue == 64)
        }
        #expect(try names.map { try Data(contentsOf: out.appendingPathComponent($0)) } == before)
        // A file where the directory should be is refused too.
        #expect(throws: ReportError.self) { try FigureFiles.write(of: run.url, to: run.url.appendingPathComponent("steps.csv")) }
    }
}
