// The cost of measuring: recording a latency sample, a ledger entry, the WireMeter's
// per-read and per-write count, and the HTTP/2 census reading gRPC DATA frames.
import BenchCore
import Benchmark
import NIOCore
import NIOEmbedded

import BenchServer

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(1),
        maxIterations: 1_000_000
    )

    Benchmark("LatencyHistogram.record", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var histogram = LatencyHistogram()
        var value: UInt64 = 20_000
        for _ in benchmark.scaledIterations {
            value = value &* 6_364_136_223_846_793_005 &+ 1
            histogram.record(nanoseconds: 1_000 + value % 10_000_000)
        }
        blackHole(histogram.count)
    }

    Benchmark("Ledger.record", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var ledger = Ledger()
        var sequence: UInt64 = 0
        for _ in benchmark.scaledIterations {
            sequence += 1
            blackHole(ledger.record(sequence))
        }
    }

    Benchmark("WireMeter: 1 KiB read and write through an EmbeddedChannel") { benchmark in
        let channel = EmbeddedChannel()
        let recorder = TrafficRecorder()
        let meter = recorder.open(channel: channel)
        try channel.pipeline.syncOperations.addHandler(WireMeter(meter: meter, recorder: recorder))
        try roundTrips(channel, benchmark)
        blackHole(meter.bytesIn)
    }

    Benchmark("Baseline: the same EmbeddedChannel without a WireMeter") { benchmark in
        try roundTrips(EmbeddedChannel(), benchmark)
    }

    Benchmark("HTTP2FrameReader: 100 gRPC messages of 200 B in DATA frames (21.4 KB)") { benchmark in
        // One DATA frame per message: 9-byte frame header, 5-byte gRPC prefix, 200-byte body.
        var bytes = ByteBuffer()
        for _ in 0..<100 {
            bytes.writeBytes([0, 0, 205, 0x0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 200])
            bytes.writeRepeatingByte(0x61, count: 200)
        }
        for _ in benchmark.scaledIterations {
            var reader = HTTP2FrameReader(direction: .down, grpc: true)
            var breakdown = HTTP2Breakdown()
            reader.read(bytes, into: &breakdown)
            blackHole(breakdown.dataPayload.down)
        }
    }
}

/// One 1 KiB read and one 1 KiB write through `channel` per iteration.
func roundTrips(_ channel: EmbeddedChannel, _ benchmark: Benchmark) throws {
    let buffer = ByteBuffer(repeating: 0x61, count: 1024)
    for _ in benchmark.scaledIterations {
        try channel.writeInbound(buffer)
        blackHole(try channel.readInbound(as: ByteBuffer.self))
        try channel.writeOutbound(IOData.byteBuffer(buffer))
        blackHole(try channel.readOutbound(as: IOData.self))
    }
}
