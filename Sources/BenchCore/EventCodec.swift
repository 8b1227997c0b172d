import BenchMessages
import Foundation
import NIOCore
import NIOFoundationCompat
import SwiftProtobuf

/// Encodes and decodes ``Event``s and batches of them in a scenario's ``Encoding``.
///
/// - JSON: Foundation's `JSONEncoder`, compact, keys sorted: `{"payload":…,"publishedAt":…,"sequence":…}`;
///   a batch is a JSON array.
/// - Protobuf: `transportbench.Event` in swift-protobuf's binary format; a batch is a
///   `transportbench.EventBatch` (each event behind its field tag and length).
///
/// One codec per task: it owns a `JSONEncoder` and a `JSONDecoder`, which are not shared.
/// Batches are built from already encoded bodies, so the server encodes each event once,
/// whatever the number of clients.
public struct EventCodec {
    public let encoding: Encoding
    private let encoder: JSONEncoder
    private let decoder: JSONDecoder

    public init(_ encoding: Encoding) {
        self.encoding = encoding
        self.encoder = JSONEncoder()
        self.encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.decoder = JSONDecoder()
    }

    /// One event's body.
    public func encode(_ event: Event) -> ByteBuffer {
        switch encoding {
        case .json:
            // Encoding a struct of two integers and a string cannot fail.
            try! encoder.encodeAsByteBuffer(event, allocator: ByteBufferAllocator())
        case .protobuf:
            ByteBuffer(bytes: try! event.message.serializedBytes() as [UInt8])
        }
    }

    /// One event from its body.
    public func decode(_ body: ByteBuffer) throws -> Event {
        switch encoding {
        case .json:
            try decoder.decode(Event.self, from: body)
        case .protobuf:
            Event(try Transportbench_Event(serializedBytes: Array(body.readableBytesView)))
        }
    }

    /// A batch body made of encoded event bodies: a JSON array `[a,b,…]`, or a protobuf
    /// `EventBatch` (field 1, length-delimited, once per event).
    ///
    /// The brackets and commas, or the tags and lengths, are batch framing, which reports count
    /// as overhead.
    public static func batch(of bodies: [ByteBuffer], encoding: Encoding) -> ByteBuffer {
        var buffer = ByteBuffer()
        switch encoding {
        case .json:
            buffer.reserveCapacity(bodies.reduce(2) { $0 + $1.readableBytes + 1 })
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, body) in bodies.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeImmutableBuffer(body)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .protobuf:
            buffer.reserveCapacity(bodies.reduce(0) { $0 + $1.readableBytes + 6 })
            for body in bodies {
                buffer.writeInteger(UInt8(1 << 3 | 2))  // field 1, wire type 2 (length-delimited)
                buffer.writeProtobufVarint(UInt64(body.readableBytes))
                buffer.writeImmutableBuffer(body)
            }
        }
        return buffer
    }

    /// The events of a batch body.
    public func decodeBatch(_ body: ByteBuffer) throws -> [Event] {
        switch encoding {
        case .json:
            try decoder.decode([Event].self, from: body)
        case .protobuf:
            try Transportbench_EventBatch(serializedBytes: Array(body.readableBytesView)).events.map(Event.init)
        }
    }

    /// The MIME type of a batch body.
    public static func batchContentType(_ encoding: Encoding) -> String {
        switch encoding {
        case .json: "application/json"
        case .protobuf: "application/x-protobuf"
        }
    }

    /// A body as text for carriers that take only text (SSE): itself for JSON, base64 for
    /// binary encodings.
    public static func textForm(of body: ByteBuffer, encoding: Encoding) -> ByteBuffer {
        guard encoding.isBinary else { return body }
        return ByteBuffer(string: Data(body.readableBytesView).base64EncodedString())
    }

    /// One event from its text form.
    public func decodeText(_ text: String) throws -> Event {
        guard encoding.isBinary else { return try decode(ByteBuffer(string: text)) }
        guard let data = Data(base64Encoded: text) else { throw EventCodecError.badBase64 }
        return try decode(ByteBuffer(bytes: data))
    }

    /// Bytes of the base64 form of `n` bytes (RFC 4648 §4, padded).
    public static func base64Length(of n: Int) -> Int { (n + 2) / 3 * 4 }
}

/// Why a body could not be decoded.
public enum EventCodecError: Error, CustomStringConvertible {
    case badBase64

    public var description: String {
        switch self {
        case .badBase64: "an event's text form is not valid base64"
        }
    }
}

extension Event {
    /// The protobuf message carrying this event.
    public var message: Transportbench_Event {
        .with {
            $0.sequence = sequence
            $0.publishedAt = publishedAt
            $0.payload = payload
        }
    }

    public init(_ message: Transportbench_Event) {
        self.init(sequence: message.sequence, publishedAt: message.publishedAt, payload: message.payload)
    }
}

extension ByteBuffer {
    /// Writes `value` as a protobuf base-128 varint: 7 bits a byte, low bits first, high bit set
    /// on every byte but the last.
    mutating func writeProtobufVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            writeInteger(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        writeInteger(UInt8(value))
    }
}
