import NIOCore
import NIOWebSocket

/// The life of one upgraded server connection, shared by the endpoints that speak WebSocket
/// (``WebSocketEndpoint``, ``StompEndpoint``): a reader task, a pusher task for push
/// connections, the close handshake (RFC 6455 §5.5.1) and how long it is waited for.
///
/// ```swift
/// let session = WebSocketServerSession(closeTimeout: .seconds(2))
/// try await session.run(reader: { … try await session.answerControlFrame(frame, outbound) … },
///                       pusher: { … session.closeSent.set() … })
/// ```
struct WebSocketServerSession: Sendable {
    /// Whether this side has sent its close frame; shared by the reader and the pusher.
    let closeSent = CloseFlag()
    /// How long the server waits for the client's close frame after sending its own.
    let closeTimeout: Duration

    private enum Role { case reader, pusher, closeTimer }

    /// Runs `reader` and `pusher` until the connection is over: when the reader ends (the
    /// client's close, the end of its stream, a refusal), or ``closeTimeout`` after the pusher
    /// ended having sent this side's close.
    func run(reader: @escaping @Sendable () async throws -> Void, pusher: (@Sendable () async -> Void)?) async throws {
        try await withThrowingTaskGroup(of: Role.self) { group in
            group.addTask {
                try await reader()
                return .reader
            }
            if let pusher {
                group.addTask {
                    await pusher()
                    return .pusher
                }
            }
            while let role = try await group.next() {
                switch role {
                case .reader, .closeTimer:
                    group.cancelAll()
                    return
                case .pusher:
                    // Close sent: wait for the client's close, but not forever.
                    guard closeSent.isSet else { continue }
                    group.addTask {
                        try? await Task.sleep(for: closeTimeout)
                        return .closeTimer
                    }
                }
            }
        }
    }

    /// Answers a control frame from the client: a pong for a ping; for a close, the same code
    /// back unless this side's close went first. Returns whether it was a close (the
    /// connection is over).
    func answerControlFrame(_ frame: WebSocketFrame, _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) async throws -> Bool {
        switch frame.opcode {
        case .ping:
            try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
            return false
        case .connectionClose:
            if !closeSent.set() {
                var data = frame.unmaskedData
                let code = data.readSlice(length: 2) ?? ByteBuffer()
                try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: code))
            }
            return true
        default:
            return false
        }
    }

    /// Sends this side's close with `code`, unless it was sent already.
    func close(_ code: WebSocketErrorCode, _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) async throws {
        if !closeSent.set() { try await outbound.write(WebSocketFrame.close(code, masked: false)) }
    }

    /// Refuses a connection whose upgrade request the endpoint cannot serve (the upgrade has
    /// already happened): a policy-violation close (1008) with the reason.
    static func refuse(reason: String, _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) async throws {
        var data = ByteBuffer()
        data.write(webSocketErrorCode: .policyViolation)
        data.writeString(String(reason.prefix(120)))
        try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
    }
}
