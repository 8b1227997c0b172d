import BenchCore
import BenchServer
import NIOCore
import NIOWebSocket

/// Writes one subscription's MESSAGE frames, one WebSocket message each (as brokers and
/// stomp.js do): text frames for JSON, binary frames for protobuf (STOMP bodies may be binary:
/// `content-length` says where they end).
///
/// Headers, in order: `subscription`, `message-id` (the event's sequence), `destination`,
/// `content-type`, `content-length`, and `ack` (the sequence again) when the subscription
/// acknowledges. A gap notice is a MESSAGE with an empty body whose `x-gap` header says
/// `FIRST-LAST` (``GapNotice``) and whose `message-id` is `gap-FIRST-LAST`.
struct StompMessageWriter: Sendable {
    /// The header the gap notice's range travels in.
    static let gapHeader = "x-gap"

    private let opcode: WebSocketOpcode
    private let encoding: Encoding
    private let needsAck: Bool
    /// `MESSAGE`, `subscription:ID` and the `message-id` header's name.
    private let opening: String
    /// `destination` and `content-type`, and the `content-length` header's name.
    private let middle: String
    /// The `destination` header line.
    private let destinationLine: String

    init(subscription: StompServerSession.Subscription, encoding: Encoding) {
        opcode = WebSocketFrame.dataOpcode(for: encoding)
        self.encoding = encoding
        needsAck = subscription.ack.needsAck
        opening = "MESSAGE\nsubscription:\(StompFrame.escape(subscription.id))\nmessage-id:"
        destinationLine = "\ndestination:\(StompServerSession.destination)"
        middle = destinationLine + "\ncontent-type:\(EventCodec.batchContentType(encoding))\ncontent-length:"
    }

    /// The MESSAGE frame of `stored` as a WebSocket frame, and its framing bytes (all but the body).
    func message(_ stored: EventHub.StoredEvent, allocator: ByteBufferAllocator) -> (frame: WebSocketFrame, framingBytes: Int) {
        let body = stored.body(encoding)!
        let sequence = stored.event.sequence
        var buffer = allocator.buffer(capacity: opening.utf8.count + middle.utf8.count + 48 + body.readableBytes)
        buffer.writeString(opening)
        buffer.writeString(String(sequence))
        buffer.writeString(middle)
        buffer.writeString(String(body.readableBytes))
        if needsAck {
            buffer.writeString("\nack:")
            buffer.writeString(String(sequence))
        }
        buffer.writeString("\n\n")
        let framing = buffer.readableBytes + 1
        buffer.writeImmutableBuffer(body)
        buffer.writeInteger(UInt8(0))
        return (WebSocketFrame(fin: true, opcode: opcode, data: buffer), framing)
    }

    /// The gap notice for `gap` as a text frame, all of it framing.
    func gapNotice(_ gap: ClosedRange<UInt64>) -> (frame: WebSocketFrame, framingBytes: Int) {
        let range = GapNotice.text(gap)
        var text = opening + "gap-" + range + destinationLine + "\n\(Self.gapHeader):\(range)\ncontent-length:0"
        if needsAck { text += "\nack:gap-" + range }
        text += "\n\n\0"
        return (WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text)), text.utf8.count)
    }
}
