import NIOCore
import NIOEmbedded
import Testing

@testable import BenchRedis

/// The byte strings below are worked out by hand from the RESP2 specification
/// (redis.io, "Redis serialization protocol specification").
@Suite("RESPDecoder")
struct RESPDecoderTests {
    /// Parses all of `text`, expecting one value that uses every byte.
    private func parseWhole(_ text: String) throws -> RESPValue? {
        var buffer = ByteBuffer(string: text)
        let value = try RESPDecoder.parse(&buffer)
        #expect(buffer.readableBytes == 0, "\(text.debugDescription) left \(buffer.readableBytes) bytes")
        return value
    }

    private static func bulk(_ text: String) -> RESPValue { .bulkString(ByteBuffer(string: text)) }

    @Test(
        "complete values of every RESP2 type decode to what the spec says",
        arguments: [
            ("+OK\r\n", RESPValue.simpleString("OK")),
            ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
            (":1000\r\n", .integer(1000)),
            (":-42\r\n", .integer(-42)),
            ("$5\r\nhello\r\n", bulk("hello")),
            ("$0\r\n\r\n", bulk("")),
            ("$4\r\na\r\nb\r\n", bulk("a\r\nb")),  // binary-safe: CRLF inside a bulk string is data
            ("$-1\r\n", .bulkString(nil)),
            ("*0\r\n", .array([])),
            ("*-1\r\n", .array(nil)),
            ("*2\r\n*1\r\n:1\r\n+x\r\n", .array([.array([.integer(1)]), .simpleString("x")])),
            ("*3\r\n$9\r\nsubscribe\r\n$2\r\ntb\r\n:1\r\n", .array([bulk("subscribe"), bulk("tb"), .integer(1)])),
        ])
    func completeValues(text: String, expected: RESPValue) throws {
        #expect(try parseWhole(text) == expected)
    }

    @Test("every strict prefix of a message push is incomplete and consumes nothing; the whole of it decodes")
    func partialInput() throws {
        // 4 + 4 + 9 + 4 + 4 + 4 + 7 = 36 bytes.
        let push = "*3\r\n$7\r\nmessage\r\n$2\r\ntb\r\n$5\r\nhello\r\n"
        let bytes = Array(push.utf8)
        #expect(bytes.count == 36)
        for length in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[..<length])
            #expect(try RESPDecoder.parse(&buffer) == nil, "prefix of \(length) bytes")
            #expect(buffer.readableBytes == length)
        }
        #expect(try parseWhole(push) == .array([Self.bulk("message"), Self.bulk("tb"), Self.bulk("hello")]))
    }

    @Test("two values arriving byte by byte through the handler come out once each, in order")
    func byteByByteThroughTheHandler() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
        for byte in ":1\r\n$2\r\nhi\r\n".utf8 { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        #expect(try channel.readInbound(as: RESPValue.self) == .integer(1))
        #expect(try channel.readInbound(as: RESPValue.self) == Self.bulk("hi"))
        #expect(try channel.readInbound(as: RESPValue.self) == nil)
        _ = try channel.finish()
    }

    @Test(
        "malformed input is rejected with a reason",
        arguments: [
            ("?x\r\n", "unknown type byte 0x3F ('?')"),
            ("*1\r\n!\r\n", "unknown type byte 0x21 ('!')"),
            ("$abc\r\n", "bulk string length \"abc\" is not a number"),
            ("$-2\r\n", "bulk string length -2 is out of range"),
            ("*-5\r\n", "array length -5 is out of range"),
            ("$3\r\nabcX\r\n", "a bulk string of 3 bytes is not followed by CRLF"),
            ("+OK\rX", "a CR is not followed by LF"),
            (":12a\r\n", "integer \"12a\" is not a number"),
            (":\r\n", "integer \"\" is not a number"),
            (":+5\r\n", "integer \"+5\" is not a number"),
        ])
    func malformedInput(text: String, reason: String) {
        var buffer = ByteBuffer(string: text)
        #expect(throws: RESPDecodingError(reason)) { try RESPDecoder.parse(&buffer) }
    }

    @Test("a malformed reply reaches the pipeline as an error")
    func malformedThroughTheHandler() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPDecoder()))
        #expect(throws: RESPDecodingError("unknown type byte 0x3F ('?')")) { try channel.writeInbound(ByteBuffer(string: "?\r\n")) }
        _ = try? channel.finish()
    }

    @Test("a line that never ends is rejected once it passes the line limit")
    func endlessLine() {
        var buffer = ByteBuffer(string: "+" + String(repeating: "a", count: RESPDecoder.maximumLineLength + 1))
        #expect(throws: RESPDecodingError("a line is longer than \(RESPDecoder.maximumLineLength) bytes without CRLF")) {
            try RESPDecoder.parse(&buffer)
        }
    }
}
