import BenchCore
import BenchServer
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Opens a client WebSocket with SwiftNIO's typed client upgrader.
enum WebSocketConnection {
    private enum Upgrade: Sendable {
        case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded
    }

    /// Connects and upgrades; `frameHandlers` go behind the frame aggregator, in front of the
    /// async channel (frames they consume never reach it). The target's ``ClientWireMeter`` goes
    /// first; with `arrival`, an ``ArrivalStamp`` goes right behind it and notes when each read
    /// came off the socket. The request carries `Host` (NIO does
    /// not add it), then `fields` (a header profile's request head), and the upgrader adds
    /// `Upgrade`, `Connection`, `Sec-WebSocket-Key` and `Sec-WebSocket-Version`.
    ///
    /// Compression: the request offers permessage-deflate when `compression` is enabled (with
    /// ``PerMessageDeflate/minimalOffer``) or when `fields` already offer it (a browser profile's
    /// `Sec-WebSocket-Extensions`, kept as it is and never sent twice). When the 101 accepts an
    /// offer a ``PerMessageDeflateHandler`` goes in front of the aggregator, compressing
    /// messages of at least `compression.webSocketThreshold` bytes and counting into `counter`;
    /// a 101 whose `Sec-WebSocket-Extensions` the client cannot accept fails the connection
    /// (RFC 6455 §4.1, RFC 7692 §5).
    static func connect(
        to target: ClientTarget,
        uri: String,
        fields: [HeaderProfile.Field] = HeaderProfile.minimal.request(.webSocket),
        compression: CompressionSettings = .off,
        counter: CompressionCounter = CompressionCounter(),
        requestKey: String = NIOWebSocketClientUpgrader.randomRequestKey(),
        maxFrameSize: Int = 1 << 24,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        arrival: ArrivalClock? = nil,
        frameHandlers: @escaping @Sendable () -> [any ChannelHandler] = { [] }
    ) async throws -> NIOAsyncChannel<WebSocketFrame, WebSocketFrame> {
        var requestHeaders: HTTPHeaders = ["Host": target.authority]
        for field in fields { requestHeaders.add(name: field.name, value: field.value) }
        if compression.enabled && !requestHeaders.contains(name: PerMessageDeflate.headerName) {
            requestHeaders.add(name: PerMessageDeflate.headerName, value: PerMessageDeflate.minimalOffer)
        }
        let headers = requestHeaders
        let offered = headers[PerMessageDeflate.headerName]
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try target.addWireMeter(to: channel)
                    if let arrival { try channel.pipeline.syncOperations.addHandler(ArrivalStamp(arrival)) }
                    // wss://: TLS first, offering HTTP/1.1 for the upgrade (RFC 6455 §3).
                    try target.addTLS(to: channel, offering: ["http/1.1"])
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                        requestKey: requestKey,
                        maxFrameSize: maxFrameSize,
                        upgradePipelineHandler: { channel, response in
                            channel.eventLoop.makeCompletedFuture {
                                let agreement: PerMessageDeflate.Agreement?
                                do {
                                    let answer = response.headers[PerMessageDeflate.headerName]
                                    agreement = try PerMessageDeflate.accept(response: answer, offered: offered)
                                } catch {
                                    channel.close(promise: nil)
                                    throw WebSocketClientError.extensionRefused("\(error)")
                                }
                                if let agreement {
                                    try channel.pipeline.syncOperations.addHandler(
                                        PerMessageDeflateHandler(
                                            agreement: agreement, isServer: false, maxMessageBytes: maxFrameSize,
                                            threshold: compression.webSocketThreshold, counter: counter
                                        )
                                    )
                                }
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16, maxAccumulatedFrameSize: maxFrameSize
                                    )
                                )
                                for handler in frameHandlers() { try channel.pipeline.syncOperations.addHandler(handler) }
                                return .webSocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        }
                    )
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                        upgradeRequestHead: head,
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(.notUpgraded) }
                    )
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    // NIO's default drops bytes read together with the 101 response. A server
                    // with a backlog (a resuming client) sends its first frames right behind the
                    // 101, so they must be forwarded to the WebSocket decoder, not dropped.
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        switch try await upgrade.get() {
        case .webSocket(let channel): return channel
        case .notUpgraded: throw WebSocketClientError.upgradeRefused(uri)
        }
    }
}

enum WebSocketClientError: Error, CustomStringConvertible {
    case upgradeRefused(String)
    /// The 101's `Sec-WebSocket-Extensions` could not be accepted; the reason.
    case extensionRefused(String)
    case closedEarly

    var description: String {
        switch self {
        case .upgradeRefused(let uri): "the server refused to upgrade \(uri) to WebSocket"
        case .extensionRefused(let reason): "the client failed the WebSocket connection: \(reason)"
        case .closedEarly: "the connection ended without a close handshake"
        }
    }
}
