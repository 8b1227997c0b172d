import BenchCore
import NIOCore
import NIOWebSocket

/// Sequential round trips through the harness's WebSocket stack: one client connection sends a
/// masked binary frame to the server's echo endpoint and waits for it to come back before
/// sending the next — the round trip `bench baseline` sets against the raw TCP floor.
public enum WebSocketPingPong {
    /// The loopback server's echo endpoint, as `bench serve` offers it.
    public static let echoPath = "/ws?mode=echo&encoding=protobuf&client=0"

    /// Times `count` round trips of `messageBytes`-byte frames after `warmup` untimed ones, to
    /// any WebSocket server that echoes binary frames at `path`.
    public static func measure(
        host: String, port: Int, path: String = echoPath, count: Int, warmup: Int, messageBytes: Int
    ) async throws -> (LatencyHistogram, seconds: Double) {
        let target = ClientTarget(host: host, port: port, clientIndex: 0, scenario: .defaults)
        let channel = try await WebSocketConnection.connect(to: target, uri: path)
        var histogram = LatencyHistogram()
        var elapsed = 0.0
        try await channel.executeThenClose { inbound, outbound in
            var frames = inbound.makeAsyncIterator()
            let payload = ByteBuffer(repeating: 0x42, count: messageBytes)
            var start = MonotonicClock.nowNanoseconds()
            for index in 0..<(warmup + count) {
                if index == warmup { start = MonotonicClock.nowNanoseconds() }
                let sent = MonotonicClock.nowNanoseconds()
                try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: payload))
                guard let echo = try await frames.next(), echo.opcode == .binary, echo.unmaskedData.readableBytes == messageBytes else {
                    throw BenchError.runFailed("the echo endpoint did not send the frame back")
                }
                if index >= warmup { histogram.record(nanoseconds: MonotonicClock.nowNanoseconds() - sent) }
            }
            elapsed = Double(MonotonicClock.nowNanoseconds() - start) / 1e9
            try await outbound.write(WebSocketFrame.close(.normalClosure, masked: true))
        }
        return (histogram, elapsed)
    }
}


/// Counts what a WebSocket server pushes on one connection: how fast `count` data frames
/// arrive, whatever they hold (the same measure the peer scripts' clients take).
public enum WebSocketPushCounter {
    /// Seconds from the first data frame to the `count`-th.
    public static func measure(host: String, port: Int, path: String, count: Int) async throws -> Double {
        let target = ClientTarget(host: host, port: port, clientIndex: 0, scenario: .defaults)
        let channel = try await WebSocketConnection.connect(to: target, uri: path)
        var seconds = 0.0
        try await channel.executeThenClose { inbound, outbound in
            var received = 0
            var start: UInt64 = 0
            for try await frame in inbound where frame.opcode == .binary || frame.opcode == .text {
                if received == 0 { start = MonotonicClock.nowNanoseconds() }
                received += 1
                if received == count { break }
            }
            guard received == count else { throw BenchError.runFailed("the server closed after \(received) of \(count) messages") }
            seconds = Double(MonotonicClock.nowNanoseconds() - start) / 1e9
            try await outbound.write(WebSocketFrame.close(.normalClosure, masked: true))
        }
        return seconds
    }
}
