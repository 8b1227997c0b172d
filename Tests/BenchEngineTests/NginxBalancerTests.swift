import BenchCore
import BenchEngine
import BenchServer
import BenchTransports
import Foundation
import Testing

/// Real nginx (Debian's 1.22) in front of in-process server nodes: the configuration it is
/// given, and what crosses it — SSE, a WebSocket upgrade, polls spread or kept on one node, and a
/// stopped node's requests going to the other.
@Suite("nginx balancer", .serialized, .timeLimit(.minutes(2)))
struct NginxBalancerTests {
    let routes = TransportRegistry([ShortPollingTransport(), ServerSentEventsTransport(), WebSocketTransport(), LongPollingTransport()])
        .routes

    /// Two nodes on their own servers, with nginx in front; nginx is stopped whatever `body` does.
    func withBalancer<T: Sendable>(
        sticky: Bool, _ body: (NginxBalancer, LoopbackServer, LoopbackServer) async throws -> T
    ) async throws -> T {
        try await withLoopbackServer(routes: routes) { first in
            try await withLoopbackServer(routes: routes) { second in
                let balancer = try await NginxBalancer.start(
                    nodes: [.init(httpPort: first.port), .init(httpPort: second.port)], sticky: sticky)
                defer { balancer.stop() }
                return try await body(balancer, first, second)
            }
        }
    }

    @Test("the generated configuration passes nginx -t and runs; stop ends nginx and removes its directory", arguments: [false, true])
    func configuration(sticky: Bool) async throws {
        let nodes: [NginxConfiguration.Node] = [.init(httpPort: 1, grpcPort: 2), .init(httpPort: 3, grpcPort: 4)]
        let balancer = try await NginxBalancer.start(nodes: nodes, sticky: sticky)
        let text = balancer.configurationText
        let directory = balancer.configuration.directory
        #expect(FileManager.default.fileExists(atPath: directory + "/nginx.conf"))
        // Two upstreams (HTTP, gRPC), each hashing the cookie when sticky.
        #expect(text.components(separatedBy: "hash $cookie_tb_session consistent;").count - 1 == (sticky ? 2 : 0))
        #expect(text.contains("server 127.0.0.1:1;\n        server 127.0.0.1:3;"))
        #expect(text.contains("server 127.0.0.1:2;\n        server 127.0.0.1:4;"))
        #expect(text.contains("listen 127.0.0.1:\(balancer.httpPort);"))
        #expect(text.contains("listen 127.0.0.1:\(balancer.http2Port) http2;"))
        #expect(text.contains("location /transportbench.EventStream/ {\n            grpc_pass grpc://transportbench_grpc;"))
        #expect(text.contains("user root;") == (geteuid() == 0))
        #expect(balancer.httpPort != balancer.http2Port)
        balancer.stop()
        #expect(kill(balancer.processIdentifier, 0) == -1)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("a configuration nginx refuses is a usage error carrying nginx's own line")
    func refused() async throws {
        let error = await #expect(throws: BenchError.self) {
            try await NginxBalancer.start(nodes: [.init(httpPort: 1)], sticky: false, extraDirectives: ["no_such_directive on;"])
        }
        #expect(error?.code == .usage)
        #expect(
            error?.message.hasPrefix(
                "nginx refused the balancer's generated configuration: nginx: [emerg] unknown directive \"no_such_directive\"") == true)
    }

    @Test("a missing nginx is a usage error saying what to install")
    func missing() async throws {
        let error = await #expect(throws: BenchError.self) {
            try await NginxBalancer.start(nodes: [.init(httpPort: 1)], sticky: false, executable: "/nonexistent/nginx")
        }
        #expect(error?.code == .usage)
        #expect(error?.message.contains("apt-get install nginx") == true)
    }

    @Test("SSE streams through the HTTP/1.1 listener as events are published")
    func serverSentEvents() async throws {
        try await withBalancer(sticky: false) { balancer, first, second in
            try await RawConnection.with(port: balancer.httpPort) { connection in
                try await connection.send(RawConnection.request("/sse?encoding=json&after=0", headers: []))
                #expect(try await connection.read(until: "retry: "))
                // Round robin picks either node: publish on both, as a backplane would.
                for server in [first, second] { _ = server.hub.publish(payload: "through-nginx") }
                #expect(try await connection.read(until: "through-nginx"))
                #expect(connection.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(connection.text.contains("Content-Type: text/event-stream\r\n"))
                #expect(connection.text.contains("id: 1\n"))
            }
        }
    }

    @Test("a WebSocket upgrade passes through and pushes events")
    func webSocket() async throws {
        try await withBalancer(sticky: false) { balancer, first, second in
            try await RawConnection.with(port: balancer.httpPort) { connection in
                let upgrade = RawConnection.request(
                    "/ws?mode=push&encoding=json",
                    headers: [
                        "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                        "Sec-WebSocket-Version: 13",
                    ])
                try await connection.send(upgrade)
                #expect(try await connection.read(until: "\r\n\r\n"))
                #expect(connection.text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
                // RFC 6455 section 1.3's worked example: this key's accept value.
                #expect(connection.text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
                for server in [first, second] { _ = server.hub.publish(payload: "over-websocket") }
                #expect(try await connection.read(until: "over-websocket"))
            }
        }
    }

    @Test("round robin spreads polls evenly over both nodes, through either listener")
    func roundRobin() async throws {
        try await withBalancer(sticky: false) { balancer, first, second in
            for _ in 0..<4 {
                let response = try await RawConnection.get("/poll?after=0&encoding=json", port: balancer.httpPort)
                #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            }
            // nginx alternates: 4 requests, 2 on each node.
            #expect(first.traffic.totals(for: .shortPolling).requests == 2)
            #expect(second.traffic.totals(for: .shortPolling).requests == 2)
            #expect(try balancer.requestsByNode() == [2, 2])
            // HTTP/2 with prior knowledge on the h2c listener reaches the nodes as HTTP/1.1.
            for _ in 0..<2 { #expect(try curlHTTP2(port: balancer.http2Port, path: "/poll?after=0&encoding=json") == "200") }
            #expect(first.traffic.totals(for: .shortPolling).requests + second.traffic.totals(for: .shortPolling).requests == 6)
            #expect(first.traffic.totals(for: .shortPolling).http2 == nil)
            let log = try balancer.accessLog()
            #expect(log.entries.count == 6)
            #expect(log.entries.filter { $0.request.hasPrefix("HTTP/2.0 GET /poll") }.count == 2)
            #expect(try balancer.requestsByNode() == [3, 3])
        }
    }

    @Test("sticky sessions keep each cookie's requests on one node, and different cookies use both")
    func sticky() async throws {
        try await withBalancer(sticky: true) { balancer, _, _ in
            for session in 0..<16 {
                for _ in 0..<2 {
                    let response = try await RawConnection.get(
                        "/poll?after=0&encoding=json", port: balancer.httpPort, headers: ["Cookie: tb_session=\(session)"])
                    #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
                }
            }
            let served = try balancer.accessLog().entries.map(\.servedBy)
            #expect(served.count == 32)
            for session in 0..<16 { #expect(served[2 * session] == served[2 * session + 1]) }
            #expect(Set(served).count == 2)
        }
    }

    @Test("a stopped node's requests go to the other node", arguments: [false, true])
    func failover(sticky: Bool) async throws {
        try await withLoopbackServer(routes: routes) { survivor in
            let survivorAddress = "127.0.0.1:\(survivor.port)"
            let (balancer, stoppedAddress, cookie) = try await withLoopbackServer(routes: routes) { doomed in
                let balancer = try await NginxBalancer.start(
                    nodes: [.init(httpPort: survivor.port), .init(httpPort: doomed.port)], sticky: sticky)
                // A session the doomed node serves: the one the balancer sent there.
                var cookie = 0
                while try balancer.accessLog().entries.last?.servedBy != "127.0.0.1:\(doomed.port)" && cookie < 32 {
                    cookie += 1
                    _ = try await RawConnection.get(
                        "/poll?after=0&encoding=json", port: balancer.httpPort, headers: ["Cookie: tb_session=\(cookie)"])
                }
                return (balancer, "127.0.0.1:\(doomed.port)", cookie)
            }
            defer { balancer.stop() }
            let before = try balancer.accessLog().entries.count
            let requestsBefore = survivor.traffic.totals(for: .shortPolling).requests
            for _ in 0..<4 {
                let response = try await RawConnection.get(
                    "/poll?after=0&encoding=json", port: balancer.httpPort, headers: ["Cookie: tb_session=\(cookie)"])
                #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            }
            let after = Array(try balancer.accessLog().entries.dropFirst(before))
            #expect(after.map(\.servedBy) == Array(repeating: survivorAddress, count: 4))
            #expect(survivor.traffic.totals(for: .shortPolling).requests == requestsBefore + 4)
            // One request tried the stopped node, then the survivor; nginx then left it out
            // (one failure marks it down for fail_timeout, 10 s). Sticky, that is the first one.
            let tried = after.enumerated().filter { $0.element.upstreamAddresses.contains(stoppedAddress) }
            #expect(tried.map(\.element.upstreamAddresses) == [[stoppedAddress, survivorAddress]])
            if sticky { #expect(tried.first?.offset == 0) }
        }
    }

    /// `curl --http2-prior-knowledge` to `path`: the response's status.
    func curlHTTP2(port: Int, path: String) throws -> String {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--http2-prior-knowledge", "http://127.0.0.1:\(port)\(path)",
        ]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
