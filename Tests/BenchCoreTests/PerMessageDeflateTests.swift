import BenchCore
import NIOCore
import Testing

/// permessage-deflate's codec against RFC 7692 §7.2.3's worked examples, its bounds, and its
/// negotiation (RFC 7692 §5, §7.1; RFC 6455 §9.1's header grammar).
@Suite("permessage-deflate (RFC 7692)")
struct PerMessageDeflateTests {
    typealias Direction = PerMessageDeflate.Direction

    static let takeover = Direction(windowBits: 15, contextTakeover: true)
    static let noTakeover = Direction(windowBits: 15, contextTakeover: false)

    static func inflate(_ payloads: [[UInt8]], _ direction: Direction = takeover, limit: Int = 1 << 20) throws -> [String] {
        let decompressor = PerMessageDeflateDecompressor(direction, maxMessageBytes: limit)
        return try payloads.map { String(buffer: try decompressor.decompress(ByteBuffer(bytes: $0), isFinal: true)) }
    }

    // MARK: - RFC 7692 §7.2.3

    @Test("§7.2.3.1: \"Hello\" compresses to f2 48 cd c9 c9 07 00; §7.2.3.2: the second to f2 00 11 00 00 with a shared window, the same 7 bytes without")
    func helloExamples() throws {
        let hello = ByteBuffer(string: "Hello")
        let first: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
        let shared = PerMessageDeflateCompressor(Self.takeover)
        #expect(Array(try shared.compress(hello).readableBytesView) == first)
        #expect(Array(try shared.compress(hello).readableBytesView) == [0xF2, 0x00, 0x11, 0x00, 0x00])
        for keeps in [false, true] {
            let fresh = PerMessageDeflateCompressor(Self.noTakeover, keepsStreamBetweenMessages: keeps)
            #expect(Array(try fresh.compress(hello).readableBytesView) == first)
            #expect(Array(try fresh.compress(hello).readableBytesView) == first)
        }
        // And back: the two messages of §7.2.3.2 through one receiving window.
        #expect(try Self.inflate([first, [0xF2, 0x00, 0x11, 0x00, 0x00]]) == ["Hello", "Hello"])
        #expect(try Self.inflate([first, first], Self.noTakeover) == ["Hello", "Hello"])
    }

    @Test("§7.2.3.1's fragments (3 and 4 octets), §7.2.3.3's stored block, §7.2.3.4's BFINAL block and §7.2.3.5's two blocks all inflate to \"Hello\"")
    func decompressionExamples() throws {
        let decompressor = PerMessageDeflateDecompressor(Self.takeover, maxMessageBytes: 100)
        // §7.2.3.1: frames 0x41 0x03 f2 48 cd and 0x80 0x04 c9 c9 07 00 (RSV1 on the first only).
        let head = try decompressor.decompress(ByteBuffer(bytes: [0xF2, 0x48, 0xCD]), isFinal: false)
        let tail = try decompressor.decompress(ByteBuffer(bytes: [0xC9, 0xC9, 0x07, 0x00]), isFinal: true, inflatedBefore: head.readableBytes)
        #expect(String(buffer: head) + String(buffer: tail) == "Hello")
        // §7.2.3.3: a DEFLATE block with no compression.
        #expect(try Self.inflate([[0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00]]) == ["Hello"])
        // §7.2.3.4: a block with BFINAL set, then one octet of an empty stored block's header.
        #expect(try Self.inflate([[0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00]]) == ["Hello"])
        // §7.2.3.5: "He" and "llo" in two blocks.
        #expect(try Self.inflate([[0xF2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xCA, 0xC9, 0xC9, 0x07, 0x00]]) == ["Hello"])
    }

    @Test("§7.2.3.6: an empty message is the single octet 00, with or without context, and inflates to nothing")
    func emptyMessage() throws {
        let compressor = PerMessageDeflateCompressor(Self.takeover)
        _ = try compressor.compress(ByteBuffer(string: "Hello"))
        #expect(Array(try compressor.compress(ByteBuffer()).readableBytesView) == [0x00])
        #expect(Array(try PerMessageDeflateCompressor(Self.noTakeover).compress(ByteBuffer()).readableBytesView) == [0x00])
        #expect(try Self.inflate([[0x00]]) == [""])
    }

    // MARK: - Round trips, windows and streams

    @Test("every window from 8 to 15 bits, with and without context takeover, round-trips chat messages; 8 bits compresses with zlib's 9-bit window an 8-bit receiver follows",
          arguments: Array(8...15))
    func windows(bits: Int) throws {
        let payloads = PayloadFactory(byteCount: 2048, seed: 3, content: .chat)
        for takeover in [true, false] {
            let direction = Direction(windowBits: bits, contextTakeover: takeover)
            let compressor = PerMessageDeflateCompressor(direction)
            let decompressor = PerMessageDeflateDecompressor(direction, maxMessageBytes: 4096)
            var plain = 0
            var compressed = 0
            for sequence in 1...20 as ClosedRange<UInt64> {
                let message = ByteBuffer(string: payloads.payload(for: sequence))
                let deflated = try compressor.compress(message)
                #expect(try decompressor.decompress(deflated, isFinal: true) == message)
                plain += message.readableBytes
                compressed += deflated.readableBytes
            }
            #expect(compressed < (bits == 15 ? plain / 2 : plain), "\(bits) bits, context takeover \(takeover): \(compressed) of \(plain)")
            #expect(compressor.holdsStream == takeover)
            #expect(decompressor.holdsStream == takeover)
        }
    }

    @Test("with context takeover a run of chat messages takes fewer bytes than without")
    func contextTakeoverPays() throws {
        let payloads = PayloadFactory(byteCount: 128, seed: 9, content: .chat)
        let sizes = try [Self.takeover, Self.noTakeover].map { direction in
            let compressor = PerMessageDeflateCompressor(direction)
            return try (1...50 as ClosedRange<UInt64>).reduce(0) { $0 + (try compressor.compress(ByteBuffer(string: payloads.payload(for: $1))).readableBytes) }
        }
        #expect(sizes[0] < sizes[1])
    }

    // MARK: - Bad input and bounds

    @Test("a decompression bomb stops at the limit: 16 MiB of zeros from a small payload fails as too big, its output buffer never past the limit")
    func bomb() throws {
        let bomb = try PerMessageDeflateCompressor(Self.noTakeover).compress(ByteBuffer(repeating: 0, count: 16 << 20))
        #expect(bomb.readableBytes < 20_000)
        let limit = 64 * 1024
        let decompressor = PerMessageDeflateDecompressor(Self.noTakeover, maxMessageBytes: limit, initialOutputBytes: 4096)
        #expect(throws: PerMessageDeflateError.messageTooBig(limit: limit)) { try decompressor.decompress(bomb, isFinal: true) }
        #expect(decompressor.largestOutputCapacity <= limit)
        #expect(!decompressor.holdsStream)
        // Exactly the limit is allowed; one byte more is not, also when earlier fragments count.
        let compressor = PerMessageDeflateCompressor(Self.noTakeover)
        let exact = try compressor.compress(ByteBuffer(repeating: 7, count: limit))
        #expect(try decompressor.decompress(exact, isFinal: true).readableBytes == limit)
        #expect(throws: PerMessageDeflateError.messageTooBig(limit: limit)) { try decompressor.decompress(exact, isFinal: true, inflatedBefore: 1) }
        let over = try compressor.compress(ByteBuffer(repeating: 7, count: limit + 1))
        #expect(throws: PerMessageDeflateError.messageTooBig(limit: limit)) { try decompressor.decompress(over, isFinal: true) }
    }

    @Test("data that is not DEFLATE is corrupt, not too big", arguments: [
        [0xFF, 0xFF, 0xFF] as [UInt8],  // BTYPE 11 is reserved (RFC 1951 §3.2.3)
        [0x00, 0x05, 0x00, 0x00, 0x00, 0x48],  // a stored block whose NLEN is not LEN's complement
    ])
    func corrupt(payload: [UInt8]) {
        let decompressor = PerMessageDeflateDecompressor(Self.takeover, maxMessageBytes: 1024)
        #expect(throws: PerMessageDeflateError.corruptData) { try decompressor.decompress(ByteBuffer(bytes: payload), isFinal: true) }
    }

    @Test("a receiver keeps the window that was agreed: a message referring 1024 bytes back into the previous one does not inflate through a 9-bit window")
    func windowTooSmall() throws {
        let text = ByteBuffer(string: PayloadFactory(byteCount: 1024, seed: 1, content: .random).payload(for: 1))
        let compressor = PerMessageDeflateCompressor(Self.takeover)
        let first = try compressor.compress(text)
        let second = try compressor.compress(text)  // a match 1024 bytes back
        #expect(second.readableBytes < 20)
        let wide = PerMessageDeflateDecompressor(Self.takeover, maxMessageBytes: 4096)
        #expect(try [first, second].map { try wide.decompress($0, isFinal: true) } == [text, text])
        let narrow = PerMessageDeflateDecompressor(Direction(windowBits: 9, contextTakeover: true), maxMessageBytes: 4096)
        #expect(try narrow.decompress(first, isFinal: true) == text)
        #expect(throws: PerMessageDeflateError.corruptData) { try narrow.decompress(second, isFinal: true) }
    }
}
