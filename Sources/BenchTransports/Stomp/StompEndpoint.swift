import BenchCore
import BenchServer
import NIOCore
import NIOWebSocket

/// STOMP 1.2 over WebSocket's server half on `/stomp`: the upgrade agrees to the `v12.stomp`
/// subprotocol when offered, then ``StompServerSession`` answers the client's frames and one
/// subscription pushes the hub's events as MESSAGE frames (``StompMessageWriter``).
///
/// - The encoding is the upgrade's `encoding=` query parameter (JSON when absent), as on `/ws`.
/// - Heart-beats: the server offers `ServerConfiguration.offeredHeartbeat` in CONNECTED and, when
///   the negotiated interval is not 0, sends an EOL in a text frame of its own after every idle
///   interval (each counted with `ConnectionMeter.countHeartbeat()`).
/// - Bad input (``StompParser``, ``StompServerSession``): an ERROR frame with a `message`
///   header, then close 1002 (protocol error); the connection ends.
/// - The end of the run: close 1001, as on `/ws`; a DISCONNECT: its RECEIPT, then close 1000.
///
/// Every STOMP byte that is not a body — command and header lines, blank lines, NULs,
/// heart-beat EOLs, in both directions — is counted with `ConnectionMeter.countLayerFraming(_:)`,
/// so a report splits STOMP's overhead from WebSocket's.
public struct StompEndpoint: WebSocketRoute {
    public let transport = TransportKind.stomp
    public let path = "/stomp"
    /// How long the server waits for the client's close frame after sending its own.
    public var closeTimeout: Duration = .seconds(2)

    public init() {}

    public func subprotocol(offered: [String]) -> String? {
        offered.contains(StompFrame.subprotocol) ? StompFrame.subprotocol : nil
    }

    public func serve(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, request: HTTPRequest, context: EndpointContext)
        async throws
    {
        let parsed = Result { () throws(HTTPRequestError) in
            try PollResponse.parameters(request, configuration: context.configuration).encoding
        }
        try await channel.executeThenClose { inbound, outbound in
            let encoding: Encoding
            switch parsed {
            case .success(let value): encoding = value
            case .failure(let error): return try await WebSocketServerSession.refuse(reason: error.message, outbound)
            }
            let session = WebSocketServerSession(closeTimeout: closeTimeout)
            let unsubscribed = CloseFlag()
            let (subscriptions, subscribed) = AsyncStream.makeStream(of: StompServerSession.Subscription.self)
            try await session.run(
                reader: {
                    defer { subscribed.finish() }
                    try await readFrames(inbound, outbound, session: session, context: context) { reply in
                        if let subscription = reply.subscribe { subscribed.yield(subscription) }
                        if reply.unsubscribe { _ = unsubscribed.set() }
                    }
                },
                pusher: {
                    for await subscription in subscriptions {
                        let writer = StompMessageWriter(subscription: subscription, encoding: encoding)
                        return await pushEvents(
                            channel.channel, subscription, writer: writer, context: context, stopped: [session.closeSent, unsubscribed])
                    }
                }
            )
        }
    }

    /// Reads the client's frames until its close, the end of its stream, a DISCONNECT or bad
    /// input; answers each and hands `started` what the pusher must know.
    private func readFrames(
        _ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        session: WebSocketServerSession,
        context: EndpointContext,
        started: (StompServerSession.Reply) -> Void
    ) async throws {
        let milliseconds = context.configuration.offeredHeartbeat.map { Int(($0.nanoseconds + 999_999) / 1_000_000) } ?? 0
        var state = StompServerSession(heartbeatMilliseconds: milliseconds)
        let meter = context.meter
        for try await frame in inbound {
            guard frame.opcode == .text || frame.opcode == .binary else {
                if try await session.answerControlFrame(frame, outbound) { return }
                continue
            }
            if frame.opcode == .text, let code = WebSocketFrameRules.violation(textMessage: frame.unmaskedData) {
                return try await session.close(code, outbound)
            }
            do {
                for item in try StompParser.parse(frame.unmaskedData) {
                    switch item {
                    case .heartbeat(let bytes):
                        meter.countLayerFraming(bytes)
                    case .frame(let frame, let framingBytes):
                        meter.countLayerFraming(framingBytes)
                        let reply = try state.receive(frame)
                        for answer in reply.frames { try await send(answer, outbound, meter: meter) }
                        started(reply)
                        if reply.disconnect { return try await session.close(.normalClosure, outbound) }
                    }
                }
            } catch let error as StompError {
                try await send(error.frame, outbound, meter: meter)
                return try await session.close(.protocolError, outbound)
            }
        }
    }

    /// Sends `frame` (no body: all framing) in a text frame of its own.
    private func send(_ frame: StompFrame, _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>, meter: ConnectionMeter) async throws {
        var buffer = ByteBuffer()
        meter.countLayerFraming(frame.write(to: &buffer))
        try await outbound.write(WebSocketFrame(fin: true, opcode: .text, data: buffer))
    }

    /// Writes each batch from the connection's event loop as it is published (a gap notice
    /// first), a heart-beat after every idle interval, and close 1001 when the run ends; stops
    /// once any of `stopped` is set (this side's close sent, the subscription cancelled).
    private func pushEvents(
        _ channel: any Channel, _ subscription: StompServerSession.Subscription, writer: StompMessageWriter, context: EndpointContext,
        stopped: [CloseFlag]
    ) async {
        let (hub, meter, closeSent) = (context.hub, context.meter, stopped[0])
        let heartbeat = subscription.heartbeatMilliseconds > 0 ? TimeAmount.milliseconds(Int64(subscription.heartbeatMilliseconds)) : nil
        let beat = ByteBuffer(string: "\n")
        await hub.stream(after: subscription.resumeAfter ?? hub.lastSequence, heartbeat: heartbeat, to: channel) { batch in
            if batch.reason == .finished, !closeSent.set() {
                channel.writeAndFlush(WebSocketFrame.close(.goingAway, masked: false), promise: nil)
            }
            switch batch.reason {
            case .finished, .cancelled:
                return nil
            case _ where stopped.contains(where: \.isSet):
                return nil
            case .timedOut:
                meter.countHeartbeat()
                meter.countLayerFraming(1)
                return channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: beat))
            case .available:
                var frames = batch.gap.map { [writer.gapNotice($0)] } ?? []
                for event in batch.events { frames.append(writer.message(event, allocator: channel.allocator)) }
                meter.countLayerFraming(frames.reduce(0) { $0 + $1.framingBytes })
                // One flush for the batch, as on /ws.
                for frame in frames.dropLast() { channel.write(frame.frame, promise: nil) }
                return channel.writeAndFlush(frames.last!.frame)
            }
        }
    }
}
