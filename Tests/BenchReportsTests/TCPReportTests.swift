import BenchCore
import Foundation
import Testing

@testable import BenchReports

/// The TCP/IP estimate in report.md and results.csv.
@Suite("TCP/IP report")
struct TCPReportTests {
    /// Two per-request connections the server closed, each 4 segments each way: SYN or SYN-ACK
    /// at 60 B and three more at 52 B (432 B a connection, both ways), 20 events delivered.
    static func perRequestRow() -> RunResult {
        var result = ReportTests.sampleResult()
        result.variant = "per-request"
        result.connections = 2
        var tcp = TCPTally()
        tcp.connections = 2
        (tcp.segmentsIn, tcp.segmentsOut, tcp.inferredSegments) = (8, 8, 8)
        (tcp.handshakeSegments, tcp.teardownSegments) = (6, 6)
        (tcp.headerBytesIn, tcp.headerBytesOut) = (2 * (60 + 3 * 52), 2 * (60 + 3 * 52))
        result.tcp = tcp
        result.tcpHeaderBytesPerEvent = 864.0 / 20
        return result
    }

    @Test(
        "a row with TCP_INFO gets the TCP/IP table: segments, open + close, headers in all, per event, beside the wire bytes, and their share"
    )
    func markdownTable() {
        let rows = [Self.perRequestRow(), ReportTests.sampleResult(transport: "sse")]
        let table = MarkdownReport.tcpTable(rows).split(separator: "\n")
        #expect(table.count == 3, "header, rule and the one row that read TCP_INFO")
        let cells = table[2].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        // 2 / 2 connections read, 8 / 8 segments, no retransmission, 12 open + close segments,
        // 864 header bytes, 43.2 per event, 200 + 43.2 per event with headers, 864 / (4000 + 864) = 17.8 %.
        #expect(Array(cells.dropFirst(2)) == ["2 / 2", "8", "8", "0", "12", "864", "43.2", "243.2", "17.8"], "\(table[2])")
        #expect(MarkdownReport.render(ReportTests.document(rows)).contains("### Below the TCP payload"))
        #expect(MarkdownReport.tcpSection([ReportTests.sampleResult()]).isEmpty)
    }

    @Test("results.csv carries the estimate's columns, empty where TCP_INFO was not read")
    func csvColumns() {
        let text = CSVReport.render(ReportTests.document([Self.perRequestRow(), ReportTests.sampleResult(transport: "sse")]))
        let lines = text.split(separator: "\n").map { $0.replacingOccurrences(of: #""a, ""quoted"" name""#, with: "name") }
        let fields = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let column = { (row: Int, name: String) in fields[row][CSVReport.header.firstIndex(of: name)!] }
        #expect(column(0, "tcp_segments_up_count") == "8")
        #expect(column(0, "tcp_teardown_segments_count") == "6")
        #expect(column(0, "tcp_ip_header_down_bytes") == "432")
        #expect(column(0, "tcp_ip_header_per_delivered_event_bytes") == "43.200")
        #expect(column(1, "tcp_segments_up_count") == "")
        #expect(fields.allSatisfy { $0.count == CSVReport.header.count })
    }

    @Test("bench merge keeps a run's TCP/IP estimate once across its hosts, adds separate runs', and divides by every host's deliveries")
    func merge() throws {
        var tcp = TCPTally()
        (tcp.connections, tcp.segmentsIn, tcp.segmentsOut, tcp.headerBytesIn, tcp.headerBytesOut) = (6, 60, 50, 3_000, 2_600)
        func row(runID: String?, hosts: Int?, delivered: Int) -> RunResult {
            var result = ResultsMergeTests.row(
                runID: runID, hosts: hosts, clients: 3, delivered: delivered, samples: ResultsMergeTests.hostA)
            result.tcp = tcp
            return result
        }
        let oneRun = try ResultsMerge.merge(
            [
                ResultsMergeTests.input("a", [row(runID: "r", hosts: 2, delivered: 60)]),
                ResultsMergeTests.input("b", [row(runID: "r", hosts: 2, delivered: 40)]),
            ], command: ""
        ).results[0]
        #expect(oneRun.tcp == tcp)
        #expect(oneRun.tcpHeaderBytesPerEvent == 5_600.0 / 100)
        let twoRuns = try ResultsMerge.merge(
            [
                ResultsMergeTests.input("a", [row(runID: nil, hosts: nil, delivered: 60)]),
                ResultsMergeTests.input("b", [row(runID: nil, hosts: nil, delivered: 40)]),
            ], command: ""
        ).results[0]
        #expect(twoRuns.tcp?.connections == 12)
        #expect(twoRuns.tcpHeaderBytesPerEvent == 11_200.0 / 100)
    }
}
