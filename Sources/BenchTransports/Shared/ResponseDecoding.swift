import BenchCore
import NIOCore
import NIOHTTP1

/// How a client reads a response body: as is, or through a gzip decoder when the response says
/// `Content-Encoding: gzip` (`x-gzip` too, RFC 9110 §8.4.1.3) and the request offered gzip.
///
/// A coding the request did not offer, or one this client cannot decode, is an error
/// (``HTTPClientError/contentEncoding(_:)``), and so is a body labelled gzip that is not
/// (``HTTPClientError/undecodableBody(_:)``): the client's reconnect loop records it and goes on.
/// Every decoder call is counted in `counter`, the connection's compression tally.
///
/// ```swift
/// var decoding = try ResponseDecoding(request: head, response: responseHead, counter: counter)
/// while let part = try await stream.readBodyPart() { parser.feed(try decoding.decode(part)) }
/// try decoding.finish()
/// ```
struct ResponseDecoding {
    /// The most bytes one part (a whole poll body, or one read of a stream) may decode to, so a
    /// decompression bomb ends in an error instead of filling memory.
    static let decodedBytesLimit = 256 << 20

    private let gzip: GzipDecompressor?
    private let counter: CompressionCounter

    /// The decoding `response` asks for, checked against what `request` offered.
    init(request: HTTPRequestHead, response: HTTPResponseHead, counter: CompressionCounter) throws {
        self.counter = counter
        // RFC 9110 §8.4: codings in the order applied; `identity` is no coding at all.
        let codings = response.headers["Content-Encoding"].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.lowercased() != "identity" }
        guard let coding = codings.first else {
            gzip = nil
            return
        }
        let offer = AcceptEncoding(request.headers["Accept-Encoding"])
        guard codings.count == 1 else {
            throw HTTPClientError.contentEncoding(
                "the response applies several content codings (\(codings.joined(separator: ", "))); this client decodes gzip only")
        }
        guard offer.accepts(coding) else {
            throw HTTPClientError.contentEncoding("the response is in content coding '\(coding)', which the request did not offer")
        }
        guard AcceptEncoding.canonical(coding) == "gzip" else {
            throw HTTPClientError.contentEncoding("the response is in content coding '\(coding)', which this client cannot decode")
        }
        gzip = try GzipDecompressor(limit: Self.decodedBytesLimit)
    }

    /// The plain bytes of one body part (as is without a coding).
    func decode(_ part: ByteBuffer) throws -> ByteBuffer {
        guard let gzip else { return part }
        do {
            return try counter.decompress(
                compressedBytes: part.readableBytes, { () throws(GzipError) in try gzip.decode(part) }, plainBytes: \.readableBytes)
        } catch let error as GzipError {
            throw HTTPClientError.undecodableBody(error)
        }
    }

    /// Checks, at the end of the body, that a gzip body ended with its trailer.
    func finish() throws {
        guard let gzip else { return }
        do {
            try gzip.finish()
        } catch {
            throw HTTPClientError.undecodableBody(error)
        }
    }

    /// A whole body, decoded and checked.
    func decodeWhole(_ body: ByteBuffer) throws -> ByteBuffer {
        let plain = try decode(body)
        try finish()
        return plain
    }
}

extension HTTPClientConnection {
    /// `fields` with `Accept-Encoding: gzip` after them when `offer` is on and they have no
    /// `Accept-Encoding` of their own (a browser profile's `gzip, deflate, br, zstd` stays as it is).
    static func offeringGzip(_ fields: [HeaderProfile.Field], if offer: Bool) -> [HeaderProfile.Field] {
        guard offer, !fields.contains(where: { $0.name.lowercased() == "accept-encoding" }) else { return fields }
        return fields + [HeaderProfile.Field("Accept-Encoding", "gzip")]
    }
}
