import CompressNIO
import NIOCore

/// Why gzip data (RFC 1952) could not be made or decoded.
public enum GzipError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The data does not start as a gzip member does (RFC 1952 §2.3.1: `1f 8b`, method 8).
    case notGzip
    /// The data starts as gzip, but its header, deflate data or trailer (CRC-32, ISIZE) is wrong.
    case corrupt
    /// The data ended before the member's trailer.
    case truncated
    /// One piece decoded to more than `limit` bytes (a decompression bomb, or a limit set too low).
    case tooLarge(limit: Int)
    /// zlib failed for a reason of its own (out of memory, a misuse), with compress-nio's name for it.
    case zlib(String)

    public var description: String {
        switch self {
        case .notGzip: "the data is not gzip (it does not start with 1f 8b 08)"
        case .corrupt: "the gzip data is corrupt"
        case .truncated: "the gzip data ended before its trailer"
        case .tooLarge(let limit): "the gzip data decodes to more than \(limit) bytes in one piece"
        case .zlib(let reason): "zlib failed: \(reason)"
        }
    }

    init(_ error: any Error) {
        if let error = error as? CompressNIOError {
            self = error == .corruptData ? .corrupt : .zlib(error.description)
        } else {
            self = .zlib(String(describing: error))
        }
    }
}

/// gzip as HTTP uses it (`Content-Encoding: gzip`, RFC 9110 §8.4.1.3): one-shot for whole
/// bodies, on zlib's defaults (level 6, a 32 KiB window, memory level 8: what `gzip`, Apache's
/// mod_deflate and Express's `compression` use).
public enum Gzip {
    /// The gzip magic and compression method every member starts with (RFC 1952 §2.3.1).
    public static let magic: [UInt8] = [0x1F, 0x8B, 0x08]

    /// `body` as one gzip member: the 10-byte header, the deflate data, and the trailer (CRC-32
    /// and ISIZE of `body`), as a server compresses a response whose length it knows.
    public static func compress(_ body: ByteBuffer) throws(GzipError) -> ByteBuffer {
        try GzipStreamCompressor().compress(body, flush: .finish)
    }

    /// The bytes a whole gzip body holds: every member decoded, the last one complete.
    /// - Throws: ``GzipError``; `.tooLarge` when the body decodes to more than `limit` bytes.
    public static func decompress(_ body: ByteBuffer, limit: Int) throws(GzipError) -> ByteBuffer {
        let decompressor = try GzipDecompressor(limit: limit)
        let plain = try decompressor.decode(body)
        try decompressor.finish()
        return plain
    }

    /// An empty input with storage of its own, for zlib calls that only flush.
    static func emptyInput() -> ByteBuffer { ByteBufferAllocator().buffer(capacity: 8) }
}

/// One gzip member (RFC 1952) compressed piece by piece, as a streamed response body is: each
/// piece is flushed (zlib's `Z_SYNC_FLUSH`), so whatever was compressed so far can be decoded
/// from what was sent so far, and nothing waits in the compressor for the next piece.
///
/// A sync flush ends the piece's deflate data with an empty stored block, `00 00 ff ff` after the
/// block's header bits (RFC 1951 §3.2.4): about 5 bytes per piece that a single-shot body does
/// not pay. The LZ77 window carries over between pieces, so repeated text in later pieces costs
/// back-references. ``finish()`` writes the final block and the trailer: CRC-32 and ISIZE of every
/// piece together.
///
/// ```swift
/// let stream = try GzipStreamCompressor()
/// try await send(stream.compress(ByteBuffer(string: "data: 1\n\n")))   // header + piece, flushed
/// try await send(stream.compress(ByteBuffer(string: "data: 2\n\n")))   // flushed
/// try await send(stream.finish())                                       // last block + trailer
/// ```
public final class GzipStreamCompressor {
    private let zlib: ZlibCompressor
    /// Whether ``finish()`` has ended the member.
    public private(set) var isFinished = false

    /// A stream on zlib's defaults (level 6, 32 KiB window, memory level 8).
    public init() throws(GzipError) {
        do {
            zlib = try ZlibCompressor(algorithm: .gzip)
        } catch {
            throw GzipError(error)
        }
    }

    /// Compresses `piece` and flushes: the result, appended to what came before, decodes to every
    /// piece so far. The first result starts with the 10-byte gzip header.
    public func compress(_ piece: ByteBuffer) throws(GzipError) -> ByteBuffer {
        try compress(piece, flush: .sync)
    }

    /// The member's end: the final deflate block and the 8-byte trailer. Call it once.
    public func finish() throws(GzipError) -> ByteBuffer {
        precondition(!isFinished, "a gzip member is finished once")
        isFinished = true
        return try run(Gzip.emptyInput(), flush: .finish)
    }

    /// Compresses `piece` with `flush`; `.finish` ends the member after it.
    func compress(_ piece: ByteBuffer, flush: CompressNIOFlush) throws(GzipError) -> ByteBuffer {
        precondition(!isFinished, "no piece after the member's end")
        if flush == .finish { isFinished = true }
        return try run(piece.readableBytes == 0 ? Gzip.emptyInput() : piece, flush: flush)
    }

    /// Deflates all of `input` with `flush`, growing the output until zlib has written everything.
    private func run(_ input: ByteBuffer, flush: CompressNIOFlush) throws(GzipError) -> ByteBuffer {
        var input = input
        var output = ByteBufferAllocator().buffer(capacity: zlib.maxSize(from: input))
        while true {
            if output.writableBytes == 0 { output.reserveCapacity(minimumWritableBytes: Swift.max(256, output.readableBytes)) }
            let (inputBefore, outputBefore) = (input.readableBytes, output.readableBytes)
            do {
                try zlib.deflate(from: &input, to: &output, flush: flush)
                // `.finish` returns only at the member's end; `.sync` returns when the flush is
                // complete or the output is full (zlib finishes the flush on the next call).
                if flush == .finish || (input.readableBytes == 0 && output.writableBytes > 0) { return output }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // `.finish`: the output filled before the end. `.sync`: zlib had nothing left to
                // flush (Z_BUF_ERROR) when the output still has room; otherwise it filled up.
                if flush == .sync && input.readableBytes == 0 && output.writableBytes > 0 { return output }
                if output.writableBytes > 0 && input.readableBytes == inputBefore && output.readableBytes == outputBefore {
                    throw .zlib("deflate made no progress")
                }
            } catch {
                throw GzipError(error)
            }
        }
    }
}

/// Decodes a gzip body piece by piece as it arrives (a streamed response), with a bound on what
/// one piece may decode to, so a decompression bomb fails instead of filling memory.
///
/// - It tells data that is not gzip at all (``GzipError/notGzip``: the first bytes are not
///   `1f 8b 08`) from gzip that breaks later (``GzipError/corrupt``), and a body that stops
///   before the trailer (``GzipError/truncated``, from ``finish()``).
/// - Members may follow one another (RFC 1952 §2.2): each is decoded in turn.
/// - One piece's output never grows past the next power of two above ``limit`` bytes (NIO's
///   buffers grow in powers of two); a piece that decodes to more throws ``GzipError/tooLarge(limit:)``.
public final class GzipDecompressor {
    /// The most bytes one ``decode(_:)`` may return.
    public let limit: Int
    private let zlib: ZlibDecompressor
    /// How many of the current member's first bytes (``Gzip/magic``) were checked.
    private var magicChecked = 0
    /// Whether the current member's trailer was read (zlib said Z_STREAM_END).
    private var memberEnded = false
    /// Members read to their trailer so far.
    private var membersEnded = 0
    private var sawInput = false

    public init(limit: Int) throws(GzipError) {
        precondition(limit >= 0, "a decode limit is not negative")
        self.limit = limit
        do {
            zlib = try ZlibDecompressor(algorithm: .gzip)
        } catch {
            throw GzipError(error)
        }
    }

    /// Decodes the next piece of the body; returns the bytes it completes (possibly none).
    public func decode(_ piece: ByteBuffer) throws(GzipError) -> ByteBuffer {
        var input = piece
        var output = ByteBufferAllocator().buffer(capacity: Swift.min(limit + 1, Swift.max(256, 4 * input.readableBytes)))
        while input.readableBytes > 0 {
            sawInput = true
            if memberEnded {
                // Another member follows (RFC 1952 §2.2): it starts with the magic too.
                do { try zlib.reset() } catch { throw GzipError(error) }
                memberEnded = false
                membersEnded += 1
                magicChecked = 0
            }
            try checkMagic(input)
            try inflate(&input, into: &output)
        }
        guard output.readableBytes <= limit else { throw .tooLarge(limit: limit) }
        return output
    }

    /// Checks that the body ended where a member did: call it at the end of the body.
    public func finish() throws(GzipError) {
        guard sawInput else { throw .notGzip }
        if memberEnded { return }
        // zlib answers Z_STREAM_END again once the member is complete, and needs more input
        // (Z_BUF_ERROR) while it is not.
        var input = Gzip.emptyInput()
        var output = ByteBufferAllocator().buffer(capacity: 64)
        do {
            try zlib.inflate(from: &input, to: &output)
        } catch let error as CompressNIOError where error == .inputBufferOverflow || error == .bufferOverflow {
            throw .truncated
        } catch {
            throw GzipError(error)
        }
        guard output.readableBytes == 0 else { throw .truncated }
        memberEnded = true
    }

    /// Checks the bytes of `input` that fall in the member's first three: a body that does not
    /// start as gzip is not gzip; bytes after a complete member that do not are corrupt.
    private func checkMagic(_ input: ByteBuffer) throws(GzipError) {
        guard magicChecked < Gzip.magic.count else { return }
        let count = Swift.min(Gzip.magic.count - magicChecked, input.readableBytes)
        for offset in 0..<count where input.getInteger(at: input.readerIndex + offset, as: UInt8.self) != Gzip.magic[magicChecked + offset]
        {
            throw membersEnded == 0 ? .notGzip : .corrupt
        }
        magicChecked += count
    }

    /// Inflates `input` until it is used up or the member ends, growing `output` up to the limit.
    private func inflate(_ input: inout ByteBuffer, into output: inout ByteBuffer) throws(GzipError) {
        while true {
            if output.writableBytes == 0 {
                guard output.readableBytes <= limit else { throw .tooLarge(limit: limit) }
                output.reserveCapacity(Swift.min(limit + 1, 2 * output.capacity))
                if output.writableBytes == 0 { throw .tooLarge(limit: limit) }
            }
            do {
                try zlib.inflate(from: &input, to: &output)
                // Z_OK with room left: every input byte was used. Z_STREAM_END: the member's
                // trailer was read, and any bytes left belong to the next member.
                if input.readableBytes > 0 { memberEnded = true }
                return
            } catch let error as CompressNIOError where error == .bufferOverflow {
                continue  // the output filled: grow it and go on
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                return  // no progress without more input
            } catch {
                throw GzipError(error)
            }
        }
    }
}
