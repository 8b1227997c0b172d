import BenchCore
import Foundation
import BenchServer
import BenchTransports
import NIOCore
import Testing

@Suite("Polling endpoints on the wire")
struct PollingWireTests {
    @Test("the WireMeter's totals equal what a raw socket wrote and read, byte for byte", arguments: ["/poll", "/long-poll"])
    func wireMeterMatchesRawSocket(path: String) async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let event = server.hub.publish(payload: "hello").event
            let request = "GET \(path)?after=0&encoding=json HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nConnection: close\r\n\r\n"
            let response = try await RawTCPClient.exchange(port: server.port, sending: request)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))

            let kind: TransportKind = path == "/poll" ? .shortPolling : .longPolling
            let totals = server.traffic.totals(for: kind)
            #expect(totals.bytesIn == request.utf8.count)
            #expect(totals.bytesOut == response.count)
            #expect(totals.connections == 1)
            #expect(totals.requests == 1)
            #expect(totals.emptyResponses == 0)

            // The body is the one-event batch, built here by hand from the envelope's rules.
            let text = String(decoding: response, as: UTF8.self)
            let expectedBody = #"[{"payload":"hello","publishedAt":\#(event.publishedAt),"sequence":1}]"#
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(text.hasSuffix("\r\n\r\n" + expectedBody))
            #expect(text.lowercased().contains("content-length: \(expectedBody.utf8.count)\r\n"))
        }
    }

    @Test("an empty poll is counted as an empty response")
    func emptyPoll() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let response = try await RawTCPClient.exchange(
                port: server.port, sending: "GET /poll?after=0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(String(decoding: response, as: UTF8.self).hasSuffix("\r\n\r\n[]"))
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            #expect(server.traffic.totals(for: .shortPolling).emptyResponses == 1)
        }
    }

    @Test("a long poll with nothing to say answers an empty batch when its hold timeout passes")
    func longPollTimeout() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let start = ContinuousClock.now
            let response = try await RawTCPClient.exchange(
                port: server.port, sending: "GET /long-poll?after=0&timeout=150 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let waited = ContinuousClock.now - start
            #expect(String(decoding: response, as: UTF8.self).hasSuffix("\r\n\r\n[]"))
            #expect(waited >= .milliseconds(150))
        }
    }

    @Test("a held long poll is answered when an event is published")
    func longPollAnswersOnPublish() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            async let response = RawTCPClient.exchange(
                port: server.port, sending: "GET /long-poll?after=0&timeout=30000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            try await Task.sleep(for: .milliseconds(100))
            let event = server.hub.publish(payload: "late").event
            let text = String(decoding: try await response, as: UTF8.self)
            #expect(text.hasSuffix(#"[{"payload":"late","publishedAt":\#(event.publishedAt),"sequence":1}]"#))
        }
    }

    @Test("a cursor behind the retention window is answered with a Bench-Gap header")
    func gapHeader() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.retainedEvents = 3
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            for index in 1...10 { server.hub.publish(payload: "e\(index)") }
            let text = try await RawTCPClient.get("/poll?after=1", port: server.port)
            #expect(text.contains("Bench-Gap: 2-7\r\n"))
            #expect(text.contains(#""sequence":8}"#) && text.contains(#""sequence":10}"#))
        }
    }

    @Test("bad requests get the protocol's own answers", arguments: [
        ("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 404 Not Found"),
        ("GET /poll?after=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("GET /poll?encoding=xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 400 Bad Request"),
        ("DELETE /poll HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"),
        ("GET /long-poll?timeout=999999999 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 400 Bad Request"),
    ])
    func badRequests(request: String, statusLine: String) async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let text = String(decoding: try await RawTCPClient.exchange(port: server.port, sending: request), as: UTF8.self)
            #expect(text.hasPrefix(statusLine + "\r\n"))
        }
    }

    @Test("keep-alive: two requests on one connection are two requests and one connection")
    func keepAlive() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let request = "GET /poll?after=0 HTTP/1.1\r\nHost: x\r\n\r\nGET /poll?after=0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let text = String(decoding: try await RawTCPClient.exchange(port: server.port, sending: request), as: UTF8.self)
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let totals = server.traffic.totals(for: .shortPolling)
            #expect(totals.requests == 2)
            #expect(totals.connections == 1)
            #expect(totals.emptyResponses == 2)
        }
    }
}
