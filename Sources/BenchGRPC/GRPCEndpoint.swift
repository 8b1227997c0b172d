import BenchCore
import BenchMessages
import BenchServer
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import Synchronization

/// gRPC's server half: grpc-swift-2 on grpc-swift-nio-transport's HTTP/2 server (cleartext,
/// the loopback server's host, port 0 unless told otherwise), serving `transportbench.EventStream`.
///
/// grpc-swift owns the listening socket, so this is a ``ListenerRoute`` beside the HTTP
/// listener. Each accepted connection goes through the server's one metering step
/// (``ListenerContext/meter(_:as:census:)``: WireMeter, link emulator, an HTTP/2 census,
/// the idle and slow-client guards and the connection limit) at the front of the pipeline gRPC
/// built (`channelDebuggingCallbacks.onAcceptTCPConnection`), so it is counted at the socket and
/// guarded like every other transport's connection.
///
/// The four call shapes, each carrying the event envelope in the call's encoding (metadata
/// `bench-encoding`):
/// - `Poll` (unary): the retained events after the cursor, now; an empty batch counts as an
///   empty response.
/// - `Subscribe` (server streaming): every event after the cursor as it is published; the call
///   ends with status OK when the run ends. When the cursor falls out of the retention window
///   the call ends with trailer `bench-gap: FIRST-LAST`, and the client resubscribes after it.
/// - `Upload` (client streaming): events recorded for client `bench-client`; one receipt.
/// - `Echo` (bidirectional streaming): each message sent back as it arrives.
///
/// With the server's compression policy on (``ServerConfiguration/compression``), grpc-swift
/// accepts requests compressed with the policy's algorithm (`grpc-encoding`) and compresses
/// responses to clients that accept it. grpc-swift-nio-transport (2.9) chooses a response's
/// algorithm from the request's `grpc-accept-encoding` alone — the first listed algorithm the
/// server enabled, `identity` counting as enabled — whatever the request itself used; it then
/// compresses every message of the response. A client that lists `identity` first (grpc core's
/// clients send `identity, deflate, gzip`) gets plain responses. The frame census counts the
/// compressed messages on the wire; ``ServerCallCompression`` counts their plain sizes.
public struct GRPCEndpoint: ListenerRoute {
    public let transport = TransportKind.grpc
    public let scheme = "grpc"
    /// grpc-swift-nio-transport (2.8+) holds each flush up to 100 µs to coalesce writes; `false`
    /// turns that off. The default keeps the library's default, what production servers send.
    public var flushCoalescing: Bool
    /// The port to listen on; 0 lets the kernel choose (a capture filter may want a fixed one).
    public var port: Int

    public init(flushCoalescing: Bool = true, port: Int = 0) {
        self.flushCoalescing = flushCoalescing
        self.port = port
    }

    public func run(context: ListenerContext, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let connections = ConnectionsByPeer()
        var config = HTTP2ServerTransport.Posix.Config.defaults
        if !flushCoalescing { config.connection.flushCoalescing = nil }
        let policy = context.configuration.compression
        if policy.enabled { config.compression.enabledAlgorithms = policy.grpcAlgorithm.algorithms }
        config.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
            channel.eventLoop.makeCompletedFuture {
                // In front of gRPC's own handlers: meter, link emulator, census, guards.
                guard let meter = try context.meter(channel, as: .grpc, census: .grpc) else { return }
                if let port = channel.remoteAddress?.port { connections.register(meter, remotePort: port) }
            }
        }
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: context.host, port: port),
                transportSecurity: .plaintext,
                config: config
            ),
            services: [EventStreamService(context: context, connections: connections)],
            interceptors: context.configuration.security.requiresToken
                ? [BearerTokenInterceptor(configuration: context.configuration, connections: connections)] : []
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                do { try await server.serve() } catch {
                    throw BenchError.runFailed("the gRPC server cannot listen on \(context.host):\(port)", cause: error)
                }
            }
            guard let address = try await server.listeningAddress?.ipv4 else {
                throw BenchError.runFailed("the gRPC server did not report an IPv4 address")
            }
            onListening(address.port)
        }
    }
}

/// The meters of gRPC's connections by the client's port, so a call can count itself on the
/// connection it came in on (its `ServerContext.remotePeer` is `ipv4:HOST:PORT`).
final class ConnectionsByPeer: Sendable {
    private let meters = Mutex<[Int: ConnectionMeter]>([:])

    func register(_ meter: ConnectionMeter, remotePort: Int) {
        meters.withLock { $0[remotePort] = meter }
    }

    func meter(for context: ServerContext) -> ConnectionMeter? {
        guard let port = context.remotePeer.split(separator: ":").last.flatMap({ Int($0) }) else { return nil }
        return meters.withLock { $0[port] }
    }
}

/// `transportbench.EventStream`, registered by hand with the generated method descriptors so
/// that one implementation serves both encodings (the generated service protocol fixes
/// protobuf serializers).
struct EventStreamService: RegistrableRPCService {
    let context: ListenerContext
    let connections: ConnectionsByPeer

    typealias Methods = Transportbench_EventStream.Method

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let bytes = EncodedBodySerializer()
        router.registerHandler(forMethod: Methods.Poll.descriptor, deserializer: bytes, serializer: bytes) { request, rpc in
            let (encoding, meter, compression) = try start(request.metadata, rpc)
            var requestMessages = request.messages.makeAsyncIterator()
            let cursor = try await requestMessages.next().map { try EncodingSerializer<Transportbench_Cursor>(encoding: encoding).decode(compression.received($0)) } ?? Transportbench_Cursor()
            let batch = context.hub.events(after: cursor.after)
            if batch.events.isEmpty { meter?.countEmptyResponse() }
            let body = EventCodec.batch(of: batch.events.map { $0.body(encoding)! }, encoding: encoding)
            return StreamingServerResponse(single: ServerResponse(message: compression.sending(body), metadata: gapMetadata(batch.gap)))
        }
        router.registerHandler(forMethod: Methods.Subscribe.descriptor, deserializer: bytes, serializer: bytes) { request, rpc in
            let (encoding, _, compression) = try start(request.metadata, rpc)
            var requestMessages = request.messages.makeAsyncIterator()
            let first = try await requestMessages.next().map { try EncodingSerializer<Transportbench_Cursor>(encoding: encoding).decode(compression.received($0)) }
            let after = first?.after ?? 0
            return StreamingServerResponse { writer in
                var cursor = after
                while true {
                    let batch = await context.hub.next(after: cursor)
                    switch batch.reason {
                    case .finished: return [:]
                    case .cancelled: throw CancellationError()
                    case .timedOut, .available: break
                    }
                    if let gap = batch.gap { return gapMetadata(gap) }
                    try await writer.write(contentsOf: compression.sending(batch.events.map { $0.body(encoding)! }))
                    cursor = batch.events.last?.event.sequence ?? cursor
                }
            }
        }
        router.registerHandler(forMethod: Methods.Upload.descriptor, deserializer: bytes, serializer: bytes) { request, rpc in
            let (encoding, _, compression) = try start(request.metadata, rpc)
            guard let client = request.metadata[stringValues: EventStreamMetadata.client].first(where: { _ in true }).flatMap({ Int($0) }) else {
                throw RPCError(code: .invalidArgument, message: "Upload needs metadata \(EventStreamMetadata.client): N")
            }
            let session = context.uploads.session(for: client)
            let codec = EventCodec(encoding)
            var received: UInt64 = 0
            for try await body in request.messages {
                session.record(try codec.decode(compression.received(body)), receivedAt: MonotonicClock.nowNanoseconds())
                received += 1
            }
            let receipt = try EncodingSerializer<Transportbench_UploadReceipt>(encoding: encoding).encode(.with { $0.events = received })
            return StreamingServerResponse(single: ServerResponse(message: compression.sending(receipt)))
        }
        router.registerHandler(forMethod: Methods.Echo.descriptor, deserializer: bytes, serializer: bytes) { request, rpc in
            let (_, _, compression) = try start(request.metadata, rpc)
            return StreamingServerResponse { writer in
                for try await body in request.messages {
                    try await writer.write(compression.sending(compression.received(body)))
                }
                return [:]
            }
        }
    }

    /// Counts the call as a request on its connection and reads its encoding, and what
    /// grpc-swift's compression does with its messages.
    private func start(_ metadata: Metadata, _ rpc: ServerContext) throws -> (Encoding, ConnectionMeter?, ServerCallCompression) {
        let meter = connections.meter(for: rpc)
        meter?.countRequest()
        let encoding = try metadata.encoding()
        guard context.configuration.encodings.contains(encoding) else {
            throw RPCError(code: .invalidArgument, message: "this server does not serve encoding '\(encoding.rawValue)'")
        }
        let compression = ServerCallCompression(metadata: metadata, policy: context.configuration.compression, counter: meter?.compression)
        return (encoding, meter, compression)
    }

    private func gapMetadata(_ gap: ClosedRange<UInt64>?) -> Metadata {
        guard let gap else { return [:] }
        var metadata = Metadata()
        metadata.addString(GapNotice.text(gap), forKey: EventStreamMetadata.gap)
        return metadata
    }
}
