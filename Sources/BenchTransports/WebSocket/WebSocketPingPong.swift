import BenchCore
import BenchTLS
import NIOCore
import NIOPosix
import NIOWebSocket

/// Sequential round trips through the harness's WebSocket stack: one client connection sends a
/// masked binary frame to the server's echo endpoint and waits for it to come back before
/// sending the next — the round trip `bench baseline` sets against the raw TCP floor.
///
/// Two ways to drive the same connection (the same upgrade, NIO's frame codec, masking):
/// - ``Driver/eventLoop``: a ``PingPongHandler`` on the channel's event loop sends the next
///   frame from the read of the echo — what a latency tool written for speed does;
/// - ``Driver/task``: a Swift task writes each frame and awaits the echo through
///   `NIOAsyncChannel`, as `bench run`'s clients do, paying two hops between the event loop and
///   the task pool per round trip.
public enum WebSocketPingPong {
    /// The loopback server's echo endpoint, as `bench serve` offers it.
    public static let echoPath = "/ws?mode=echo&encoding=protobuf&client=0"

    public enum Driver: String, Sendable, CaseIterable {
        case eventLoop = "event-loop"
        case task
    }

    /// Times `count` round trips of `messageBytes`-byte frames after `warmup` untimed ones, to
    /// any WebSocket server that echoes binary frames at `path`; over TLS (`wss://`) when `tls`
    /// is given, the handshake done before the first frame.
    public static func measure(
        host: String, port: Int, path: String = echoPath, count: Int, warmup: Int, messageBytes: Int, driver: Driver = .eventLoop,
        tls: ClientTLS? = nil
    ) async throws -> (LatencyHistogram, seconds: Double) {
        let target = ClientTarget(host: host, port: port, clientIndex: 0, scenario: .defaults, tls: tls)
        let payload = ByteBuffer(repeating: 0x42, count: messageBytes)
        switch driver {
        case .eventLoop:
            // A thread of its own, as the floor's client has: on a thread the server also
            // uses, a round trip would need no wake-up at all and could beat the floor.
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            defer { group.shutdownGracefully { _ in } }
            let done = group.next().makePromise(of: PingPongHandler.Outcome.self)
            let channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
            do {
                channel = try await WebSocketConnection.connect(to: target, uri: path, group: group) {
                    [PingPongHandler(payload: payload, count: count, warmup: warmup, done: done)]
                }
            } catch {
                // No handler will complete it (the upgrade failed, or TLS did): NIO traps on a promise left pending.
                done.fail(error)
                throw error
            }
            return try await channel.executeThenClose { _, outbound in
                channel.channel.pipeline.fireUserInboundEventTriggered(PingPongHandler.Start())
                let outcome = try await done.futureResult.get()
                try await outbound.write(WebSocketFrame.close(.normalClosure, masked: true))
                return (outcome.histogram, outcome.seconds)
            }
        case .task:
            let channel = try await WebSocketConnection.connect(to: target, uri: path)
            return try await channel.executeThenClose { inbound, outbound in
                var histogram = LatencyHistogram()
                var keys = MaskingKeys()
                var frames = inbound.makeAsyncIterator()
                var start = MonotonicClock.nowNanoseconds()
                for index in 0..<(warmup + count) {
                    if index == warmup { start = MonotonicClock.nowNanoseconds() }
                    let sent = MonotonicClock.nowNanoseconds()
                    try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: keys.next(), data: payload))
                    guard let echo = try await frames.next(), PingPongHandler.isEcho(echo, of: messageBytes) else {
                        throw PingPongHandler.notEchoed
                    }
                    if index >= warmup { histogram.record(nanoseconds: MonotonicClock.nowNanoseconds() - sent) }
                }
                let seconds = Double(MonotonicClock.nowNanoseconds() - start) / 1e9
                try await outbound.write(WebSocketFrame.close(.normalClosure, masked: true))
                return (histogram, seconds)
            }
        }
    }
}

/// Drives round trips from the event loop: on ``Start`` it sends the first frame, and each echo
/// read is timed and answered with the next frame in the same call; after `warmup + count` echoes
/// it fulfils `done`. Frames other than the echo (a close, a ping) fail the measurement.
final class PingPongHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Start: Sendable {}
    struct Outcome: Sendable {
        var histogram: LatencyHistogram
        var seconds: Double
    }

    static let notEchoed = BenchError.runFailed("the echo endpoint did not send the frame back")

    static func isEcho(_ frame: WebSocketFrame, of messageBytes: Int) -> Bool {
        frame.opcode == .binary && frame.unmaskedData.readableBytes == messageBytes
    }

    private let payload: ByteBuffer
    private let count: Int
    private let warmup: Int
    private let done: EventLoopPromise<Outcome>
    private var histogram = LatencyHistogram()
    private var completed = 0
    private var sent: UInt64 = 0
    private var start: UInt64 = 0
    private var finished = false
    private var keys = MaskingKeys()

    init(payload: ByteBuffer, count: Int, warmup: Int, done: EventLoopPromise<Outcome>) {
        (self.payload, self.count, self.warmup, self.done) = (payload, count, warmup, done)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is Start else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        start = MonotonicClock.nowNanoseconds()
        send(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = MonotonicClock.nowNanoseconds()
        guard !finished else {
            context.fireChannelRead(data)
            return
        }
        guard Self.isEcho(unwrapInboundIn(data), of: payload.readableBytes) else {
            finish(.failure(Self.notEchoed))
            context.fireChannelRead(data)
            return
        }
        completed += 1
        if completed > warmup { histogram.record(nanoseconds: now - sent) }
        if completed == warmup { start = now }
        if completed == warmup + count {
            finish(.success(Outcome(histogram: histogram, seconds: Double(now - start) / 1e9)))
        } else {
            send(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(Self.notEchoed))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    private func send(context: ChannelHandlerContext) {
        sent = MonotonicClock.nowNanoseconds()
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, maskKey: keys.next(), data: payload)), promise: nil)
    }

    private func finish(_ result: Result<Outcome, any Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
    }
}

@available(*, unavailable)
extension PingPongHandler: Sendable {}


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
