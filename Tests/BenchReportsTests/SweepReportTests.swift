import BenchCore
import BenchReports
import Foundation
import Testing

@Suite("sweep reports: CSV and line charts agree")
struct SweepReportTests {
    static var sweep: SweepReport.Sweep {
        var points: [SweepReport.Point] = []
        for (index, rate) in [0.5, 5, 50].enumerated() {
            for transport in ["short-polling", "websocket"] {
                var result = RunResult(transport: transport, variant: "v", encoding: "json", scenario: "sweep", clients: 2)
                result.transportName = displayNames[result.transport]
                result.eventsDelivered = 10 * (index + 1)
                result.requests = transport == "websocket" ? 2 : 40 - 10 * index
                result.bytesPerDeliveredEvent = transport == "websocket" ? 190 + Double(index) : 2000 / Double(index + 1)
                result.latencyP50Nanoseconds = UInt64(1_000_000 * (index + 1))
                points.append(SweepReport.Point(value: rate, result: result))
            }
        }
        return SweepReport.Sweep(axis: "rate", unit: "events/s", scenario: .defaults, points: points)
    }

    @Test("every plotted point equals its row in sweep.csv, and the charts are well-formed SVG")
    func chartsMatchCSV() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try SweepReport.write(Self.sweep, environment: .current(), command: "bench sweep", to: directory)
        let csv = try String(contentsOf: directory.appendingPathComponent("sweep.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = csv[0]
        #expect(header[0] == "rate_value")
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name)) }
        let (value, transport, bytes, p50, requests, delivered) = (
            0, try column("transport"), try column("wire_bytes_per_delivered_event_bytes"), try column("latency_p50_us"), try column("requests_count"),
            try column("events_delivered_count")
        )
        for (file, expected) in [
            ("sweep-bytes-per-event.svg", { (row: [String]) in Double(row[bytes])! }),
            ("sweep-latency-p50.svg", { (row: [String]) in Double(row[p50])! / 1000 }),
            ("sweep-requests-per-event.svg", { (row: [String]) in Double(row[requests])! / Double(row[delivered])! }),
        ] {
            let svg = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let marks = try SVGChartsTests.parse(svg).marks
            #expect(marks.count == csv.count - 1, "\(file): one point per row")
            for row in csv.dropFirst() {
                let name = row[transport] == "websocket" ? "WebSocket · v · HTTP/1.1 · json" : "Short polling · v · HTTP/1.1 · json"
                let mark = try #require(marks.first { $0.attributes["data-series"] == name && Double($0.attributes["data-x"]!) == Double(row[value])! })
                #expect(abs(Double(mark.attributes["data-value"]!)! - expected(row)) < 0.001, "\(file) \(name) at \(row[value])")
            }
        }
        // Bytes span 190…2000 B: a factor of ~10, so the y axis stays linear; rates span 100×: x is logarithmic.
        let bytesChart = try String(contentsOf: directory.appendingPathComponent("sweep-bytes-per-event.svg"), encoding: .utf8)
        #expect(bytesChart.contains("rate (events/s), logarithmic"))
        #expect(!bytesChart.contains("(both directions), logarithmic"))
        let report = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("![Wire bytes per delivered event by rate](sweep-bytes-per-event.svg)"))
    }

    @Test("points on a logarithmic x axis are spaced by decades")
    func logSpacing() throws {
        let chart = SVGCharts.lines(fileName: "f.svg", title: "t", xLabel: "x", yLabel: "y", series: [("s", [(1, 1), (10, 1), (100, 1)])])
        let xs = try SVGChartsTests.parse(chart.svg).marks.compactMap { $0.attributes["cx"].flatMap(Double.init) }
        #expect(xs.count == 3)
        #expect(abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.02)
    }

    @Test("a grid: every value of the other flag is a line of its own, and a column of sweep.csv")
    func grid() throws {
        var points: [SweepReport.Point] = []
        for rate in [1.0, 10] {
            for clients in [2.0, 20] {
                var result = RunResult(transport: "sse", variant: "event-stream", encoding: "json", scenario: "sweep", clients: Int(clients))
                result.transportName = displayNames[result.transport]
                result.bytesPerDeliveredEvent = rate * 100 + clients
                result.eventsDelivered = 1
                points.append(SweepReport.Point(value: rate, grid: [clients], result: result))
            }
        }
        let sweep = SweepReport.Sweep(axis: "rate", unit: "events/s", others: ["clients"], scenario: .defaults, points: points)
        let csv = SweepReport.csv(sweep).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(Array(csv[0].prefix(3)) == ["rate_value", "clients_value", "scenario"])
        #expect(csv.dropFirst().map { [$0[0], $0[1]] } == [["1.0", "2.0"], ["1.0", "20.0"], ["10.0", "2.0"], ["10.0", "20.0"]])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("grid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try SweepReport.write(sweep, environment: .current(), command: "bench sweep", to: directory)
        let svg = try String(contentsOf: directory.appendingPathComponent("sweep-bytes-per-event.svg"), encoding: .utf8)
        let marks = try SVGChartsTests.parse(svg).marks
        for clients in ["2", "20"] {
            let line = marks.filter { $0.attributes["data-series"] == "SSE · event-stream · HTTP/1.1 · json · clients=\(clients)" }
            #expect(line.map { Double($0.attributes["data-value"]!)! } == [1.0, 10].map { $0 * 100 + Double(clients)! })
        }
    }
}
