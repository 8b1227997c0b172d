import BenchCore
import Foundation
import NIOCore
import Testing

@testable import BenchTransports

/// gRPC-Web's frames, trailers and base64 text, without sockets, from PROTOCOL-WEB.md and
/// gRPC over HTTP/2's Length-Prefixed-Message.
@Suite("gRPC-Web frames")
struct GRPCWebFrameTests {
    /// `Event { sequence: 1, published_at: 300, payload: "hi" }` by hand from protobuf's wire
    /// format: field 1 varint (tag 0x08) 1; field 2 varint (tag 0x10) 300 = 0xAC 0x02 (low 7 bits
    /// 0x2C with the continuation bit, then 300 >> 7 = 2); field 3 length-delimited (tag 0x1A),
    /// length 2, "hi". 2 + 3 + 4 = 9 bytes.
    static let eventBytes: [UInt8] = [0x08, 0x01, 0x10, 0xAC, 0x02, 0x1A, 0x02, 0x68, 0x69]

    @Test("a message frame is flag 0, a 4-byte big-endian length and the message; trailers are flag 0x80 and header lines")
    func frameBytes() {
        let frame = GRPCWebFrame.message(ByteBuffer(bytes: Self.eventBytes)).bytes
        #expect(Array(frame.readableBytesView) == [0x00, 0x00, 0x00, 0x00, 0x09] + Self.eventBytes)
        // "grpc-status:0\r\n" is 15 bytes, "grpc-message:\r\n" 15: 30 = 0x1E.
        let trailers = GRPCWebFrame.trailers(.ok).bytes
        #expect(Array(trailers.readableBytesView) == [0x80, 0x00, 0x00, 0x00, 0x1E] + Array("grpc-status:0\r\ngrpc-message:\r\n".utf8))
        let gap = GRPCWebTrailers(status: 0, gap: 3...7).block
        #expect(gap == "grpc-status:0\r\ngrpc-message:\r\nbench-gap:3-7\r\n")
    }

    @Test("frames split at every byte boundary parse the same, in both formats", arguments: GRPCWebFormat.allCases)
    func splitAnywhere(format: GRPCWebFormat) throws {
        var wire = format.encode(GRPCWebFrame.message(ByteBuffer(bytes: Self.eventBytes)).bytes)
        var second = format.encode(GRPCWebFrame.message(ByteBuffer(bytes: [0x08, 0x02])).bytes)
        var trailers = format.encode(GRPCWebFrame.trailers(GRPCWebTrailers(status: 0, gap: 4...9)).bytes)
        wire.writeBuffer(&second)
        wire.writeBuffer(&trailers)
        for cut in 0...wire.readableBytes {
            var parser = GRPCWebFrameParser(format: format)
            let frames = try parser.feed(wire.getSlice(at: 0, length: cut)!) + parser.feed(wire.getSlice(at: cut, length: wire.readableBytes - cut)!)
            #expect(
                frames == [
                    .message(ByteBuffer(bytes: Self.eventBytes)), .message(ByteBuffer(bytes: [0x08, 0x02])),
                    .trailers(GRPCWebTrailers(status: 0, gap: 4...9)),
                ])
            #expect(parser.isAtFrameBoundary && parser.sawTrailers)
        }
    }

    @Test("each write's base64 has its own padding: 4·⌈n/3⌉ characters, decoded across the padding")
    func base64PerWrite() throws {
        // The 14-byte frame of the 9-byte event: 4·⌈14/3⌉ = 20 characters, the last one '='
        // (14 = 3·4 + 2: one padding character).
        let frame = GRPCWebFrame.message(ByteBuffer(bytes: Self.eventBytes)).bytes
        let text = GRPCWebFormat.text.encode(frame)
        #expect(text.readableBytes == 20)
        #expect(String(buffer: text) == Data(frame.readableBytesView).base64EncodedString())
        #expect(String(buffer: text).hasSuffix("=") && !String(buffer: text).hasSuffix("=="))
        // The prefix's 40 bits fill 6 characters and 4 bits of the 7th: 7 are the layer's; the
        // other 13 carry the 9-byte message: 4 bytes of inflation.
        #expect(GRPCWebFormat.text.prefixWireBytes(message: 9) == 7)
        #expect(GRPCWebFormat.text.messageInflationBytes(message: 9) == 20 - 7 - 9)
        // An empty message: the 5-byte frame is "AAAAAAA=", all of it the layer's.
        #expect(String(buffer: GRPCWebFormat.text.encode(GRPCWebFrame.message(ByteBuffer()).bytes)) == "AAAAAAA=")
        #expect(GRPCWebFormat.text.prefixWireBytes(message: 0) == 8)
        // Two padded units in one body decode as two frames.
        var parser = GRPCWebFrameParser(format: .text)
        let frames = try parser.feed(ByteBuffer(string: String(buffer: text) + "AAAAAAA="))
        #expect(frames == [.message(ByteBuffer(bytes: Self.eventBytes)), .message(ByteBuffer())])
    }

    @Test("the binary format adds nothing but the prefix; the text format's inflation is never negative")
    func arithmetic() {
        for n in 0...600 {
            #expect(GRPCWebFormat.binary.frameWireBytes(message: n) == 5 + n)
            #expect(GRPCWebFormat.binary.messageInflationBytes(message: n) == 0)
            let text = (5 + n + 2) / 3 * 4
            #expect(GRPCWebFormat.text.frameWireBytes(message: n) == text)
            #expect(GRPCWebFormat.text.prefixWireBytes(message: n) + n + GRPCWebFormat.text.messageInflationBytes(message: n) == text)
            #expect(GRPCWebFormat.text.messageInflationBytes(message: n) >= 0)
        }
    }

    @Test("content types name the format and the encoding; others are not gRPC-Web's")
    func contentTypes() {
        #expect(GRPCWebFormat.parse(contentType: "application/grpc-web")! == (.binary, .protobuf))
        #expect(GRPCWebFormat.parse(contentType: "Application/GRPC-Web+proto; charset=utf-8")! == (.binary, .protobuf))
        #expect(GRPCWebFormat.parse(contentType: "application/grpc-web+json")! == (.binary, .json))
        #expect(GRPCWebFormat.parse(contentType: "application/grpc-web-text")! == (.text, .protobuf))
        #expect(GRPCWebFormat.parse(contentType: "application/grpc-web-text+json")! == (.text, .json))
        for other in ["application/grpc", "application/json", "text/plain", "", "application/grpc-web+thrift"] {
            #expect(GRPCWebFormat.parse(contentType: other) == nil)
        }
        #expect(GRPCWebFormat.text.contentType(.protobuf) == "application/grpc-web-text+proto")
    }

    @Test("what this transport never sends is refused", arguments: [
        ([0x01, 0, 0, 0, 0], GRPCWebError.compressed),
        ([0x40, 0, 0, 0, 0], GRPCWebError.unknownFlags(0x40)),
        ([0x80, 0, 0, 0, 3, 0x61, 0x3A, 0x62], GRPCWebError.badTrailers),
        ([0x00, 0x7F, 0xFF, 0xFF, 0xFF], GRPCWebError.tooLarge(0x7FFF_FFFF, limit: 4 << 20)),
        ([0x80, 0, 0, 0, 0x0F] + Array("grpc-status:0\r\n".utf8) + [0, 0, 0, 0, 0], GRPCWebError.frameAfterTrailers),
    ] as [([UInt8], GRPCWebError)])
    func refused(bytes: [UInt8], error: GRPCWebError) {
        var parser = GRPCWebFrameParser(format: .binary)
        #expect(throws: error) { try parser.feed(ByteBuffer(bytes: bytes)) }
    }

    @Test("text that is not base64 is refused, padding inside a quad too")
    func badBase64() {
        for text in ["AA*A", "A===", "AA=A", "=AAA"] {
            var parser = GRPCWebFrameParser(format: .text)
            #expect(throws: GRPCWebError.badBase64) { try parser.feed(ByteBuffer(string: text)) }
        }
    }
}
