import BenchCore
import NIOCore
import NIOWebSocket

/// STOMP's push receiver on the event loop: subscribes once the server's CONNECTED arrives,
/// records each MESSAGE's event in the read that brought it (``Arrivals``, ``ArrivalClock``),
/// acknowledges as the subscription's ack mode asks, answers pings and the server's close, and
/// notes an ERROR frame for the task to report.
///
/// Acknowledgements: `client-individual` writes one ACK per message as it is read; `client` one
/// cumulative ACK per read, for the last message of it. Both are flushed when the read is done.
final class StompReceiver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What a STOMP client resumes from, and how its last connection ended.
    struct Resume: Sendable {
        /// The highest sequence received or skipped (after an announced gap).
        var cursor: UInt64 = 0
        /// Whether the connection ended with the close handshake; cleared for each new connection.
        var closedCleanly = false
        /// The `message` of an ERROR frame the server sent on the last connection.
        var serverError: String?
    }

    /// The subscription's `id`.
    static let subscriptionID = "0"

    private let codec: EventCodec
    private let ack: StompAckMode
    private let arrivals: Arrivals<Resume>
    private let arrival: ArrivalClock
    private var masks = MaskingKeys()
    /// The `ack` header of the last message read and not yet acknowledged (`client` mode).
    private var pendingAck: String?
    private var wrote = false

    init(codec: EventCodec, ack: StompAckMode, arrivals: Arrivals<Resume>, arrival: ArrivalClock) {
        (self.codec, self.ack, self.arrivals, self.arrival) = (codec, ack, arrivals, arrival)
    }

    /// The SUBSCRIBE frame for a client that has every event up to `cursor`.
    static func subscribe(after cursor: UInt64, ack: StompAckMode) -> StompFrame {
        var frame = StompFrame(.subscribe, ["id": subscriptionID, "destination": StompServerSession.destination])
        if ack != .auto { frame.headers.append(StompFrame.Header("ack", ack.rawValue)) }
        frame.headers.append(StompFrame.Header(StompServerSession.resumeHeader, String(cursor)))
        return frame
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            do {
                for case .frame(let stomp, _) in try StompParser.parse(frame.unmaskedData) { try receive(stomp, context: context) }
            } catch {
                context.fireErrorCaught(error)
                context.close(promise: nil)
            }
        case .ping:
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)), promise: nil)
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

    func channelReadComplete(context: ChannelHandlerContext) {
        if let id = pendingAck {
            pendingAck = nil
            send(StompFrame(.ack, ["id": id]), context: context)
        }
        if wrote {
            wrote = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    private func receive(_ frame: StompFrame, context: ChannelHandlerContext) throws {
        switch frame.command {
        case .connected:
            send(Self.subscribe(after: arrivals.resume.cursor, ack: ack), context: context)
        case .message:
            if let gap = frame[StompMessageWriter.gapHeader].flatMap(GapNotice.parse) {
                arrivals.record { state in
                    state.recorder.ledger.recordAnnouncedGap(gap)
                    state.resume.cursor = Swift.max(state.resume.cursor, gap.upperBound)
                }
            } else {
                let event = try codec.decode(frame.body)
                let receivedAt = arrival.lastRead
                arrivals.record { state in
                    state.recorder.deliver(event, receivedAt: receivedAt)
                    state.resume.cursor = Swift.max(state.resume.cursor, event.sequence)
                    state.progressed = true
                }
            }
            guard let id = frame["ack"] else { return }
            switch ack {
            case .auto: break
            case .client: pendingAck = id
            case .clientIndividual: send(StompFrame(.ack, ["id": id]), context: context)
            }
        case .error:
            let message = frame["message"] ?? "ERROR without a message"
            arrivals.record { $0.resume.serverError = message }
        default:
            break
        }
    }

    /// Writes `frame` in a masked text frame of its own; flushed when the read is done.
    private func send(_ frame: StompFrame, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: masks.next(), data: frame.bytes)), promise: nil)
        wrote = true
    }
}

@available(*, unavailable)
extension StompReceiver: Sendable {}
