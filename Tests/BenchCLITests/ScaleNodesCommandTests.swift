import BenchRedis
import Foundation
import Testing

/// `bench serve --redis` (a scale-out node relaying a Redis channel) and `bench scale --nodes`
/// (connections at scale across such nodes behind nginx), each starting redis-server, nginx and
/// the nodes on free loopback ports and stopping them at the end.
@Suite("bench scale --nodes and bench serve --redis", .serialized)
struct ScaleNodesCommandTests {
    static let badArguments: [(arguments: [String], names: String)] = [
        (["scale", "--nodes", "0"], "--nodes"),
        (["scale", "--nodes", "17"], "--nodes"),
        (["scale", "--redis", "redis://127.0.0.1:6379"], "--redis"),
        (["scale", "--nodes", "2", "--tls"], "--tls"),
        (["scale", "--nodes", "2", "--auth", "jwt"], "--auth jwt"),
        (["serve", "--redis-channel", "events"], "--redis"),
        (["serve", "--redis", "redis://127.0.0.1:6379", "--preload", "5"], "--preload"),
    ]

    @Test("what scale-out cannot honour gives one line naming it and exit status 2, before anything starts", arguments: badArguments)
    func badInput(arguments: [String], names: String) throws {
        let (status, stdout, stderr) = try CommandLineTests.runBench(arguments)
        #expect(status == 2, "\(stderr)")
        #expect(stdout.isEmpty)
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        #expect(stderr.contains(names), "\(stderr)")
    }

    @Test(
        "bench scale --nodes 2: 200 SSE and WebSocket connections through nginx, spread over both nodes, and every client gets every event PUBLISHed once to Redis"
    )
    func scaleAcrossNodes() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-scale-nodes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, stdout, stderr) = try CommandLineTests.runBench([
            "scale", "--transport", "sse,websocket", "--nodes", "2", "--clients", "200", "--events", "3", "--output", output.path,
        ])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.contains("| SSE | off | 1 of 2 |") && stdout.contains("| WebSocket | off | 2 of 2 |"), "\(stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("scale.json"))) as? [String: Any]
        let rows = try #require(json?["rows"] as? [[String: Any]])
        #expect(rows.map { $0["transport"] as? String } == ["sse", "websocket"])
        for row in rows {
            let transport = row["transport"] as? String ?? "?"
            // 3 events × 200 clients, though each node had only its share of the connections.
            #expect(row["deliveries"] as? Int == 600 && row["deliveriesExpected"] as? Int == 600, "\(transport)")
            #expect(row["nodes"] as? Int == 2)
            #expect(row["deployment"] as? String == "2 nodes, nginx round robin, redis")
            let nodes = try #require(row["nodeFigures"] as? [[String: Any]])
            #expect(nodes.map { $0["number"] as? Int } == [1, 2])
            // nginx holds one connection to a node for each client's stream: 200 in all, some on each node.
            let held = nodes.map { $0["connections"] as? Int ?? 0 }
            #expect(held.reduce(0, +) == 200, "\(transport): \(held)")
            #expect(held.allSatisfy { $0 > 0 }, "\(transport): \(held)")
            for node in nodes {
                #expect((node["residentBytesConnected"] as? Int ?? 0) > (node["residentBytesIdle"] as? Int ?? 0), "\(transport)")
            }
        }
        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(
            report.contains(
                "- **Server**: `2 nodes, nginx round robin, redis`: each node a `bench serve --redis URL --redis-channel NAME` process"))
    }

    @Test(
        "bench serve --redis relays what is PUBLISHed to its channel to an outside SSE client (curl), sequence and publish time kept",
        .enabled(if: ServeTests.curl != nil))
    func serveRelaysChannel() async throws {
        let redis = try await RedisServer.start()
        do {
            try await Self.relay(from: redis)
        } catch {
            await redis.stop()
            throw error
        }
        await redis.stop()
    }

    /// A `bench serve --redis` node subscribed to `redis`, with curl on its SSE endpoint while
    /// two events are PUBLISHed.
    private static func relay(from redis: RedisServer) async throws {
        let (serve, endpoints) = try ServeTests.startServe(["--redis", redis.url, "--redis-channel", "relay-test", "--duration", "20"])
        defer { serve.terminate() }
        let sse = try #require(endpoints["sse"])
        // curl holds the stream from sequence 0 for 3 s; the events are PUBLISHed while it does.
        let curl = Task { try ServeTests.runCurl(["-sN", "--max-time", "3", sse + (sse.contains("?") ? "&" : "?") + "after=0"]) }
        try await Task.sleep(for: .seconds(1))
        let publisher = try await RedisConnection.connect(to: try RedisEndpoint(url: redis.url))
        let events = [
            #"{"payload":"first-from-redis","publishedAt":1000,"sequence":1}"#,
            #"{"payload":"second-from-redis","publishedAt":2000,"sequence":2}"#,
        ]
        for event in events {
            let receivers = try await publisher.send("PUBLISH", "relay-test", event)
            #expect(receivers.integer == 1, "the node subscribed to the channel")
        }
        await publisher.close()
        let stream = try await curl.value
        // The SSE blocks a client reads (WHATWG HTML §9.2): each event's id and its JSON as published.
        #expect(stream.contains("id: 1\ndata: \(events[0])\n\nid: 2\ndata: \(events[1])\n\n"), "\(stream)")
        // What the node says it does, for 1 s.
        let (status, _, stderr) = try CommandLineTests.runBench([
            "serve", "--redis", redis.url, "--redis-channel", "relay-test", "--duration", "1",
        ])
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("relaying channel relay-test from \(redis.url)"), "\(stderr)")
    }

    @Test("bench serve --redis with Redis unreachable: exit 2 with one sentence naming the URL")
    func serveRedisUnreachable() throws {
        let (status, stdout, stderr) = try CommandLineTests.runBench([
            "serve", "--redis", "redis://127.0.0.1:1", "--redis-channel", "events",
        ])
        #expect(status == 2, "\(stderr)")
        #expect(stdout.isEmpty)
        #expect(stderr.contains("cannot reach Redis at redis://127.0.0.1:1"), "\(stderr)")
        #expect(stderr.split(separator: "\n").filter { $0.hasPrefix("bench: error:") }.count == 1, "\(stderr)")
    }
}
