import BenchCore
import Testing

@testable import BenchServer
@testable import BenchTransports

/// The browser page's endpoints, without a browser (the Chromium test runs the page itself).
@Suite("Browser page endpoints")
struct BrowserEndpointsTests {
    @Test("the page is served, the clock answers, a result is stored and listed, a malformed one gets 400")
    func endpoints() async throws {
        let results = BrowserResults()
        let routes = TransportRegistry.withoutGRPC.routes.merging(Routes(http: BrowserEndpoints.routes(results: results)))
        try await withLoopbackServer(routes: routes) { server in
            server.hub.publish(payload: "one")
            let page = try await RawTCPClient.get("/browser", port: server.port)
            #expect(page.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(page.contains("new EventSource(") && page.contains("new WebSocket("))

            let clock = try await RawTCPClient.get("/browser/clock", port: server.port)
            #expect(clock.contains("\"last\":1}"))

            let result = #"{"transport":"sse","userAgent":"test","received":3,"first":1,"last":3,"missing":[],"duplicates":0,"latencyP50Milliseconds":1,"latencyP99Milliseconds":2,"latencyMaxMilliseconds":2,"clockErrorMilliseconds":0.1}"#
            let stored = String(decoding: try await RawTCPClient.exchange(
                port: server.port,
                sending: "POST /browser/results HTTP/1.1\r\nHost: x\r\nContent-Length: \(result.utf8.count)\r\nConnection: close\r\n\r\n\(result)"),
                as: UTF8.self)
            #expect(stored.hasPrefix("HTTP/1.1 204 No Content\r\n"))
            #expect(results.all.map(\.transport) == ["sse"])

            let bad = String(decoding: try await RawTCPClient.exchange(
                port: server.port, sending: "POST /browser/results HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"),
                as: UTF8.self)
            #expect(bad.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(results.all.count == 1)
            // Browser traffic belongs to no transport.
            #expect(server.traffic.totals(for: .shortPolling).connections == 0)
        }
    }
}
