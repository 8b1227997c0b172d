import BenchCore
import Foundation
import NIOCore
import Testing

@testable import BenchServer
@testable import BenchTransports

@Suite("HTTP streaming (NDJSON) on the wire")
struct HTTPStreamingWireTests {
    @Test("each event is one NDJSON line in one chunk: hex size, CRLF, the JSON, LF, CRLF; the layer's framing is the LF")
    func oneLinePerEvent() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            async let response = RawTCPClient.exchange(
                port: server.port, sending: "GET /stream?encoding=json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try await waitForStreams(server, count: 1)
            let first = server.hub.publish(payload: "event-1").event
            try await Task.sleep(for: .milliseconds(50))
            let second = server.hub.publish(payload: "event-22").event
            try await Task.sleep(for: .milliseconds(50))
            server.hub.finish()
            let bytes = try await response
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))

            // The body by hand (NDJSON 1.0: a JSON text, then LF; RFC 9112 §7.1: each write is
            // one chunk, "SIZE-IN-HEX\r\n" DATA "\r\n", and "0\r\n\r\n" ends the body). The
            // event's JSON has its keys sorted: payload, publishedAt, sequence.
            func line(_ event: Event) -> String {
                "{\"payload\":\"\(event.payload)\",\"publishedAt\":\(event.publishedAt),\"sequence\":\(event.sequence)}\n"
            }
            func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }
            let text = String(decoding: bytes, as: UTF8.self)
            let head = try #require(text.range(of: "\r\n\r\n"))
            #expect(text[..<head.lowerBound].hasPrefix("HTTP/1.1 200 OK"))
            #expect(text[..<head.lowerBound].contains("Content-Type: application/x-ndjson"))
            #expect(text[..<head.lowerBound].contains("transfer-encoding: chunked"))
            #expect(String(text[head.upperBound...]) == chunk(line(first)) + chunk(line(second)) + "0\r\n\r\n")
            // `{"payload":"` 12, `event-1` 7, `","publishedAt":` 16, the time's digits,
            // `,"sequence":` 12, `1` 1, `}` 1 and the LF 1.
            let firstLine = 12 + 7 + 16 + String(first.publishedAt).count + 12 + 1 + 1 + 1
            #expect(line(first).utf8.count == firstLine)
            let totals = server.traffic.totals(for: .httpStreaming)
            #expect(totals.bytesOut == bytes.count)
            #expect(totals.layerFramingBytes == 2)
        }
    }

    @Test("with a binary encoding each line is the body's base64 in a JSON string; quotes and LF are the layer's")
    func binaryLines() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            async let response = RawTCPClient.exchange(
                port: server.port, sending: "GET /stream?encoding=protobuf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try await waitForStreams(server, count: 1)
            let stored = server.hub.publish(payload: "abc")
            try await Task.sleep(for: .milliseconds(50))
            server.hub.finish()
            let text = String(decoding: try await response, as: UTF8.self)
            let body = try #require(stored.body(.protobuf))
            let base64 = Data(body.readableBytesView).base64EncodedString()
            // 4·⌈n/3⌉ characters of base64 (RFC 4648 §4), two quotes and the LF.
            #expect(base64.utf8.count == 4 * ((body.readableBytes + 2) / 3))
            let line = "\"" + base64 + "\"\n"
            #expect(text.hasSuffix("\r\n" + String(line.utf8.count, radix: 16) + "\r\n" + line + "\r\n0\r\n\r\n"))
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            #expect(server.traffic.totals(for: .httpStreaming).layerFramingBytes == 3)
        }
    }

    @Test("a stream cut in the middle resumes with after= the last sequence and every event arrives exactly once")
    func resumeAfterCut() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let recorder = try await RunningClient(HTTPStreamingClient(), server: server).deliverAcrossCuts(server)
            #expect(server.traffic.totals(for: .httpStreaming).requests == recorder.reconnects + 1)
        }
    }

    @Test("heartbeats are empty lines, 6 bytes each on the wire, and nothing else changes")
    func heartbeats() async throws {
        // One heartbeat: "1\r\n", the LF, "\r\n" (RFC 9112 §7.1): 6 bytes.
        let heartbeatChunk = Array("1\r\n\n\r\n".utf8)
        #expect(HTTPStreamingTransport().heartbeatWireBytes == heartbeatChunk.count)
        var responses: [(heartbeats: Int, bytes: Int)] = []
        for interval in [nil, 40] as [Int?] {
            try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
                let query = interval.map { "&heartbeat=\($0)" } ?? ""
                async let response = RawTCPClient.exchange(
                    port: server.port, sending: "GET /stream?encoding=json\(query) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                try await Task.sleep(for: .milliseconds(420))
                server.hub.finish()
                let bytes = try await response
                #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
                let totals = server.traffic.totals(for: .httpStreaming)
                #expect(totals.heartbeats == bytes.occurrences(of: heartbeatChunk))
                // The empty line is NDJSON's own byte; the chunk around it is HTTP's.
                #expect(totals.layerFramingBytes == totals.heartbeats)
                #expect(totals.bytesOut == bytes.count)
                responses.append((totals.heartbeats, bytes.count))
            }
        }
        #expect(responses[0].heartbeats == 0)
        #expect(responses[1].heartbeats >= 3)
        #expect(responses[1].bytes - responses[0].bytes == responses[1].heartbeats * heartbeatChunk.count)
    }

    @Test("a bad cursor or encoding is answered 400 naming it, and the server keeps serving")
    func badQuery() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let bad = try await RawTCPClient.get("/stream?after=minus-one", port: server.port)
            #expect(bad.hasPrefix("HTTP/1.1 400"))
            #expect(bad.contains("after"))
            let unknown = try await RawTCPClient.get("/stream?encoding=xml", port: server.port)
            #expect(unknown.hasPrefix("HTTP/1.1 400"))
            server.hub.finish()
            let good = try await RawTCPClient.get("/stream", port: server.port)
            #expect(good.hasPrefix("HTTP/1.1 200"))
        }
    }

    /// Waits until `count` streams are open on the server, failing after 5 s.
    private func waitForStreams(_ server: LoopbackServer, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while server.traffic.totals(for: .httpStreaming).requests < count {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(2))
        }
        // The request is counted before the handler subscribes to the hub: give it a moment.
        try await Task.sleep(for: .milliseconds(20))
    }
}
