import NIOCore

/// Decodes RESP2 values from Redis's byte stream, one complete value at a time.
///
/// Input may stop anywhere (inside a length, between CR and LF, in the middle of a bulk string);
/// then nothing is consumed until the rest arrives. Input that is not RESP2 — an unknown type
/// byte, a length that is not a number or is below -1, a CR not followed by LF, a bulk string
/// longer than it said — throws ``RESPDecodingError``, which closes the connection: after a
/// framing error no later byte can be trusted.
public struct RESPDecoder: ByteToMessageDecoder {
    public typealias InboundOut = RESPValue

    /// The longest bulk string accepted: Redis's own limit (`proto-max-bulk-len`, 512 MB).
    public static let maximumBulkLength = 512 * 1024 * 1024
    /// The longest line (simple string, error, integer or length) accepted.
    public static let maximumLineLength = 64 * 1024
    /// How deeply arrays may nest.
    public static let maximumDepth = 32

    public init() {}

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try Self.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A value cut off by the end of the connection is dropped: its request fails with the close.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// Reads one complete value from the front of `buffer`, or returns `nil` and leaves `buffer`
    /// as it was when the value is not complete yet.
    public static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        // A copy shares the bytes; only its reader index moves.
        var input = buffer
        guard let value = try value(from: &input, depth: 0) else { return nil }
        buffer.moveReaderIndex(to: input.readerIndex)
        return value
    }

    private static func value(from input: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard let type = input.readInteger(as: UInt8.self) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            return try line(from: &input).map { .simpleString(String(buffer: $0)) }
        case UInt8(ascii: "-"):
            return try line(from: &input).map { .error(String(buffer: $0)) }
        case UInt8(ascii: ":"):
            return try line(from: &input).map { .integer(try number($0, what: "integer")) }
        case UInt8(ascii: "$"):
            guard let length = try length(from: &input, what: "bulk string", maximum: maximumBulkLength) else { return nil }
            guard length >= 0 else { return .bulkString(nil) }
            guard input.readableBytes >= length + 2, let bytes = input.readSlice(length: length) else { return nil }
            guard input.readInteger(as: UInt16.self) == crlf else {
                throw RESPDecodingError("a bulk string of \(length) bytes is not followed by CRLF")
            }
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            guard depth < maximumDepth else { throw RESPDecodingError("arrays nest deeper than \(maximumDepth) levels") }
            guard let count = try length(from: &input, what: "array", maximum: Int(Int32.max)) else { return nil }
            guard count >= 0 else { return .array(nil) }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let element = try value(from: &input, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            let shown = (0x20..<0x7F).contains(type) ? " ('\(Character(Unicode.Scalar(type)))')" : ""
            throw RESPDecodingError("unknown type byte 0x\(String(type, radix: 16, uppercase: true))\(shown)")
        }
    }

    /// CR LF read as one big-endian `UInt16`.
    private static let crlf: UInt16 = 0x0D0A

    /// The bytes up to the next CRLF, which is consumed too; `nil` when no CRLF has arrived yet.
    private static func line(from input: inout ByteBuffer) throws -> ByteBuffer? {
        guard let cr = input.readableBytesView.firstIndex(of: UInt8(ascii: "\r")) else {
            guard input.readableBytes <= maximumLineLength else {
                throw RESPDecodingError("a line is longer than \(maximumLineLength) bytes without CRLF")
            }
            return nil
        }
        let length = cr - input.readerIndex
        guard let next = input.getInteger(at: cr + 1, as: UInt8.self) else { return nil }
        guard next == UInt8(ascii: "\n") else { throw RESPDecodingError("a CR is not followed by LF") }
        let text = input.readSlice(length: length)
        input.moveReaderIndex(forwardBy: 2)
        return text
    }

    /// The length line of a bulk string or an array: -1 (null) up to `maximum`.
    private static func length(from input: inout ByteBuffer, what: String, maximum: Int) throws -> Int? {
        guard let text = try line(from: &input) else { return nil }
        let value = try number(text, what: "\(what) length")
        guard value >= -1, value <= maximum else { throw RESPDecodingError("\(what) length \(value) is out of range") }
        return Int(value)
    }

    /// A decimal integer with an optional minus sign, nothing else.
    private static func number(_ text: ByteBuffer, what: String) throws -> Int64 {
        let string = String(buffer: text)
        guard let first = string.utf8.first, first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
            let value = Int64(string)
        else { throw RESPDecodingError("\(what) \"\(string.prefix(32))\" is not a number") }
        return value
    }
}

/// Input that is not RESP2: what was wrong with it.
public struct RESPDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, e.g. `unknown type byte 0x3F ('?')`.
    public var reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "malformed RESP from Redis: \(reason)" }
}
