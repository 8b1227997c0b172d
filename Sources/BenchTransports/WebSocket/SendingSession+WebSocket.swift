import BenchCore
import NIOCore
import NIOWebSocket

/// Echo and upload over a WebSocket connection: masked data frames, and the close handshake
/// that ends the connection.
extension SendingSession {
    /// Echo: sends on the schedule while receiving the echoes; returns true after a close handshake.
    func echo(
        _ frames: inout NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        recorder: inout DeliveryRecorder
    ) async throws -> Bool {
        let start = await target.startGate.wait()
        let codec = EventCodec(target.scenario.encoding)
        let count = schedule.offsetsNanoseconds.count
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await send(start: start, write: webSocketWriter(outbound)) { _, _, _ in } }
            while recorder.ledger.delivered < count {
                guard let frame = try await frames.next() else {
                    group.cancelAll()
                    return false
                }
                switch frame.opcode {
                case .text, .binary:
                    try deliverEcho(frame.unmaskedData, codec: codec, start: start, recorder: &recorder)
                default:
                    if try await WebSocketClient.answerControlFrame(frame, outbound) {
                        group.cancelAll()
                        return true
                    }
                }
            }
            try await group.waitForAll()
            return try await closeHandshake(&frames, outbound)
        }
    }

    /// Upload: sends on the schedule, noting when each event was due and when it left; returns
    /// true after a close handshake.
    func upload(
        _ frames: inout NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        recorder: inout DeliveryRecorder
    ) async throws -> Bool {
        let start = await target.startGate.wait()
        try await send(start: start, write: webSocketWriter(outbound)) { event, bodySize, scheduledAt in
            recorder.noteSent(sequence: event.sequence, bodySize: bodySize, scheduledAt: scheduledAt, sentAt: event.publishedAt)
        }
        return try await closeHandshake(&frames, outbound)
    }

    /// Writes a body as a masked data frame (RFC 6455 §5.3), its key from ``MaskingKeys``.
    private func webSocketWriter(_ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) -> (ByteBuffer) async throws -> Void {
        let opcode = WebSocketFrame.dataOpcode(for: target.scenario.encoding)
        var keys = MaskingKeys()
        return { body in try await outbound.write(WebSocketFrame(fin: true, opcode: opcode, maskKey: keys.next(), data: body)) }
    }

    /// Sends close 1000 and reads until the server's close (answering pings on the way).
    private func closeHandshake(
        _ frames: inout NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    ) async throws -> Bool {
        try await outbound.write(WebSocketFrame.close(.normalClosure, masked: true))
        while let frame = try await frames.next() {
            switch frame.opcode {
            case .connectionClose: return true
            case .ping: try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
            default: continue
            }
        }
        return true
    }
}
