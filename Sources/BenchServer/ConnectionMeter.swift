import BenchCore
import NIOCore
import Synchronization

/// The counts of one accepted TCP connection: bytes in and out, requests, empty responses, and
/// the transport the connection turned out to serve.
///
/// Written by the connection's ``WireMeter`` (bytes, on its event loop) and by the request
/// handling code (requests, attribution); read by ``TrafficRecorder`` at any time. Counters are
/// relaxed atomics: no lock per read or write of the socket.
public final class ConnectionMeter: Sendable {
    /// A number unique within the server.
    public let id: UInt64
    /// The channel, so a stopping server can close connections that never sent a request.
    let channel: any Channel
    private let bytesInCounter = Atomic<Int>(0)
    private let bytesOutCounter = Atomic<Int>(0)
    private let requestCounter = Atomic<Int>(0)
    private let emptyResponseCounter = Atomic<Int>(0)
    private let heartbeatCounter = Atomic<Int>(0)
    private let layerFramingCounter = Atomic<Int>(0)
    private let handshakeBytesInCounter = Atomic<Int>(0)
    private let handshakeBytesOutCounter = Atomic<Int>(0)
    /// The connection's compression layer: what its compressors and decompressors did.
    public let compression = CompressionCounter()
    /// The connection's TLS layer: its records by kind, and the plaintext above it.
    public let tls = TLSCounter()
    /// The connection's handshake checks: refusals and the tokens verified.
    public let security = SecurityCounter()
    /// HTTP/2 connections: where the bytes went, kept by an ``HTTP2FrameCensus``.
    private let http2 = Mutex<HTTP2Breakdown?>(nil)
    /// The kernel's TCP_INFO as last read, just before the socket closed; `nil` until then.
    private let tcpInfo = Mutex<TCPInfoSnapshot?>(nil)
    /// The transport, `nil` while the connection has not said what it is for. Set once per
    /// request at most, read when totals are taken: a lock here is never per byte.
    private let attributed = Mutex<TransportKind?>(nil)

    init(id: UInt64, channel: any Channel) {
        self.id = id
        self.channel = channel
    }

    /// TCP payload bytes received from the client.
    public var bytesIn: Int { bytesInCounter.load(ordering: .relaxed) }
    /// TCP payload bytes written to the client.
    public var bytesOut: Int { bytesOutCounter.load(ordering: .relaxed) }

    @inline(__always)
    func countIn(_ bytes: Int) { bytesInCounter.add(bytes, ordering: .relaxed) }
    @inline(__always)
    func countOut(_ bytes: Int) { bytesOutCounter.add(bytes, ordering: .relaxed) }

    /// Counts one request (an HTTP request or a WebSocket upgrade request).
    public func countRequest() { requestCounter.add(1, ordering: .relaxed) }
    /// Counts a response that carried no event.
    public func countEmptyResponse() { emptyResponseCounter.add(1, ordering: .relaxed) }

    /// Counts a heartbeat sent (an SSE comment line, a WebSocket ping).
    public func countHeartbeat() { heartbeatCounter.add(1, ordering: .relaxed) }

    /// Counts `bytes` of framing that a protocol layered on the carrier added on this connection
    /// (STOMP's command and header lines, gRPC-Web's message prefixes, NDJSON's newlines), in
    /// either direction: the part of the overhead that is the layer's, not the carrier's.
    public func countLayerFraming(_ bytes: Int) { layerFramingCounter.add(bytes, ordering: .relaxed) }

    /// Attributes the connection to `transport`; the first attribution wins.
    public func attribute(to transport: TransportKind) {
        attributed.withLock { current in
            if current == nil { current = transport }
        }
    }

    /// The transport the connection serves, once known.
    public var transport: TransportKind? { attributed.withLock { $0 } }

    /// Marks the end of a protocol handshake (a WebSocket upgrade): the bytes so far in each
    /// direction are the one-time handshake cost, reported apart from per-event framing.
    public func markHandshakeComplete() {
        handshakeBytesInCounter.store(bytesIn, ordering: .relaxed)
        handshakeBytesOutCounter.store(bytesOut, ordering: .relaxed)
    }

    /// Changes the connection's HTTP/2 breakdown (starting from an empty one).
    func updateHTTP2Breakdown(_ change: (inout HTTP2Breakdown) -> Void) {
        http2.withLock { breakdown in
            var value = breakdown ?? HTTP2Breakdown()
            change(&value)
            breakdown = value
        }
    }

    /// Keeps the connection's TCP_INFO as read now (a later reading replaces an earlier one:
    /// its counters only grow).
    func record(_ snapshot: TCPInfoSnapshot) {
        tcpInfo.withLock { $0 = snapshot }
    }

    /// The counts now, attributed.
    var totals: TrafficTotals {
        TrafficTotals(
            bytesIn: bytesIn,
            bytesOut: bytesOut,
            connections: 1,
            requests: requestCounter.load(ordering: .relaxed),
            emptyResponses: emptyResponseCounter.load(ordering: .relaxed),
            heartbeats: heartbeatCounter.load(ordering: .relaxed),
            layerFramingBytes: layerFramingCounter.load(ordering: .relaxed),
            handshakeBytesIn: handshakeBytesInCounter.load(ordering: .relaxed),
            handshakeBytesOut: handshakeBytesOutCounter.load(ordering: .relaxed),
            http2: http2.withLock { $0 },
            compression: compression.tally.nilIfEmpty,
            tls: tls.tally.nilIfEmpty,
            security: security.tally.nilIfEmpty,
            tcp: tcpInfo.withLock { $0 }.map(TCPHeaderModel.estimate)
        )
    }
}

/// Counts summed over connections.
public struct TrafficTotals: Sendable, Hashable, Codable {
    /// TCP payload bytes client → server.
    public var bytesIn = 0
    /// TCP payload bytes server → client.
    public var bytesOut = 0
    /// TCP connections accepted.
    public var connections = 0
    /// Requests received.
    public var requests = 0
    /// Responses that carried no event.
    public var emptyResponses = 0
    /// Heartbeats sent.
    public var heartbeats = 0
    /// Framing bytes of a protocol layered on the carrier (``ConnectionMeter/countLayerFraming(_:)``).
    public var layerFramingBytes = 0
    /// Bytes of protocol handshakes (WebSocket upgrade request), client → server.
    public var handshakeBytesIn = 0
    /// Bytes of protocol handshakes (101 response), server → client.
    public var handshakeBytesOut = 0
    /// HTTP/2 connections' bytes by frame category; `nil` when no connection spoke HTTP/2.
    public var http2: HTTP2Breakdown?
    /// The server's compression layer; `nil` when no connection compressed or decompressed.
    public var compression: CompressionTally?
    /// The TLS layer; `nil` for cleartext connections.
    public var tls: TLSTally?
    /// The server's handshake checks; `nil` when no request was refused and no token verified.
    public var security: SecurityTally?
    /// Segments and IP/TCP header bytes below the payload, estimated from each connection's
    /// TCP_INFO (``TCPHeaderModel``); `nil` where none could be read (not Linux).
    public var tcp: TCPTally?

    public init(
        bytesIn: Int = 0, bytesOut: Int = 0, connections: Int = 0, requests: Int = 0, emptyResponses: Int = 0,
        heartbeats: Int = 0, layerFramingBytes: Int = 0, handshakeBytesIn: Int = 0, handshakeBytesOut: Int = 0, http2: HTTP2Breakdown? = nil,
        compression: CompressionTally? = nil, tls: TLSTally? = nil, security: SecurityTally? = nil, tcp: TCPTally? = nil
    ) {
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.connections = connections
        self.requests = requests
        self.emptyResponses = emptyResponses
        self.heartbeats = heartbeats
        self.layerFramingBytes = layerFramingBytes
        self.handshakeBytesIn = handshakeBytesIn
        self.handshakeBytesOut = handshakeBytesOut
        self.http2 = http2
        self.compression = compression
        self.tls = tls
        self.security = security
        self.tcp = tcp
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        TrafficTotals(
            bytesIn: lhs.bytesIn + rhs.bytesIn,
            bytesOut: lhs.bytesOut + rhs.bytesOut,
            connections: lhs.connections + rhs.connections,
            requests: lhs.requests + rhs.requests,
            emptyResponses: lhs.emptyResponses + rhs.emptyResponses,
            heartbeats: lhs.heartbeats + rhs.heartbeats,
            layerFramingBytes: lhs.layerFramingBytes + rhs.layerFramingBytes,
            handshakeBytesIn: lhs.handshakeBytesIn + rhs.handshakeBytesIn,
            handshakeBytesOut: lhs.handshakeBytesOut + rhs.handshakeBytesOut,
            http2: Self.sum(lhs.http2, rhs.http2, +),
            compression: Self.sum(lhs.compression, rhs.compression, +),
            tls: Self.sum(lhs.tls, rhs.tls, +),
            security: Self.sum(lhs.security, rhs.security, +),
            tcp: Self.sum(lhs.tcp, rhs.tcp, +)
        )
    }

    private static func sum<Part>(_ lhs: Part?, _ rhs: Part?, _ add: (Part, Part) -> Part) -> Part? {
        guard let lhs else { return rhs }
        guard let rhs else { return lhs }
        return add(lhs, rhs)
    }
}
