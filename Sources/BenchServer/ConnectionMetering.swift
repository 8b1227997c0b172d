import BenchCore
import BenchTLS
import NIOCore

/// The one step every accepted connection goes through, whichever listener accepted it (the
/// HTTP listener's bind initializer, or a library's accept hook such as gRPC's): it registers
/// the connection with the ``TrafficRecorder`` and puts, in pipeline order,
///
/// 1. a ``WireMeter`` — first, so it counts the bytes the socket carries;
/// 2. the ``LinkEmulator`` when the server emulates a link;
/// 3. with TLS, the TLS layer (``ServerTLS/handlers(counting:)``): a census of the records in the
///    ciphertext, swift-nio-ssl's server handler and a meter of the plaintext above it, so the
///    WireMeter still counts what the socket carries and everything behind sees plaintext;
/// 4. for HTTP/2 spoken from the first byte (gRPC), an ``HTTP2FrameCensus``;
/// 5. the guards: the idle timeout (`IdleStateHandler`) and ``ConnectionGuard`` (idle and slow
///    clients closed).
///
/// A connection over the server's limit is counted (it reached the socket) and closed at once.
/// A layer a later option adds goes behind these, so the counted bytes stay the socket's.
public enum ConnectionMetering {
    /// Where the handlers go: behind nothing (a pipeline we build), or in front of the handlers
    /// a library already put there.
    public enum Placement: Sendable { case emptyPipeline, inFrontOfLibrary }

    /// Whether to read the connection's bytes as HTTP/2 frames from the first byte
    /// (``HTTP2FrameCensus``), and whether its DATA frames carry gRPC messages. The HTTP listener
    /// says `none` and adds its census once it sees the HTTP/2 preface.
    public enum Census: Sendable { case none, http2, grpc }

    /// Installs the step on `channel` (on its event loop).
    ///
    /// - Parameters:
    ///   - transport: the transport the connection serves, when the listener knows it already.
    ///   - census: whether to read the bytes as HTTP/2 frames from the first byte.
    /// - Returns: the connection's meter, or `nil` when the connection was over the limit and is
    ///   being closed.
    public static func install(
        on channel: any Channel,
        traffic: TrafficRecorder,
        configuration: ServerConfiguration,
        placement: Placement,
        transport: TransportKind? = nil,
        census: Census = .none
    ) throws -> ConnectionMeter? {
        let meter = traffic.open(channel: channel)
        if let transport { meter.attribute(to: transport) }
        var handlers: [any ChannelHandler] = [WireMeter(meter: meter, recorder: traffic)]
        if let emulator = configuration.linkEmulator(for: meter) { handlers.append(emulator) }
        let overLimit = traffic.openConnectionCount > configuration.maxConnections
        if !overLimit {
            if let tls = configuration.tls { handlers += tls.handlers(counting: meter.tls) }
            if census != .none { handlers.append(HTTP2FrameCensus(meter: meter, grpc: census == .grpc)) }
            if let idle = configuration.idleTimeout { handlers.append(IdleStateHandler(allTimeout: idle)) }
            handlers.append(ConnectionGuard(slowClientTimeout: configuration.slowClientTimeout))
        }
        try channel.pipeline.syncOperations.addHandlers(handlers, position: placement == .emptyPipeline ? .last : .first)
        guard !overLimit else {
            channel.close(promise: nil)
            return nil
        }
        return meter
    }
}
