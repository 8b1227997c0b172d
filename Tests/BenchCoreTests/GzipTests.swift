import BenchCore
import Foundation
import NIOCore
import Testing

/// gzip's framing worked out from the RFCs, not from our own output: RFC 1952's member (a
/// 10-byte header `1f 8b 08 FLG MTIME XFL OS`, the deflate data, an 8-byte trailer of CRC-32 and
/// ISIZE, both little-endian) and RFC 1951's blocks.
@Suite("gzip")
struct GzipTests {
    /// The CRC-32 of RFC 1952 §8 (ISO-HDLC, the one zlib, Ethernet and PNG use) has the standard
    /// check value 0xCBF43926 for the nine ASCII digits "123456789".
    static let digits = "123456789"
    static let digitsTrailer: [UInt8] = [0x26, 0x39, 0xF4, 0xCB, 0x09, 0x00, 0x00, 0x00]

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    /// `gzip -dc` on `data`: a decoder that is not ours.
    static func gunzip(_ data: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-dc"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(data))
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(result)
    }

    static var hasGzip: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") }

    @Test("a one-shot member: RFC 1952's header with no optional fields, and the trailer CRC-32 0xCBF43926 and ISIZE 9 of \"123456789\"")
    func oneShotFraming() throws {
        let member = Self.bytes(try Gzip.compress(ByteBuffer(string: Self.digits)))
        // ID1 ID2 CM; FLG 0 (no FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT, so the deflate data starts
        // at byte 10); MTIME 0 ("no time stamp is available"); XFL 0 (neither level 9's 2 nor
        // level 1's 4); byte 9 is the OS.
        #expect(Array(member[0..<9]) == [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(Array(member.suffix(8)) == Self.digitsTrailer)
        #expect(member.count > 18)
    }

    @Test("an empty body is a header, RFC 1951's empty final fixed-Huffman block (03 00) and a zero trailer: 20 bytes")
    func emptyMember() throws {
        // BFINAL 1, BTYPE 01 (fixed Huffman), then end-of-block (code 256: 7 zero bits), packed
        // from the low bit: 1, 1, 0, then seven 0s: 0b0000_0011, 0b0000_0000. CRC-32 of nothing
        // is 0, ISIZE 0.
        let member = Self.bytes(try Gzip.compress(ByteBuffer()))
        #expect(member.count == 20)
        #expect(Array(member[0..<9]) == [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(Array(member[10...]) == [0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test(
        "a stream: every piece sync-flushed ends in RFC 1951's empty stored block (00 00 ff ff); the end is a final block and the trailer of all pieces"
    )
    func streamFraming() throws {
        let stream = try GzipStreamCompressor()
        let first = Self.bytes(try stream.compress(ByteBuffer(string: "1234")))
        let second = Self.bytes(try stream.compress(ByteBuffer(string: "56789")))
        let end = Self.bytes(try stream.finish())
        // The header comes once, before the first piece's data.
        #expect(Array(first[0..<3]) == [0x1F, 0x8B, 0x08])
        #expect(Array(second.prefix(3)) != [0x1F, 0x8B, 0x08])
        // A stored block's LEN 0 and NLEN, its one's complement (RFC 1951 §3.2.4), byte-aligned.
        #expect(Array(first.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF])
        #expect(Array(second.suffix(4)) == [0x00, 0x00, 0xFF, 0xFF])
        // After the flush the stream is byte-aligned: an empty final fixed block (03 00), then
        // CRC-32 and ISIZE of "123456789", the pieces together.
        #expect(end == [0x03, 0x00] + Self.digitsTrailer)

        // Whatever was sent so far decodes to the pieces so far, before the stream ends.
        let decoder = try GzipDecompressor(limit: 1 << 20)
        #expect(String(buffer: try decoder.decode(ByteBuffer(bytes: first))) == "1234")
        #expect(String(buffer: try decoder.decode(ByteBuffer(bytes: second))) == "56789")
        #expect(try decoder.decode(ByteBuffer(bytes: end)).readableBytes == 0)
        try decoder.finish()
    }

    @Test("gzip(1) decodes a sync-flushed stream and a one-shot member to the bytes put in", .enabled(if: hasGzip))
    func gzipToolDecodes() throws {
        let text = String(repeating: "alice@general: the deploy finished, shall we merge the branch now? ", count: 40)
        let stream = try GzipStreamCompressor()
        var wire: [UInt8] = []
        for piece in text.split(separator: " ") { wire += Self.bytes(try stream.compress(ByteBuffer(string: piece + " "))) }
        wire += Self.bytes(try stream.finish())
        #expect(String(decoding: try Self.gunzip(wire), as: UTF8.self) == text.split(separator: " ").map { $0 + " " }.joined())
        #expect(String(decoding: try Self.gunzip(Self.bytes(try Gzip.compress(ByteBuffer(string: text)))), as: UTF8.self) == text)
    }

    @Test("the decoder takes a stream one byte at a time, and members one after another (RFC 1952 §2.2)")
    func byteByByteAndMembers() throws {
        let text = String(repeating: "AAPL 229.87 +0.42% vol 48213554 bid 229.85 ask 229.88;", count: 20)
        let member = Self.bytes(try Gzip.compress(ByteBuffer(string: text)))
        let decoder = try GzipDecompressor(limit: 1 << 20)
        var plain = ByteBuffer()
        for byte in member + member {
            var part = try decoder.decode(ByteBuffer(bytes: [byte]))
            plain.writeBuffer(&part)
        }
        try decoder.finish()
        #expect(String(buffer: plain) == text + text)
    }

    @Test("data that is not gzip is told apart from gzip that breaks later, and from gzip cut short")
    func failures() throws {
        let member = Self.bytes(try Gzip.compress(ByteBuffer(string: String(repeating: Self.digits, count: 10))))
        func decode(_ bytes: [UInt8], pieces: Int = 1) throws(GzipError) {
            let decoder = try GzipDecompressor(limit: 1 << 20)
            let size = Swift.max(1, (bytes.count + pieces - 1) / pieces)
            for start in stride(from: 0, to: bytes.count, by: size) {
                _ = try decoder.decode(ByteBuffer(bytes: bytes[start..<Swift.min(bytes.count, start + size)]))
            }
            try decoder.finish()
        }
        // Plain JSON, and a body whose first byte is right but whose second is not, one byte a piece.
        #expect(throws: GzipError.notGzip) { try decode(Array("[]".utf8)) }
        #expect(throws: GzipError.notGzip) { try decode([0x1F, 0x00, 0x00], pieces: 3) }
        #expect(throws: GzipError.notGzip) { try decode([]) }
        // The CRC-32 of the trailer changed: the data decodes, the check fails.
        var badCRC = member
        badCRC[badCRC.count - 8] ^= 0xFF
        #expect(throws: GzipError.corrupt) { try decode(badCRC) }
        // ISIZE wrong.
        var badSize = member
        badSize[badSize.count - 1] ^= 0x01
        #expect(throws: GzipError.corrupt) { try decode(badSize) }
        // BTYPE 11 is reserved (RFC 1951 §3.2.3): the first block header after the 10-byte header.
        var reservedBlock = member
        reservedBlock[10] |= 0b110
        #expect(throws: GzipError.corrupt) { try decode(reservedBlock) }
        // Cut before the trailer, and inside it.
        #expect(throws: GzipError.truncated) { try decode(Array(member.dropLast(8))) }
        #expect(throws: GzipError.truncated) { try decode(Array(member.dropLast(3)), pieces: 4) }
        // Bytes after a complete member that do not start another.
        #expect(throws: GzipError.corrupt) { try decode(member + Array("junk".utf8)) }
        // The whole member decodes, in one piece or many.
        try decode(member)
        try decode(member, pieces: member.count)
    }

    @Test("a decompression bomb stops at the limit: 64 MiB of zeros in a 64 KiB body, limit 1 MiB")
    func bomb() throws {
        let zeros = ByteBuffer(repeating: 0, count: 64 << 20)
        let bomb = try Gzip.compress(zeros)
        // Deflate's longest match is 258 bytes in about 1 bit at best: ~1000:1.
        #expect(bomb.readableBytes < 128 << 10)
        let decoder = try GzipDecompressor(limit: 1 << 20)
        #expect(throws: GzipError.tooLarge(limit: 1 << 20)) { try decoder.decode(bomb) }
        // Exactly at the limit is fine.
        let exact = try Gzip.compress(ByteBuffer(repeating: 0, count: 1 << 20))
        #expect(try Gzip.decompress(exact, limit: 1 << 20).readableBytes == 1 << 20)
        #expect(throws: GzipError.tooLarge(limit: (1 << 20) - 1)) { try Gzip.decompress(exact, limit: (1 << 20) - 1) }
    }
}
