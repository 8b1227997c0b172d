import BenchCore
import Foundation
import NIOCore
import Testing

@testable import BenchServer
@testable import BenchTransports

/// Bad gRPC-Web requests get gRPC-Web's answers — 405 for a method other than POST, 415 for a
/// content type that is not gRPC-Web's, trailers with grpc-status 3 (INVALID_ARGUMENT) for a body
/// that is not one Cursor frame — and the server goes on serving everyone else.
@Suite("gRPC-Web malformed input", .serialized)
struct GRPCWebMalformedInputTests {
    static let binary = "application/grpc-web+proto"

    /// A request for `Subscribe` with `contentType` (none when `nil`) and `body`.
    static func request(method: String = "POST", contentType: String?, body: [UInt8]) -> [UInt8] {
        var head = "\(method) /transportbench.EventStream/Subscribe HTTP/1.1\r\nHost: x\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        return Array((head + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8) + body
    }

    static let malformedBodies: [(name: String, contentType: String, body: [UInt8])] = [
        ("an empty body", binary, []),
        ("a prefix cut short", binary, [0, 0, 0]),
        ("a length longer than the body", binary, [0, 0, 0, 0, 9, 0x08]),
        ("a compressed message", binary, [0x01, 0, 0, 0, 0]),
        ("trailers in a request", binary, [0x80, 0, 0, 0, 0]),
        ("a message that is not a Cursor", binary, [0, 0, 0, 0, 1, 0xFF]),
        ("two messages", binary, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("text that is not base64", "application/grpc-web-text", Array("!!!!".utf8)),
        ("a JSON message that is not JSON", "application/grpc-web+json", [0, 0, 0, 0, 3] + Array("not".utf8)),
    ]

    @Test("a malformed request body is answered 200 with trailers grpc-status:3, in the request's format", arguments: malformedBodies)
    func invalidArgument(name: String, contentType: String, body: [UInt8]) async throws {
        try await withLoopbackServer(routes: TransportRegistry.grpcWebOnly.routes) { server in
            let wellBehaved = RunningClient(GRPCWebClient(format: .binary), server: server, clientIndex: 1)
            try await wellBehaved.waitUntilReady()
            let (response, closed) = try await RawTCPClient.exchange(
                port: server.port, sending: Self.request(contentType: contentType, body: body), timeout: .seconds(10))
            #expect(closed, "\(name): the server did not end the response")
            let (head, payload) = try #require(Self.split(response))
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(name)")
            let call = try #require(GRPCWebFormat.parse(contentType: contentType))
            let answered = call.format.contentType(call.encoding)
            #expect(head.contains("Content-Type: \(answered)\r\n"), "\(name)")
            // One trailers frame, base64-encoded in the text format: flag 0x80, then the lines.
            let frame = contentType.contains("-text") ? Array(Data(base64Encoded: Data(payload)) ?? Data()) : payload
            #expect(frame.first == 0x80, "\(name)")
            #expect(String(decoding: frame.dropFirst(5), as: UTF8.self).hasPrefix("grpc-status:3\r\ngrpc-message:"), "\(name)")
            // Its 4-byte big-endian length covers the rest of the body.
            let length = frame.dropFirst().prefix(4).reduce(0) { $0 << 8 | Int($1) }
            #expect(frame.count == 5 + length, "\(name)")

            for index in 1...50 { server.hub.publish(payload: "after-\(index)") }
            try await wellBehaved.waitUntilDelivered(50)
            wellBehaved.progress.requestStop()
            server.hub.finish()
            expectEveryEventOnce(await wellBehaved.stop(), count: 50)
        }
    }

    @Test("a content type that is not gRPC-Web's is 415 Unsupported Media Type; GET is 405 naming POST")
    func refusedRequests() async throws {
        try await withLoopbackServer(routes: TransportRegistry.grpcWebOnly.routes) { server in
            for contentType in ["application/json", "application/grpc", "text/plain", nil] as [String?] {
                let (response, _) = try await RawTCPClient.exchange(
                    port: server.port, sending: Self.request(contentType: contentType, body: [0, 0, 0, 0, 0]), timeout: .seconds(10))
                #expect(String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 415 Unsupported Media Type\r\n"), "\(contentType ?? "none")")
            }
            let (get, _) = try await RawTCPClient.exchange(
                port: server.port, sending: Self.request(method: "GET", contentType: Self.binary, body: []), timeout: .seconds(10))
            let text = String(decoding: get, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(text.contains("Allow: POST\r\n"))
            server.hub.finish()
        }
    }

    @Test("thousands of mutated gRPC-Web requests leave the server whole")
    func fuzz() async throws {
        let seeds = [
            Self.request(contentType: Self.binary, body: [0, 0, 0, 0, 3, 0x08, 0xAC, 0x02]),
            Self.request(contentType: "application/grpc-web-text", body: Array("AAAAAAA=".utf8)),
            Self.request(contentType: "application/grpc-web+json", body: [0, 0, 0, 0, 13] + Array("{\"after\":\"2\"}".utf8)),
        ]
        try await withLoopbackServer(routes: TransportRegistry.grpcWebOnly.routes) { server in
            for index in 1...20 { server.hub.publish(payload: "before-\(index)") }
            var generator = SeededGenerator(seed: 2027)
            let deadline = ContinuousClock.now + .seconds(20)
            var sent = 0
            while sent < 2_000 && ContinuousClock.now < deadline {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        let bytes = FuzzTests.input(seeds, &generator)
                        group.addTask { try await FuzzTests.send(bytes, port: server.port) }
                    }
                    try await group.waitForAll()
                }
                sent += 8
            }
            #expect(sent >= 1_000, "only \(sent) inputs within the time bound")
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(10)), "\(server.traffic.openConnectionCount) connections left open")
            let running = GRPCWebFormat.allCases.enumerated().map { RunningClient(GRPCWebClient(format: $0.element), server: server, clientIndex: $0.offset) }
            for client in running { try await client.waitUntilReady() }
            for index in 21...70 { server.hub.publish(payload: "after-\(index)") }
            for client in running { try await client.waitUntilDelivered(70) }
            for client in running { client.progress.requestStop() }
            server.hub.finish()
            for client in running { expectEveryEventOnce(await client.stop(), count: 70) }
        }
    }

    /// The head (through its blank line) and the de-chunked body (RFC 9112 §7.1: hex size, CRLF,
    /// data, CRLF; a size of 0 ends it).
    static func split(_ response: [UInt8]) -> (head: String, body: [UInt8])? {
        guard let end = response.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        var body: [UInt8] = []
        var index = end.upperBound
        while let lineEnd = response[index...].firstRange(of: Array("\r\n".utf8)),
            let size = Int(String(decoding: response[index..<lineEnd.lowerBound], as: UTF8.self), radix: 16), size > 0
        {
            body += response[lineEnd.upperBound..<(lineEnd.upperBound + size)]
            index = lineEnd.upperBound + size + 2
        }
        return (String(decoding: response[..<end.upperBound], as: UTF8.self), body)
    }
}
