import BenchCore
import Foundation
import NIOCore

/// gRPC-Web's two wire formats (gRPC's PROTOCOL-WEB.md): the length-prefixed frames as they
/// are, or the same frames base64-encoded for clients that can read only text.
///
/// The content type names the format and the message encoding: `application/grpc-web+proto`
/// (`application/grpc-web` alone means protobuf too) and `application/grpc-web+json`; the text
/// format adds `-text`: `application/grpc-web-text+proto`, `application/grpc-web-text+json`
/// (the text form of the `+json` stream, which PROTOCOL-WEB.md allows: `-text` is "text-encoded
/// streams of application/grpc-web").
///
/// In the text format every write is base64-encoded on its own, padding included, and each
/// frame is one such unit, so a frame's text does not depend on what was written with it.
public enum GRPCWebFormat: String, Sendable, Hashable, CaseIterable {
    /// `application/grpc-web`: frames as bytes.
    case binary
    /// `application/grpc-web-text`: frames as base64 text (RFC 4648 §4, padded).
    case text

    /// The transport that speaks this format.
    public var kind: TransportKind { self == .binary ? .grpcWeb : .grpcWebText }

    /// The content type of a call whose messages are in `encoding`.
    public func contentType(_ encoding: Encoding) -> String {
        (self == .binary ? "application/grpc-web" : "application/grpc-web-text") + (encoding == .json ? "+json" : "+proto")
    }

    /// The format and message encoding a `Content-Type` names (parameters ignored, case
    /// insensitive), or `nil` when it is not gRPC-Web's.
    public static func parse(contentType: String) -> (format: GRPCWebFormat, encoding: Encoding)? {
        let media = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch media.trimmingCharacters(in: .whitespaces).lowercased() {
        case "application/grpc-web", "application/grpc-web+proto": return (.binary, .protobuf)
        case "application/grpc-web+json": return (.binary, .json)
        case "application/grpc-web-text", "application/grpc-web-text+proto": return (.text, .protobuf)
        case "application/grpc-web-text+json": return (.text, .json)
        default: return nil
        }
    }

    /// `frame` as this format writes it: as is, or as its base64 text.
    public func encode(_ frame: ByteBuffer) -> ByteBuffer {
        guard self == .text else { return frame }
        return ByteBuffer(bytes: Data(frame.readableBytesView).base64EncodedData())
    }

    /// Appends `frame` to `buffer` as this format writes it: its bytes as they are (binary, no
    /// intermediate buffer), or the frame base64-encoded on its own (text).
    public func write(_ frame: GRPCWebFrame, to buffer: inout ByteBuffer) {
        guard self == .text else { return frame.write(to: &buffer) }
        buffer.writeBytes(Data(frame.bytes.readableBytesView).base64EncodedData())
    }

    // MARK: - Per-frame arithmetic

    /// Wire bytes of the frame carrying an `n`-byte message: the 5-byte prefix and the message
    /// (gRPC over HTTP/2's Length-Prefixed-Message), or that as base64 text, 4·⌈(5 + n)/3⌉.
    public func frameWireBytes(message n: Int) -> Int {
        self == .binary ? GRPCWebFrame.prefixBytes + n : EventCodec.base64Length(of: GRPCWebFrame.prefixBytes + n)
    }

    /// The layer's framing in one such frame: the 5-byte prefix, or in text the characters that
    /// carry any of the prefix's 40 bits: ⌈40/6⌉ = 7 (the 7th also carries 2 bits of the
    /// message); with an empty message the frame's one padding character pads the prefix alone,
    /// so 8.
    public func prefixWireBytes(message n: Int) -> Int {
        switch self {
        case .binary: GRPCWebFrame.prefixBytes
        case .text: n == 0 ? 8 : 7
        }
    }

    /// The base64 inflation of an `n`-byte message in its frame: the frame's text less the
    /// prefix's characters (``prefixWireBytes(message:)``) and the message's own bytes; 0 in the
    /// binary format. Never negative: 4·⌈(5 + n)/3⌉ − 7 − n ≥ (n − 1)/3.
    public func messageInflationBytes(message n: Int) -> Int {
        self == .binary ? 0 : frameWireBytes(message: n) - prefixWireBytes(message: n) - n
    }
}
