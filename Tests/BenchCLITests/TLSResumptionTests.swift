import BenchCore
import Foundation
import Testing

/// Session resumption, which bench's own clients cannot do (swift-nio-ssl keeps no client
/// sessions), measured with curl: one invocation fetching several URLs with `Connection: close`
/// opens a new TLS connection per URL and offers the session the previous one got (curl's
/// OpenSSL session cache: a TLS 1.3 NewSessionTicket, RFC 8446 §4.6.1, or a TLS 1.2 ticket,
/// RFC 5077). The server (BoringSSL through swift-nio-ssl) issues tickets by default.
@Suite("TLS session resumption, measured with curl", .serialized)
struct TLSResumptionTests {
    @Test(
        "curl fetching three URLs in one run resumes on its 2nd and 3rd connections: the server's flights carry no certificate, so they are smaller than a full handshake's by more than it",
        .enabled(if: ServeTests.curl != nil), arguments: ["1.3", "1.2"])
    func curlResumes(version: String) throws {
        let server = try ServeTLSTests.Server(["--tls-version", version, "--rate", "50", "--duration", "20"])
        defer { server.stop() }
        let poll = try #require(server.endpoints["short-polling"]) + "?after=0"

        /// Polls `count` times in one curl run, a connection each; returns what the server's TLS
        /// layer counted for them (handshakes and their bytes), and what curl said.
        func polls(_ count: Int) throws -> (handshakes: Int, bytesIn: Int, bytesOut: Int, connects: [String], reused: Int) {
            let before = try server.traffic()["short-polling"]?.tls ?? TLSTally()
            let urls = (0..<count).flatMap { _ in ["-o", "/dev/null", poll] }
            let (stdout, stderr) = try Self.curl(
                [
                    "-sv", "--cacert", server.certificate, "--http1.1", "-H", "Connection: close", "--max-time", "10",
                    "-w", "%{num_connects} %{http_code}\\n",
                ] + urls)
            let after = try #require(try server.traffic()["short-polling"]?.tls)
            let reused = stderr.split(separator: "\n").filter { $0.contains("SSL re-using session ID") }.count
            return (
                after.handshakes - before.handshakes, after.handshakeBytesIn - before.handshakeBytesIn,
                after.handshakeBytesOut - before.handshakeBytesOut, stdout.split(separator: "\n").map(String.init), reused
            )
        }

        let full = try polls(1)
        let three = try polls(3)
        // curl opened a connection per URL (num_connects 1 each), offered its session on the
        // 2nd and 3rd, and the server completed a handshake on each.
        #expect(full.connects == ["1 200"] && three.connects == ["1 200", "1 200", "1 200"], "\(full.connects) \(three.connects)")
        #expect(full.handshakes == 1 && three.handshakes == 3)
        #expect(full.reused == 0 && three.reused == 2, "curl offered its session \(three.reused) times")
        // The three runs' first handshake is a full one again (a new curl has no session).
        let resumedIn = Double(three.bytesIn - full.bytesIn) / 2
        let resumedOut = Double(three.bytesOut - full.bytesOut) / 2
        // Resuming, the server sends no Certificate and no CertificateVerify (RFC 8446 §2.2;
        // TLS 1.2: RFC 5077 §3.1, an abbreviated handshake): its flight shrinks by more than the
        // certificate's DER bytes. (The client's grows: its ClientHello carries the ticket.)
        let certificate = try Self.certificateDERBytes(server.certificate)
        let figures =
            "TLS \(version): full handshake \(full.bytesIn) B in + \(full.bytesOut) B out, resumed \(resumedIn) B in + \(resumedOut) B out; certificate \(certificate) B DER"
        #expect(resumedOut > 0 && resumedOut < Double(full.bytesOut - certificate), "\(figures)")
        print(figures)
    }

    /// The size of the DER certificate in a PEM file, decoded here (RFC 7468: base64 between
    /// the BEGIN and END lines).
    static func certificateDERBytes(_ path: String) throws -> Int {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }
        return try #require(Data(base64Encoded: lines.joined())).count
    }

    /// Runs curl; returns its stdout and what it wrote to stderr (through `--stderr FILE`).
    static func curl(_ arguments: [String]) throws -> (String, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("transportbench-curl-\(getpid())-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let stdout = try ServeTests.runCurl(["--stderr", log.path] + arguments)
        return (stdout, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
