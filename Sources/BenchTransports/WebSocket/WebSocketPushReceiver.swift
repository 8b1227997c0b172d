import BenchCore
import NIOCore
import NIOWebSocket

/// WebSocket's push receiver on the event loop: decodes each data frame and records its event in
/// the read that brought it (``Arrivals``), as arrived when that read came off the socket
/// (``ArrivalClock``), answers pings with pongs and the server's close with
/// a close (RFC 6455 §5.5), and then closes the connection.
///
/// It sits behind the frame aggregator and consumes every frame; the task that opened the
/// connection only waits for it to end and reads how it ended in ``Resume/closedCleanly``.
final class WebSocketPushReceiver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What a push client resumes from, and how its last connection ended.
    struct Resume: Sendable {
        /// The highest sequence received or skipped (after an announced gap).
        var cursor: UInt64 = 0
        /// Whether the connection ended with the close handshake; cleared for each new connection.
        var closedCleanly = false
    }

    private let codec: EventCodec
    private let arrivals: Arrivals<Resume>
    /// When the connection's reads came off the socket.
    private let arrival: ArrivalClock

    init(codec: EventCodec, arrivals: Arrivals<Resume>, arrival: ArrivalClock) {
        (self.codec, self.arrivals, self.arrival) = (codec, arrivals, arrival)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            if let gap = frame.announcedGap {
                arrivals.record { state in
                    state.recorder.ledger.recordAnnouncedGap(gap)
                    state.resume.cursor = Swift.max(state.resume.cursor, gap.upperBound)
                }
                return
            }
            do {
                let event = try codec.decode(frame.unmaskedData)
                let receivedAt = arrival.lastRead
                arrivals.record { state in
                    state.recorder.deliver(event, receivedAt: receivedAt)
                    state.resume.cursor = Swift.max(state.resume.cursor, event.sequence)
                    state.progressed = true
                }
            } catch {
                context.fireErrorCaught(error)
                context.close(promise: nil)
            }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readSlice(length: 2) ?? ByteBuffer()
            arrivals.record { $0.resume.closedCleanly = true }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)))
                .whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }
}

@available(*, unavailable)
extension WebSocketPushReceiver: Sendable {}
