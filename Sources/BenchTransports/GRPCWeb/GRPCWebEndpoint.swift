import BenchCore
import BenchMessages
import BenchServer
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SwiftProtobuf

/// gRPC-Web's server half: `POST /transportbench.EventStream/Subscribe`, gRPC's server-streaming
/// call at its own path, answered as gRPC's PROTOCOL-WEB.md says, so a gRPC-Web client
/// generated from `Protos/transportbench.proto` can call it.
///
/// - The request's `Content-Type` names the format and encoding (``GRPCWebFormat``); anything
///   else is answered 415 Unsupported Media Type, a method other than POST 405.
/// - Its body is one frame carrying the `Cursor` (base64 in the text format): the call streams
///   every event after `cursor.after`. A body that is not exactly one such frame is answered 200
///   with trailers `grpc-status:3` (INVALID_ARGUMENT) and a message, as a gRPC server answers a
///   request it cannot parse.
/// - The response (chunked on HTTP/1.1, DATA frames on HTTP/2) carries each batch of events as
///   one write, each event one frame; in the text format each frame is base64-encoded on its own.
/// - When the run ends: the trailers frame `grpc-status:0\r\ngrpc-message:\r\n`, then the end of
///   the body. When the cursor fell out of the retention window: the same trailers with
///   `bench-gap:FIRST-LAST\r\n`, and the client calls again after the gap.
/// - gRPC-Web has no heartbeat (PROTOCOL-WEB.md: no HTTP/2 PING), and message compression is
///   not used on streams, so neither is sent.
///
/// Both formats share the one path, as gRPC-Web servers serve them; the request's content type
/// names the transport its connection is counted under (``transport(for:)``). The layer's
/// framing (``ConnectionMeter/countLayerFraming(_:)``) is every frame's prefix both ways and the
/// trailers frame whole, as the format writes them (``GRPCWebFormat/prefixWireBytes(message:)``).
public struct GRPCWebEndpoint: HTTPRoute {
    /// gRPC's path for `transportbench.EventStream`'s `Subscribe` (`/SERVICE/METHOD`).
    public static let path = "/transportbench.EventStream/Subscribe"

    /// The format this endpoint was registered for; it serves both.
    public let format: GRPCWebFormat
    public var transport: TransportKind? { format.kind }
    public var path: String { Self.path }

    public init(format: GRPCWebFormat) {
        self.format = format
    }

    public func transport(for request: HTTPRequest) -> TransportKind? {
        Self.format(of: request)?.format.kind ?? transport
    }

    private static func format(of request: HTTPRequest) -> (format: GRPCWebFormat, encoding: Encoding)? {
        request.head.headers.first(name: "Content-Type").flatMap(GRPCWebFormat.parse(contentType:))
    }

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        let plain: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8"]
        guard request.head.method == .POST else {
            let headers = plain.adding(name: "Allow", value: "POST")
            return try await writer.respond(status: .methodNotAllowed, headers: headers, body: ByteBuffer(string: "gRPC-Web calls are POST requests\n"))
        }
        guard let call = Self.format(of: request) else {
            let type = request.head.headers.first(name: "Content-Type") ?? "none"
            let body = "content type '\(type)' is not gRPC-Web's: send application/grpc-web(+proto|+json) or application/grpc-web-text(+proto|+json)\n"
            return try await writer.respond(status: .unsupportedMediaType, headers: plain, body: ByteBuffer(string: body))
        }
        let (format, encoding) = call
        let (meter, configuration) = (context.meter, context.configuration)
        // A gRPC-Web call is a fetch from the page: its response head is a streamed response's.
        let headers = context.responseHeaders(.eventSource, ["Content-Type": format.contentType(encoding)])
        try await writer.writeHead(status: .ok, headers: headers)
        let cursor: UInt64
        do {
            guard configuration.encodings.contains(encoding) else {
                throw GRPCWebTrailers.invalidArgument("this server does not serve encoding '\(encoding.rawValue)'")
            }
            cursor = try Self.cursor(in: request.body, format: format, encoding: encoding, meter: meter)
        } catch let refusal as GRPCWebTrailers {
            return try await Self.end(writer, with: refusal, format: format, meter: meter)
        }
        let gap = NIOLockedValueBox<ClosedRange<UInt64>?>(nil)
        // Each batch is written from the connection's event loop as it is published.
        let ending = await context.hub.stream(after: cursor, heartbeat: nil, to: writer.channel) { batch in
            guard batch.reason == .available else { return nil }
            if let skipped = batch.gap {
                // Trailers end the response: the client calls again after the gap.
                gap.withLockedValue { $0 = skipped }
                return nil
            }
            var chunk = ByteBuffer()
            var framing = 0
            for stored in batch.events {
                let body = stored.body(encoding)!
                format.write(.message(body), to: &chunk)
                framing += format.prefixWireBytes(message: body.readableBytes)
            }
            meter.countLayerFraming(framing)
            return writer.writeBodyPartNow(chunk)
        }
        if let skipped = gap.withLockedValue({ $0 }) {
            try await Self.end(writer, with: GRPCWebTrailers(status: 0, gap: skipped), format: format, meter: meter)
        } else if ending == .finished {
            try await Self.end(writer, with: .ok, format: format, meter: meter)
        }
    }

    /// The cursor of the request body: exactly one uncompressed message frame carrying a
    /// `Cursor` in `encoding`; counts its prefix as the layer's framing.
    /// - Throws: ``GRPCWebTrailers`` with INVALID_ARGUMENT, saying what is wrong.
    static func cursor(in body: ByteBuffer, format: GRPCWebFormat, encoding: Encoding, meter: ConnectionMeter) throws(GRPCWebTrailers) -> UInt64 {
        var parser = GRPCWebFrameParser(format: format)
        let frames: [GRPCWebFrame]
        do { frames = try parser.feed(body) } catch { throw .invalidArgument("the request body is not a gRPC-Web frame: \(error)") }
        guard parser.isAtFrameBoundary, frames.count == 1, case .message(let message) = frames[0] else {
            throw .invalidArgument("the request body must be exactly one message frame (a 5-byte prefix and a transportbench.Cursor)")
        }
        do {
            let bytes = Array(message.readableBytesView)
            let cursor = encoding == .json ? try Transportbench_Cursor(jsonUTF8Bytes: bytes) : try Transportbench_Cursor(serializedBytes: bytes)
            meter.countLayerFraming(format.prefixWireBytes(message: message.readableBytes))
            return cursor.after
        } catch {
            throw .invalidArgument("the request message is not a transportbench.Cursor in \(encoding.rawValue)")
        }
    }

    /// Writes the trailers frame (its own write, base64-encoded in the text format), counted as
    /// the layer's framing whole, and ends the body.
    static func end(_ writer: HTTPResponseWriter, with trailers: GRPCWebTrailers, format: GRPCWebFormat, meter: ConnectionMeter) async throws {
        let frame = format.encode(GRPCWebFrame.trailers(trailers).bytes)
        meter.countLayerFraming(frame.readableBytes)
        try await writer.writeBodyPart(frame)
        try await writer.writeEnd()
    }
}

extension GRPCWebTrailers: Error {}

extension HTTPHeaders {
    fileprivate func adding(name: String, value: String) -> HTTPHeaders {
        var headers = self
        headers.add(name: name, value: value)
        return headers
    }
}
