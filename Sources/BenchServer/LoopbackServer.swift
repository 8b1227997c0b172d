import BenchCore
import BenchTLS
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// The one in-process server every transport's server half runs on.
///
/// Every accepted connection gets a ``WireMeter`` as its first handler, then an HTTP/1.1 codec
/// that can upgrade to WebSocket. Plain HTTP requests are routed by path to an ``HTTPRoute``;
/// upgrade requests to a ``WebSocketRoute``; a client that opens with the HTTP/2 preface speaks
/// HTTP/2 to the same HTTP routes. A ``ListenerRoute`` (gRPC) listens on a port of its own beside
/// it. Use it through ``withLoopbackServer(configuration:routes:_:)``.
public struct LoopbackServer: Sendable {
    /// The bound address.
    public let host: String
    /// The bound port (the kernel's choice when configured with 0).
    public let port: Int
    /// Where events are published.
    public let hub: EventHub
    /// Bytes, requests and connections, by transport.
    public let traffic: TrafficRecorder
    /// Events clients uploaded.
    public let uploads: UploadRegistry
    public let routes: Routes
    /// The ports of the listener routes, by transport.
    public let listenerPorts: [TransportKind: Int]
    /// The server's TLS; `nil` for cleartext.
    public let tls: ServerTLS?

    /// The port a client of `transport` connects to.
    public func port(for transport: TransportKind) -> Int { listenerPorts[transport] ?? port }

    /// `NAME URL` lines, one per endpoint.
    public var endpointLines: [String] { routes.endpointLines(host: host, port: port, listenerPorts: listenerPorts, tls: tls != nil) }
}

/// Runs `body` with a started ``LoopbackServer``, then stops it: the hub is finished, open
/// connections are closed and every connection task has ended before this returns.
///
/// ```swift
/// try await withLoopbackServer(routes: routes) { server in
///     server.hub.publish(payload: "hi")
/// }
/// ```
public func withLoopbackServer<Result: Sendable>(
    configuration: ServerConfiguration = .defaults,
    routes: Routes,
    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    _ body: (LoopbackServer) async throws -> Result
) async throws -> Result {
    let traffic = TrafficRecorder()
    let hub = EventHub(retainedEvents: configuration.retainedEvents, encodings: configuration.encodings, timerLoop: group.next())
    let serverChannel: NIOAsyncChannel<AcceptedConnection, Never>
    do {
        serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 4096)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try ConnectionSetup.configure(channel: channel, traffic: traffic, routes: routes, configuration: configuration)
                }
            }
    } catch {
        throw BenchError.runFailed("cannot listen on \(configuration.host):\(configuration.port)", cause: error)
    }
    let port = serverChannel.channel.localAddress?.port ?? configuration.port
    let uploads = UploadRegistry()
    let context = ConnectionContext(hub: hub, uploads: uploads, traffic: traffic, routes: routes, configuration: configuration)
    let listenerContext = ListenerContext(host: configuration.host, hub: hub, uploads: uploads, traffic: traffic, configuration: configuration)

    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        var listenerPorts: [TransportKind: Int] = [:]
        for listener in routes.listeners {
            let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
            tasks.addTask {
                defer { continuation.finish() }
                try await listener.run(context: listenerContext) { continuation.yield($0) }
            }
            var iterator = bound.makeAsyncIterator()
            guard let listenerPort = await iterator.next() else {
                tasks.cancelAll()
                try? await serverChannel.channel.close()
                // The listener's own error says why.
                while let _ = try await tasks.next() {}
                throw BenchError.runFailed("the \(listener.transport.rawValue) listener stopped before it was listening", cause: nil)
            }
            listenerPorts[listener.transport] = listenerPort
        }
        let server = LoopbackServer(
            host: configuration.host, port: port, hub: hub, traffic: traffic, uploads: uploads, routes: routes, listenerPorts: listenerPorts,
            tls: configuration.tls
        )
        tasks.addTask {
            try await serverChannel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { connections in
                    for try await accepted in inbound {
                        connections.addTask { await context.serve(accepted) }
                    }
                }
            }
        }
        func stop() async {
            hub.finish()
            try? await serverChannel.channel.close()
            traffic.closeAll()
            tasks.cancelAll()
            while let _ = try? await tasks.next() {}
        }
        do {
            let result = try await body(server)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }
}
