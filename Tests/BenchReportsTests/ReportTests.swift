import BenchCore
import Foundation
import Testing

@testable import BenchReports

@Suite("Reports")
struct ReportTests {
    static func sampleResult(transport: String = "short-polling", lost: Int = 0) -> RunResult {
        var result = RunResult(transport: transport, variant: "keep-alive", encoding: "json", scenario: "a, \"quoted\" name", clients: 2)
        result.transportName = displayNames[result.transport]
        result.eventsPublished = 10
        result.deliveriesExpected = 20
        result.eventsDelivered = 20 - lost
        result.eventsLost = lost
        result.lostSequences = lost > 0 ? ["client 1: 4-5"] : []
        result.bytesUp = 1000
        result.bytesDown = 3000
        result.payloadBytes = 2500
        result.overheadBytes = 1500
        result.overheadRatio = 0.375
        result.bytesPerDeliveredEvent = 200
        result.latencyP50Nanoseconds = 1_234_567
        result.latencyMaxNanoseconds = 12_345_678
        return result
    }

    static func document(_ results: [RunResult]) -> ResultsDocument {
        ResultsDocument(
            environment: EnvironmentInfo(
                cpuModel: "Test CPU", cores: 2, operatingSystem: "TestOS", kernel: "k", swiftVersion: "6.3", gitCommit: "abc",
                gitDirty: false, buildConfiguration: "debug", date: "2026-01-01T00:00:00Z"),
            scenario: .defaults, results: results, command: "bench run")
    }

    @Test("every CSV column names its unit, and rows carry the values of the results")
    func csv() {
        let text = CSVReport.render(Self.document([Self.sampleResult()]))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let units = ["_count", "_bytes", "_percent", "_ns", "_us", "_ms", "_s", "_factor", "_bits_per_second"]
        let textColumns: Set = [
            "scenario", "transport", "variant", "http_version", "encoding", "direction", "header_profile", "compression", "payload_content", "tls",
            "security",
        ]
        for column in CSVReport.header where !textColumns.contains(column) {
            #expect(units.contains { column.hasSuffix($0) }, "column \(column) names no unit")
        }
        // RFC 4180 quoting of the scenario name, then the values.
        #expect(lines[1].hasPrefix(#""a, ""quoted"" name",short-polling,keep-alive,1.1,json,push,2,10,20,20,0,"#))
        let fields = lines[1].replacingOccurrences(of: #""a, ""quoted"" name""#, with: "name").split(separator: ",", omittingEmptySubsequences: false)
        #expect(fields.count == CSVReport.header.count)
        let column = { (name: String) in String(fields[CSVReport.header.firstIndex(of: name)!]) }
        #expect(column("bytes_up_bytes") == "1000")
        #expect(column("overhead_ratio_percent") == "37.500")
        #expect(column("latency_p50_us") == "1234.567")
    }

    @Test("the Markdown table has one row per result and says loudly what was lost")
    func markdown() {
        let clean = MarkdownReport.render(Self.document([Self.sampleResult()]))
        #expect(clean.contains("| Short polling "))
        #expect(clean.contains("exactly once"))
        #expect(clean.contains("Test CPU"))
        let lossy = MarkdownReport.render(Self.document([Self.sampleResult(), Self.sampleResult(transport: "long-polling", lost: 2)]))
        #expect(lossy.contains("| Long polling "))
        #expect(lossy.contains("LOST"))
        #expect(lossy.contains("client 1: 4-5"))
        #expect(!lossy.contains("exactly once"))
        // Header, rule and two rows in the results table.
        let tableLines = MarkdownReport.table([Self.sampleResult(), Self.sampleResult()]).split(separator: "\n")
        #expect(tableLines.count == 4)
        #expect(tableLines.allSatisfy { $0.hasPrefix("|") && $0.hasSuffix("|") })
    }

    @Test("results.json round-trips with the stable top-level shape")
    func json() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ReportWriter.write(Self.document([Self.sampleResult()]), to: directory)
        let data = try Data(contentsOf: directory.appendingPathComponent("results.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["environment", "scenario", "results"]))
        let decoded = try JSONDecoder().decode(ResultsDocument.self, from: data)
        #expect(decoded.results == [Self.sampleResult()])
        for name in ReportWriter.fileNames { #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path)) }
    }

    /// A compressed SSE row: 20 events whose 2,500 plain body bytes went out as 600, and the
    /// clients spent 4 µs inflating them.
    static func compressedResult() -> RunResult {
        var result = sampleResult(transport: "sse")
        result.compression = "on"
        result.payloadContent = "chat"
        result.bytesDown = 1200
        result.bytesUp = 400
        result.overheadBytes = 1600 - 2500
        var server = CompressionTally()
        (server.plainBytes, server.compressedBytes, server.messagesCompressed, server.compressNanoseconds) = (2500, 600, 20, 40_000)
        var clients = CompressionTally()
        (clients.inflatedInputBytes, clients.inflatedOutputBytes, clients.decompressNanoseconds) = (600, 2500, 4_000)
        result.serverCompression = server
        result.clientCompression = clients
        result.compressionPlainBytes = 2500
        result.compressionCompressedBytes = 600
        result.compressionRatio = 0.24
        result.bytesIfUncompressed = 1600 - 600 + 2500
        result.compressCPUNanosecondsPerEvent = 2_000
        result.decompressCPUNanosecondsPerEvent = 200
        return result
    }

    @Test("a compressed row gets the compression table and columns, and its negative overhead is not called a broken ledger")
    func compressionReport() {
        let rows = [Self.sampleResult(), Self.compressedResult()]
        let text = MarkdownReport.render(Self.document(rows))
        #expect(text.contains("### Compression"))
        let table = MarkdownReport.compressionTable(rows).split(separator: "\n")
        // Header, rule, and the one row with compression on.
        #expect(table.count == 3)
        #expect(table[2].contains("| SSE ") && table[2].contains("| chat ") && table[2].contains(" 3500 |") && table[2].contains("24.0"))
        #expect(table[2].contains(" 2.00 |") && table[2].contains(" 0.20 |"))
        #expect(!text.contains("does not add up"))
        #expect(text.contains("exactly once"))
        #expect(MarkdownReport.table(rows).contains("json, compressed"))
        let csv = CSVReport.render(rows).split(separator: "\n").map(String.init)
        let fields = csv[2].replacingOccurrences(of: #""a, ""quoted"" name""#, with: "name").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let column = { (name: String) in fields[CSVReport.header.firstIndex(of: name)!] }
        #expect(column("compression") == "on" && column("payload_content") == "chat")
        #expect(column("bytes_if_uncompressed_bytes") == "3500" && column("compression_ratio_percent") == "24.000")
        #expect(column("decompress_cpu_per_delivered_event_ns") == "200.0")
        // Without compression the ledger check still bites.
        var broken = Self.sampleResult()
        broken.overheadBytes = -1
        #expect(MarkdownReport.problems([broken]).contains { $0.contains("does not add up") })
    }

    @Test("a TLS row gets the TLS table, with the layer's bytes apart from those above it, and names its version in every table")
    func tlsReport() {
        var tls = Self.sampleResult()
        tls.tls = "TLS 1.3, P-256"
        var tally = TLSTally()
        // 2 handshakes of 1500 B; 50 records carrying 2600 B of plaintext in 3700 B (22 B each);
        // 4 close_notify alerts of 24 B: 3000 + 3700 + 96 = 6796 B on the wire.
        (tally.handshakeBytesIn, tally.handshakeBytesOut, tally.handshakes) = (1000, 2000, 2)
        (tally.applicationRecordBytesIn, tally.applicationRecordBytesOut) = (700, 3000)
        (tally.applicationRecordsIn, tally.applicationRecordsOut) = (10, 40)
        (tally.plaintextBytesIn, tally.plaintextBytesOut) = (480, 2120)
        (tally.alertBytesIn, tally.alertBytesOut) = (48, 48)
        tls.serverTLS = tally
        (tls.tlsHandshakeBytes, tls.tlsRecordOverheadBytes, tls.tlsAlertBytes) = (3000, 1100, 96)
        (tls.tlsHandshakeBytesPerConnection, tls.tlsRecordOverheadBytesPerRecord) = (1500, 22)
        (tls.bytesUp, tls.bytesDown) = (1000 + 700 + 48, 2000 + 3000 + 48)
        tls.overheadBytes = tls.bytesUp + tls.bytesDown - tls.payloadBytes
        let rows = [Self.sampleResult(), tls]
        let table = MarkdownReport.tlsTable(rows).split(separator: "\n")
        #expect(table.count == 3, "header, rule and the one TLS row")
        // Above TLS: the overhead (6796 - 2500 = 4296) less the layer's 3000 + 1100 + 96.
        #expect(table[2].contains(" 6796 |") && table[2].contains(" 1500.0 |") && table[2].contains(" 22.00 |") && table[2].contains(" 100 |"))
        #expect(table[2].contains(" 61.7 |"), "the layer's share of the wire: 4196 / 6796")
        #expect(MarkdownReport.render(Self.document(rows)).contains("### TLS"))
        #expect(MarkdownReport.table(rows).contains("json, TLS 1.3 |"))
        #expect(TerminalTable.render(rows).hasSuffix("\nOver TLS (TLS 1.3, P-256): 1 of 2 rows."))
        #expect(!MarkdownReport.tlsSection([Self.sampleResult()]).contains("TLS"))
    }

    @Test("an authenticated row gets the Authentication table and columns; a row without checks gets neither")
    func authenticationReport() {
        var authenticated = Self.sampleResult()
        authenticated.security = "jwt es256"
        authenticated.refusedRequests = 3
        authenticated.requests = 12
        authenticated.tokensVerified = 12
        authenticated.authenticationBytes = 12 * 200
        authenticated.authenticationBytesPerEvent = 120
        authenticated.verifyCPUNanosecondsPerEvent = 45_000
        var plain = Self.sampleResult(transport: "sse")
        plain.security = "none"
        plain.refusedRequests = 0
        #expect(MarkdownReport.securityTable([plain]).isEmpty)
        #expect(!MarkdownReport.render(Self.document([plain])).contains("### Authentication"))
        let text = MarkdownReport.render(Self.document([plain, authenticated]))
        #expect(text.contains("### Authentication"))
        let table = MarkdownReport.securityTable([plain, authenticated]).split(separator: "\n")
        #expect(table.count == 3)
        #expect(table[2].contains("| jwt es256 ") && table[2].contains(" 2400 |") && table[2].contains(" 120.00 |") && table[2].contains(" 45.000 |"))
        #expect(table[2].contains(" 3 |"))
        let csv = CSVReport.render([plain, authenticated]).split(separator: "\n").map(String.init)
        let fields = csv[2].replacingOccurrences(of: #""a, ""quoted"" name""#, with: "name").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let column = { (name: String) in fields[CSVReport.header.firstIndex(of: name)!] }
        #expect(column("security") == "jwt es256" && column("refused_requests_count") == "3" && column("tokens_verified_count") == "12")
        #expect(column("authentication_bytes") == "2400" && column("authentication_per_delivered_event_bytes") == "120.000")
        #expect(column("verify_cpu_per_delivered_event_ns") == "45000.0")
    }
}
