import BenchCore
import NIOCore
import Testing

@testable import BenchServer
@testable import BenchTransports

@Suite("Server-Sent Events on the wire")
struct ServerSentEventsWireTests {
    @Test("an SSE stream cut in the middle resumes via Last-Event-ID and every event arrives exactly once")
    func resumeAfterCut() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.sseRetryMilliseconds = 20
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let recorder = try await RunningClient(ServerSentEventsClient(), server: server).deliverAcrossCuts(server)
            // One request per connection: the first and one per reconnect, each resuming after
            // the last event it had (no duplicates proves the server honoured Last-Event-ID).
            #expect(server.traffic.totals(for: .serverSentEvents).requests == recorder.reconnects + 1)
        }
    }

    @Test("the client waits the server's retry: time before reconnecting")
    func retryIsHonoured() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.sseRetryMilliseconds = 300
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let client = RunningClient(ServerSentEventsClient(), server: server)
            try await client.waitUntilReady()
            try await Task.sleep(for: .milliseconds(20))
            let cut = ContinuousClock.now
            server.traffic.closeAll()
            while server.traffic.totals(for: .serverSentEvents).requests < 2 && ContinuousClock.now - cut < .seconds(5) {
                try await Task.sleep(for: .milliseconds(2))
            }
            let waited = ContinuousClock.now - cut
            #expect(waited >= .milliseconds(300))
            #expect(waited < .seconds(2))
            server.hub.finish()
            _ = await client.stop()
        }
    }

    @Test("heartbeat comments are overhead bytes on the wire and scale with the interval")
    func heartbeats() async throws {
        // One heartbeat on the wire: the chunk-size line "3\r\n", the comment ":\n\n" and the
        // chunk's closing CRLF (RFC 9112 §7.1): 8 bytes.
        let heartbeatChunk = Array("3\r\n:\n\n\r\n".utf8)
        var responses: [(heartbeats: Int, bytes: Int)] = []
        for interval in [nil, 40, 80] as [Int?] {
            try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
                let query = interval.map { "&heartbeat=\($0)" } ?? ""
                async let response = RawTCPClient.exchange(
                    port: server.port, sending: "GET /sse?encoding=json\(query) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                try await Task.sleep(for: .milliseconds(820))
                server.hub.finish()
                let bytes = try await response
                #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
                let totals = server.traffic.totals(for: .serverSentEvents)
                let counted = bytes.occurrences(of: heartbeatChunk)
                #expect(totals.heartbeats == counted)
                #expect(totals.bytesOut == bytes.count)
                responses.append((counted, bytes.count))
            }
        }
        // Without heartbeats the stream is the same minus exactly 8 bytes per heartbeat.
        #expect(responses[0].heartbeats == 0)
        #expect(responses[1].bytes - responses[0].bytes == responses[1].heartbeats * heartbeatChunk.count)
        #expect(responses[2].bytes - responses[0].bytes == responses[2].heartbeats * heartbeatChunk.count)
        #expect(ServerSentEventsTransport().heartbeatWireBytes == heartbeatChunk.count)
        // At most 20 and 10 heartbeats fit in 0.82 s (fewer on a loaded machine): the shorter
        // interval sends more, close to twice as many.
        #expect(responses[1].heartbeats >= 8 && responses[1].heartbeats <= 21)
        #expect(responses[2].heartbeats >= 4 && responses[2].heartbeats <= 11)
        #expect(Double(responses[1].heartbeats) >= 1.4 * Double(responses[2].heartbeats))
    }
}
