import BenchCore

/// Threshold charts for `bench claims`: each measured figure against the bound a claim put on it.
extension SVGCharts {
    /// One bar of a threshold chart: a measured figure and the bound(s) a claim put on it.
    public struct ThresholdRow: Sendable, Hashable {
        public var label: String
        public var value: Double
        public var bounds: [Double]
        public var holds: Bool

        public init(label: String, value: Double, bounds: [Double], holds: Bool) {
            (self.label, self.value, self.bounds, self.holds) = (label, value, bounds, holds)
        }
    }

    /// Measured figures as bars on a linear axis from 0, each with the claimed bound(s) as a
    /// dark mark across its bar: green where the expectation holds, red where it does not.
    /// Bars carry `data-value`, marks `data-bound`.
    public static func thresholds(fileName: String, title: String, axisLabel: String, rows: [ThresholdRow]) -> Chart {
        let axis = LinearAxis(maximum: rows.flatMap { [$0.value] + $0.bounds }.map { Swift.max($0, 0) }.max() ?? 1)
        let plotBottom = top + Double(rows.count) * rowHeight
        var body = axis.render(bottom: plotBottom, label: axisLabel)
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            body += rowLabel(shorten(row.label), y: y)
            let color = row.holds ? "#54A24B" : "#E45756"
            body += bar(x: labelWidth, y: y, width: axis.scale(Swift.max(row.value, 0)), color: color, series: row.holds ? "holds" : "fails", row: index, value: row.value, unit: "", label: row.label)
            for bound in row.bounds {
                let x = labelWidth + axis.scale(Swift.max(bound, 0))
                body += #"<line x1="\#(number(x))" y1="\#(number(y + 1))" x2="\#(number(x))" y2="\#(number(y + rowHeight - 1))" stroke="black" stroke-width="3" "#
                    + #"data-row="\#(index)" data-bound="\#(Format.decimal(bound, places: 3))"><title>claimed bound \#(Format.decimal(bound, places: 3))</title></line>"# + "\n"
            }
            let end = labelWidth + Swift.max(axis.scale(Swift.max(row.value, 0)), row.bounds.map { axis.scale(Swift.max($0, 0)) }.max() ?? 0)
            body += text(x: end + 6, y: y + rowHeight / 2 + 4, Format.significant(row.value), anchor: "start")
        }
        body += legend(y: plotBottom + 46, [("holds", "#54A24B"), ("does not hold", "#E45756"), ("claimed bound", "black")])
        return Chart(fileName: fileName, title: title, svg: document(title: title, height: plotBottom + 70, body: body))
    }
}
