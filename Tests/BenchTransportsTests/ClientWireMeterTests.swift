import BenchCore
import NIOCore
import NIOEmbedded
import Testing

@testable import BenchTransports

@Suite("ClientWireMeter")
struct ClientWireMeterTests {
    func target(wire: ClientWireCounter?) -> ClientTarget {
        ClientTarget(host: "127.0.0.1", port: 1, clientIndex: 0, scenario: .defaults, wire: wire)
    }

    @Test("counts every byte read and written, first in the pipeline, passes them on unchanged, and folds them into the recorder")
    func countsBytes() throws {
        let wire = ClientWireCounter()
        let channel = EmbeddedChannel()
        // A handler already there (TLS, which grpc-swift's hook adds first): the meter goes in front of it.
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()), name: "decoder")
        try target(wire: wire).addWireMeter(to: channel)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\n"))  // 17 bytes
        try channel.writeInbound(ByteBuffer(string: "\r\n"))  // 2 bytes
        try channel.writeAndFlush(IOData.byteBuffer(ByteBuffer(string: "GET /poll?after=0 HTTP/1.1\r\n\r\n"))).wait()  // 30 bytes

        #expect(wire.bytesReceived == 17 + 2)
        #expect(wire.bytesSent == 30)
        // The decoder behind the meter made 15 + 0 bytes of lines of them: the meter counted in front of it.
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "HTTP/1.1 200 OK")
        #expect(try channel.readOutbound(as: IOData.self) == .byteBuffer(ByteBuffer(string: "GET /poll?after=0 HTTP/1.1\r\n\r\n")))

        var recorder = DeliveryRecorder()
        recorder.wireBytesReceived = 5
        wire.collect(into: &recorder)
        #expect(recorder.wireBytesReceived == 5 + 19)
        #expect(recorder.wireBytesSent == 30)
        _ = try channel.finish()
    }

    @Test("a target without a counter (control requests) adds no handler")
    func noCounter() throws {
        let channel = EmbeddedChannel()
        try target(wire: nil).addWireMeter(to: channel)
        #expect(throws: ChannelPipelineError.self) { try channel.pipeline.syncOperations.context(handlerType: ClientWireMeter.self) }
        _ = try channel.finish()
    }
}

/// Splits at CRLF: a stand-in decoder that shows the meter sits in front of what decodes.
private struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let bytes = buffer.readableBytesView
        guard let cr = bytes.firstIndex(of: UInt8(ascii: "\r")), cr + 1 < bytes.endIndex else { return .needMoreData }
        let line = buffer.readSlice(length: cr - bytes.startIndex)!
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        .needMoreData
    }
}
