import BenchRedis
import Foundation
import Testing

/// `bench run --nodes`: server nodes of their own (`bench serve` processes) behind nginx, sharing
/// the run's events through Redis, each started on free loopback ports and stopped at the end.
@Suite("bench run --nodes: nodes behind nginx with a Redis backplane", .serialized)
struct ScaleOutCommandTests {
    static let badArguments: [(arguments: [String], names: String)] = [
        (["run", "--nodes", "0"], "--nodes"),
        (["run", "--nodes", "17"], "--nodes"),
        (["run", "--nodes", "2", "--balancer", "haproxy"], "haproxy"),
        (["run", "--nodes", "2", "--balancer", "none", "--sticky", "on"], "--sticky"),
        (["run", "--nodes", "2", "--backplane", "none", "--redis", "redis://127.0.0.1:6379"], "--redis"),
        (["run", "--nodes", "2", "--redis", "http://127.0.0.1:6379"], "http://127.0.0.1:6379"),
        (["run", "--nodes", "1", "--kill-node-at", "1"], "--kill-node-at"),
        (["run", "--nodes", "2", "--balancer", "none", "--kill-node-at", "1"], "--kill-node-at"),
        (["run", "--nodes", "2", "--kill-node-at", "-1"], "--kill-node-at"),
        (["run", "--nodes", "2", "--direction", "echo"], "--direction echo"),
        (["run", "--nodes", "2", "--tls"], "--tls"),
        (["run", "--nodes", "2", "--auth", "jwt"], "--auth jwt"),
        (["run", "--nodes", "2", "--delay-ms", "10"], "--link"),
        (["run", "--nodes", "2", "--target", "http://127.0.0.1:1"], "--target"),
    ]

    @Test("bad scale-out input gives one line naming it and exit status 2, before anything starts", arguments: badArguments)
    func badInput(arguments: [String], names: String) throws {
        let (status, stdout, stderr) = try CommandLineTests.runBench(arguments + ["--transport", "sse", "--duration", "1"])
        #expect(status == 2, "\(stderr)")
        #expect(stdout.isEmpty)
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        #expect(stderr.contains(names), "\(stderr)")
    }

    /// The rows of a results folder, by transport.
    static func rows(_ folder: URL) throws -> [String: [String: Any]] {
        try RemoteRunTests.results(folder)
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, rows: [String: [String: Any]], stderr: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scale-out-\(UUID().uuidString)")
        let (status, _, stderr) = try CommandLineTests.runBench(["run", "--output", folder.path] + arguments)
        let rows = (try? Self.rows(folder)) ?? [:]
        return (status, rows, stderr, folder)
    }

    @Test("every event reaches every client of every transport across two and three nodes behind nginx, each node relaying every event from Redis", arguments: [2, 3])
    func everyEventAcrossNodes(nodes: Int) throws {
        let clients = 2 * nodes
        let run = try Self.run(["--transport", "all", "--nodes", "\(nodes)", "--clients", "\(clients)", "--duration", "1", "--rate", "20"])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.stderr)")
        // Every registered transport: the five, NDJSON streaming, STOMP and both gRPC-Web formats.
        #expect(Set(run.rows.keys) == [
            "short-polling", "long-polling", "sse", "http-streaming", "websocket", "stomp", "grpc", "grpc-web", "grpc-web-text",
        ])
        for (transport, row) in run.rows {
            #expect(row["eventsLost"] as? Int == 0, "\(transport)")
            #expect(row["eventsDelivered"] as? Int == 20 * clients, "\(transport)")
            let scaleOut = try #require(row["scaleOut"] as? [String: Any], "\(transport)")
            let nodeRows = try #require(scaleOut["nodes"] as? [[String: Any]])
            #expect(nodeRows.count == nodes)
            for node in nodeRows {
                // Round robin gave every node clients, and each node's subscription brought all 20 events.
                #expect((node["connections"] as? Int ?? 0) > 0, "\(transport) node \(node["number"] ?? "?")")
                let feed = try #require(node["backplane"] as? [String: Any])
                #expect(feed["messages"] as? Int == 20, "\(transport)")
                #expect((feed["lost"] as? [Any])?.isEmpty == true, "\(transport)")
            }
            // Every PUBLISH reached every node.
            #expect(scaleOut["fewestNodesReached"] as? Int == nodes, "\(transport)")
        }
    }

    @Test("a node killed mid-run: its clients reconnect through nginx to a live node, resume from their cursors and lose nothing")
    func nodeKilled() throws {
        let run = try Self.run(["--transport", "sse,websocket,long-polling", "--nodes", "2", "--kill-node-at", "0.8", "--clients", "4", "--duration", "2", "--rate", "20"])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        #expect(run.status == 0, "\(run.stderr)")
        for (transport, row) in run.rows {
            #expect(row["eventsLost"] as? Int == 0, "\(transport)")
            #expect(row["eventsDelivered"] as? Int == 40 * 4, "\(transport)")
            let scaleOut = try #require(row["scaleOut"] as? [String: Any])
            #expect(scaleOut["nodeKilledAtSeconds"] as? Double != nil, "\(transport)")
            let nodes = try #require(scaleOut["nodes"] as? [[String: Any]])
            #expect(nodes.last?["killed"] as? Bool == true)
        }
        // The streams on the killed node had to reconnect; each reconnect's time is measured.
        for transport in ["sse", "websocket"] {
            let row = try #require(run.rows[transport])
            #expect((row["reconnects"] as? Int ?? 0) >= 1, "\(transport)")
            #expect(row["reconnectTime"] != nil, "\(transport)")
        }
    }

    @Test("without a backplane the events reach only the first node: its clients get all, the other node's none, and the report says why")
    func withoutBackplane() throws {
        let run = try Self.run(["--transport", "sse", "--nodes", "2", "--balancer", "none", "--backplane", "none", "--clients", "4", "--duration", "1", "--rate", "20"])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        // Lost by design, and named: the run is clean.
        #expect(run.status == 0, "\(run.stderr)")
        let row = try #require(run.rows["sse"])
        // Client i is on node i mod 2: clients 1 and 3 are on the second node.
        #expect(row["eventsDelivered"] as? Int == 2 * 20)
        #expect(row["eventsLost"] as? Int == 2 * 20)
        let lost = try #require(row["lostSequences"] as? [String])
        #expect(lost == ["client 1: 1-20", "client 3: 1-20"])
        let report = try String(contentsOf: run.folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("without a backplane the events reached only the first node"))
    }

    @Test("Redis unreachable at the start: exit 2 with one sentence naming the URL, before any node starts")
    func redisUnreachable() throws {
        let (status, _, stderr) = try CommandLineTests.runBench(["run", "--transport", "sse", "--nodes", "2", "--redis", "redis://127.0.0.1:1", "--duration", "1"])
        #expect(status == 2)
        #expect(stderr.contains("cannot reach Redis at redis://127.0.0.1:1"), "\(stderr)")
        #expect(stderr.split(separator: "\n").filter { $0.hasPrefix("bench: error:") }.count == 1)
    }

    @Test("Redis killed mid-run: the publisher and the nodes notice, and the run exits 1 naming the sequences that were lost")
    func redisKilled() async throws {
        let redis = try await RedisServer.start()
        let killer = Task {
            // The nodes and nginx start in a few seconds; the run publishes for 6 s after that.
            try await Task.sleep(for: .seconds(6))
            await redis.kill()
        }
        defer { killer.cancel() }
        let run = try Self.run(["--transport", "websocket", "--nodes", "2", "--redis", redis.url, "--clients", "2", "--duration", "6", "--rate", "20"])
        defer { try? FileManager.default.removeItem(at: run.folder) }
        _ = await killer.result
        #expect(run.status == 1, "\(run.stderr)")
        let row = try #require(run.rows["websocket"])
        let scaleOut = try #require(row["scaleOut"] as? [String: Any])
        let atPublish = (scaleOut["lostAtPublish"] as? [[UInt64]] ?? []).map { $0[0]...$0[1] }
        #expect(!atPublish.isEmpty, "the publisher's PUBLISH failed once Redis was gone")
        // Every sequence a client missed is one the backplane names as lost.
        let missing = try #require(row["lostSequences"] as? [String])
        #expect(!missing.isEmpty)
        for line in missing {
            for range in line.split(separator: ":")[1].split(separator: ",") {
                let bounds = range.trimmingCharacters(in: .whitespaces).split(separator: "-").compactMap { UInt64($0) }
                guard let first = bounds.first else { continue }
                #expect(atPublish.contains { $0.contains(first) && $0.contains(bounds.last!) }, "\(line)")
            }
        }
        let report = try String(contentsOf: run.folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("the backplane lost sequences"))
        let nodes = try #require(scaleOut["nodes"] as? [[String: Any]])
        for node in nodes {
            let feed = try #require(node["backplane"] as? [String: Any])
            #expect((feed["disconnects"] as? Int ?? 0) >= 1, "every node noticed its subscription drop")
        }
    }
}
