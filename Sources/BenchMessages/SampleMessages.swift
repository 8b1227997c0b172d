import Foundation
import SwiftProtobuf

/// The messages `bench payloads` compares, with realistic values, each encoded the same three
/// ways: compact JSON, pretty JSON (Foundation's `JSONEncoder`, keys sorted) and protobuf
/// (swift-protobuf's binary format).
public struct SampleMessage: Sendable {
    /// A short name for tables, such as `user`.
    public var name: String
    /// What the message is.
    public var summary: String
    public var jsonCompact: [UInt8]
    public var jsonPretty: [UInt8]
    public var protobuf: [UInt8]

    init<M: SwiftProtobuf.Message & Codable>(name: String, summary: String, message: M) {
        self.name = name
        self.summary = summary
        let compact = JSONEncoder()
        compact.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        // Encoding these value types cannot fail: every field is a plain number, string or list.
        jsonCompact = Array(try! compact.encode(message))
        jsonPretty = Array(try! pretty.encode(message))
        protobuf = try! message.serializedBytes()
    }

    /// The study notes' example: `User{id: 123, name: "Alice", email: "alice@example.com"}`.
    public static let notesUser: Transportbench_User = .with {
        $0.id = 123
        $0.name = "Alice"
        $0.email = "alice@example.com"
    }

    static let chat: Transportbench_ChatMessage = .with {
        $0.room = "general"
        $0.author = "alice"
        $0.text = "Deploy finished, all green. Shall we merge the websocket branch?"
        $0.sentAtMs = 1_763_719_200_123
    }

    static let quote: Transportbench_StockQuote = .with {
        $0.symbol = "AAPL"
        $0.price = 229.87
        $0.volume = 48_213_554
        $0.changePercent = -0.42
        $0.timestampMs = 1_763_719_200_456
    }

    static let sensor: Transportbench_SensorReading = .with {
        $0.sensorID = "greenhouse-3/probe-07"
        $0.temperatureCelsius = 21.4
        $0.humidityPercent = 63.5
        $0.batteryMillivolts = 3_712
        $0.timestampMs = 1_763_719_200_789
    }

    static let page: Transportbench_UserPage = .with {
        let names = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
        $0.users = names.enumerated().map { index, name in
            .with {
                $0.id = Int32(100 + index)
                $0.name = name
                $0.email = "\(name.lowercased())@example.com"
                $0.roles = index % 3 == 0 ? ["admin", "editor"] : ["viewer"]
            }
        }
        $0.page = 1
        $0.totalPages = 12
    }

    /// Every sample, small to large.
    public static let all: [SampleMessage] = [
        SampleMessage(name: "user", summary: "the notes' User example (id, name, email)", message: notesUser),
        SampleMessage(
            name: "user-with-roles", summary: "User with two roles",
            message: Transportbench_User.with {
                $0.id = 123
                $0.name = "Alice"
                $0.email = "alice@example.com"
                $0.roles = ["admin", "editor"]
            }),
        SampleMessage(name: "sensor-reading", summary: "an IoT sensor reading (doubles, ids, a timestamp)", message: sensor),
        SampleMessage(name: "stock-quote", summary: "a stock quote (price, volume, change, timestamp)", message: quote),
        SampleMessage(name: "chat-message", summary: "a chat message with a sentence of text", message: chat),
        SampleMessage(name: "user-page", summary: "a page of 10 users with roles", message: page),
    ]
}
