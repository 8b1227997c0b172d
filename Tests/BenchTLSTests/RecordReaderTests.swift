import BenchCore
import NIOCore
import Testing

@testable import BenchTLS

@Suite("TLS record census: splitting bytes at record boundaries")
struct RecordReaderTests {
    /// A record as RFC 8446 §5.1 lays it out: type, legacy version 0x0303, 16-bit length, body.
    static func record(type: UInt8, bodyBytes: Int) -> [UInt8] {
        [type, 0x03, 0x03, UInt8(bodyBytes >> 8), UInt8(bodyBytes & 0xFF)] + [UInt8](repeating: 0xAB, count: bodyBytes)
    }

    /// Feeds `stream` in chunks of the given sizes and returns the pieces per record:
    /// (type the census saw, bytes, whether the piece started and ended its record).
    static func pieces(of stream: [UInt8], chunks: [Int]) -> [(type: UInt8, bytes: Int, starts: Bool, ends: Bool)] {
        var reader = RecordReader()
        var seen: [(UInt8, Int, Bool, Bool)] = []
        var offset = 0
        var chunkIndex = 0
        var currentType: UInt8 = 0
        while offset < stream.count {
            let size = Swift.min(chunks[chunkIndex % chunks.count], stream.count - offset)
            chunkIndex += 1
            var buffer = ByteBuffer(bytes: stream[offset..<offset + size])
            offset += size
            while let piece = reader.nextPiece(of: &buffer, classify: { type in currentType = type; return .handshake }) {
                seen.append((currentType, piece.bytes.readableBytes, piece.startsRecord, piece.endsRecord))
            }
            #expect(buffer.readableBytes == 0, "every byte handed on or held as a partial header")
        }
        return seen
    }

    @Test("whatever the chunking, each record is seen once, whole, with its own type; no byte lost or doubled", arguments: [
        [1], [2], [3], [5], [7], [64], [1000], [4096], [1, 4, 9, 2, 300],
    ])
    func chunkings(chunks: [Int]) {
        // A TLS 1.3 client's flight: ClientHello, ChangeCipherSpec, Finished; then application
        // data of several sizes, an empty record and an alert.
        let records: [(UInt8, Int)] = [(22, 512), (20, 1), (23, 53), (23, 300), (23, 0), (23, 17), (21, 2)]
        let stream = records.flatMap { Self.record(type: $0.0, bodyBytes: $0.1) }
        let pieces = Self.pieces(of: stream, chunks: chunks)
        #expect(pieces.reduce(0) { $0 + $1.bytes } == stream.count)
        #expect(pieces.filter(\.starts).count == records.count)
        #expect(pieces.filter(\.ends).count == records.count)
        // Per record: the pieces between a start and an end add up to header + body.
        var index = 0
        var total = 0
        for piece in pieces {
            total += piece.bytes
            #expect(piece.type == records[index].0)
            if piece.ends {
                #expect(total == 5 + records[index].1, "record \(index)")
                index += 1
                total = 0
            }
        }
        #expect(index == records.count)
    }

    @Test("a partial header is held, not handed on, until the rest of it arrives")
    func partialHeader() {
        var reader = RecordReader()
        var first = ByteBuffer(bytes: [23, 0x03, 0x03])
        #expect(reader.nextPiece(of: &first, classify: { _ in .applicationData }) == nil)
        var rest = ByteBuffer(bytes: [0x00, 0x02, 0xAA, 0xBB])
        let piece = reader.nextPiece(of: &rest, classify: { _ in .applicationData })
        #expect(piece?.bytes.readableBytes == 7)
        #expect(piece?.startsRecord == true && piece?.endsRecord == true && piece?.recordBytes == 7)
    }
}
