import BenchCore
import NIOCore

/// One gRPC-Web frame: a message, or the trailers that end a response (gRPC's PROTOCOL-WEB.md
/// on gRPC over HTTP/2's Length-Prefixed-Message).
///
/// Every frame is a flag byte, a 4-byte big-endian length and that many bytes. The flag's
/// most significant bit marks trailers (`0x80`); its least significant bit marks a compressed
/// payload, which this transport never sends and refuses to read (gRPC-Web does not compress
/// the messages of a stream).
///
/// ```swift
/// GRPCWebFrame.message(body).bytes        // 00 00 00 00 n, then the body
/// GRPCWebFrame.trailers(.ok).bytes        // 80 00 00 00 1e "grpc-status:0\r\ngrpc-message:\r\n"
/// ```
public enum GRPCWebFrame: Sendable, Hashable {
    case message(ByteBuffer)
    case trailers(GRPCWebTrailers)

    /// The flag byte and the 4-byte length.
    public static let prefixBytes = 5
    /// The flag of a trailers frame.
    static let trailersFlag: UInt8 = 0x80
    /// The flag of a compressed payload.
    static let compressedFlag: UInt8 = 0x01

    /// The frame's bytes: prefix, then payload.
    public var bytes: ByteBuffer {
        var frame = ByteBuffer()
        write(to: &frame)
        return frame
    }

    /// Appends the frame to `buffer`: the flag, the 4-byte big-endian length, the payload.
    public func write(to buffer: inout ByteBuffer) {
        let payload: ByteBuffer
        let flag: UInt8
        switch self {
        case .message(let body): (payload, flag) = (body, 0)
        case .trailers(let trailers): (payload, flag) = (ByteBuffer(string: trailers.block), Self.trailersFlag)
        }
        buffer.reserveCapacity(minimumWritableBytes: Self.prefixBytes + payload.readableBytes)
        buffer.writeInteger(flag)
        buffer.writeInteger(UInt32(payload.readableBytes))
        buffer.writeImmutableBuffer(payload)
    }
}

/// The status and metadata that end a gRPC-Web response, carried in its last frame as HTTP/1
/// header lines without the terminating blank line (PROTOCOL-WEB.md, "Message framing").
///
/// This server sends `grpc-status:0\r\ngrpc-message:\r\n` when the run ends, the same with
/// `bench-gap:FIRST-LAST\r\n` when the client's cursor left the retention window (the client
/// subscribes again after the gap, as gRPC's `Subscribe` does with its `bench-gap` trailer),
/// and a non-zero status with its message when the request could not be served.
public struct GRPCWebTrailers: Sendable, Hashable {
    /// `grpc-status`: 0 OK, 3 INVALID_ARGUMENT, … (gRPC's status codes).
    public var status: Int
    /// `grpc-message`, percent-encoded as gRPC over HTTP/2 says (printable ASCII except `%`
    /// stays as it is).
    public var message: String
    /// `bench-gap`: the events that left the retention window.
    public var gap: ClosedRange<UInt64>?

    public init(status: Int, message: String = "", gap: ClosedRange<UInt64>? = nil) {
        self.status = status
        self.message = Self.percentEncoded(message)
        self.gap = gap
    }

    /// A call that ended well.
    public static let ok = GRPCWebTrailers(status: 0)

    /// INVALID_ARGUMENT (3) with `message`.
    public static func invalidArgument(_ message: String) -> GRPCWebTrailers { GRPCWebTrailers(status: 3, message: message) }

    /// The trailer block: one `name:value\r\n` line per field, lower-case names.
    public var block: String {
        var block = "grpc-status:\(status)\r\ngrpc-message:\(message)\r\n"
        if let gap { block += "bench-gap:\(GapNotice.text(gap))\r\n" }
        return block
    }

    /// The trailers in `block`; `nil` without a numeric `grpc-status`. Names are matched case
    /// insensitively, values trimmed of spaces; unknown fields are ignored.
    public init?(parsing block: ByteBuffer) {
        var status: Int?
        var (message, gap) = ("", ClosedRange<UInt64>?.none)
        for line in String(buffer: block).split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            switch line[..<colon].lowercased() {
            case "grpc-status": status = Int(value)
            case "grpc-message": message = value
            case "bench-gap": gap = GapNotice.parse(value)
            default: break
            }
        }
        guard let status else { return nil }
        (self.status, self.message, self.gap) = (status, message, gap)
    }

    /// `text` with every byte outside printable ASCII, and `%`, as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
