import NIOCore

/// One STOMP 1.2 frame: a command line, header lines, a blank line, the body and a NUL
/// (STOMP 1.2 §Augmented BNF).
///
/// ```swift
/// let frame = StompFrame(.connect, ["accept-version": "1.2", "host": "127.0.0.1"])
/// var buffer = ByteBuffer()
/// let framing = frame.write(to: &buffer)  // "CONNECT\naccept-version:1.2\nhost:127.0.0.1\n\n\0": 44 bytes
/// ```
public struct StompFrame: Sendable, Equatable {
    /// The commands of STOMP 1.2: the client's, then the server's.
    public enum Command: String, Sendable, CaseIterable {
        case connect = "CONNECT"
        case stomp = "STOMP"
        case send = "SEND"
        case subscribe = "SUBSCRIBE"
        case unsubscribe = "UNSUBSCRIBE"
        case ack = "ACK"
        case nack = "NACK"
        case begin = "BEGIN"
        case commit = "COMMIT"
        case abort = "ABORT"
        case disconnect = "DISCONNECT"
        case connected = "CONNECTED"
        case message = "MESSAGE"
        case receipt = "RECEIPT"
        case error = "ERROR"

        /// Whether header names and values are written as they are: CONNECT and CONNECTED frames
        /// escape nothing, for 1.0 peers (STOMP 1.2 §Value Encoding).
        var escapesHeaders: Bool { self != .connect && self != .connected }
    }

    /// One header line, `name:value`.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The WebSocket subprotocol of STOMP 1.2 (`Sec-WebSocket-Protocol`), as stomp.js offers it.
    public static let subprotocol = "v12.stomp"

    public var command: Command
    /// The headers in order; a repeated name's first value counts (STOMP 1.2 §Repeated Header Entries).
    public var headers: [Header]
    public var body: ByteBuffer

    public init(_ command: Command, _ headers: [Header] = [], body: ByteBuffer = ByteBuffer()) {
        self.command = command
        self.headers = headers
        self.body = body
    }

    /// A frame with headers in the order of `pairs`' literal.
    public init(_ command: Command, _ pairs: KeyValuePairs<String, String>, body: ByteBuffer = ByteBuffer()) {
        self.init(command, pairs.map { Header($0.key, $0.value) }, body: body)
    }

    /// The first value of header `name`.
    public subscript(name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Writes the frame to `buffer`; returns its framing bytes: everything but the body.
    @discardableResult
    public func write(to buffer: inout ByteBuffer) -> Int {
        let start = buffer.writerIndex
        buffer.writeString(command.rawValue)
        buffer.writeInteger(UInt8(ascii: "\n"))
        for header in headers {
            buffer.writeString(command.escapesHeaders ? Self.escape(header.name) : header.name)
            buffer.writeInteger(UInt8(ascii: ":"))
            buffer.writeString(command.escapesHeaders ? Self.escape(header.value) : header.value)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
        buffer.writeImmutableBuffer(body)
        buffer.writeInteger(UInt8(0))
        return buffer.writerIndex - start - body.readableBytes
    }

    /// The frame's bytes.
    public var bytes: ByteBuffer {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return buffer
    }

    /// A header name or value with STOMP 1.2's escapes: `\` → `\\`, CR → `\r`, LF → `\n`, `:` → `\c`.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 13 || $0 == 10 || $0 == UInt8(ascii: ":") }) else {
            return text
        }
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\r": escaped += "\\r"
            case "\n": escaped += "\\n"
            case ":": escaped += "\\c"
            case "\r\n": escaped += "\\r\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `text` with STOMP 1.2's escapes undone, or `nil` for an escape the spec does not define
    /// (a fatal protocol error, §Value Encoding).
    static func unescape(_ text: Substring) -> String? {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return String(text) }
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "\\": result += "\\"
            case "r": result += "\r"
            case "n": result += "\n"
            case "c": result += ":"
            default: return nil
            }
        }
        return result
    }
}
