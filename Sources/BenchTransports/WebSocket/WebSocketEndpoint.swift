import BenchCore
import BenchServer
import NIOCore
import NIOWebSocket
import Synchronization

/// WebSocket's server half on `/ws`, upgraded by SwiftNIO's typed upgrader (RFC 6455).
///
/// Query parameters choose the workload:
/// - `mode=push` (default): events from the hub as text frames (JSON) or binary frames, after
///   `after=N`; with `heartbeat=MS` a ping after every idle interval. A gap in the retention
///   window is announced as the text frame `gap FIRST-LAST`.
/// - `mode=echo`: every data frame is sent back with the same opcode and payload, by a
///   ``WebSocketEchoHandler`` on the connection's event loop (no task between the read and the
///   write, as an echo server written for speed would do it).
/// - `mode=upload&client=N`: every data frame is decoded as an event and recorded in the
///   server's ``UploadRegistry`` for client N.
///
/// Pings are answered with pongs; a close frame is answered with a close frame carrying the same
/// code. When the run ends the server sends close 1001 (going away) and waits for the client's
/// close before closing TCP.
///
/// Slow clients: each connection has its own task and cursor, and writes wait for the socket
/// (NIO's write-buffer watermarks), so a client that stops reading holds back only itself; it
/// falls behind, and once its cursor leaves the retention window it is sent a gap notice and the
/// run reports the events it missed.
public struct WebSocketEndpoint: WebSocketRoute {
    public let transport = TransportKind.webSocket
    public let path = "/ws"
    /// How long the server waits for the client's close frame after sending its own.
    public var closeTimeout: Duration = .seconds(2)

    public init() {}

    /// An echo connection with valid parameters gets its echo on the event loop.
    public func frameHandlers(for request: HTTPRequest, configuration: ServerConfiguration) -> [any ChannelHandler] {
        guard let parameters = try? Parameters(request, configuration: configuration), parameters.direction == .echo else { return [] }
        return [WebSocketEchoHandler()]
    }

    public func serve(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, request: HTTPRequest, context: EndpointContext) async throws {
        let parsed = Result { () throws(HTTPRequestError) in try Parameters(request, configuration: context.configuration) }
        try await channel.executeThenClose { inbound, outbound in
            let parameters: Parameters
            switch parsed {
            case .success(let value): parameters = value
            case .failure(let error): return try await WebSocketServerSession.refuse(reason: error.message, outbound)
            }
            let session = WebSocketServerSession(closeTimeout: closeTimeout)
            var pusher: (@Sendable () async -> Void)?
            if parameters.direction == .push {
                pusher = { await pushEvents(channel.channel, parameters: parameters, context: context, closeSent: session.closeSent) }
            }
            try await session.run(
                reader: { try await readFrames(inbound, outbound, parameters: parameters, context: context, session: session) },
                pusher: pusher
            )
        }
    }

    struct Parameters: Sendable {
        var direction: Direction
        var encoding: Encoding
        var cursor: UInt64
        var heartbeat: TimeAmount?
        var client: Int?

        init(_ request: HTTPRequest, configuration: ServerConfiguration) throws(HTTPRequestError) {
            (cursor, encoding) = try PollResponse.parameters(request, configuration: configuration)
            guard let direction = Direction(rawValue: request.query["mode"] ?? "push") else {
                throw HTTPRequestError(message: "mode must be push, echo or upload")
            }
            self.direction = direction
            heartbeat = try request.unsignedParameter("heartbeat").map { TimeAmount.milliseconds(Int64($0)) }
            client = try request.unsignedParameter("client").map { Int($0) }
            if direction == .upload && client == nil {
                throw HTTPRequestError(message: "mode=upload needs client=N")
            }
        }
    }

    private func readFrames(
        _ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        parameters: Parameters,
        context: EndpointContext,
        session: WebSocketServerSession
    ) async throws {
        let codec = EventCodec(parameters.encoding)
        let upload = parameters.client.map { context.uploads.session(for: $0) }
        for try await frame in inbound {
            switch frame.opcode {
            case .text, .binary:
                if frame.opcode == .text, let code = WebSocketFrameRules.violation(textMessage: frame.unmaskedData) {
                    return try await session.close(code, outbound)
                }
                // Echo connections' data frames are answered by the WebSocketEchoHandler.
                if parameters.direction == .upload {
                    let event = try codec.decode(frame.unmaskedData)
                    upload?.record(event, receivedAt: MonotonicClock.nowNanoseconds())
                }
            default:
                if try await session.answerControlFrame(frame, outbound) { return }
            }
        }
    }

    /// Writes each batch from the connection's event loop as it is published (text frames for
    /// JSON, binary for protobuf, a gap notice first), a ping after every idle heartbeat interval,
    /// and close 1001 when the run ends.
    private func pushEvents(_ channel: any Channel, parameters: Parameters, context: EndpointContext, closeSent: CloseFlag) async {
        let opcode = WebSocketFrame.dataOpcode(for: parameters.encoding)
        let (encoding, meter) = (parameters.encoding, context.meter)
        await context.hub.stream(after: parameters.cursor, heartbeat: parameters.heartbeat, to: channel) { batch in
            switch batch.reason {
            case .finished:
                if !closeSent.set() { channel.writeAndFlush(WebSocketFrame.close(.goingAway, masked: false), promise: nil) }
                return nil
            case .cancelled:
                return nil
            case .timedOut:
                meter.countHeartbeat()
                return channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer()))
            case .available:
                var frames = batch.events.map { WebSocketFrame(fin: true, opcode: opcode, data: $0.body(encoding)!) }
                if let gap = batch.gap {
                    frames.insert(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: WebSocketFrame.gapNotice(gap))), at: 0)
                }
                // One flush for the batch, as the task's writer did.
                for frame in frames.dropLast() { channel.write(frame, promise: nil) }
                return channel.writeAndFlush(frames.last!)
            }
        }
    }
}

/// Sends every valid data frame back with the same opcode and payload, unmasked, on the event
/// loop that read it. Anything else goes on to the connection's task: control frames, and a text
/// frame that is not UTF-8, which the task answers with close 1007 — after which, as after a
/// close frame, nothing more is echoed (RFC 6455 §5.5.1: no data after a close).
final class WebSocketEchoHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let isData = frame.opcode == .binary || frame.opcode == .text
        if frame.opcode == .connectionClose || (frame.opcode == .text && WebSocketFrameRules.violation(textMessage: frame.unmaskedData) != nil) {
            closing = true
        }
        guard isData && !closing else {
            context.fireChannelRead(data)
            return
        }
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: frame.opcode, data: frame.unmaskedData)), promise: nil)
    }
}

@available(*, unavailable)
extension WebSocketEchoHandler: Sendable {}

/// A flag a connection's tasks set once and share: whether this side has sent its close frame,
/// whether a subscription was cancelled.
final class CloseFlag: Sendable {
    private let sent = Atomic<Bool>(false)

    /// Sets the flag; returns whether it already was set.
    func set() -> Bool { sent.exchange(true, ordering: .relaxed) }

    /// Whether the flag is set.
    var isSet: Bool { sent.load(ordering: .relaxed) }
}

extension WebSocketFrame {
    /// Text frames for JSON, binary frames for binary encodings.
    static func dataOpcode(for encoding: Encoding) -> WebSocketOpcode {
        switch encoding {
        case .json: .text
        case .protobuf: .binary
        }
    }

    /// A close frame with `code`; client frames are masked (RFC 6455 §5.3).
    static func close(_ code: WebSocketErrorCode, masked: Bool) -> WebSocketFrame {
        var data = ByteBuffer()
        data.write(webSocketErrorCode: code)
        return WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: masked ? .random() : nil, data: data)
    }

    static let gapPrefix = "gap "

    static func gapNotice(_ gap: ClosedRange<UInt64>) -> String {
        gapPrefix + GapNotice.text(gap)
    }

    /// The gap a `gap FIRST-LAST` text frame announces, or `nil` for any other frame.
    var announcedGap: ClosedRange<UInt64>? {
        guard opcode == .text else { return nil }
        let text = String(buffer: unmaskedData)
        guard text.hasPrefix(Self.gapPrefix) else { return nil }
        return GapNotice.parse(text.dropFirst(Self.gapPrefix.count))
    }
}
