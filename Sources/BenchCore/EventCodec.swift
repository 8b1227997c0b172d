import Foundation
import NIOCore
import NIOFoundationCompat

/// Encodes and decodes ``Event``s and batches of them in a scenario's ``Encoding``.
///
/// One codec per task: it owns a `JSONEncoder` and a `JSONDecoder`, which are not shared.
/// Batches (a poll response carrying several events) are built from already encoded bodies, so
/// the server encodes each event once, whatever the number of clients.
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
        }
    }

    /// One event from its body.
    public func decode(_ body: ByteBuffer) throws -> Event {
        switch encoding {
        case .json:
            try decoder.decode(Event.self, from: body)
        }
    }

    /// A batch body made of encoded event bodies: a JSON array `[a,b,…]`.
    ///
    /// The brackets and commas are batch framing, which reports count as overhead.
    public static func batch(of bodies: [ByteBuffer], encoding: Encoding) -> ByteBuffer {
        switch encoding {
        case .json:
            var buffer = ByteBuffer()
            buffer.reserveCapacity(bodies.reduce(2) { $0 + $1.readableBytes + 1 })
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, body) in bodies.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeImmutableBuffer(body)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
            return buffer
        }
    }

    /// The events of a batch body.
    public func decodeBatch(_ body: ByteBuffer) throws -> [Event] {
        switch encoding {
        case .json:
            try decoder.decode([Event].self, from: body)
        }
    }

    /// The MIME type of a batch body.
    public static func batchContentType(_ encoding: Encoding) -> String {
        switch encoding {
        case .json: "application/json"
        }
    }
}
