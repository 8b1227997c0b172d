import BenchCore
import NIOCore
import NIOPosix
import Testing

@testable import BenchRedis

/// Against a real redis-server (Debian's), started on a free loopback port for each test.
@Suite("RedisSubscriber", .serialized, .timeLimit(.minutes(1)))
struct RedisSubscriberTests {
    @Test("two subscribers receive every message in order, and PUBLISH answers 2")
    func receivesInOrder() async throws {
        try await withRedisServer { server in
            let logs = [SubscriberLog(), SubscriberLog()]
            var subscribers: [RedisSubscriber] = []
            for log in logs {
                subscribers.append(try await RedisSubscriber.subscribe(to: server.endpoint, channel: "tb", onMessage: log.message))
            }
            let redis = try await RedisConnection.connect(to: server.endpoint)
            let count = 100
            let sent = (0..<count).map(threeDigits)
            for payload in sent {
                #expect(try await redis.send(.publish(channel: "tb", payload: ByteBuffer(string: payload))) == .integer(2))
            }
            for (log, subscriber) in zip(logs, subscribers) {
                try await log.wait { $0.payloads.count == count }
                #expect(log.payloads == sent)
                // SUBSCRIBE tb: *2\r\n $9\r\nSUBSCRIBE\r\n $2\r\ntb\r\n = 4 + 15 + 8 = 27 bytes out;
                // in: the confirmation *3\r\n $9\r\nsubscribe\r\n $2\r\ntb\r\n :N\r\n (31 bytes)
                // and 100 pushes *3\r\n $7\r\nmessage\r\n $2\r\ntb\r\n $3\r\nNNN\r\n (34 bytes each).
                #expect(subscriber.bytesWritten == 27)
                #expect(subscriber.bytesRead == 31 + count * 34)
                await subscriber.stop()
            }
            await redis.close()
        }
    }

    @Test("each message comes on the subscriber's event loop, with the time of its read")
    func onTheEventLoopWithReadTime() async throws {
        try await withRedisServer { server in
            let stamps = SubscriberLog()
            let before = MonotonicClock.nowNanoseconds()
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let subscriber = try await RedisSubscriber.subscribe(to: server.endpoint, channel: "tb", on: loop) { [stamps] payload, read in
                let onLoop = loop.inEventLoop
                stamps.message(ByteBuffer(string: "\(onLoop) \(read >= before) \(read <= MonotonicClock.nowNanoseconds())"), read)
            }
            let redis = try await RedisConnection.connect(to: server.endpoint)
            _ = try await redis.send(.publish(channel: "tb", payload: ByteBuffer(string: "x")))
            try await stamps.wait { $0.payloads.count == 1 }
            #expect(stamps.payloads == ["true true true"])
            await subscriber.stop()
            await redis.close()
        }
    }

    @Test("after Redis restarts, the subscriber reports the drop, subscribes again and receives what comes next")
    func reconnectsAfterRestart() async throws {
        try await withRedisServer { server in
            let log = SubscriberLog()
            let subscriber = try await RedisSubscriber.subscribe(
                to: server.endpoint, channel: "tb", onEvent: log.event, onMessage: log.message)
            var redis = try await RedisConnection.connect(to: server.endpoint)
            _ = try await redis.send(.publish(channel: "tb", payload: ByteBuffer(string: "before")))
            try await log.wait { $0.payloads == ["before"] }
            await redis.close()

            try await server.restart()
            try await log.wait { $0.events.contains(.resubscribed) }
            #expect(log.events == [.disconnected(reason: "Redis closed the connection"), .resubscribed])

            redis = try await RedisConnection.connect(to: server.endpoint)
            #expect(try await redis.send(.publish(channel: "tb", payload: ByteBuffer(string: "after"))) == .integer(1))
            try await log.wait { $0.payloads.count == 2 }
            #expect(log.payloads == ["before", "after"])
            await subscriber.stop()
            await redis.close()
        }
    }

    @Test("when Redis is killed and stays away, the subscriber reports the drop and then gives up, naming the URL")
    func givesUp() async throws {
        try await withRedisServer { server in
            let log = SubscriberLog()
            var configuration = RedisSubscriber.Configuration.defaults
            configuration.reconnectWithin = .milliseconds(300)
            let subscriber = try await RedisSubscriber.subscribe(
                to: server.endpoint, channel: "tb", configuration: configuration, onEvent: log.event, onMessage: log.message)
            await server.kill()
            try await log.wait { $0.events.count == 2 }
            #expect(log.events.first == .disconnected(reason: "Redis closed the connection"))
            #expect(
                log.events.last
                    == .gaveUp(
                        reason: "cannot reach Redis at \(server.url) again within 300 ms of losing the connection: connection refused"))
            await subscriber.stop()
        }
    }

    @Test("subscribing to a port nothing listens on fails with one sentence naming the URL")
    func unreachable() async throws {
        let error = try await #require(throws: BenchError.self) {
            try await RedisSubscriber.subscribe(to: RedisEndpoint(url: "redis://127.0.0.1:1"), channel: "tb") { _, _ in }
        }
        #expect(error.code == .usage)
        #expect(error.description == "cannot reach Redis at redis://127.0.0.1:1: connection refused")
    }
}
