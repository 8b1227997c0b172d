import BenchCore
import Foundation
import Testing

@testable import BenchRedis

@Suite("RedisServer", .serialized, .timeLimit(.minutes(1)))
struct RedisServerTests {
    @Test("it answers PING at its URL, keeps its port across a restart and is gone after stop")
    func lifecycle() async throws {
        let server = try await RedisServer.start()
        #expect(server.url == "redis://127.0.0.1:\(server.port)")
        var redis = try await RedisConnection.connect(to: server.endpoint)
        #expect(try await redis.send("SET", "k", "v") == .simpleString("OK"))
        await redis.close()

        try await server.restart()
        // restart() ended the first process with SIGTERM, which Redis logs (it would not see a
        // signal its process had blocked).
        let log = try String(contentsOf: server.logFile, encoding: .utf8)
        #expect(log.contains("Received SIGTERM scheduling shutdown"))
        redis = try await RedisConnection.connect(to: server.endpoint)
        // No persistence: the restarted server starts empty.
        #expect(try await redis.send("GET", "k") == .bulkString(nil))
        await redis.close()

        await server.stop()
        let error = try await #require(throws: BenchError.self) { try await RedisConnection.connect(to: server.endpoint) }
        #expect(error.message == "cannot reach Redis at \(server.url): connection refused")
    }

    @Test("the configuration binds loopback only and persists nothing")
    func configuration() {
        let text = RedisServer.configuration(
            port: 7000, directory: URL(fileURLWithPath: "/tmp/r"), log: URL(fileURLWithPath: "/tmp/r/redis.log"))
        #expect(
            text == """
                bind 127.0.0.1
                port 7000
                daemonize no
                save ""
                appendonly no
                dir "/tmp/r"
                logfile "/tmp/r/redis.log"

                """)
    }

    @Test("a missing redis-server is a usage error saying to install Debian's package")
    func missingBinary() async throws {
        let error = try await #require(throws: BenchError.self) { try await RedisServer.start(executable: "redis-server-not-installed") }
        #expect(error.code == .usage)
        #expect(
            error.message
                == "cannot find `redis-server-not-installed`; install Debian's redis-server package (apt-get install redis-server)")
    }

    @Test("a free port is one nothing listens on")
    func freePort() async throws {
        let port = try RedisServer.freeLoopbackPort()
        #expect((1024...65535).contains(port))
        let error = try await #require(throws: BenchError.self) {
            try await RedisConnection.connect(to: RedisEndpoint(host: "127.0.0.1", port: port))
        }
        #expect(error.message == "cannot reach Redis at redis://127.0.0.1:\(port): connection refused")
    }
}
