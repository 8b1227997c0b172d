// Encode and decode cost per message, JSON (Foundation) against protobuf (swift-protobuf).
// The machine is printed by the benchmark runner at the top of its output.
import BenchCore
import BenchMessages
import Benchmark
import Foundation
import SwiftProtobuf

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(1),
        maxIterations: 100_000,
        // Stored in Thresholds/; `benchmark thresholds check` fails on a regression beyond these:
        // wall clock 50% at p50 and p90 (a noisy 2-core VM), allocations exactly.
        thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 50, .p90: 50]), .mallocCountTotal: .strict]
    )

    let event = Event(sequence: 42, publishedAt: 1_234_567_890_123, payload: PayloadFactory(byteCount: 128, seed: 1).payload(for: 1))
    for encoding in Encoding.allCases {
        Benchmark("Event envelope, 128 B payload: \(encoding.rawValue) encode") { benchmark in
            let codec = EventCodec(encoding)
            for _ in benchmark.scaledIterations { blackHole(codec.encode(event)) }
        }
        Benchmark("Event envelope, 128 B payload: \(encoding.rawValue) decode") { benchmark in
            let codec = EventCodec(encoding)
            let body = codec.encode(event)
            for _ in benchmark.scaledIterations { blackHole(try codec.decode(body)) }
        }
    }

    let user = SampleMessage.notesUser
    let jsonEncoder = JSONEncoder()
    jsonEncoder.outputFormatting = [.sortedKeys]
    let userJSON = try! jsonEncoder.encode(user)
    let userProtobuf: [UInt8] = try! user.serializedBytes()
    Benchmark("User example: json encode") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try jsonEncoder.encode(user)) }
    }
    Benchmark("User example: json decode") { benchmark in
        let decoder = JSONDecoder()
        for _ in benchmark.scaledIterations { blackHole(try decoder.decode(Transportbench_User.self, from: userJSON)) }
    }
    Benchmark("User example: protobuf encode") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try user.serializedBytes() as [UInt8]) }
    }
    Benchmark("User example: protobuf decode") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Transportbench_User(serializedBytes: userProtobuf)) }
    }
}
