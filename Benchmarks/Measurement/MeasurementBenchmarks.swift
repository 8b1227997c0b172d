// The cost of measuring: recording a latency sample, a ledger entry, the WireMeter's
// per-read and per-write count, and the HTTP/2 census reading gRPC DATA frames; and the
// server's event fan-out (one published event handed to many waiting subscribers).
import BenchCore
import Benchmark
import Histogram
import NIOCore
import NIOEmbedded

import BenchServer

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(1),
        maxIterations: 1_000_000,
        // Stored in Thresholds/ (`benchmark thresholds update`); `benchmark thresholds check`
        // fails on a regression beyond these tolerances: wall clock 50% at p50 and p90 (this
        // 2-core VM is noisy), allocations exactly.
        thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 50, .p90: 50]), .mallocCountTotal: .strict]
    )

    Benchmark("LatencyHistogram.record", configuration: .init(scalingFactor: .kilo)) { benchmark in
        // Making a histogram zero-fills its 245 KB of counts: keep that out of the measurement.
        var histogram = LatencyHistogram()
        // Past the first samples' array: the histogram exists, as on a long run's clients.
        for _ in 0...LatencyHistogram.pendingLimit { histogram.record(nanoseconds: 20_000) }
        var value: UInt64 = 20_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            value = value &* 6_364_136_223_846_793_005 &+ 1
            histogram.record(nanoseconds: 1_000 + value % 10_000_000)
        }
        blackHole(histogram.count)
    }

    Benchmark("LatencyHistogram.record: the sample generator alone (subtract it)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var sum: UInt64 = 0
        var value: UInt64 = 20_000
        for _ in benchmark.scaledIterations {
            value = value &* 6_364_136_223_846_793_005 &+ 1
            sum &+= 1_000 + value % 10_000_000
        }
        blackHole(sum)
    }

    Benchmark("hdrhistogram-swift Histogram.record, called directly", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000_000, numberOfSignificantValueDigits: .three)
        var value: UInt64 = 20_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            value = value &* 6_364_136_223_846_793_005 &+ 1
            blackHole(histogram.record(1_000 + value % 10_000_000))
        }
        blackHole(histogram.totalCount)
    }

    Benchmark("Ledger.record", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var ledger = Ledger()
        var sequence: UInt64 = 0
        for _ in benchmark.scaledIterations {
            sequence += 1
            blackHole(ledger.record(sequence))
        }
    }

    // What a push client does per event in the read that brought it (the WebSocket receiver's
    // work; the HTTP receivers do the same after their framing): decode the 128 B event, check it
    // against the ledger and record its latency. Held far below the in-run one-way floor (tens
    // of microseconds on this VM): the instrument must cost little beside what it measures.
    for encoding in [Encoding.json, .protobuf] {
        Benchmark("Push receive path: one \(encoding.rawValue) event decoded, checked and timed", configuration: .init(scalingFactor: .kilo)) { benchmark in
            let codec = EventCodec(encoding)
            var recorder = DeliveryRecorder()
            // Past the first samples' array, as on a long run's clients.
            for _ in 0...LatencyHistogram.pendingLimit { recorder.latency.record(nanoseconds: 20_000) }
            let payload = String(repeating: "x", count: 128)
            let bodies = (1...UInt64(benchmark.scaledIterations.count)).map {
                codec.encode(Event(sequence: $0, publishedAt: 1_000, payload: payload))
            }
            benchmark.startMeasurement()
            for body in bodies {
                let event = try codec.decode(body)
                recorder.deliver(event, receivedAt: MonotonicClock.nowNanoseconds())
            }
            blackHole(recorder.ledger.delivered)
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

    Benchmark("EventHub fan-out: one event to 100 subscribers", configuration: .init(maxIterations: 20_000)) { benchmark in
        await fanOut(benchmark, subscribers: 100)
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

/// One event published to `subscribers` tasks each waiting for the next event after the
/// last one (or arriving just after it was published): the hub's fan-out per event.
func fanOut(_ benchmark: Benchmark, subscribers: Int) async {
    let hub = EventHub(retainedEvents: 1000, encodings: [.protobuf], timerLoop: EmbeddedEventLoop())
    let payload = String(repeating: "x", count: 128)
    for _ in benchmark.scaledIterations {
        let cursor = hub.lastSequence
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<subscribers { group.addTask { await hub.next(after: cursor).events.count } }
            _ = hub.publish(payload: payload)
            for await count in group { blackHole(count) }
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
