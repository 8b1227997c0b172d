import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The independent check: tshark's view of the loopback traffic against the WireMeter's counts.
@Suite("Byte accounting against a packet capture", .serialized)
struct ByteAccountingTests {
    static var canCapture: Bool {
        #if canImport(Glibc)
        guard getuid() == 0 else { return false }
        #endif
        return ["/usr/bin/tshark", "/usr/local/bin/tshark"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(
        "for every transport and HTTP version, cleartext and over TLS, the TCP payload bytes tshark captured equal the report's, per direction; the TLS records tshark decrypted equal the server's census by kind; the TCP/IP estimate from TCP_INFO is within a segment per ten connections of the captured frames",
        .enabled(if: canCapture))
    func tsharkAgrees() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/check-byte-accounting.sh").path]
        var environment = ProcessInfo.processInfo.environment
        environment["BENCH"] = try CommandLineTests.benchExecutable.path
        environment["PORT"] = "18933"
        environment.removeValue(forKey: "SSLKEYLOGFILE")
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        // Three tables, a blank line between: bytes per run, TLS records per TLS run, the TCP/IP
        // estimate against the captured frames per run.
        let tables = text.components(separatedBy: "\n\n").map { $0.split(separator: "\n").dropFirst() }
        try #require(tables.count == 3, "\(text)")
        let bytes = tables[0].map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(bytes == [
            "short-polling", "short-polling-per-request", "long-polling", "sse", "websocket", "short-polling-h2", "grpc",
            "http-streaming", "stomp", "grpc-web", "grpc-web-text",
            "tls-short-polling", "tls-long-polling", "tls-sse", "tls-websocket", "tls-short-polling-h2", "tls-grpc", "tls1.2-short-polling",
        ], "\(text)")
        #expect(tables[1].map { $0.split(separator: " ").first.map(String.init) ?? "" } == bytes.filter { $0.hasPrefix("tls") }, "\(text)")
        #expect(tables[2].map { $0.split(separator: " ").first.map(String.init) ?? "" } == bytes, "\(text)")
        #expect((tables[0] + tables[1] + tables[2]).allSatisfy { $0.hasSuffix(" match") }, "\(text)")
        // Every connection paid its handshake and teardown: the keep-alive poll's three clients
        // opened at least 3 connections of at least 6 segments each (SYN, SYN-ACK, ACK, FIN, FIN+ACK, ACK),
        // and the per-request run opened a connection per poll, so more segments than the keep-alive run.
        let segments = { (name: String) -> Int in
            let row = tables[2].first { $0.hasPrefix(name + " ") }?.split(separator: " ") ?? []
            return row.count > 5 ? (Int(row[3]) ?? 0) + (Int(row[5]) ?? 0) : 0
        }
        #expect(segments("short-polling") >= 3 * 6, "\(text)")
        #expect(segments("short-polling-per-request") > segments("short-polling"), "\(text)")
        // The ServerHellos chose TLS 1.3's AES-128-GCM (0x1301, RFC 8446 §B.4) and, for the TLS 1.2 run,
        // an ECDHE-ECDSA AES-GCM suite (0xc02b or 0xc02c, RFC 5289): what bench's clients offer first.
        for row in tables[1] {
            let suite = row.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            #expect(row.hasPrefix("tls1.2") ? ["0xc02b", "0xc02c"].contains(suite) : suite == "0x1301", "\(row)")
        }
    }
}
