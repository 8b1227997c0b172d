import NIOCore

/// A command for Redis: an array of bulk strings, the way every client sends its requests.
///
/// `RESPCommand("PUBLISH", "tb", "hello")` goes on the wire as
/// `*3\r\n$7\r\nPUBLISH\r\n$2\r\ntb\r\n$5\r\nhello\r\n` (36 bytes).
public struct RESPCommand: Sendable, Hashable {
    /// The command's name first, then its arguments, each sent as bytes.
    public var arguments: [ByteBuffer]

    /// A command from raw arguments; the first is the command's name.
    public init(arguments: [ByteBuffer]) {
        precondition(!arguments.isEmpty, "a Redis command has at least its name")
        self.arguments = arguments
    }

    /// A command from its name and text arguments (sent as UTF-8).
    public init(_ name: String, _ arguments: String...) {
        self.init(arguments: ([name] + arguments).map { ByteBuffer(string: $0) })
    }

    /// `PUBLISH channel payload`: Redis answers with the number of subscribers that received it.
    public static func publish(channel: String, payload: ByteBuffer) -> RESPCommand {
        RESPCommand(arguments: [ByteBuffer(string: "PUBLISH"), ByteBuffer(string: channel), payload])
    }

    /// The number of bytes ``encode(into:)`` writes.
    public var encodedByteCount: Int {
        arguments.reduce(Self.headerLength(arguments.count)) { total, argument in
            total + Self.headerLength(argument.readableBytes) + argument.readableBytes + 2
        }
    }

    /// Appends the command in RESP2 (`*N\r\n` then `$LEN\r\nBYTES\r\n` per argument) to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: encodedByteCount)
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.readableBytes))
            buffer.writeStaticString("\r\n")
            buffer.writeImmutableBuffer(argument)
            buffer.writeStaticString("\r\n")
        }
    }

    /// The length of `*N\r\n` or `$N\r\n`: the type byte, the decimal digits and CRLF.
    private static func headerLength(_ count: Int) -> Int {
        1 + String(count).utf8.count + 2
    }
}
