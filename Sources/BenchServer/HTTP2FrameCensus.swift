import BenchCore
import NIOCore
import NIOHPACK

/// Reads the bytes of one HTTP/2 connection, frame by frame, and sorts every byte into an
/// ``HTTP2Breakdown`` category (RFC 9113 §4.1: 24-bit length, type, flags, stream id).
///
/// It decodes header blocks with NIOHPACK's decoder, one per direction, fed every block in
/// order so its dynamic table follows the peer's, to compare compressed with uncompressed
/// header sizes. With `grpc`, DATA payloads are split into gRPC's 5-byte message prefixes and
/// message bytes (gRPC over HTTP/2, "Length-Prefixed-Message"), and every message that ends is
/// counted in ``GRPCMessageCounts`` by its compressed flag: what message compression did, read
/// from the wire, since grpc-swift compresses inside the library.
///
/// A value type fed by ``HTTP2FrameCensus``; tests feed it bytes directly.
public struct HTTP2FrameReader: Sendable {
    /// Which way the bytes go.
    public enum Direction: Sendable { case up, down }

    private struct StreamState: Sendable {
        var headerBlocks = 0
        /// gRPC framing: prefix bytes still to read (5 at a message boundary) and message bytes left.
        var prefixLeft = 5
        var messageLeft = 0
        /// The current message's compressed flag (the prefix's first byte) and its length (the
        /// prefix's last four bytes, big-endian; read so far while the prefix is incomplete).
        var flag: UInt8 = 0
        var length = 0
        /// The stream's headers in this direction named a `grpc-encoding` other than `identity`:
        /// its messages may be compressed.
        var compressed = false
    }

    public let direction: Direction
    private let grpc: Bool
    private var pending = ByteBuffer()
    private var prefaceLeft: Int
    private var decoder = HPACKDecoder(allocator: ByteBufferAllocator())
    private var streams: [UInt32: StreamState] = [:]
    /// A header block split over HEADERS and CONTINUATION frames, until END_HEADERS.
    private var block: (stream: UInt32, fragment: ByteBuffer, trailers: Bool)?
    /// Set once the bytes stop making sense as HTTP/2; the rest is counted as `other`.
    public private(set) var failed = false

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public init(direction: Direction, grpc: Bool) {
        self.direction = direction
        self.grpc = grpc
        self.prefaceLeft = direction == .up ? Self.preface.count : 0
    }

    /// Sorts `bytes` (the next bytes in this direction) into `breakdown`.
    public mutating func read(_ bytes: ByteBuffer, into breakdown: inout HTTP2Breakdown) {
        var messages = GRPCMessageCounts()
        read(bytes, into: &breakdown, messages: &messages)
    }

    /// Sorts `bytes` (the next bytes in this direction) into `breakdown`, and adds the gRPC
    /// messages whose last byte they carry to `messages`.
    public mutating func read(_ bytes: ByteBuffer, into breakdown: inout HTTP2Breakdown, messages: inout GRPCMessageCounts) {
        var bytes = bytes
        if prefaceLeft > 0 {
            let count = Swift.min(prefaceLeft, bytes.readableBytes)
            bytes.moveReaderIndex(forwardBy: count)
            prefaceLeft -= count
            add(count, to: \.preface, frames: prefaceLeft == 0 ? 1 : 0, &breakdown)
        }
        if failed {
            // Bytes that stopped making sense: counted, not classified.
            add(pending.readableBytes + bytes.readableBytes, to: \.other, frames: 0, &breakdown)
            pending.clear()
            return
        }
        // Whole frames are read where they arrived; only a frame split across reads is copied
        // into `pending` until its end comes.
        var input: ByteBuffer
        if pending.readableBytes == 0 {
            input = bytes
        } else {
            pending.writeBuffer(&bytes)
            input = pending
        }
        while let length = input.getUInt24(at: input.readerIndex), input.readableBytes >= 9 + Int(length) {
            let type = input.getInteger(at: input.readerIndex + 3, as: UInt8.self)!
            let flags = input.getInteger(at: input.readerIndex + 4, as: UInt8.self)!
            let stream = input.getInteger(at: input.readerIndex + 5, as: UInt32.self)! & 0x7FFF_FFFF
            input.moveReaderIndex(forwardBy: 9)
            let payload = input.readSlice(length: Int(length))!
            frame(type: type, flags: flags, stream: stream, payload: payload, into: &breakdown, messages: &messages)
        }
        pending.clear()
        if input.readableBytes > 0 { pending.writeBuffer(&input) }
    }

    private mutating func frame(
        type: UInt8, flags: UInt8, stream: UInt32, payload: ByteBuffer, into breakdown: inout HTTP2Breakdown, messages: inout GRPCMessageCounts
    ) {
        let size = 9 + payload.readableBytes
        let endStream = flags & 0x1 != 0
        switch type {
        case 0x0:  // DATA
            var data = payload
            var padding = 0
            if flags & 0x8 != 0, let padLength = data.readInteger(as: UInt8.self) {
                padding = 1 + Int(padLength)
                data = data.getSlice(at: data.readerIndex, length: Swift.max(0, data.readableBytes - Int(padLength))) ?? ByteBuffer()
            }
            add(9 + padding, to: \.dataFrameHeaders, frames: 1, &breakdown)
            if grpc {
                let (prefixBytes, messageBytes) = splitGRPC(data, stream: stream, messages: &messages)
                add(prefixBytes, to: \.grpcMessagePrefixes, frames: 0, &breakdown)
                add(messageBytes, to: \.dataPayload, frames: 0, &breakdown)
            } else {
                add(data.readableBytes, to: \.dataPayload, frames: 0, &breakdown)
            }
            if endStream { streams[stream] = nil }
        case 0x1:  // HEADERS
            var state = streams[stream, default: StreamState()]
            let trailers = state.headerBlocks > 0
            state.headerBlocks += 1
            streams[stream] = state
            if direction == .up && !trailers { breakdown.streams += 1 }
            add(size, to: trailers ? \.trailers : \.headers, frames: 1, &breakdown)
            var fragment = payload
            var padLength = 0
            if flags & 0x8 != 0 { padLength = Int(fragment.readInteger(as: UInt8.self) ?? 0) }
            if flags & 0x20 != 0 { fragment.moveReaderIndex(forwardBy: Swift.min(5, fragment.readableBytes)) }
            fragment = fragment.getSlice(at: fragment.readerIndex, length: Swift.max(0, fragment.readableBytes - padLength)) ?? ByteBuffer()
            block = (stream, fragment, trailers)
            if flags & 0x4 != 0 { decodeBlock(into: &breakdown) }
            if endStream { streams[stream] = nil }
        case 0x9:  // CONTINUATION
            add(size, to: block?.trailers == true ? \.trailers : \.headers, frames: 1, &breakdown)
            var fragment = payload
            block?.fragment.writeBuffer(&fragment)
            if flags & 0x4 != 0 { decodeBlock(into: &breakdown) }
        case 0x4: add(size, to: \.settings, frames: 1, &breakdown)
        case 0x6: add(size, to: \.pings, frames: 1, &breakdown)
        case 0x8: add(size, to: \.windowUpdates, frames: 1, &breakdown)
        default: add(size, to: \.other, frames: 1, &breakdown)
        }
    }

    /// Decodes a complete header block to measure it uncompressed.
    private mutating func decodeBlock(into breakdown: inout HTTP2Breakdown) {
        guard let current = block else { return }
        var fragment = current.fragment
        block = nil
        add(fragment.readableBytes, to: \.headerBlocks, frames: 1, &breakdown)
        do {
            let headers = try decoder.decodeHeaders(from: &fragment)
            add(headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }, to: \.headerFields, frames: headers.count, &breakdown)
            // gRPC over HTTP/2: `grpc-encoding` in a request or response head names the
            // algorithm of the stream's compressed messages in that direction.
            if grpc, !current.trailers, streams[current.stream] != nil,
                headers[canonicalForm: "grpc-encoding"].contains(where: { $0 != "identity" })
            {
                streams[current.stream]?.compressed = true
            }
        } catch {
            // The peer's HTTP/2 stack will reject this connection too; keep counting bytes.
            failed = true
        }
    }

    /// Splits a DATA payload into gRPC message-prefix bytes and message bytes, counting each
    /// message that ends in it in `messages`.
    private mutating func splitGRPC(_ data: ByteBuffer, stream: UInt32, messages: inout GRPCMessageCounts) -> (prefix: Int, message: Int) {
        var state = streams[stream, default: StreamState()]
        var data = data
        var prefixBytes = 0
        var messageBytes = 0
        while data.readableBytes > 0 {
            if state.messageLeft > 0 {
                let count = Swift.min(state.messageLeft, data.readableBytes)
                data.moveReaderIndex(forwardBy: count)
                state.messageLeft -= count
                messageBytes += count
                if state.messageLeft == 0 { messages.count(flag: state.flag, length: state.length, onCompressedStream: state.compressed) }
                continue
            }
            let byte = data.readInteger(as: UInt8.self)!
            prefixBytes += 1
            // The first prefix byte is the compressed flag; the next four the length.
            if state.prefixLeft == 5 {
                state.flag = byte
                state.length = 0
            } else {
                state.length = state.length << 8 | Int(byte)
            }
            state.prefixLeft -= 1
            if state.prefixLeft == 0 {
                state.messageLeft = state.length
                state.prefixLeft = 5
                // An empty message ends with its prefix.
                if state.length == 0 { messages.count(flag: state.flag, length: 0, onCompressedStream: state.compressed) }
            }
        }
        streams[stream] = state
        return (prefixBytes, messageBytes)
    }

    private func add(_ bytes: Int, to category: WritableKeyPath<HTTP2Breakdown, HTTP2Breakdown.Bytes>, frames: Int, _ breakdown: inout HTTP2Breakdown) {
        breakdown[keyPath: category].frames += frames
        switch direction {
        case .up: breakdown[keyPath: category].up += bytes
        case .down: breakdown[keyPath: category].down += bytes
        }
    }
}

/// gRPC messages that ended in one direction of a connection, by their compressed flag (gRPC over
/// HTTP/2, "Length-Prefixed-Message": `Compressed-Flag` 1 means the message is compressed with
/// the algorithm the stream's `grpc-encoding` names, and `Message-Length` is then the
/// compressed length).
///
/// What the flag cannot tell — the plain size behind a compressed message — is known only to
/// the code that serialized or deserialized it; the census counts what the wire carries.
public struct GRPCMessageCounts: Sendable, Hashable {
    /// Messages with the compressed flag set, and the sum of their (compressed) lengths.
    public var compressed = 0
    public var compressedBytes = 0
    /// Messages with the flag clear on a stream whose head named a `grpc-encoding`: sent plain
    /// where the stream could have compressed them.
    public var plainOnCompressedStreams = 0

    public init() {}

    public var isEmpty: Bool { self == GRPCMessageCounts() }

    /// Counts one message that ended.
    mutating func count(flag: UInt8, length: Int, onCompressedStream: Bool) {
        if flag == 1 {
            compressed += 1
            compressedBytes += length
        } else if onCompressedStream {
            plainOnCompressedStreams += 1
        }
    }

    /// The messages as one side's compression layer did them: the side that sent them
    /// compressed them (compressed bytes and messages, and those it left plain); the side that
    /// received them inflated them (the bytes its decompressor read).
    public func tally(sentHere: Bool) -> CompressionTally {
        var tally = CompressionTally()
        if sentHere {
            tally.compressedBytes = compressedBytes
            tally.messagesCompressed = compressed
            tally.messagesSentPlain = plainOnCompressedStreams
        } else {
            tally.inflatedInputBytes = compressedBytes
        }
        return tally
    }
}

extension ByteBuffer {
    fileprivate func getUInt24(at index: Int) -> UInt32? {
        guard let high = getInteger(at: index, as: UInt8.self), let low = getInteger(at: index + 1, as: UInt16.self) else { return nil }
        return UInt32(high) << 16 | UInt32(low)
    }
}

/// Sorts an HTTP/2 connection's bytes into its meter's ``HTTP2Breakdown`` as they cross the
/// socket. It sits next to the ``WireMeter`` at the front of the pipeline, so it sees the same
/// bytes the meter counts.
///
/// On gRPC connections it also counts compressed messages into the meter's compression layer
/// (``ConnectionMeter/compression``): those the server sends as its compressor's output
/// (compressed bytes and messages, and messages left plain on a compressed stream), those it
/// receives as its decompressor's input. The plain sizes come from the endpoint, which handles
/// each message before compression and after decompression.
public final class HTTP2FrameCensus: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = IOData
    public typealias OutboundOut = IOData

    private let meter: ConnectionMeter
    private var up: HTTP2FrameReader
    private var down: HTTP2FrameReader

    /// `grpc` splits DATA payloads into gRPC message prefixes and messages.
    public init(meter: ConnectionMeter, grpc: Bool) {
        self.meter = meter
        self.up = HTTP2FrameReader(direction: .up, grpc: grpc)
        self.down = HTTP2FrameReader(direction: .down, grpc: grpc)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        var messages = GRPCMessageCounts()
        meter.updateHTTP2Breakdown { up.read(bytes, into: &$0, messages: &messages) }
        if !messages.isEmpty { meter.compression.add(messages.tally(sentHere: false)) }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .byteBuffer(let bytes) = unwrapOutboundIn(data) {
            var messages = GRPCMessageCounts()
            meter.updateHTTP2Breakdown { down.read(bytes, into: &$0, messages: &messages) }
            if !messages.isEmpty { meter.compression.add(messages.tally(sentHere: true)) }
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension HTTP2FrameCensus: Sendable {}
