import Foundation

/// Every figure of a report page as a standalone SVG file, for papers (`ntk-dynamics report DIR --figures OUT`,
/// Docs/Report.md#figures-as-files). The files hold the same drawing as the page: one `<svg>` with its namespace,
/// its fonts named inline, the caption as `<desc>`, and nothing to fetch.
public enum FigureFiles {
    /// The figures of the page that ``RunReport/write(runDirectory:includeWidthRuns:)`` draws for `directory`, in
    /// the order the page numbers them.
    public static func figures(of directory: URL) throws -> [RunReport.Figure] {
        let figures: [RunReport.Figure]
        switch try RunLogs.kind(of: directory) {
        case .run: figures = RunReport.figures(for: try RunLogs(directory: directory))
        case .widthList: figures = WidthListReport.figures(for: try WidthListLogs(directory: directory))
        case .sweep, .merge: figures = WidthListReport.figures(for: try WidthListLogs(sweepDirectory: directory))
        case .kernel: figures = KernelReport.figures(for: try KernelLogs(directory: directory))
        }
        return RunReport.figureSections(figures).flatMap(\.1)
    }

    /// `fig<NN>-<id>.svg`: NN is the figure's number on the page ("Figure NN."), id its plot id.
    static func fileName(index: Int, id: String) -> String {
        String(format: "fig%02d-", index) + SweepAxesFigures.slug(id) + ".svg"
    }

    /// One figure as a standalone SVG document: an XML declaration, then the plot's `<svg>` with the caption as `<desc>`.
    static func document(_ figure: RunReport.Figure, index: Int) -> String {
        var lines = figure.plot.svg().components(separatedBy: "\n")
        lines.insert("  <desc>Figure \(index). \(Markup.escape(figure.caption))</desc>", at: 1)
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + lines.joined(separator: "\n") + "\n"
    }

    /// Writes every figure of `directory`'s page into `out` (created when missing) and returns the files.
    /// - Throws: ``ReportError`` when the directory cannot be drawn, `out` is a file, or a file of the same name is
    ///   already in `out` (nothing is overwritten; nothing is written then).
    @discardableResult
    public static func write(of directory: URL, to out: URL) throws -> [URL] {
        let figures = try figures(of: directory)
        let files = figures.enumerated().map { i, f in (out.appendingPathComponent(fileName(index: i + 1, id: f.plot.id)), f, i + 1) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ReportError.figureFilesRefused(path: out.path, reason: "it is a file; give --figures a directory")
        }
        if let taken = files.first(where: { FileManager.default.fileExists(atPath: $0.0.path) }) {
            throw ReportError.figureFilesRefused(path: taken.0.path, reason: "the file exists and is not overwritten; "
                                                 + "give --figures a new or empty directory, or remove the earlier figures")
        }
        do {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            for (url, figure, index) in files { try Data(document(figure, index: index).utf8).write(to: url, options: .withoutOverwriting) }
        } catch {
            throw ReportError.cannotWrite(path: out.path, reason: error.localizedDescription)
        }
        return files.map(\.0)
    }
}
