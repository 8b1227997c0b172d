import BenchCore
import NIOCore
import Synchronization

@testable import BenchRedis

/// Runs `body` with a fresh redis-server and stops it afterwards, also when `body` throws.
func withRedisServer<T: Sendable>(_ body: (RedisServer) async throws -> T) async throws -> T {
    let server = try await RedisServer.start()
    do {
        let value = try await body(server)
        await server.stop()
        return value
    } catch {
        await server.stop()
        throw error
    }
}

/// What a subscriber's callbacks received, readable from the test.
final class SubscriberLog: Sendable {
    private let state = Mutex<(payloads: [String], events: [RedisSubscriber.Event])>(([], []))

    var payloads: [String] { state.withLock { $0.payloads } }
    var events: [RedisSubscriber.Event] { state.withLock { $0.events } }

    func message(_ payload: ByteBuffer, _ readNanoseconds: UInt64) {
        state.withLock { $0.payloads.append(String(buffer: payload)) }
    }

    func event(_ event: RedisSubscriber.Event) {
        state.withLock { $0.events.append(event) }
    }

    /// Waits until `condition` holds (checked every 10 ms); the suite's time limit bounds it.
    func wait(until condition: (SubscriberLog) -> Bool) async throws {
        while !condition(self) { try await Task.sleep(for: .milliseconds(10)) }
    }
}

extension RedisConnection {
    /// `INFO stats`'s `total_net_input_bytes` and `total_net_output_bytes`, and how many bytes
    /// the reply's bulk string took on the wire (`$LEN\r\n` + LEN + `\r\n`).
    func netStats() async throws -> (input: Int, output: Int, replyBytes: Int) {
        let reply = try await send("INFO", "stats")
        guard case .bulkString(let body?) = reply else { throw RedisError(message: "INFO answered \(reply)") }
        var fields: [Substring: Int] = [:]
        let text = String(buffer: body)
        for line in text.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1]) { fields[parts[0]] = value }
        }
        let length = body.readableBytes
        return (fields["total_net_input_bytes"]!, fields["total_net_output_bytes"]!, 1 + String(length).count + 2 + length + 2)
    }
}

/// `7` as `007`: payloads of one length, so every message's bytes are the same.
func threeDigits(_ number: Int) -> String {
    let digits = String(number)
    return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
}
