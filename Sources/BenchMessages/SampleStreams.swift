import Foundation
import SwiftProtobuf

/// Streams of sample messages for `bench payloads`' compressed-stream comparison: a run of one
/// kind of message whose values vary as a live feed's do (ids, names, prices, readings,
/// sentences), each message encoded as compact JSON and as protobuf.
///
/// Deterministic: the values come from a small linear congruential generator seeded by `seed`,
/// so every run of `bench payloads` compares the same bytes.
public struct SampleStream: Sendable {
    /// The message kind, such as `chat-message`; the stream's name is this plus `-stream`.
    public var message: String
    public var summary: String
    /// Each message's compact JSON and protobuf bytes, in stream order.
    public var jsonMessages: [[UInt8]]
    public var protobufMessages: [[UInt8]]

    public var name: String { message + "-stream" }

    /// Every stream kind, `count` messages each.
    public static func all(count: Int = 100, seed: UInt64 = 1) -> [SampleStream] {
        var random = Draws(seed: seed)
        return [
            SampleStream(message: "user", summary: "users as a directory feed sends them", count: count) { index in
                let name = SampleVocabulary.names[random.below(SampleVocabulary.names.count)]
                return Transportbench_User.with {
                    $0.id = Int32(100 + index)
                    $0.name = name.prefix(1).uppercased() + name.dropFirst()
                    $0.email = "\(name)\(random.below(100))@example.com"
                    $0.roles = random.below(3) == 0 ? ["admin", "editor"] : ["viewer"]
                }
            },
            SampleStream(message: "chat-message", summary: "a room's chat messages", count: count) { index in
                Transportbench_ChatMessage.with {
                    $0.room = SampleVocabulary.rooms[random.below(SampleVocabulary.rooms.count)]
                    $0.author = SampleVocabulary.names[random.below(SampleVocabulary.names.count)]
                    $0.text = (0..<(5 + random.below(12))).map { _ in SampleVocabulary.words[random.below(SampleVocabulary.words.count)] }.joined(separator: " ")
                    $0.sentAtMs = 1_763_719_200_000 + Int64(index) * 850 + Int64(random.below(400))
                }
            },
            SampleStream(message: "stock-quote", summary: "price ticks of ten symbols", count: count) { index in
                let symbol = random.below(SampleVocabulary.symbols.count)
                return Transportbench_StockQuote.with {
                    $0.symbol = SampleVocabulary.symbols[symbol]
                    $0.price = (SampleVocabulary.priceLevels[symbol] * (1 + Double(random.below(2001) - 1000) / 100_000) * 100).rounded() / 100
                    $0.volume = Int64(1_000_000 + random.below(90_000_000))
                    $0.changePercent = Double(random.below(601) - 300) / 100
                    $0.timestampMs = 1_763_719_200_000 + Int64(index) * 120
                }
            },
            SampleStream(message: "sensor-reading", summary: "readings of twenty sensors", count: count) { index in
                Transportbench_SensorReading.with {
                    $0.sensorID = "greenhouse-\(1 + random.below(4))/probe-\(10 + random.below(20))"
                    $0.temperatureCelsius = Double(190 + random.below(50)) / 10
                    $0.humidityPercent = Double(550 + random.below(200)) / 10
                    $0.batteryMillivolts = Int32(3_500 + random.below(400))
                    $0.timestampMs = 1_763_719_200_000 + Int64(index) * 1_000
                }
            },
        ]
    }

    init<M: SwiftProtobuf.Message & Codable>(message: String, summary: String, count: Int, make: (Int) -> M) {
        self.message = message
        self.summary = summary
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let messages = (0..<count).map(make)
        // Encoding these value types cannot fail: every field is a plain number, string or list.
        jsonMessages = messages.map { Array(try! encoder.encode($0)) }
        protobufMessages = messages.map { try! $0.serializedBytes() }
    }
}

/// The draws behind the streams: Knuth's MMIX linear congruential generator, high bits.
private struct Draws {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func below(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

/// The words, names and symbols realistic sample content is drawn from: `bench payloads`'
/// streams and the events' `--payload-content` kinds share them.
public enum SampleVocabulary {
    public static let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]
    public static let rooms = ["general", "deploys", "random", "support", "design", "oncall"]
    public static let symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "NFLX", "AMD", "INTC"]
    /// Each symbol's price level, in dollars.
    public static let priceLevels: [Double] = [229.87, 415.32, 176.45, 186.12, 131.70, 512.88, 248.50, 689.20, 152.31, 31.44]
    public static let words = [
        "the", "deploy", "finished", "all", "green", "shall", "we", "merge", "branch", "now", "build", "is", "still",
        "running", "on", "staging", "looks", "good", "to", "me", "can", "you", "review", "my", "pull", "request",
        "please", "tests", "pass", "locally", "but", "fail", "in", "CI", "again", "I", "think", "it", "was", "a",
        "flaky", "timeout", "let", "check", "logs", "after", "lunch", "meeting", "moved", "thanks", "for", "quick",
        "fix", "yes", "no", "tomorrow", "release", "notes", "ready", "ship", "rollback", "done", "latency", "dropped",
        "cache", "change", "who", "owns", "this", "service",
    ]
}
