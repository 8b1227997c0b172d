import BenchCore
import Foundation
import Testing

@testable import BenchReports

@Suite("bench scale and bench baseline reports")
struct ScaleAndBaselineReportTests {
    static func scaleRow(tls: String?, connect: (seconds: Double, user: Double, system: Double)?) -> ScaleRow {
        var row = ScaleRow(
            transport: "websocket", connections: 1000, events: 10, deliveriesExpected: 10_000, deliveries: 10_000, residentBytesIdle: 10 << 20,
            residentBytesConnected: 30 << 20, peakResidentBytes: 31 << 20, fanOutSeconds: 0.5, serverUserCPUSeconds: 0.2, serverSystemCPUSeconds: 0.1,
            latencyP50Nanoseconds: 1_000_000, latencyP99Nanoseconds: 2_000_000, latencyMaxNanoseconds: 3_000_000)
        row.transportName = "WebSocket"
        row.tls = tls
        row.connectSeconds = connect?.seconds
        row.serverConnectUserCPUSeconds = connect?.user
        row.serverConnectSystemCPUSeconds = connect?.system
        return row
    }

    @Test("a scale row states its TLS and what opening its connections cost the server: CPU per connection is user + system over the connections")
    func scaleTLS() {
        let cleartext = Self.scaleRow(tls: "off", connect: (1.5, 0.3, 0.2))
        let overTLS = Self.scaleRow(tls: "TLS 1.3, P-256", connect: (2.5, 0.9, 0.3))
        // (0.9 + 0.3) s over 1000 connections.
        #expect(abs(overTLS.serverCPUMicrosecondsPerConnection! - 1200) < 1e-6)
        // 20 MiB over 1000 connections.
        #expect(overTLS.residentBytesPerConnection == 20_971.52)
        let report = ScaleReport(rows: [cleartext, overTLS], command: "bench scale", environment: ReportTests.document([]).environment)
        let lines = report.table.split(separator: "\n")
        #expect(lines[0].hasPrefix("| Transport | Compression | TLS | Connections | Connect (s) | CPU / connection (µs) |"))
        #expect(lines[2].hasPrefix("| WebSocket | off | off | 1000 | 1.50 | 500.0 |"))
        #expect(lines[3].hasPrefix("| WebSocket | off | TLS 1.3, P-256 | 1000 | 2.50 | 1200.0 |"))
        #expect(report.tlsConditions.hasPrefix("cleartext rows (off) and rows over `TLS 1.3, P-256`"))
    }

    @Test("a document from before TLS and connect timing reads as cleartext, its connect cells empty")
    func olderScaleRows() throws {
        let old = Self.scaleRow(tls: nil, connect: nil)
        #expect(old.serverCPUMicrosecondsPerConnection == nil)
        let report = ScaleReport(rows: [old], command: "bench scale", environment: ReportTests.document([]).environment)
        #expect(report.table.split(separator: "\n")[2].hasPrefix("| WebSocket | off | off | 1000 | – | – |"))
        #expect(report.tlsConditions == "off: every connection is cleartext TCP.")
        // Written before the fields existed: they decode as absent.
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.scaleRow(tls: "TLS 1.3, P-256", connect: (1, 1, 1)))) as? [String: Any])
        for key in ["tls", "connectSeconds", "serverConnectUserCPUSeconds", "serverConnectSystemCPUSeconds"] { #expect(json.removeValue(forKey: key) != nil) }
        let decoded = try JSONDecoder().decode(ScaleRow.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.tls == nil && decoded.connectSeconds == nil && decoded.serverCPUMicrosecondsPerConnection == nil)
    }

    @Test("the baseline states what TLS adds at p50: the row over TLS against the cleartext row held to the target")
    func baselineTLSCost() {
        func row(_ name: String, p50: UInt64, tls: String? = nil, held: Bool = false) -> BaselineRow {
            var row = BaselineRow(name: name, detail: "", messageBytes: 64, histogram: LatencyHistogram(), seconds: 1)
            row.p50Nanoseconds = p50
            row.tls = tls
            row.heldToTarget = held
            return row
        }
        let cleartext = [row("raw TCP (the floor)", p50: 30_000), row("harness WebSocket echo", p50: 40_000, held: true)]
        #expect(BaselineReport(rows: cleartext).tlsCost.isEmpty)
        let withTLS = BaselineReport(rows: cleartext + [row("harness WebSocket echo over TLS (wss)", p50: 50_000, tls: "TLS 1.3, P-256")])
        #expect(withTLS.tlsCost == "TLS (TLS 1.3, P-256) adds 10.0 µs to the harness's WebSocket echo at p50 (40.0 → 50.0 µs, ×1.25): each message encrypted and decrypted at both ends.")
    }
}
