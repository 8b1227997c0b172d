import BenchCore
import Foundation

/// Charts for `report.md`, as standalone SVG files written next to it: wire bytes per delivered
/// event (payload and overhead stacked) and latency percentiles (logarithmic axis).
///
/// Every plotted bar carries its value in `data-value` (the same number, to three decimals, that
/// `results.csv` holds) and a `<title>` tooltip, so a reader can check a chart against the data
/// and a test can too. Axes name their units.
public enum SVGCharts {
    public struct Chart: Sendable, Hashable {
        public var fileName: String
        public var title: String
        public var svg: String
    }

    /// The charts for `results` (the latency chart only when some row has latency samples).
    public static func charts(for results: [RunResult]) -> [Chart] {
        guard !results.isEmpty else { return [] }
        // A host's share of a multi-host run has the run's bytes but its own deliveries: no
        // per-event figure to draw until `bench merge`.
        var charts = results.contains(where: \.isHostShare) ? [] : [bytesPerEvent(results)]
        if results.contains(where: { $0.latencySamples > 0 }) { charts.append(latency(results)) }
        return charts
    }

    /// The row label: transport, variant, HTTP version, encoding.
    static func label(_ result: RunResult) -> String {
        let name = result.displayName
        return "\(name) · \(result.variant) · HTTP/\(result.httpVersion) · \(result.encoding)"
    }

    // Geometry shared by both charts.
    private static let width = 900.0
    private static let labelWidth = 330.0
    private static let plotWidth = 440.0
    private static let rowHeight = 24.0
    private static let top = 44.0

    /// Wire bytes per delivered event, payload then overhead, per row.
    static func bytesPerEvent(_ results: [RunResult]) -> Chart {
        let rows = results.map { result -> (String, Double, Double) in
            let delivered = Double(max(result.eventsDelivered, 1))
            return (label(result), Double(result.payloadBytes) / delivered, Double(result.overheadBytes) / delivered)
        }
        let axis = LinearAxis(maximum: rows.map { $0.1 + $0.2 }.max() ?? 1)
        let plotBottom = top + Double(rows.count) * rowHeight
        // The grid first, so the bars are drawn over it.
        var body = axis.render(bottom: plotBottom, label: "bytes per delivered event (TCP payload, both directions)")
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            body += rowLabel(row.0, y: y)
            let payloadWidth = axis.scale(row.1)
            body += bar(x: labelWidth, y: y, width: payloadWidth, color: "#4C78A8", series: "payload", row: index, value: row.1, unit: "B", label: row.0)
            body += bar(
                x: labelWidth + payloadWidth, y: y, width: axis.scale(row.2), color: "#F58518", series: "overhead", row: index, value: row.2,
                unit: "B", label: row.0)
            body += text(x: labelWidth + payloadWidth + axis.scale(row.2) + 4, y: y + rowHeight / 2 + 4, Format.decimal(row.1 + row.2, places: 1), anchor: "start")
        }
        body += legend(y: plotBottom + 46, [("payload (encoded event bodies)", "#4C78A8"), ("overhead (headers, framing, handshakes, empty polls)", "#F58518")])
        return Chart(
            fileName: "bytes-per-event.svg", title: "Wire bytes per delivered event",
            svg: document(title: "Wire bytes per delivered event: payload and overhead", height: plotBottom + 70, body: body))
    }

    /// Latency p50, p99 and max per row, in milliseconds, as points on a logarithmic axis (a
    /// bar's length means nothing on a log scale), joined by a line from p50 to max.
    static func latency(_ results: [RunResult]) -> Chart {
        let series: [(String, String, KeyPath<RunResult, UInt64>)] = [
            ("p50", "#4C78A8", \.latencyP50Nanoseconds), ("p99", "#F58518", \.latencyP99Nanoseconds), ("max", "#7F7F7F", \.latencyMaxNanoseconds),
        ]
        let values = results.flatMap { result in series.map { Double(result[keyPath: $0.2]) / 1e6 } }.filter { $0 > 0 }
        let axis = LogAxis(minimum: values.min() ?? 0.01, maximum: values.max() ?? 1)
        let plotBottom = top + Double(results.count) * rowHeight
        var body = axis.render(bottom: plotBottom, label: "latency, publish → decoded (milliseconds, logarithmic)")
        for (index, result) in results.enumerated() where result.latencySamples > 0 {
            let y = top + Double(index) * rowHeight + rowHeight / 2
            body += rowLabel(label(result), y: y - rowHeight / 2)
            let points = series.map { ($0.0, $0.1, Double(result[keyPath: $0.2]) / 1e6) }.filter { $0.2 > 0 }
            if let first = points.first, let last = points.last {
                body += #"<line x1="\#(number(labelWidth + axis.scale(first.2)))" y1="\#(number(y))" x2="\#(number(labelWidth + axis.scale(last.2)))" y2="\#(number(y))" stroke="gray"/>"#
                    + "\n"
                body += text(x: width - 10, y: y + 4, "p50 \(Format.decimal(first.2, places: 2)) ms", anchor: "end")
            }
            // max first, p50 last: the points that coincide with a larger one stay visible.
            for (name, color, value) in points.reversed() {
                let shown = Format.decimal(value, places: 3)
                let radius = name == "p99" ? 3.5 : 5
                body += #"<circle cx="\#(number(labelWidth + axis.scale(value)))" cy="\#(number(y))" r="\#(radius)" fill="\#(color)" "#
                    + #"data-series="\#(name)" data-row="\#(index)" data-value="\#(shown)"><title>\#(escape(label(result))): \#(name) \#(shown) ms</title></circle>"#
                    + "\n"
            }
        }
        body += legend(y: plotBottom + 46, series.map { ($0.0, $0.1) })
        return Chart(
            fileName: "latency.svg", title: "Latency percentiles",
            svg: document(title: "Latency: p50, p99 and max per transport", height: plotBottom + 70, body: body))
    }

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

    /// Long case conditions are cut to fit the label column; the bar's tooltip has the whole text.
    static func shorten(_ label: String) -> String {
        label.count <= 46 ? label : String(label.prefix(44)) + "…"
    }

    // MARK: Drawing

    private static func document(title: String, height: Double, body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="system-ui, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        \(text(x: width / 2, y: 22, title, anchor: "middle", extra: #" font-size="15" font-weight="bold""#))
        \(body)</svg>

        """
    }

    private static func rowLabel(_ label: String, y: Double) -> String {
        text(x: labelWidth - 8, y: y + rowHeight / 2 + 4, label, anchor: "end")
    }

    private static func bar(
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

    private static func legend(y: Double, _ entries: [(String, String)]) -> String {
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

    /// A linear axis from 0 to a round maximum, with 5 ticks.
    struct LinearAxis {
        let maximum: Double
        let step: Double

        init(maximum: Double) {
            let raw = Swift.max(maximum, 1e-9) / 5
            let magnitude = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
            self.step = step
            self.maximum = step * 5
        }

        func scale(_ value: Double) -> Double { value / maximum * SVGCharts.plotWidth }

        func render(bottom: Double, label: String) -> String {
            var out = #"<line x1="\#(number(labelWidth))" y1="\#(number(bottom))" x2="\#(number(labelWidth + plotWidth))" y2="\#(number(bottom))" stroke="black"/>"# + "\n"
            for index in 0...5 {
                let value = step * Double(index)
                let x = labelWidth + scale(value)
                out += #"<line x1="\#(number(x))" y1="\#(number(top - 4))" x2="\#(number(x))" y2="\#(number(bottom + 4))" stroke="lightgray"/>"# + "\n"
                out += text(x: x, y: bottom + 18, Format.decimal(value, places: step < 1 ? 2 : 0), anchor: "middle")
            }
            return out + text(x: labelWidth + plotWidth / 2, y: bottom + 34, label, anchor: "middle")
        }
    }

    /// A base-10 logarithmic axis over whole decades that hold every value.
    struct LogAxis {
        let lowDecade: Double
        let highDecade: Double

        init(minimum: Double, maximum: Double) {
            // Half a decade of room at least below the smallest value.
            lowDecade = floor(log10(Swift.max(minimum, 1e-6)) - 0.3)
            highDecade = Swift.max(lowDecade + 1, ceil(log10(Swift.max(maximum, 1e-6))))
        }

        /// Bars start at the axis' lowest decade.
        func scale(_ value: Double) -> Double {
            (log10(value) - lowDecade) / (highDecade - lowDecade) * SVGCharts.plotWidth
        }

        func render(bottom: Double, label: String) -> String {
            var out = #"<line x1="\#(number(labelWidth))" y1="\#(number(bottom))" x2="\#(number(labelWidth + plotWidth))" y2="\#(number(bottom))" stroke="black"/>"# + "\n"
            for decade in stride(from: lowDecade, through: highDecade, by: 1) {
                let value = pow(10, decade)
                let x = labelWidth + scale(value)
                out += #"<line x1="\#(number(x))" y1="\#(number(top - 4))" x2="\#(number(x))" y2="\#(number(bottom + 4))" stroke="lightgray"/>"# + "\n"
                out += text(x: x, y: bottom + 18, value >= 1 ? Format.decimal(value, places: 0) : Format.decimal(value, places: Int(-decade)), anchor: "middle")
            }
            return out + text(x: labelWidth + plotWidth / 2, y: bottom + 34, label, anchor: "middle")
        }
    }
}
