import BenchCore
import Foundation

/// Charts for `report.md`, as standalone SVG files written next to it: wire bytes per delivered
/// event (payload and overhead stacked) and latency percentiles (logarithmic axis).
///
/// Every plotted bar carries its value in `data-value` (the same number, to three decimals, that
/// `results.csv` holds) and a `<title>` tooltip, so a reader can check a chart against the data
/// and a test can too. Axes name their units. Claims' threshold charts and sweeps' line charts
/// are drawn the same way (`SVGCharts+Thresholds.swift`, `SVGCharts+Lines.swift`).
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
        "\(result.displayName) · \(result.variant) · HTTP/\(result.httpVersion) · \(result.encoding)" + (result.compressionOn ? " · compressed" : "")
    }

    // Geometry shared by the charts with a row per result or claim case.
    static let width = 900.0
    static let labelWidth = 330.0
    static let plotWidth = 440.0
    static let rowHeight = 24.0
    static let top = 44.0

    /// Wire bytes per delivered event, payload then overhead, per row; a compressed row is one
    /// bar of its wire bytes (compression mixes heads, framing and bodies).
    static func bytesPerEvent(_ results: [RunResult]) -> Chart {
        let compressedColor = "#54A24B"
        let rows = results.map { result -> (String, Double, Double) in
            let delivered = Double(max(result.eventsDelivered, 1))
            if result.isCompressed { return (label(result), 0, Double(result.bytesUp + result.bytesDown) / delivered) }
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
            let compressed = results[index].isCompressed
            body += bar(
                x: labelWidth + payloadWidth, y: y, width: axis.scale(row.2), color: compressed ? compressedColor : "#F58518",
                series: compressed ? "compressed" : "overhead", row: index, value: row.2, unit: "B", label: row.0)
            body += text(x: labelWidth + payloadWidth + axis.scale(row.2) + 4, y: y + rowHeight / 2 + 4, Format.decimal(row.1 + row.2, places: 1), anchor: "start")
        }
        var keys = [("payload (encoded event bodies)", "#4C78A8"), ("overhead (headers, framing, handshakes, empty polls)", "#F58518")]
        if results.contains(where: \.isCompressed) { keys.append(("compressed row: all its wire bytes", compressedColor)) }
        body += legend(y: plotBottom + 46, keys)
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
        var body = axis.render(bottom: plotBottom, label: "latency, publish → read (milliseconds, logarithmic)")
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
}
