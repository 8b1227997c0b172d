import BenchCore
import BenchServer
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore

// gRPC message compression (gRPC over HTTP/2, "Length-Prefixed-Message", and gRPC's
// compression.md): grpc-swift compresses and inflates inside the library, one whole message at a
// time, so neither half can call a compressor through a `CompressionCounter`. Each side counts
// instead what it can see exactly:
//
// - the compressed messages, from the wire: the server's `HTTP2FrameCensus` and the client's
//   `GRPCClientCensus` read every message prefix (compressed flag, length) on the connection;
// - the plain size of each of those messages, where the code hands a message to grpc-swift or
//   takes one from it: grpc-swift compresses every message of a compressed stream, right after
//   serializing it, and inflates every message of one before deserializing it.
//
// The zlib time is not measured: grpc-swift offers no hook around its compressor, so the
// tallies' CPU fields stay 0 and a run's process CPU, with compression and without, tells the cost.

extension CompressionSettings.GRPCAlgorithm {
    /// grpc-swift's algorithm of this name.
    var algorithm: CompressionAlgorithm {
        switch self {
        case .gzip: .gzip
        case .deflate: .deflate
        }
    }

    /// Just this algorithm: what either half enables.
    var algorithms: CompressionAlgorithmSet {
        switch self {
        case .gzip: .gzip
        case .deflate: .deflate
        }
    }
}

extension Metadata {
    /// Whether a head's `grpc-encoding` names an algorithm other than `identity`: the messages
    /// that follow it are compressed (grpc-swift compresses every one).
    var namesMessageEncoding: Bool {
        self[stringValues: "grpc-encoding"].contains { $0 != "identity" }
    }

    /// The encodings a request's `grpc-accept-encoding` lists, in order (one field or several,
    /// each a comma-separated list).
    var acceptedMessageEncodings: [Substring] {
        self[stringValues: "grpc-accept-encoding"].flatMap { field in
            field.split(separator: ",").map { name in
                var name = name
                while name.first == " " || name.first == "\t" { name.removeFirst() }
                while name.last == " " || name.last == "\t" { name.removeLast() }
                return name
            }
        }
    }
}

extension CompressionCounter {
    /// Counts `bytes` given to a compressor (plain message bytes) that grpc-swift compressed.
    func addPlain(_ bytes: Int) {
        var tally = CompressionTally()
        tally.plainBytes = bytes
        add(tally)
    }

    /// Counts `bytes` a decompressor produced (plain message bytes) that grpc-swift inflated.
    func addInflated(_ bytes: Int) {
        var tally = CompressionTally()
        tally.inflatedOutputBytes = bytes
        add(tally)
    }
}

/// What grpc-swift's compression does with one call's messages at the server, so the endpoint
/// counts the plain size of each message the layer handled (the frame census counts their
/// compressed lengths):
///
/// - requests arrive compressed when the request's `grpc-encoding` names an algorithm (grpc-swift
///   rejects the call when it is not the one the server enabled). grpc-swift's clients then
///   compress every message; grpc core's leave one plain when compressing would not shrink it
///   (an empty cursor, for one), which this count takes for inflated all the same;
/// - grpc-swift compresses every response message when the server's policy is on and the first
///   encoding in the request's `grpc-accept-encoding` that the server supports (its algorithm,
///   or `identity`, which it always supports) is the policy's algorithm — the rule of
///   grpc-swift-nio-transport's `GRPCStreamStateMachine` (2.9), which does not look at what the
///   request itself used.
struct ServerCallCompression: Sendable {
    let counter: CompressionCounter?
    /// The request's messages arrive compressed.
    let requests: Bool
    /// grpc-swift compresses the response's messages.
    let responses: Bool

    init(metadata: Metadata, policy: CompressionSettings, counter: CompressionCounter?) {
        self.counter = counter
        requests = metadata.namesMessageEncoding
        responses = policy.enabled && Self.compressesResponses(accepting: metadata.acceptedMessageEncodings, algorithm: policy.grpcAlgorithm)
    }

    /// grpc-swift's choice: the first accepted encoding the server supports decides.
    static func compressesResponses(accepting encodings: [Substring], algorithm: CompressionSettings.GRPCAlgorithm) -> Bool {
        for encoding in encodings {
            if encoding == "identity" { return false }
            if encoding == algorithm.rawValue { return true }
        }
        return false
    }

    /// Counts a request message as its decompressor's output when requests arrive compressed.
    func received(_ body: ByteBuffer) -> ByteBuffer {
        if requests { counter?.addInflated(body.readableBytes) }
        return body
    }

    /// Counts a response message as its compressor's input when grpc-swift compresses responses.
    func sending(_ body: ByteBuffer) -> ByteBuffer {
        if responses { counter?.addPlain(body.readableBytes) }
        return body
    }

    /// Counts response messages as their compressor's input when grpc-swift compresses responses.
    func sending(_ bodies: [ByteBuffer]) -> [ByteBuffer] {
        if responses { counter?.addPlain(bodies.reduce(0) { $0 + $1.readableBytes }) }
        return bodies
    }
}

/// One client's compression, when its scenario's is on: it offers the scenario's algorithm
/// (`grpc-accept-encoding`), compresses every request with it (`grpc-encoding`), and counts what
/// its layer did in `counter`.
struct ClientCompression: Sendable {
    let algorithm: CompressionSettings.GRPCAlgorithm
    let counter = CompressionCounter()

    init?(_ settings: CompressionSettings) {
        guard settings.enabled else { return nil }
        algorithm = settings.grpcAlgorithm
    }

    /// The transport's compression: requests compressed with the algorithm by default, responses
    /// accepted in it.
    var transportConfig: HTTP2ClientTransport.Config.Compression {
        .init(algorithm: algorithm.algorithm, enabledAlgorithms: algorithm.algorithms)
    }

    /// Counts a response message as its decompressor's output when the response's head named an
    /// encoding.
    func received(_ body: ByteBuffer, metadata: Metadata) {
        if metadata.namesMessageEncoding { counter.addInflated(body.readableBytes) }
    }
}

/// A request serializer that counts the size of each message it serializes as plain bytes given
/// to the compressor: grpc-swift compresses each message of a compressed request right after
/// serializing it (`GRPCMessageFramer`). `counter` is `nil` when the call does not compress.
struct CompressorInputCounting<Base: MessageSerializer>: MessageSerializer {
    typealias Message = Base.Message

    let base: Base
    let counter: CompressionCounter?

    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        let bytes: Bytes = try base.serialize(message)
        counter?.addPlain(bytes.count)
        return bytes
    }
}

/// The client's view of its own connection's gRPC messages, when it compresses: the compressed
/// messages it sends (its compressor's output) and those it receives (its decompressor's input),
/// read from the bytes it writes and reads in front of grpc-swift's HTTP/2 handlers with the
/// server's frame reader. Installed only with compression on, so a run without compression keeps
/// the pipeline it had.
final class GRPCClientCensus: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let counter: CompressionCounter
    private var sent = HTTP2FrameReader(direction: .up, grpc: true)
    private var received = HTTP2FrameReader(direction: .down, grpc: true)
    /// The readers' byte categories, unused: the server's census reports them.
    private var breakdown = HTTP2Breakdown()

    init(counter: CompressionCounter) {
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var messages = GRPCMessageCounts()
        received.read(unwrapInboundIn(data), into: &breakdown, messages: &messages)
        if !messages.isEmpty { counter.add(messages.tally(sentHere: false)) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .byteBuffer(let bytes) = unwrapOutboundIn(data) {
            var messages = GRPCMessageCounts()
            sent.read(bytes, into: &breakdown, messages: &messages)
            if !messages.isEmpty { counter.add(messages.tally(sentHere: true)) }
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension GRPCClientCensus: Sendable {}
