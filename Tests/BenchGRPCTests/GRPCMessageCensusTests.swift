import BenchCore
import GRPCCore
import NIOCore
import NIOEmbedded
import Testing

@testable import BenchGRPC
@testable import BenchServer

/// The census's gRPC message parser against frames built by hand from gRPC over HTTP/2
/// ("Length-Prefixed-Message": `Compressed-Flag` 1 octet, `Message-Length` 4 octets big-endian,
/// then the message) inside RFC 9113 frames, with header blocks in RFC 7541's encoding.
@Suite("gRPC message census")
struct GRPCMessageCensusTests {
    /// One frame (RFC 9113 §4.1): 24-bit length, type, flags, 31-bit stream id, payload.
    static func frame(type: UInt8, flags: UInt8 = 0, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + withUnsafeBytes(of: stream.bigEndian) { Array($0) } + payload
    }

    /// A DATA frame (type 0).
    static func data(stream: UInt32, _ payload: [UInt8]) -> [UInt8] { frame(type: 0x0, stream: stream, payload: payload) }

    /// A HEADERS frame (type 1) with END_HEADERS (0x4) holding `block`.
    static func headers(stream: UInt32, _ block: [UInt8]) -> [UInt8] { frame(type: 0x1, flags: 0x4, stream: stream, payload: block) }

    /// RFC 7541 §6.2.2, a literal header field without indexing with a new name: 0x00, the name's
    /// length (7-bit prefix, no Huffman coding) and octets, the value's length and octets.
    static func literal(_ name: String, _ value: String) -> [UInt8] {
        [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
    }

    /// `:status: 200`: RFC 7541 Appendix A's static entry 8, indexed (§6.1: 0x80 | 8).
    static let status200: [UInt8] = [0x88]

    /// A response head naming `encoding` for the stream's messages.
    static func responseHead(stream: UInt32, encoding: String) -> [UInt8] {
        headers(stream: stream, status200 + literal("grpc-encoding", encoding))
    }

    /// A message prefix: the flag, then the length in four octets, big-endian.
    static func prefix(compressed: Bool, length: Int) -> [UInt8] {
        [compressed ? 1 : 0, UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
    }

    /// Feeds `bytes` to a server-side reader of `direction` in `piece`-byte reads.
    static func read(_ bytes: [UInt8], direction: HTTP2FrameReader.Direction = .down, piece: Int) -> (GRPCMessageCounts, HTTP2Breakdown) {
        var reader = HTTP2FrameReader(direction: direction, grpc: true)
        var breakdown = HTTP2Breakdown()
        var messages = GRPCMessageCounts()
        var offset = 0
        while offset < bytes.count {
            let end = Swift.min(bytes.count, offset + piece)
            reader.read(ByteBuffer(bytes: bytes[offset..<end]), into: &breakdown, messages: &messages)
            offset = end
        }
        #expect(!reader.failed)
        return (messages, breakdown)
    }

    @Test("a compressed message: flag 1, length 12, twelve octets — one message of 12 compressed bytes", arguments: [1, 3, 4096])
    func oneCompressedMessage(piece: Int) {
        let head = Self.responseHead(stream: 1, encoding: "gzip")
        let bytes = head + Self.data(stream: 1, Self.prefix(compressed: true, length: 12) + [UInt8](repeating: 0xAB, count: 12))
        let (messages, breakdown) = Self.read(bytes, piece: piece)
        #expect(messages.compressed == 1)
        #expect(messages.compressedBytes == 12)
        #expect(messages.plainOnCompressedStreams == 0)
        // The head: 9-octet frame header + 1 (status) + 2 + 13 + 1 + 4 (the literal) = 30 octets.
        #expect(head.count == 30)
        #expect(breakdown.grpcMessagePrefixes.down == 5)
        #expect(breakdown.dataPayload.down == 12)
        #expect(breakdown.totalBytes == bytes.count)
    }

    @Test("a message split over three DATA frames, its prefix cut after the length's second octet, counts once, when its last octet arrives")
    func splitAcrossFrames() {
        // Length 300 = 0x0000012C.
        let frames = [
            Self.data(stream: 1, [1, 0x00, 0x00]),
            Self.data(stream: 1, [0x01, 0x2C] + [UInt8](repeating: 7, count: 100)),
            Self.data(stream: 1, [UInt8](repeating: 7, count: 199)),
            Self.data(stream: 1, [7]),
        ]
        var reader = HTTP2FrameReader(direction: .down, grpc: true)
        var breakdown = HTTP2Breakdown()
        var messages = GRPCMessageCounts()
        for (index, frame) in frames.enumerated() {
            reader.read(ByteBuffer(bytes: frame), into: &breakdown, messages: &messages)
            if index < frames.count - 1 { #expect(messages.isEmpty, "after frame \(index + 1) the message has not ended") }
        }
        #expect(messages.compressed == 1)
        #expect(messages.compressedBytes == 300)
        #expect(breakdown.dataFrameHeaders.down == 4 * 9)
        #expect(breakdown.grpcMessagePrefixes.down == 5)
        #expect(breakdown.dataPayload.down == 300)
    }

    @Test("several messages in one DATA frame: 3 compressed (3, 0 and 256 octets: 259) and 1 plain, which counts as sent plain only on a stream whose head names gzip", arguments: [1, 9, 4096])
    func severalInOneFrame(piece: Int) {
        let payload =
            Self.prefix(compressed: true, length: 3) + [0x1F, 0x8B, 0x08]
            + Self.prefix(compressed: false, length: 2) + [0x7B, 0x7D]
            + Self.prefix(compressed: true, length: 0)
            // 256 = 0x00000100: the length's third octet.
            + Self.prefix(compressed: true, length: 256) + [UInt8](repeating: 0, count: 256)
        #expect(Self.prefix(compressed: true, length: 256) == [1, 0, 0, 1, 0])
        let encoded = Self.read(Self.responseHead(stream: 1, encoding: "gzip") + Self.data(stream: 1, payload), piece: piece)
        #expect(encoded.0.compressed == 3)
        #expect(encoded.0.compressedBytes == 3 + 0 + 256)
        #expect(encoded.0.plainOnCompressedStreams == 1)
        #expect(encoded.1.grpcMessagePrefixes.down == 4 * 5)
        #expect(encoded.1.dataPayload.down == 3 + 2 + 0 + 256)
        // The same frame on a stream whose head names no encoding (or identity): the plain
        // message was never a candidate; the flagged ones still count as compressed.
        for head in [Self.headers(stream: 3, Self.status200), Self.responseHead(stream: 3, encoding: "identity")] {
            let plain = Self.read(head + Self.data(stream: 3, payload), piece: piece)
            #expect(plain.0.compressed == 3)
            #expect(plain.0.plainOnCompressedStreams == 0)
        }
    }

    @Test("two streams' messages interleaved frame by frame keep their own prefixes")
    func interleavedStreams() {
        let bytes =
            Self.data(stream: 1, Self.prefix(compressed: true, length: 10) + [UInt8](repeating: 1, count: 4))
            + Self.data(stream: 3, Self.prefix(compressed: true, length: 20).prefix(2).map { $0 })
            + Self.data(stream: 1, [UInt8](repeating: 1, count: 6))
            + Self.data(stream: 3, Self.prefix(compressed: true, length: 20).dropFirst(2).map { $0 } + [UInt8](repeating: 3, count: 20))
        let (messages, breakdown) = Self.read(bytes, piece: 5)
        #expect(messages.compressed == 2)
        #expect(messages.compressedBytes == 30)
        #expect(breakdown.grpcMessagePrefixes.down == 10)
        #expect(breakdown.dataPayload.down == 30)
    }

    @Test("the side that sent the messages compressed them; the side that received them inflated them")
    func tallyRoles() {
        var messages = GRPCMessageCounts()
        messages.compressed = 2
        messages.compressedBytes = 90
        messages.plainOnCompressedStreams = 1
        let sent = messages.tally(sentHere: true)
        #expect(sent.compressedBytes == 90)
        #expect(sent.messagesCompressed == 2)
        #expect(sent.messagesSentPlain == 1)
        #expect(sent.plainBytes == 0 && sent.inflatedInputBytes == 0, "plain sizes come from the endpoint, not the wire")
        let received = messages.tally(sentHere: false)
        #expect(received.inflatedInputBytes == 90)
        #expect(received.compressedBytes == 0 && received.messagesCompressed == 0)
    }

    @Test("the server's census adds what it writes as the compressor's output and what it reads as the decompressor's input")
    func censusFeedsTheMeter() throws {
        let channel = EmbeddedChannel()
        let recorder = TrafficRecorder()
        let meter = recorder.open(channel: channel)
        try channel.pipeline.syncOperations.addHandler(HTTP2FrameCensus(meter: meter, grpc: true))
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        // The client's request: its head names gzip; one compressed message of 7 octets.
        let request = preface + Self.headers(stream: 1, Self.literal("grpc-encoding", "gzip"))
            + Self.data(stream: 1, Self.prefix(compressed: true, length: 7) + [UInt8](repeating: 0, count: 7))
        try channel.writeInbound(ByteBuffer(bytes: request))
        // The server's response: one compressed message of 20 octets, one plain of 5.
        let response = Self.responseHead(stream: 1, encoding: "gzip")
            + Self.data(stream: 1, Self.prefix(compressed: true, length: 20) + [UInt8](repeating: 0, count: 20))
            + Self.data(stream: 1, Self.prefix(compressed: false, length: 5) + [UInt8](repeating: 0, count: 5))
        try channel.writeAndFlush(IOData.byteBuffer(ByteBuffer(bytes: response))).wait()
        let tally = meter.compression.tally
        #expect(tally.compressedBytes == 20)
        #expect(tally.messagesCompressed == 1)
        #expect(tally.messagesSentPlain == 1)
        #expect(tally.inflatedInputBytes == 7)
        #expect(tally.plainBytes == 0)
        _ = try channel.finish()
    }

    @Test("grpc-swift compresses responses when the first encoding the request accepts that the server supports is the policy's", arguments: [
        (["gzip"], CompressionSettings.GRPCAlgorithm.gzip, true),
        (["identity, deflate, gzip"], .gzip, false),  // grpc core's offer: identity comes first
        (["deflate,gzip"], .gzip, true),  // deflate is not enabled: skipped
        (["deflate", "gzip"], .deflate, true),
        (["gzip, deflate"], .deflate, true),
        (["identity"], .gzip, false),
        ([], .gzip, false),
    ])
    func responseCompressionRule(accepted: [String], algorithm: CompressionSettings.GRPCAlgorithm, compresses: Bool) {
        var metadata = Metadata()
        for field in accepted { metadata.addString(field, forKey: "grpc-accept-encoding") }
        var policy = CompressionSettings.on
        policy.grpcAlgorithm = algorithm
        #expect(ServerCallCompression(metadata: metadata, policy: policy, counter: nil).responses == compresses)
        #expect(!ServerCallCompression(metadata: metadata, policy: .off, counter: nil).responses, "the policy off compresses nothing")
    }
}
