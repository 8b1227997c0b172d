import BenchCore

/// The SVG elements every chart is drawn with: the document, row labels, bars, text, legends.
extension SVGCharts {
    /// Long case conditions are cut to fit the label column; the bar's tooltip has the whole text.
    static func shorten(_ label: String) -> String {
        label.count <= 46 ? label : String(label.prefix(44)) + "…"
    }

    // MARK: Drawing

    static func document(title: String, height: Double, body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="system-ui, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        \(text(x: width / 2, y: 22, title, anchor: "middle", extra: #" font-size="15" font-weight="bold""#))
        \(body)</svg>

        """
    }

    static func rowLabel(_ label: String, y: Double) -> String {
        text(x: labelWidth - 8, y: y + rowHeight / 2 + 4, label, anchor: "end")
    }

    static func bar(
        x: Double, y: Double, width: Double, height: Double = rowHeight - 6, color: String, series: String, row: Int, value: Double, unit: String,
        label: String
    ) -> String {
        let shown = Format.decimal(value, places: 3)
        return #"<rect x="\#(number(x))" y="\#(number(y + 3))" width="\#(number(width))" height="\#(number(height))" fill="\#(color)" "#
            + #"data-series="\#(series)" data-row="\#(row)" data-value="\#(shown)"><title>\#(escape(label)): \#(series) \#(shown) \#(unit)</title></rect>"#
            + "\n"
    }

    static func text(x: Double, y: Double, _ content: String, anchor: String, extra: String = "") -> String {
        #"<text x="\#(number(x))" y="\#(number(y))" text-anchor="\#(anchor)"\#(extra)>\#(escape(content))</text>"# + "\n"
    }

    static func legend(y: Double, _ entries: [(String, String)]) -> String {
        var x = 20.0
        var out = ""
        for (name, color) in entries {
            out += #"<rect x="\#(number(x))" y="\#(number(y - 10))" width="12" height="12" fill="\#(color)"/>"# + "\n"
            out += text(x: x + 16, y: y, name, anchor: "start")
            x += 24 + Double(name.count) * 6.5
        }
        return out
    }

    static func number(_ value: Double) -> String { Format.decimal(value, places: 2) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
