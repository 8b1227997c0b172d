import BenchCore
import NIOCore
import Testing

@testable import BenchRedis

/// Against a real redis-server (Debian's), started on a free loopback port for each test.
@Suite("RedisConnection", .serialized, .timeLimit(.minutes(1)))
struct RedisConnectionTests {
    @Test("PUBLISH's 36 bytes and its 4-byte reply are what the connection counts")
    func countsPublish() async throws {
        try await withRedisServer { server in
            let redis = try await RedisConnection.connect(to: server.endpoint)
            let reply = try await redis.send(.publish(channel: "tb", payload: ByteBuffer(string: "hello")))
            // *3\r\n $7\r\nPUBLISH\r\n $2\r\ntb\r\n $5\r\nhello\r\n: 4 + 13 + 8 + 11 = 36 bytes;
            // no subscriber, so :0\r\n, 4 bytes.
            #expect(reply == .integer(0))
            #expect(redis.bytesWritten == 36)
            #expect(redis.bytesRead == 4)
            await redis.close()
        }
    }

    @Test("pipelined commands get their own replies, in order")
    func pipelining() async throws {
        try await withRedisServer { server in
            let redis = try await RedisConnection.connect(to: server.endpoint)
            let futures = (1...50).map { _ in redis.submit(RESPCommand("INCR", "n")) }
            var replies: [Int64] = []
            for future in futures { replies.append(try await future.get().integer ?? -1) }
            #expect(replies == Array(1...50))
            #expect(try await redis.send("GET", "n") == .bulkString(ByteBuffer(string: "50")))
            await redis.close()
        }
    }

    @Test("the connection's and the subscriber's byte counts agree with Redis's INFO stats")
    func agreesWithRedis() async throws {
        try await withRedisServer { server in
            let log = SubscriberLog()
            let subscriber = try await RedisSubscriber.subscribe(to: server.endpoint, channel: "tb", onMessage: log.message)
            let redis = try await RedisConnection.connect(to: server.endpoint)
            let count = 20
            let readBefore = redis.bytesRead
            let subscriberReadBefore = subscriber.bytesRead
            let first = try await redis.netStats()
            let written = redis.bytesWritten
            for index in 0..<count {
                _ = try await redis.send(.publish(channel: "tb", payload: ByteBuffer(string: threeDigits(index))))
            }
            try await log.wait { $0.payloads.count == count }
            let readBetween = redis.bytesRead - readBefore
            let subscriberReadBetween = subscriber.bytesRead - subscriberReadBefore
            let second = try await redis.netStats()

            // Redis counts a command's bytes when it reads it, and a reply's when it writes it:
            // INFO's snapshot holds its own command but not its own reply. Between the two:
            // in: 20 PUBLISHes of 34 bytes (*3\r\n $7\r\nPUBLISH\r\n $2\r\ntb\r\n $3\r\nNNN\r\n) and
            //     the second INFO stats (*2\r\n $4\r\nINFO\r\n $5\r\nstats\r\n, 25 bytes);
            // out: the first INFO's reply, 20 × :1\r\n (4 bytes) and 20 pushes of 34 bytes
            //      (*3\r\n $7\r\nmessage\r\n $2\r\ntb\r\n $3\r\nNNN\r\n).
            #expect(second.input - first.input == count * 34 + 25)
            #expect(second.output - first.output == first.replyBytes + count * (4 + 34))
            // The same from the client side: what it wrote since the first INFO went out, and
            // what both connections read from the first INFO's reply up to the second INFO.
            #expect(redis.bytesWritten - written == second.input - first.input)
            #expect(readBetween + subscriberReadBetween == second.output - first.output)
            await redis.close()
            await subscriber.stop()
        }
    }

    @Test("an error reply throws Redis's own text")
    func errorReply() async throws {
        try await withRedisServer { server in
            let redis = try await RedisConnection.connect(to: server.endpoint)
            await #expect(throws: RedisError(message: "ERR wrong number of arguments for 'get' command")) {
                try await redis.send("GET")
            }
            // The connection still works after an error reply.
            #expect(try await redis.send("PING") == .simpleString("PONG"))
            await redis.close()
        }
    }

    @Test("a port nothing listens on fails with one sentence naming the URL")
    func unreachable() async throws {
        let error = try await #require(throws: BenchError.self) {
            try await RedisConnection.connect(to: RedisEndpoint(url: "redis://127.0.0.1:1"))
        }
        #expect(error.code == .usage)
        #expect(error.description == "cannot reach Redis at redis://127.0.0.1:1: connection refused")
    }

    @Test("a command after Redis went away fails naming the URL")
    func lostConnection() async throws {
        try await withRedisServer { server in
            let redis = try await RedisConnection.connect(to: server.endpoint)
            await server.kill()
            let error = try await #require(throws: BenchError.self) { try await redis.send("PING") }
            #expect(error.message.hasPrefix("lost the connection to Redis at \(server.url): "))
            await redis.close()
        }
    }
}
