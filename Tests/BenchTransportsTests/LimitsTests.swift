import BenchCore
import NIOCore
import NIOPosix
import Testing

@testable import BenchServer
@testable import BenchTransports

/// The server's limits: header size, connections, idle and slow clients; each configurable.
@Suite("Server limits", .serialized)
struct LimitsTests {
    @Test("a request head over the limit is answered 431 and closed; the next request is served")
    func oversizedHead() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.maxHeaderBytes = 4096
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let big = String(repeating: "a", count: 5000)
            let (bytes, closed) = try await RawTCPClient.exchange(
                port: server.port, sending: "GET /poll HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n", timeout: .seconds(3))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "\(text.prefix(80))")
            #expect(closed)
            // Just under the limit is fine.
            let fits = String(repeating: "a", count: 3000)
            let good = try await RawTCPClient.get("/poll", port: server.port, headers: "X-Big: \(fits)\r\n")
            #expect(good.hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test("connections beyond the limit are closed at once; those within it are served")
    func connectionLimit() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.maxConnections = 2
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            let first = try await bootstrap.connect(host: "127.0.0.1", port: server.port).get()
            let second = try await bootstrap.connect(host: "127.0.0.1", port: server.port).get()
            while server.traffic.openConnectionCount < 2 { try await Task.sleep(for: .milliseconds(2)) }
            let (bytes, closed) = try await RawTCPClient.exchange(
                port: server.port, sending: "GET /poll HTTP/1.1\r\nHost: x\r\n\r\n", timeout: .seconds(3))
            #expect(bytes.isEmpty && closed, "the third connection got \(bytes.count) bytes")
            try await first.close().get()
            try await second.close().get()
            while server.traffic.openConnectionCount > 0 { try await Task.sleep(for: .milliseconds(2)) }
            let good = try await RawTCPClient.get("/poll", port: server.port)
            #expect(good.hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }

    @Test("a connection silent both ways for the idle timeout is closed")
    func idleTimeout() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.idleTimeout = .milliseconds(200)
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let start = ContinuousClock.now
            let (bytes, closed) = try await RawTCPClient.exchange(port: server.port, sending: "", timeout: .seconds(5))
            #expect(bytes.isEmpty)
            #expect(closed, "still open after 5 s")
            #expect(ContinuousClock.now - start >= .milliseconds(150))
        }
    }

    @Test("a WebSocket client that stops reading is closed after the slow-client timeout; another client loses nothing")
    func slowClient() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.slowClientTimeout = .milliseconds(300)
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let wellBehaved = RunningClient(WebSocketClient(direction: .push), server: server, clientIndex: 1)
            try await wellBehaved.waitUntilReady()
            // A client that upgrades and then never reads: small receive buffer, no reads at all.
            let stalled = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.autoRead, value: false)
                .channelOption(.socketOption(.so_rcvbuf), value: 4096)
                .connect(host: "127.0.0.1", port: server.port).get()
            try await stalled.writeAndFlush(ByteBuffer(bytes: MalformedInputTests.upgrade.map { $0 }).replacingPath()).get()
            while server.traffic.openConnectionCount < 2 { try await Task.sleep(for: .milliseconds(2)) }
            try await Task.sleep(for: .milliseconds(50))
            let payload = String(repeating: "x", count: 64 * 1024)
            for _ in 1...100 {
                server.hub.publish(payload: payload)
                try await Task.sleep(for: .milliseconds(2))
            }
            try await wellBehaved.waitUntilDelivered(100)
            // The stalled connection fills both socket buffers, its server side stays unwritable,
            // and the guard closes it.
            let deadline = ContinuousClock.now + .seconds(10)
            while server.traffic.openConnectionCount > 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.traffic.openConnectionCount == 1, "the stalled client's connection is still open")
            server.hub.finish()
            let recorder = await wellBehaved.stop()
            #expect(recorder.ledger.delivered == 100)
            try? await stalled.close().get()
        }
    }
}

private extension ByteBuffer {
    /// The echo upgrade request of the malformed-input tests, turned into a push subscription.
    func replacingPath() -> ByteBuffer {
        ByteBuffer(string: String(buffer: self).replacingOccurrences(of: "/ws?mode=echo&client=0", with: "/ws?mode=push"))
    }
}
