import BenchCore
import NIOCore
import NIOEmbedded
import Testing

@testable import BenchServer

@Suite("WireMeter")
struct WireMeterTests {
    @Test("counts every inbound and outbound byte and folds them into the transport's totals on close")
    func countsBytes() throws {
        let channel = EmbeddedChannel()
        let recorder = TrafficRecorder()
        let meter = recorder.open(channel: channel)
        try channel.pipeline.syncOperations.addHandler(WireMeter(meter: meter, recorder: recorder))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))  // 16 bytes
        try channel.writeInbound(ByteBuffer(string: "\r\n"))  // 2 bytes
        try channel.writeAndFlush(IOData.byteBuffer(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n"))).wait()  // 19 bytes
        meter.countRequest()
        meter.attribute(to: .shortPolling)
        meter.attribute(to: .longPolling)  // the first attribution wins

        #expect(meter.bytesIn == 18)
        #expect(meter.bytesOut == 19)
        #expect(recorder.openConnectionCount == 1)
        // The bytes pass through unchanged.
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "GET / HTTP/1.1\r\n")

        _ = try channel.finish()
        #expect(recorder.openConnectionCount == 0)
        let totals = recorder.totals(for: .shortPolling)
        #expect(totals == TrafficTotals(bytesIn: 18, bytesOut: 19, connections: 1, requests: 1))
        #expect(recorder.totals(for: .longPolling) == TrafficTotals())
    }
}
