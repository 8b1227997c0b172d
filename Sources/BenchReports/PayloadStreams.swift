import BenchCore
import BenchMessages
import Foundation
import NIOCore

/// `bench payloads`' compressed-stream comparison: a stream of realistic messages (``SampleStream``)
/// as JSON and as protobuf, through each transport's compression as its runs use it, with the
/// same compressors (`PerMessageDeflateCompressor`, `GzipStreamCompressor`, `Gzip`):
///
/// - **Plain**: the encoded message.
/// - **WebSocket**: permessage-deflate with context takeover and a 15-bit window, every message
///   compressed (no threshold): the frame header (RFC 6455 §5.2, server frames unmasked) plus the
///   compressed payload. JSON in text frames, protobuf in binary frames.
/// - **SSE**: one gzip stream per connection, flushed after every event: the stream's bytes for
///   `data: BODY\n\n` (protobuf as base64, SSE carrying text only), the gzip header and trailer
///   shared out over the events; HTTP/1.1's chunk framing left out.
/// - **gRPC**: each message compressed on its own (gzip, as grpc-swift does it), behind the
///   5-byte Length-Prefixed-Message prefix.
///
/// Every figure is an average per message, in bytes.
public struct PayloadStreamRow: Codable, Sendable, Hashable {
    /// `chat-message-stream`, …: what a claim's `payload` line names.
    public var message: String
    public var summary: String
    /// Messages in the stream.
    public var count: Int
    public var jsonPlainBytes: Double
    public var protobufPlainBytes: Double
    public var jsonWebSocketBytes: Double
    public var protobufWebSocketBytes: Double
    public var jsonSSEBytes: Double
    public var protobufSSEBytes: Double
    public var jsonGRPCBytes: Double
    public var protobufGRPCBytes: Double

    init(_ stream: SampleStream) throws {
        message = stream.name
        summary = stream.summary
        let messages = stream.jsonMessages.count
        count = messages
        let average = { (total: Int) in Double(total) / Double(Swift.max(messages, 1)) }
        jsonPlainBytes = average(stream.jsonMessages.reduce(0) { $0 + $1.count })
        protobufPlainBytes = average(stream.protobufMessages.reduce(0) { $0 + $1.count })
        jsonWebSocketBytes = average(try Self.webSocket(stream.jsonMessages))
        protobufWebSocketBytes = average(try Self.webSocket(stream.protobufMessages))
        jsonSSEBytes = average(try Self.eventStream(stream.jsonMessages, encoding: .json))
        protobufSSEBytes = average(try Self.eventStream(stream.protobufMessages, encoding: .protobuf))
        jsonGRPCBytes = average(try Self.grpc(stream.jsonMessages))
        protobufGRPCBytes = average(try Self.grpc(stream.protobufMessages))
    }

    /// Frame headers and compressed payloads of the messages on one connection.
    static func webSocket(_ messages: [[UInt8]]) throws -> Int {
        let compressor = PerMessageDeflateCompressor(PerMessageDeflate.Direction(windowBits: 15, contextTakeover: true))
        return try messages.reduce(0) { total, message in
            let payload = try compressor.compress(ByteBuffer(bytes: message)).readableBytes
            return total + frameHeaderBytes(payload: payload) + payload
        }
    }

    /// RFC 6455 §5.2: 2 bytes, plus 2 for a 16-bit length (126 to 65,535 bytes) or 8 for a 64-bit one.
    static func frameHeaderBytes(payload: Int) -> Int {
        payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10
    }

    /// The gzip stream's bytes for the messages' SSE events, header and trailer included.
    static func eventStream(_ messages: [[UInt8]], encoding: Encoding) throws -> Int {
        let stream = try GzipStreamCompressor()
        var total = 0
        for message in messages {
            var event = ByteBuffer(string: "data: ")
            var body = EventCodec.textForm(of: ByteBuffer(bytes: message), encoding: encoding)
            event.writeBuffer(&body)
            event.writeString("\n\n")
            total += try stream.compress(event).readableBytes
        }
        return total + (try stream.finish()).readableBytes
    }

    /// Each message gzipped alone behind its 5-byte prefix.
    static func grpc(_ messages: [[UInt8]]) throws -> Int {
        try messages.reduce(0) { $0 + 5 + (try Gzip.compress(ByteBuffer(bytes: $1))).readableBytes }
    }

    /// `protobuf / json - 1` on `carrier`'s bytes, in percent.
    public func protobufVersusJSONPercent(_ carrier: KeyPath<PayloadStreamRow, Double>, json: KeyPath<PayloadStreamRow, Double>) -> Double {
        (self[keyPath: carrier] / self[keyPath: json] - 1) * 100
    }
}

extension PayloadComparison {
    /// The compressed-stream comparison of every ``SampleStream``.
    static func streamRows(_ streams: [SampleStream]) -> [PayloadStreamRow] {
        // The compressors take what they are given; a failure here is a bug in them, not input.
        streams.map { try! PayloadStreamRow($0) }
    }

    /// Every name a claim's `payload` line may give: the sample messages and the streams.
    public var measurementNames: [String] { rows.map(\.message) + streams.map(\.message) }
}
