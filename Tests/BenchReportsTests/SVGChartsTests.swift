import BenchCore
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import BenchReports

/// The charts are well-formed SVG, and what they plot is what results.csv says.
@Suite("SVG charts")
struct SVGChartsTests {
    /// Two rows with different bytes and latencies, so scale mistakes show.
    static var results: [RunResult] {
        var first = ReportTests.sampleResult()
        first.latencySamples = 20
        first.latencyP99Nanoseconds = 5_000_000
        var second = ReportTests.sampleResult(transport: "websocket")
        second.variant = "push"
        second.eventsDelivered = 16
        second.payloadBytes = 2000
        second.overheadBytes = 280
        second.bytesUp = 300
        second.bytesDown = 1980
        second.bytesPerDeliveredEvent = 2280.0 / 16
        second.latencySamples = 16
        second.latencyP50Nanoseconds = 480_000
        second.latencyP99Nanoseconds = 2_100_000
        second.latencyMaxNanoseconds = 3_300_000
        return [first, second]
    }

    /// Every element with a `data-series` or a `data-bound`: its name, attributes and the document's validity.
    final class Marks: NSObject, XMLParserDelegate {
        var marks: [(element: String, attributes: [String: String])] = []
        var root: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            if root == nil { root = name }
            if attributes["data-series"] != nil || attributes["data-bound"] != nil { marks.append((name, attributes)) }
        }
    }

    static func parse(_ svg: String) throws -> Marks {
        let marks = Marks()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = marks
        #expect(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        #expect(marks.root == "svg")
        return marks
    }

    /// A CSV column's value for row `row`.
    static func csv(_ column: String, row: Int) throws -> Double {
        let lines = CSVReport.render(ReportTests.document(results)).split(separator: "\n")
        let index = try #require(CSVReport.header.firstIndex(of: column))
        let fields = lines[row + 1].replacingOccurrences(of: #""a, ""quoted"" name""#, with: "name").split(separator: ",", omittingEmptySubsequences: false)
        return try #require(Double(fields[index]))
    }

    @Test("bytes per event: payload + overhead bars equal the CSV's wire bytes per event, drawn to one scale")
    func bytesPerEvent() throws {
        let chart = try #require(SVGCharts.charts(for: Self.results).first { $0.fileName == "bytes-per-event.svg" })
        let marks = try Self.parse(chart.svg).marks
        #expect(marks.count == 4)
        var scales: [Double] = []
        for row in 0..<2 {
            let bars = marks.filter { $0.attributes["data-row"] == "\(row)" }
            let payload = try #require(bars.first { $0.attributes["data-series"] == "payload" }.flatMap { Double($0.attributes["data-value"]!) })
            let overhead = try #require(bars.first { $0.attributes["data-series"] == "overhead" }.flatMap { Double($0.attributes["data-value"]!) })
            let delivered = try Self.csv("events_delivered_count", row: row)
            #expect(abs(payload + overhead - (try Self.csv("wire_bytes_per_delivered_event_bytes", row: row))) < 0.002)
            #expect(abs(payload - (try Self.csv("payload_bytes", row: row)) / delivered) < 0.001)
            for bar in bars {
                scales.append(Double(bar.attributes["width"]!)! / Double(bar.attributes["data-value"]!)!)
            }
        }
        // One scale for every bar: width ∝ value.
        #expect(scales.allSatisfy { abs($0 - scales[0]) / scales[0] < 0.001 }, "\(scales)")
        // Row 0: 2500/20 = 125 payload + 1500/20 = 75 overhead = 200 B; row 1: 125 + 17.5.
        #expect(marks.first { $0.attributes["data-row"] == "1" && $0.attributes["data-series"] == "overhead" }?.attributes["data-value"] == "17.500")
    }

    @Test("latency: p50, p99 and max points carry the CSV's values in milliseconds, on a logarithmic scale")
    func latency() throws {
        let chart = try #require(SVGCharts.charts(for: Self.results).first { $0.fileName == "latency.svg" })
        let marks = try Self.parse(chart.svg).marks
        #expect(marks.count == 6)
        var positions: [(x: Double, value: Double)] = []
        for row in 0..<2 {
            for (series, column) in [("p50", "latency_p50_us"), ("p99", "latency_p99_us"), ("max", "latency_max_us")] {
                let mark = try #require(marks.first { $0.attributes["data-row"] == "\(row)" && $0.attributes["data-series"] == series })
                let value = try #require(Double(mark.attributes["data-value"]!))
                #expect(abs(value - (try Self.csv(column, row: row)) / 1000) < 0.0005, "row \(row) \(series)")
                positions.append((Double(mark.attributes["cx"]!)!, value))
            }
        }
        // Equal ratios are equal distances: x is linear in log10(value).
        let sorted = positions.sorted { $0.value < $1.value }
        let (low, high) = (sorted.first!, sorted.last!)
        let perDecade = (high.x - low.x) / log10(high.value / low.value)
        for point in positions {
            #expect(abs(low.x + perDecade * log10(point.value / low.value) - point.x) < 0.05, "positions are rounded to 0.01 px")
        }
    }

    @Test("labels are escaped: a variant with markup stays text")
    func escaping() throws {
        var result = ReportTests.sampleResult()
        result.variant = "<b>&\"odd\""
        let chart = try #require(SVGCharts.charts(for: [result]).first)
        _ = try Self.parse(chart.svg)
        #expect(chart.svg.contains("&lt;b&gt;&amp;&quot;odd&quot;"))
    }
}
