import BenchCore
import Testing

@testable import BenchReports

/// `bench`'s printed table: seven columns inside 100, the figures the rows hold.
@Suite("Terminal table")
struct TerminalTableReportTests {
    /// A result with the figures the terminal table shows.
    static func result(
        _ transport: String, _ variant: String, http: String = "1.1", requests: Int, bytesPerEvent: Double, overhead: Double,
        p50: UInt64, p99: UInt64
    ) -> RunResult {
        var result = RunResult(transport: transport, variant: variant, encoding: "json", httpVersion: http, scenario: "default", clients: 10)
        result.transportName = displayNames[result.transport]
        (result.eventsDelivered, result.deliveriesExpected, result.requests) = (1000, 1000, requests)
        (result.bytesPerDeliveredEvent, result.overheadRatio) = (bytesPerEvent, overhead)
        (result.latencyP50Nanoseconds, result.latencyP99Nanoseconds) = (p50, p99)
        return result
    }

    /// The default suite's rows (`Results/default`'s figures), and gRPC's unary poll as a ninth.
    static let suite = [
        result("short-polling", "keep-alive", requests: 119, bytesPerEvent: 212.644, overhead: 0.1304, p50: 249_400_000, p99: 492_800_000),
        result("short-polling", "keep-alive", http: "2", requests: 119, bytesPerEvent: 195.7, overhead: 0.0551, p50: 247_500_000, p99: 491_300_000),
        result("short-polling", "per-request", requests: 118, bytesPerEvent: 216.904, overhead: 0.1475, p50: 248_900_000, p99: 491_500_000),
        result("long-polling", "keep-alive", requests: 1010, bytesPerEvent: 431.25, overhead: 0.5712, p50: 1_457_000, p99: 4_915_000),
        result("long-polling", "per-request", requests: 1010, bytesPerEvent: 469.63, overhead: 0.6062, p50: 2_605_000, p99: 8_495_000),
        result("sse", "event-stream", requests: 10, bytesPerEvent: 208.29, overhead: 0.1122, p50: 910_000, p99: 2_068_000),
        result("websocket", "push", requests: 10, bytesPerEvent: 192.53, overhead: 0.0395, p50: 798_000, p99: 2_464_000),
        result("grpc", "server-streaming", http: "2", requests: 10, bytesPerEvent: 201.6, overhead: 0.0827, p50: 1_351_000, p99: 9_576_000),
        result("grpc", "unary", http: "2", requests: 1190, bytesPerEvent: 352.1, overhead: 0.4743, p50: 251_000_000, p99: 495_200_000),
    ]

    /// The cells of a printed line: columns are two spaces apart, and no cell holds two spaces.
    static func cells(_ line: Substring) -> [String] {
        line.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test("the default suite's nine rows fit 100 columns, every name whole, every figure the row's")
    func defaultSuite() {
        let lines = TerminalTable.render(Self.suite).split(separator: "\n")
        #expect(lines.count == 3 + 9, "two header lines, a rule, a line per row")
        for line in lines { #expect(line.count <= 100, "\(line.count) characters: \(line)") }
        #expect(!lines.contains { $0.contains("…") })
        #expect(Self.cells(lines[1]) == ["Transport, variant", "/ expected", "Requests", "/ event", "(%)", "(ms)", "(ms)"])
        #expect(Self.cells(lines[3]) == ["Short polling keep-alive, HTTP/1.1, json", "1000 / 1000", "119", "212.6", "13.0", "249.4", "492.8"])
        #expect(Self.cells(lines[4]) == ["Short polling keep-alive, HTTP/2, json", "1000 / 1000", "119", "195.7", "5.5", "247.5", "491.3"])
        #expect(Self.cells(lines[8]) == ["SSE event-stream, HTTP/1.1, json", "1000 / 1000", "10", "208.3", "11.2", "0.910", "2.068"])
        #expect(Self.cells(lines[10]) == ["gRPC server-streaming, HTTP/2, json", "1000 / 1000", "10", "201.6", "8.3", "1.351", "9.576"])
        // Numbers are right-aligned: every row ends at the same column.
        #expect(Set(lines.dropFirst().map(\.count)).count == 1)
    }

    @Test("longer variant names are cut short with an ellipsis so every line still fits; the numbers stay whole")
    func longNames() {
        let long = Self.suite.map { row in
            var row = row
            row.variant += ", flush coalescing off, deadline 30 s"
            row.eventsDelivered = 123_456
            row.deliveriesExpected = 123_456
            return row
        }
        let lines = TerminalTable.render(long).split(separator: "\n")
        for line in lines { #expect(line.count <= 100, "\(line.count) characters: \(line)") }
        let row = Self.cells(lines[8])
        #expect(row.first?.hasPrefix("SSE event-stream, flush") == true && row.first?.hasSuffix("…") == true, "\(row)")
        #expect(Array(row.dropFirst()) == ["123456 / 123456", "10", "208.3", "11.2", "0.910", "2.068"])
    }

    @Test("a host's share of a multi-host run shows – for the per-event columns, as report.md does")
    func hostShare() {
        var share = Self.suite[5]
        share.hosts = 2
        var merged = share
        merged.mergedResults = 2
        let lines = TerminalTable.render([share, merged]).split(separator: "\n")
        #expect(Self.cells(lines[3]) == ["SSE event-stream, HTTP/1.1, json", "1000 / 1000", "10", "–", "–", "0.910", "2.068"])
        #expect(Self.cells(lines[4]) == ["SSE event-stream, HTTP/1.1, json", "1000 / 1000", "10", "208.3", "11.2", "0.910", "2.068"])
    }
}
