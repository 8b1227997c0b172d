import BenchCore
import BenchMessages
import GRPCCore
import NIOCore
import SwiftProtobuf

/// Metadata keys of the `transportbench.EventStream` service.
enum EventStreamMetadata {
    /// The encoding of every message in the call, `json` or `protobuf`. gRPC's content type
    /// stays `application/grpc`; the encoding is TransportBench's axis, not gRPC's.
    static let encoding = "bench-encoding"
    /// Events the server no longer retains: `FIRST-LAST`.
    static let gap = "bench-gap"
    /// The uploading client's number.
    static let client = "bench-client"
}

/// Passes bytes through: event bodies travel already encoded by ``EventCodec`` in the run's
/// encoding, so gRPC carries exactly the bytes SSE and WebSocket carry, and the server encodes
/// each event once whatever the number of subscribers.
struct EncodedBodySerializer: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: ByteBuffer) throws -> Bytes {
        Bytes(message.readableBytesView)
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> ByteBuffer {
        serializedMessageBytes.withUnsafeBytes { ByteBuffer(bytes: $0) }
    }
}

/// A protobuf message (the cursor, the upload receipt) in the run's encoding: swift-protobuf's
/// binary format, or its canonical JSON mapping — the custom serializer that keeps encoding an
/// axis for gRPC.
struct EncodingSerializer<Message: SwiftProtobuf.Message & Sendable>: MessageSerializer, MessageDeserializer {
    let encoding: Encoding

    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        switch encoding {
        case .protobuf: Bytes(try message.serializedBytes() as [UInt8])
        case .json: Bytes(try message.jsonUTF8Bytes() as [UInt8])
        }
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        switch encoding {
        case .protobuf: try serializedMessageBytes.withUnsafeBytes { try Message(serializedBytes: Array($0)) }
        case .json: try serializedMessageBytes.withUnsafeBytes { try Message(jsonUTF8Bytes: Array($0)) }
        }
    }

    /// Decodes a message the server received as bytes.
    func decode(_ body: ByteBuffer) throws -> Message {
        try deserialize(Array(body.readableBytesView))
    }

    /// Encodes a message the server sends as bytes.
    func encode(_ message: Message) throws -> ByteBuffer {
        ByteBuffer(bytes: try serialize(message) as [UInt8])
    }
}

extension Metadata {
    /// The call's encoding (JSON when absent).
    func encoding() throws(RPCError) -> Encoding {
        guard let text = self[stringValues: EventStreamMetadata.encoding].first(where: { _ in true }) else { return .json }
        guard let encoding = Encoding(rawValue: text) else {
            throw RPCError(code: .invalidArgument, message: "unknown encoding '\(text)'; choose from \(Encoding.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return encoding
    }

    /// An announced gap, if any.
    var gap: ClosedRange<UInt64>? {
        self[stringValues: EventStreamMetadata.gap].first(where: { _ in true }).flatMap(GapNotice.parse)
    }
}
