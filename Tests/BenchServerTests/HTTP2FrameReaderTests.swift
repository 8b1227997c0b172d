import BenchCore
import NIOCore
import NIOHPACK
import Testing

@testable import BenchServer

/// The census reads frames the way RFC 9113 lays them out, and HPACK blocks the way RFC 7541 does.
@Suite("HTTP/2 frame census")
struct HTTP2FrameReaderTests {
    /// One frame (RFC 9113 §4.1): 24-bit length, type, flags, 31-bit stream id, payload.
    static func frame(type: UInt8, flags: UInt8 = 0, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        let id = stream.bigEndian
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + withUnsafeBytes(of: id) { Array($0) } + payload
    }

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    /// RFC 7541 C.3.1, the first request without Huffman coding: `:method GET`, `:scheme http`,
    /// `:path /` (static table indices 2, 6, 4) and `:authority www.example.com` (literal,
    /// incremental indexing, name index 1): 20 bytes.
    static let requestC31: [UInt8] = [0x82, 0x86, 0x84, 0x41, 0x0F] + Array("www.example.com".utf8)
    /// RFC 7541 C.3.2, the second request: the same four fields (the authority now from the
    /// dynamic table, index 62 = 0xBE) and `cache-control: no-cache`: 14 bytes.
    static let requestC32: [UInt8] = [0x82, 0x86, 0x84, 0xBE, 0x58, 0x08] + Array("no-cache".utf8)

    /// Feeds `bytes` to a reader in `piece`-byte reads, as a socket might deliver them.
    static func census(_ bytes: [UInt8], direction: HTTP2FrameReader.Direction, grpc: Bool, piece: Int) -> HTTP2Breakdown {
        var reader = HTTP2FrameReader(direction: direction, grpc: grpc)
        var breakdown = HTTP2Breakdown()
        var offset = 0
        while offset < bytes.count {
            let end = Swift.min(bytes.count, offset + piece)
            reader.read(ByteBuffer(bytes: bytes[offset..<end]), into: &breakdown)
            offset = end
        }
        #expect(!reader.failed)
        return breakdown
    }

    @Test("client bytes: the preface, SETTINGS, RFC 7541's two requests, a DATA frame of two gRPC messages, WINDOW_UPDATE", arguments: [1, 7, 4096])
    func clientBytes(piece: Int) {
        let settings = Self.frame(type: 0x4, stream: 0, payload: [0x00, 0x03, 0x00, 0x00, 0x00, 0x64])  // MAX_CONCURRENT_STREAMS 100
        let first = Self.frame(type: 0x1, flags: 0x4, stream: 1, payload: Self.requestC31)
        let second = Self.frame(type: 0x1, flags: 0x4, stream: 3, payload: Self.requestC32)
        // Two length-prefixed messages: flag 0, length 3, three bytes; flag 0, length 0.
        let data = Self.frame(type: 0x0, flags: 0x1, stream: 1, payload: [0, 0, 0, 0, 3, 0x0A, 0x01, 0x41, 0, 0, 0, 0, 0])
        let window = Self.frame(type: 0x8, stream: 0, payload: [0x00, 0x00, 0x10, 0x00])
        let bytes = Self.preface + settings + first + second + data + window
        let census = Self.census(bytes, direction: .up, grpc: true, piece: piece)

        #expect(census.preface.up == 24)
        #expect(census.settings.up == 9 + 6)
        #expect(census.headers.up == (9 + 20) + (9 + 14))
        #expect(census.headers.frames == 2)
        #expect(census.headerBlocks.up == 20 + 14)
        // Uncompressed, name + value octets: ":method" "GET" 7+3, ":scheme" "http" 7+4, ":path" "/" 5+1,
        // ":authority" "www.example.com" 10+15 = 52; the second request adds "cache-control"
        // "no-cache" 13+8 = 21.
        #expect(census.headerFields.up == 52 + 52 + 21)
        #expect(census.headerFields.frames == 4 + 5)
        #expect(census.streams == 2)
        #expect(census.dataFrameHeaders.up == 9)
        #expect(census.grpcMessagePrefixes.up == 5 + 5)
        #expect(census.dataPayload.up == 3)
        #expect(census.windowUpdates.up == 9 + 4)
        #expect(census.trailers.up == 0)
        #expect(census.totalBytes == bytes.count)
        #expect(census.frameHeaderBytes == 9 * 5)
    }

    @Test("server bytes: a HEADERS block split over CONTINUATION, a gRPC message split over two DATA frames, then trailers")
    func serverBytes() throws {
        var encoder = HPACKEncoder(allocator: ByteBufferAllocator())
        var response = ByteBuffer()
        try encoder.encode(headers: [":status": "200", "content-type": "application/grpc"], to: &response)
        var trailers = ByteBuffer()
        try encoder.encode(headers: ["grpc-status": "0"], to: &trailers)
        let block = Array(response.readableBytesView)
        let split = block.count / 2
        let bytes = Self.frame(type: 0x4, stream: 0, payload: [])
            + Self.frame(type: 0x1, flags: 0x0, stream: 1, payload: Array(block[..<split]))
            + Self.frame(type: 0x9, flags: 0x4, stream: 1, payload: Array(block[split...]))
            // A 6-byte message: its prefix and first byte in one frame, the rest in the next.
            + Self.frame(type: 0x0, stream: 1, payload: [0, 0, 0, 0, 6, 0xAA])
            + Self.frame(type: 0x0, stream: 1, payload: [0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
            + Self.frame(type: 0x1, flags: 0x5, stream: 1, payload: Array(trailers.readableBytesView))
            + Self.frame(type: 0x6, flags: 0x1, stream: 0, payload: [UInt8](repeating: 0, count: 8))
        let census = Self.census(bytes, direction: .down, grpc: true, piece: 5)

        #expect(census.preface.down == 0)
        #expect(census.headers.down == 9 + split + 9 + (block.count - split))
        #expect(census.headers.frames == 2)
        #expect(census.trailers.down == 9 + trailers.readableBytes)
        #expect(census.headerBlocks.down == block.count + trailers.readableBytes)
        #expect(census.headerFields.down == (7 + 3) + (12 + 16) + (11 + 1))
        #expect(census.dataFrameHeaders.down == 18)
        #expect(census.grpcMessagePrefixes.down == 5)
        #expect(census.dataPayload.down == 6)
        #expect(census.pings.down == 17)
        #expect(census.streams == 0, "streams are counted on the client's side")
        #expect(census.totalBytes == bytes.count)
    }

    @Test("bytes that are not HTTP/2 are still counted, as other frames")
    func garbage() {
        var reader = HTTP2FrameReader(direction: .up, grpc: false)
        var breakdown = HTTP2Breakdown()
        // A HEADERS frame whose block is not valid HPACK (index 0 is never valid, RFC 7541 §6.1).
        let bad = Self.frame(type: 0x1, flags: 0x4, stream: 1, payload: [0x80])
        reader.read(ByteBuffer(bytes: Self.preface + bad), into: &breakdown)
        reader.read(ByteBuffer(bytes: [1, 2, 3]), into: &breakdown)
        #expect(reader.failed)
        #expect(breakdown.totalBytes == 24 + bad.count + 3)
    }
}
