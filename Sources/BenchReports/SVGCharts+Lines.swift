import BenchCore
import Foundation

/// Line charts for `bench sweep`: one line per series through its (x, y) points.
extension SVGCharts {
    /// Lines through (x, y) points, one per series, for sweeps: a logarithmic axis where the
    /// values span a factor of 20 or more (labelled so), linear from 0 otherwise. Each point is a
    /// circle with `data-series`, `data-x` and `data-value`.
    public static func lines(fileName: String, title: String, xLabel: String, yLabel: String, series: [(name: String, points: [(x: Double, y: Double)])]) -> Chart {
        let (left, right, top, bottom) = (80.0, 600.0, 50.0, 380.0)
        let colors = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D"]
        struct Scale {
            let logarithmic: Bool
            let low: Double, high: Double
            let ticks: [Double]
            init(_ values: [Double]) {
                let positive = values.filter { $0 > 0 }
                let minimum = positive.min() ?? 1, maximum = values.max() ?? 1
                logarithmic = !positive.isEmpty && positive.count == values.count && maximum / minimum >= 20
                if logarithmic {
                    let axis = LogAxis(minimum: minimum, maximum: maximum)
                    (low, high) = (axis.lowDecade, axis.highDecade)
                    ticks = stride(from: low, through: high, by: 1).map { pow(10, $0) }
                } else {
                    let axis = LinearAxis(maximum: Swift.max(maximum, 0))
                    (low, high) = (0, axis.maximum)
                    ticks = (0...5).map { axis.step * Double($0) }
                }
            }
            /// 0 at the low end of the axis, 1 at the high end.
            func fraction(_ value: Double) -> Double {
                logarithmic ? (log10(Swift.max(value, 1e-12)) - low) / (high - low) : (value - low) / (high - low)
            }
        }
        let xScale = Scale(series.flatMap { $0.points.map(\.x) })
        let yScale = Scale(series.flatMap { $0.points.map(\.y) })
        func x(_ value: Double) -> Double { left + xScale.fraction(value) * (right - left) }
        func y(_ value: Double) -> Double { bottom - yScale.fraction(value) * (bottom - top) }
        func tickText(_ value: Double) -> String { Format.significant(value) }

        var body = #"<rect x="\#(number(left))" y="\#(number(top))" width="\#(number(right - left))" height="\#(number(bottom - top))" fill="none" stroke="black"/>"# + "\n"
        for tick in xScale.ticks {
            body += #"<line x1="\#(number(x(tick)))" y1="\#(number(top))" x2="\#(number(x(tick)))" y2="\#(number(bottom + 4))" stroke="lightgray"/>"# + "\n"
            body += text(x: x(tick), y: bottom + 18, tickText(tick), anchor: "middle")
        }
        for tick in yScale.ticks {
            body += #"<line x1="\#(number(left - 4))" y1="\#(number(y(tick)))" x2="\#(number(right))" y2="\#(number(y(tick)))" stroke="lightgray"/>"# + "\n"
            body += text(x: left - 8, y: y(tick) + 4, tickText(tick), anchor: "end")
        }
        body += text(x: (left + right) / 2, y: bottom + 38, xLabel + (xScale.logarithmic ? ", logarithmic" : ""), anchor: "middle")
        body += text(x: 18, y: (top + bottom) / 2, yLabel + (yScale.logarithmic ? ", logarithmic" : ""), anchor: "middle", extra: #" transform="rotate(-90 18 \#(number((top + bottom) / 2)))""#)
        for (index, line) in series.enumerated() {
            let color = colors[index % colors.count]
            let path = line.points.map { "\(number(x($0.x))),\(number(y($0.y)))" }.joined(separator: " ")
            body += #"<polyline points="\#(path)" fill="none" stroke="\#(color)" stroke-width="2"/>"# + "\n"
            for point in line.points {
                let shown = Format.decimal(point.y, places: 3)
                body += #"<circle cx="\#(number(x(point.x)))" cy="\#(number(y(point.y)))" r="3.5" fill="\#(color)" data-series="\#(escape(line.name))" "#
                    + #"data-x="\#(Format.decimal(point.x, places: 3))" data-value="\#(shown)"><title>\#(escape(line.name)): \#(tickText(point.x)) → \#(shown)</title></circle>"# + "\n"
            }
            let legendY = top + 8 + Double(index) * 18
            body += #"<rect x="\#(number(right + 16))" y="\#(number(legendY - 9))" width="12" height="12" fill="\#(color)"/>"# + "\n"
            body += text(x: right + 32, y: legendY + 1, shorten(line.name), anchor: "start", extra: #" font-size="11""#)
        }
        return Chart(fileName: fileName, title: title, svg: document(title: title, height: bottom + 60, body: body))
    }
}
