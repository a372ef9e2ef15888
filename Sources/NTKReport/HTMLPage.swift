/// A self-contained HTML page: inline CSS and inline SVG figures, no JavaScript, no external fonts,
/// stylesheets or images, so it opens in any browser without a network.
public struct HTMLPage: Sendable {
    /// A piece of the page, in order.
    public enum Block: Sendable {
        case heading(String, level: Int)
        /// A paragraph of plain text; `cssClass` e.g. "note", "warning".
        case paragraph(String, cssClass: String? = nil)
        /// Two-column table of names and values, with an optional third column of definitions.
        case definitions([(name: String, value: String, meaning: String)], caption: String? = nil)
        /// A table with a header row. Cells are plain text; `links` maps (row, column) to an href.
        case table(header: [String], rows: [[String]], links: [Int: [Int: String]] = [:])
        /// An inline SVG figure with a caption.
        case figure(svg: String, caption: String, id: String)
        /// A row of figures shown side by side when the window is wide enough.
        case figureRow([(svg: String, caption: String, id: String)])
        /// A link.
        case link(text: String, href: String)
        /// Blocks shown side by side when the window is wide enough (e.g. two tables).
        indirect case sideBySide([Block])
    }

    public var title: String
    public var blocks: [Block]

    public init(title: String, blocks: [Block] = []) {
        self.title = title
        self.blocks = blocks
    }

    public mutating func append(_ b: Block) { blocks.append(b) }

    static let css = """
        body { font-family: "DejaVu Sans", Verdana, Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1280px;
               padding: 0 1em; color: #222; background: #fafafa; }
        h1 { font-size: 1.45em; margin-bottom: 0.2em; }
        h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
        p { line-height: 1.4; max-width: 1100px; }
        p.warning { color: #8a2a00; background: #fff1e6; border-left: 4px solid #d55e00; padding: 0.4em 0.7em; }
        p.note { color: #555; font-size: 0.92em; }
        p.status { font-size: 1.05em; }
        p.synopsis { font-size: 1.0em; color: #333; }
        table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; background: white; }
        td, th { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
        th { background: #f0f0f0; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.value { font-variant-numeric: tabular-nums; max-width: 28em; overflow-wrap: anywhere; }
        caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
        .row { display: flex; flex-wrap: wrap; gap: 1em; }
        figure { margin: 0.5em 0; background: white; border: 1px solid #ddd; padding: 0.4em; }
        figcaption { font-size: 0.85em; color: #444; max-width: 600px; margin-top: 0.3em; line-height: 1.35; }
        svg { display: block; }
        """

    /// The HTML document.
    public func render() -> String {
        let e = Markup.escape
        var out = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>\(e(title))</title>",
            "<style>", Self.css, "</style>",
            "</head>",
            "<body>",
        ]
        for b in blocks { out += Self.render(b) }
        out += ["</body>", "</html>", ""]
        return out.joined(separator: "\n")
    }

    static func render(_ b: Block) -> [String] {
        let e = Markup.escape
        var out: [String] = []
        func figure(_ svg: String, _ caption: String, _ id: String) -> [String] {
            ["<figure id=\"\(e(id))\">", svg, "<figcaption>\(e(caption))</figcaption>", "</figure>"]
        }
        switch b {
        case let .heading(text, level):
            let l = Swift.min(6, Swift.max(1, level))
            out.append("<h\(l)>\(e(text))</h\(l)>")
        case let .paragraph(text, cssClass):
            out.append("<p\(cssClass.map { " class=\"\(e($0))\"" } ?? "")>\(e(text))</p>")
        case let .definitions(items, caption):
            out.append("<table class=\"definitions\">")
            if let caption { out.append("<caption>\(e(caption))</caption>") }
            for item in items {
                out.append("<tr><th>\(e(item.name))</th><td class=\"value\">\(e(item.value))</td><td>\(e(item.meaning))</td></tr>")
            }
            out.append("</table>")
        case let .table(header, rows, links):
            out.append("<table class=\"data\">")
            out.append("<tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>")
            for (i, row) in rows.enumerated() {
                let cells = row.enumerated().map { j, cell -> String in
                    let content = links[i]?[j].map { "<a href=\"\(e($0))\">\(e(cell))</a>" } ?? e(cell)
                    return "<td class=\"num\">\(content)</td>"
                }
                out.append("<tr>" + cells.joined() + "</tr>")
            }
            out.append("</table>")
        case let .figure(svg, caption, id):
            out += figure(svg, caption, id)
        case let .figureRow(figures):
            out.append("<div class=\"row\">")
            for f in figures { out += figure(f.svg, f.caption, f.id) }
            out.append("</div>")
        case let .link(text, href):
            out.append("<p><a href=\"\(e(href))\">\(e(text))</a></p>")
        case let .sideBySide(inner):
            out.append("<div class=\"row\">")
            for block in inner { out += ["<div>"] + render(block) + ["</div>"] }
            out.append("</div>")
        }
        return out
    }
}
