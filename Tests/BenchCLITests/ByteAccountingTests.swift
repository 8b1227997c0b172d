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

    @Test("for every transport and HTTP version, the TCP payload bytes tshark captured equal the report's, per direction", .enabled(if: canCapture))
    func tsharkAgrees() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/check-byte-accounting.sh").path]
        var environment = ProcessInfo.processInfo.environment
        environment["BENCH"] = try CommandLineTests.benchExecutable.path
        environment["PORT"] = "18933"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        let rows = text.split(separator: "\n").dropFirst()
        #expect(rows.count == 6, "four HTTP/1.1 transports, short polling over HTTP/2, gRPC")
        #expect(rows.allSatisfy { $0.hasSuffix("match") && !$0.hasSuffix("MISMATCH") }, "\(text)")
    }
}
