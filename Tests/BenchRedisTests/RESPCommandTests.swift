import NIOCore
import Testing

@testable import BenchRedis

@Suite("RESPCommand")
struct RESPCommandTests {
    @Test("PUBLISH is an array of three bulk strings, 36 bytes for channel tb and payload hello")
    func publish() {
        // *3\r\n (4) $7\r\nPUBLISH\r\n (4 + 9) $2\r\ntb\r\n (4 + 4) $5\r\nhello\r\n (4 + 7) = 36.
        let expected = "*3\r\n$7\r\nPUBLISH\r\n$2\r\ntb\r\n$5\r\nhello\r\n"
        let command = RESPCommand.publish(channel: "tb", payload: ByteBuffer(string: "hello"))
        var buffer = ByteBuffer()
        command.encode(into: &buffer)
        #expect(String(buffer: buffer) == expected)
        #expect(command.encodedByteCount == 36)
        #expect(buffer.readableBytes == 36)
        #expect(command == RESPCommand("PUBLISH", "tb", "hello"))
    }

    @Test("lengths count bytes, not characters, and a payload of 10 bytes takes a two-digit length")
    func lengthsInBytes() {
        // "é" is two bytes in UTF-8; "0123456789" is ten.
        let command = RESPCommand("SET", "é", "0123456789")
        var buffer = ByteBuffer()
        command.encode(into: &buffer)
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$2\r\né\r\n$10\r\n0123456789\r\n")
        #expect(command.encodedByteCount == buffer.readableBytes)
        #expect(buffer.readableBytes == 4 + 9 + 8 + 17)
    }
}
