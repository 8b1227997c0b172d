import NIOCore

/// Reads gRPC-Web frames from bytes fed as they arrive, as a value-type state machine: a frame
/// (or, in the text format, a base64 quad) may be split across any number of reads.
///
/// It refuses what this transport never sends: a compressed payload, unknown flag bits, a frame
/// after the trailers, a trailer block that names no `grpc-status`, and a message larger than
/// ``maxMessageBytes``.
///
/// ```swift
/// var parser = GRPCWebFrameParser(format: .text)
/// for frame in try parser.feed(read) { … }      // .message(body) or .trailers(trailers)
/// ```
public struct GRPCWebFrameParser: Sendable {
    public let format: GRPCWebFormat
    /// The largest message accepted (gRPC's default receive limit, 4 MiB).
    public var maxMessageBytes = 4 << 20
    /// Decoded bytes not yet part of a whole frame.
    private var buffer = ByteBuffer()
    private var base64 = Base64QuadDecoder()
    /// Set once the trailers arrived: nothing may follow them.
    public private(set) var sawTrailers = false

    public init(format: GRPCWebFormat) {
        self.format = format
    }

    /// Whether everything fed so far made whole frames.
    public var isAtFrameBoundary: Bool { buffer.readableBytes == 0 && base64.isAtQuadBoundary }

    /// Feeds `bytes`; returns the frames they completed, in order.
    public mutating func feed(_ bytes: ByteBuffer) throws(GRPCWebError) -> [GRPCWebFrame] {
        switch format {
        case .binary:
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        case .text:
            do { try base64.decode(bytes, into: &buffer) } catch { throw .badBase64 }
        }
        var frames: [GRPCWebFrame] = []
        while let flag: UInt8 = buffer.getInteger(at: buffer.readerIndex),
            let length: UInt32 = buffer.getInteger(at: buffer.readerIndex + 1)
        {
            guard !sawTrailers else { throw .frameAfterTrailers }
            guard flag & ~(GRPCWebFrame.trailersFlag | GRPCWebFrame.compressedFlag) == 0 else { throw .unknownFlags(flag) }
            guard flag & GRPCWebFrame.compressedFlag == 0 else { throw .compressed }
            guard Int(length) <= maxMessageBytes else { throw .tooLarge(Int(length), limit: maxMessageBytes) }
            guard buffer.readableBytes >= GRPCWebFrame.prefixBytes + Int(length) else { break }
            buffer.moveReaderIndex(forwardBy: GRPCWebFrame.prefixBytes)
            let payload = buffer.readSlice(length: Int(length))!
            if flag & GRPCWebFrame.trailersFlag != 0 {
                guard let trailers = GRPCWebTrailers(parsing: payload) else { throw .badTrailers }
                sawTrailers = true
                frames.append(.trailers(trailers))
            } else {
                frames.append(.message(payload))
            }
        }
        buffer.discardReadBytes()
        return frames
    }
}

/// Why a gRPC-Web exchange failed.
public enum GRPCWebError: Error, Sendable, Hashable, CustomStringConvertible {
    case badBase64
    case unknownFlags(UInt8)
    case compressed
    case tooLarge(Int, limit: Int)
    case frameAfterTrailers
    case badTrailers
    /// The body ended inside a frame.
    case truncated
    /// The response ended without trailers.
    case missingTrailers
    /// The response's content type is not the request's format.
    case contentType(String)
    /// The trailers carried a non-zero `grpc-status`.
    case status(Int, String)

    public var description: String {
        switch self {
        case .badBase64: "the gRPC-Web text body is not base64 (RFC 4648 §4)"
        case .unknownFlags(let flag): "a gRPC-Web frame has unknown flag bits (0x\(String(flag, radix: 16)))"
        case .compressed: "a gRPC-Web frame is compressed, which gRPC-Web streams do not use"
        case .tooLarge(let length, let limit): "a gRPC-Web frame of \(length) bytes is over the \(limit)-byte limit"
        case .frameAfterTrailers: "a gRPC-Web frame follows the trailers"
        case .badTrailers: "the gRPC-Web trailers name no grpc-status"
        case .truncated: "the gRPC-Web body ended inside a frame"
        case .missingTrailers: "the gRPC-Web response ended without trailers"
        case .contentType(let type): "the gRPC-Web response's content type is '\(type)'"
        case .status(let status, let message): "the gRPC-Web call ended with grpc-status \(status): \(message)"
        }
    }
}
