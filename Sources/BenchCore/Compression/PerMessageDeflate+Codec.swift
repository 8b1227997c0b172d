import CompressNIO
import NIOCore

/// Why a permessage-deflate message could not be compressed or inflated.
public enum PerMessageDeflateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The payload is not a DEFLATE stream (the receiver closes with 1007, RFC 7692 §8).
    case corruptData
    /// The message inflates to more than the receiver's limit (the receiver closes with 1009);
    /// inflation stopped where it passed the limit.
    case messageTooBig(limit: Int)
    /// zlib failed for another reason (memory, an internal error).
    case zlib(String)

    public var description: String {
        switch self {
        case .corruptData: "the compressed message is not valid DEFLATE data"
        case .messageTooBig(let limit): "the compressed message inflates to more than \(limit) bytes"
        case .zlib(let reason): "zlib failed: \(reason)"
        }
    }
}

/// The tail a sync flush ends with, removed from each compressed message and appended again
/// before inflating it (RFC 7692 §7.2.1, §7.2.2).
private let syncFlushTail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]

/// Compresses one direction's messages (RFC 7692 §7.2.1): raw DEFLATE with a sync flush, the
/// trailing `00 00 FF FF` removed.
///
/// With context takeover the zlib stream (and its LZ77 window) lives from the first message to
/// the last. Without, each message starts from an empty window; by default the stream is then
/// made for the message and released after it, so an idle connection holds no zlib memory
/// (`keepsStreamBetweenMessages` keeps it and resets it instead). The stream is made on first use
/// either way, so a connection that never sends a compressed message holds none.
///
/// zlib's default level (6) and `memLevel` 8, as Node's `ws` compresses. zlib refuses an 8-bit
/// window for raw deflate (`deflateInit2`), so an agreed 8-bit window
/// compresses with 9 bits: zlib never refers further back than the window less 262 bytes, 250
/// bytes at 9 bits, which a receiver with an 8-bit (256-byte) window can follow.
public final class PerMessageDeflateCompressor {
    public let windowBits: Int
    public let contextTakeover: Bool
    public let keepsStreamBetweenMessages: Bool
    private var stream: ZlibCompressor?

    public init(_ direction: PerMessageDeflate.Direction, keepsStreamBetweenMessages: Bool = false) {
        windowBits = direction.windowBits
        contextTakeover = direction.contextTakeover
        self.keepsStreamBetweenMessages = keepsStreamBetweenMessages
    }

    /// Whether a zlib stream is allocated now.
    public var holdsStream: Bool { stream != nil }

    /// The compressed payload of `message`, for a frame with RSV1 set.
    public func compress(
        _ message: ByteBuffer, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(PerMessageDeflateError) -> ByteBuffer {
        // RFC 7692 §7.2.3.6: an empty message is one empty stored block's first octet. zlib
        // would refuse a second sync flush with nothing to flush.
        guard message.readableBytes > 0 else { return allocator.buffer(bytes: [0x00]) }
        let stream: ZlibCompressor
        if let existing = self.stream { stream = existing } else { stream = try Self.makeStream(windowBits: windowBits) }
        var input = message
        var output = allocator.buffer(capacity: stream.maxSize(from: input))
        do {
            try stream.deflate(from: &input, to: &output, flush: .sync)
            // deflateBound leaves room for all of it; should zlib still have more, it gets more room.
            while input.readableBytes > 0 || output.writableBytes == 0 {
                output.reserveCapacity(minimumWritableBytes: Swift.max(64, output.capacity / 2))
                do {
                    try stream.deflate(from: &input, to: &output, flush: .sync)
                } catch let error as CompressNIOError where error == .bufferOverflow && input.readableBytes == 0 {
                    break  // nothing left to flush
                }
            }
        } catch {
            self.stream = nil
            throw .zlib("\(error)")
        }
        guard output.readableBytes >= 4, output.readableBytesView.suffix(4).elementsEqual(syncFlushTail) else {
            self.stream = nil
            throw .zlib("a sync flush did not end with 00 00 FF FF")
        }
        output.moveWriterIndex(to: output.writerIndex - 4)
        self.stream = try keptStream(stream, messageEnded: true, contextTakeover: contextTakeover, keepsStream: keepsStreamBetweenMessages) { try $0.reset() }
        return output
    }

    private static func makeStream(windowBits: Int) throws(PerMessageDeflateError) -> ZlibCompressor {
        do {
            let configuration = ZlibConfiguration(
                windowSize: Int32(Swift.max(9, windowBits)), compressionLevel: -1, memoryLevel: 8, strategy: .default)
            return try ZlibCompressor(algorithm: .deflate, configuration: configuration)
        } catch {
            throw .zlib("\(error)")
        }
    }
}

/// Inflates one direction's messages (RFC 7692 §7.2.2): each compressed message's payload with
/// `00 00 FF FF` appended, fed frame by frame for a fragmented message.
///
/// Inflation is bounded: the output buffer starts small and doubles up to the room the limit
/// leaves (`maxMessageBytes` for the whole message; ByteBuffer rounds it up to a power of two),
/// and as soon as output would pass `maxMessageBytes` inflation stops with
/// ``PerMessageDeflateError/messageTooBig(limit:)`` — a small frame that would inflate to
/// gigabytes (a decompression bomb) never gets more than the limit allocated (rounded up to a
/// power of two). Data that is not
/// DEFLATE fails with ``PerMessageDeflateError/corruptData``.
///
/// The stream's lifetime follows ``PerMessageDeflateCompressor``'s: kept with context takeover,
/// made per message and released after it without (unless `keepsStreamBetweenMessages`).
/// A sender that ends a message with a final block (`BFINAL`, RFC 7692 §7.2.3.4) gets a fresh
/// stream for what follows it, so with context takeover its next message cannot refer to the
/// previous one (zlib through compress-nio cannot restart a stream and keep its window).
public final class PerMessageDeflateDecompressor {
    public let windowBits: Int
    public let contextTakeover: Bool
    public let keepsStreamBetweenMessages: Bool
    /// The most a message may inflate to, in bytes.
    public let maxMessageBytes: Int
    /// The most output room a message starts with; it doubles from there as inflation needs it.
    public let initialOutputBytes: Int
    /// The largest output buffer inflation has had, in bytes: never more than `maxMessageBytes`
    /// rounded up to a power of two.
    public private(set) var largestOutputCapacity = 0
    private var stream: ZlibDecompressor?

    public init(
        _ direction: PerMessageDeflate.Direction, maxMessageBytes: Int, initialOutputBytes: Int = 16 * 1024,
        keepsStreamBetweenMessages: Bool = false
    ) {
        windowBits = direction.windowBits
        contextTakeover = direction.contextTakeover
        self.keepsStreamBetweenMessages = keepsStreamBetweenMessages
        self.maxMessageBytes = maxMessageBytes
        self.initialOutputBytes = initialOutputBytes
    }

    /// Whether a zlib stream is allocated now.
    public var holdsStream: Bool { stream != nil }

    /// Inflates one frame's payload of a compressed message. `isFinal` for the message's last
    /// frame (the sync-flush tail is appended to it); `inflatedBefore` is what the message's
    /// earlier frames inflated to, counted against ``maxMessageBytes``.
    public func decompress(
        _ payload: ByteBuffer, isFinal: Bool, inflatedBefore: Int = 0, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(PerMessageDeflateError) -> ByteBuffer {
        let allowed = maxMessageBytes - inflatedBefore
        guard allowed >= 0 else { throw .messageTooBig(limit: maxMessageBytes) }
        var input = allocator.buffer(capacity: payload.readableBytes + (isFinal ? 4 : 0))
        input.writeImmutableBuffer(payload)
        if isFinal { input.writeBytes(syncFlushTail) }
        var stream: ZlibDecompressor
        if let existing = self.stream { stream = existing } else { stream = try Self.makeStream(windowBits: windowBits) }
        // Room for the message at a guess (deflate seldom does better than 1:8 on messages), at
        // most `initialOutputBytes` to start with; it doubles up to what the limit allows.
        var output = allocator.buffer(capacity: Swift.min(allowed, Swift.max(256, Swift.min(8 * input.readableBytes, initialOutputBytes))))
        do {
            inflating: while true {
                largestOutputCapacity = Swift.max(largestOutputCapacity, output.capacity)
                if output.writableBytes == 0 {
                    if output.capacity < allowed {
                        output.reserveCapacity(Swift.min(allowed, 2 * output.capacity))
                        continue
                    }
                    // Full at the limit: if one more byte comes out, the message is too big.
                    var probe = allocator.buffer(capacity: 1)
                    let step = try Self.step(stream, &input, &probe)
                    guard probe.readableBytes == 0 else { throw PerMessageDeflateError.messageTooBig(limit: maxMessageBytes) }
                    guard step == .streamEnded else { break inflating }
                    stream = try Self.makeStream(windowBits: windowBits)
                    continue
                }
                let step = try Self.step(stream, &input, &output)
                // ByteBuffer rounds capacities up to a power of two, so a limit that is not one
                // can be passed within a step.
                guard output.readableBytes <= allowed else { throw PerMessageDeflateError.messageTooBig(limit: maxMessageBytes) }
                switch step {
                case .outputFull: continue
                case .streamEnded: stream = try Self.makeStream(windowBits: windowBits)
                case .inputRead: break inflating
                }
            }
        } catch let error as PerMessageDeflateError {
            self.stream = nil
            throw error
        } catch let error as CompressNIOError where error == .corruptData {
            self.stream = nil
            throw .corruptData
        } catch {
            self.stream = nil
            throw .zlib("\(error)")
        }
        guard output.readableBytes <= allowed else {
            self.stream = nil
            throw .messageTooBig(limit: maxMessageBytes)
        }
        self.stream = try keptStream(stream, messageEnded: isFinal, contextTakeover: contextTakeover, keepsStream: keepsStreamBetweenMessages) { try $0.reset() }
        return output
    }

    /// Why one call into zlib returned.
    private enum Step {
        /// The output is full; there may be more.
        case outputFull
        /// Everything given has been read and written out.
        case inputRead
        /// A final block ended the DEFLATE stream with input left over (RFC 7692 §7.2.3.4).
        case streamEnded
    }

    /// One call to zlib's inflate, with compress-nio's ways of returning told apart.
    private static func step(_ stream: ZlibDecompressor, _ input: inout ByteBuffer, _ output: inout ByteBuffer) throws -> Step {
        do {
            try stream.inflate(from: &input, to: &output)
            // A normal return leaves input only after a final block (Z_STREAM_END).
            return input.readableBytes > 0 ? .streamEnded : .inputRead
        } catch let error as CompressNIOError where error == .bufferOverflow {
            return .outputFull
        } catch let error as CompressNIOError where error == .inputBufferOverflow {
            return .inputRead
        }
    }

    private static func makeStream(windowBits: Int) throws(PerMessageDeflateError) -> ZlibDecompressor {
        do {
            return try ZlibDecompressor(algorithm: .deflate, windowSize: Int32(windowBits))
        } catch {
            throw .zlib("\(error)")
        }
    }
}

/// What one direction keeps of its zlib stream after a frame: the stream itself within a message
/// or with context takeover; without takeover, the stream reset (`keepsStream`) or nothing.
private func keptStream<Stream>(
    _ stream: Stream, messageEnded: Bool, contextTakeover: Bool, keepsStream: Bool, reset: (Stream) throws -> Void
) throws(PerMessageDeflateError) -> Stream? {
    if !messageEnded || contextTakeover { return stream }
    guard keepsStream else { return nil }
    do { try reset(stream) } catch { throw .zlib("\(error)") }
    return stream
}
