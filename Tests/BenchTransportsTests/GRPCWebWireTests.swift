import BenchCore
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import BenchServer
@testable import BenchTransports

extension TransportRegistry {
    /// gRPC-Web's two formats alone.
    static let grpcWebOnly = TransportRegistry([GRPCWebTransport(.binary), GRPCWebTransport(.text)])
}

/// gRPC-Web on the socket: every byte of a call worked out by hand from PROTOCOL-WEB.md,
/// protobuf's wire format and HTTP/1.1's chunked coding (RFC 9112 §7.1), read by a client with
/// no HTTP code; resuming across dropped connections; gaps.
@Suite("gRPC-Web on the wire", .serialized)
struct GRPCWebWireTests {
    /// Three events, each its own write; then the run ends. The bytes after the response head are
    /// exactly `expectedBody`, and the server counted `expectedLayerFraming` as the layer's.
    static func call(_ format: GRPCWebFormat, request: [UInt8], expectedBody: [UInt8], expectedLayerFraming: Int) async throws {
        try await withLoopbackServer(routes: TransportRegistry.grpcWebOnly.routes) { server in
            let head = "POST /transportbench.EventStream/Subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: \(format.contentType(.protobuf))\r\n"
                + "Content-Length: \(request.count)\r\nConnection: close\r\n\r\n"
            let stream = try await RawStream.open(port: server.port)
            try await stream.send(Array(head.utf8) + request)
            var received = try await stream.read(until: Array("\r\n\r\n".utf8))
            let headBytes = received.count
            let oneEvent = (expectedBody.count - Self.endBytes(format)) / 3
            for sequence in 1...3 as ClosedRange<UInt64> {
                // A fixed publish time, so every byte is known: 300 ns.
                server.hub.relay(Event(sequence: sequence, publishedAt: 300, payload: "hi"))
                received = try await stream.read(until: headBytes + Int(sequence) * oneEvent, after: received)
            }
            server.hub.finish()
            received = try await stream.readToClose(after: received)
            #expect(String(decoding: received[..<headBytes], as: UTF8.self).contains("Content-Type: \(format.contentType(.protobuf))\r\n"))
            #expect(Array(received[headBytes...]) == expectedBody)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let totals = server.traffic.totals(for: format.kind)
            #expect(totals.bytesOut == received.count)
            #expect(totals.bytesIn == head.utf8.count + request.count)
            #expect(totals.layerFramingBytes == expectedLayerFraming)
        }
    }

    /// The trailers' chunk and the last chunk "0\r\n\r\n" (5 bytes): binary, "23\r\n" + the 35-byte
    /// frame + "\r\n" = 41; text, the frame's 4·⌈35/3⌉ = 48 characters: "30\r\n" + 48 + "\r\n" = 54.
    static func endBytes(_ format: GRPCWebFormat) -> Int { (format == .binary ? 41 : 54) + 5 }

    /// The trailers frame of a run that ended: 0x80, length 30, `grpc-status:0\r\ngrpc-message:\r\n`.
    static let okTrailers: [UInt8] = [0x80, 0, 0, 0, 0x1E] + Array("grpc-status:0\r\ngrpc-message:\r\n".utf8)

    /// The frame of event `sequence` ("hi", published at 300 ns): its 9-byte protobuf body
    /// (``GRPCWebFrameTests/eventBytes``) behind the prefix 00 00 00 00 09.
    static func eventFrame(_ sequence: UInt8) -> [UInt8] {
        [0, 0, 0, 0, 9, 0x08, sequence, 0x10, 0xAC, 0x02, 0x1A, 0x02, 0x68, 0x69]
    }

    @Test("grpc-web: each event is one chunk of 1 + 2 + 5 + 9 + 2 = 19 bytes, the trailers 41, and the layer's framing 5 + 3·5 + 35")
    func binaryBytes() async throws {
        // Request: Cursor { after: 0 } is the empty message, so its frame is the prefix alone.
        var body: [UInt8] = []
        for sequence in 1...3 as ClosedRange<UInt8> { body += Array("e\r\n".utf8) + Self.eventFrame(sequence) + Array("\r\n".utf8) }
        body += Array("23\r\n".utf8) + Self.okTrailers + Array("\r\n0\r\n\r\n".utf8)
        // Layer framing: the request's prefix, 3 events' prefixes, the trailers frame whole.
        try await Self.call(.binary, request: [0, 0, 0, 0, 0], expectedBody: body, expectedLayerFraming: 5 + 3 * 5 + 35)
    }

    @Test("grpc-web-text: each 14-byte frame is 4·⌈14/3⌉ = 20 characters, a chunk of 2 + 2 + 20 + 2 = 26 bytes; the layer's framing 8 + 3·7 + 48")
    func textBytes() async throws {
        let base64 = { (bytes: [UInt8]) in Array(Data(bytes).base64EncodedString().utf8) }
        var body: [UInt8] = []
        for sequence in 1...3 as ClosedRange<UInt8> { body += Array("14\r\n".utf8) + base64(Self.eventFrame(sequence)) + Array("\r\n".utf8) }
        body += Array("30\r\n".utf8) + base64(Self.okTrailers) + Array("\r\n0\r\n\r\n".utf8)
        let expectedCount = 3 * 26 + 54 + 5
        #expect(body.count == expectedCount)
        // Layer framing: the request "AAAAAAA=" (an empty message: all 8 characters), 7 prefix
        // characters per event, the trailers' 48 characters.
        try await Self.call(.text, request: Array("AAAAAAA=".utf8), expectedBody: body, expectedLayerFraming: 8 + 3 * 7 + 48)
    }

    @Test("a gRPC-Web stream cut in the middle resumes from the cursor and every event arrives exactly once", arguments: [
        (GRPCWebFormat.binary, Encoding.protobuf), (.binary, .json), (.text, .protobuf), (.text, .json),
    ])
    func resumeAfterCut(format: GRPCWebFormat, encoding: Encoding) async throws {
        try await withLoopbackServer(routes: TransportRegistry.grpcWebOnly.routes) { server in
            var scenario = Scenario.defaults
            scenario.encoding = encoding
            let recorder = try await RunningClient(GRPCWebClient(format: format), server: server, scenario: scenario).deliverAcrossCuts(server)
            #expect(recorder.connectionErrors.isEmpty == false)
            // One call per connection, each from the cursor (no duplicates above proves it).
            #expect(server.traffic.totals(for: format.kind).requests == recorder.reconnects + 1)
        }
    }

    @Test("events that left the retention window reach the client's ledger as an announced gap", arguments: GRPCWebFormat.allCases)
    func gapIsAnnounced(format: GRPCWebFormat) async throws {
        var configuration = ServerConfiguration.defaults
        configuration.retainedEvents = 10
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.grpcWebOnly.routes) { server in
            for index in 1...30 { server.hub.publish(payload: "event-\(index)") }
            let client = RunningClient(GRPCWebClient(format: format), server: server)
            try await client.waitUntilDelivered(10)
            client.progress.requestStop()
            server.hub.finish()
            let recorder = await client.stop()
            // 1–20 left the window of 10: announced; 21–30 delivered by the call made after the gap.
            #expect(recorder.ledger.announcedGaps == [1...20])
            #expect(recorder.ledger.delivered == 10)
            #expect(recorder.ledger.missing(through: 30) == [1...20])
            #expect(recorder.reconnects == 0)
            #expect(server.traffic.totals(for: format.kind).requests == 2)
        }
    }
}

/// A TCP connection with no HTTP code, read step by step.
final class RawStream {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        self.inbound = channel.inbound.makeAsyncIterator()
    }

    static func open(port: Int) async throws -> RawStream {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return RawStream(channel: channel)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Reads until what was read contains `marker`, giving up after `timeout`.
    func read(until marker: [UInt8], timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        try await read(timeout: timeout, after: []) { $0.firstRange(of: marker) != nil }
    }

    /// Reads until `count` bytes in all were read, giving up after `timeout`.
    func read(until count: Int, after received: [UInt8], timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        try await read(timeout: timeout, after: received) { $0.count >= count }
    }

    /// Reads until the server closes, giving up after `timeout`.
    func readToClose(after received: [UInt8], timeout: Duration = .seconds(10)) async throws -> [UInt8] {
        try await read(timeout: timeout, after: received) { _ in false }
    }

    private func read(timeout: Duration, after received: [UInt8], until done: @escaping @Sendable ([UInt8]) -> Bool) async throws -> [UInt8] {
        let raw = channel.channel
        let timer = Task {
            try await Task.sleep(for: timeout)
            raw.close(promise: nil)
        }
        defer { timer.cancel() }
        var received = received
        while !done(received), let chunk = try await inbound.next() { received += chunk.readableBytesView }
        return received
    }
}
