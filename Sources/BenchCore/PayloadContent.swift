import BenchMessages

/// What an event's payload looks like (`--payload-content`): filler that barely compresses, or
/// text shaped like the messages real-time applications send, which compresses as they do.
///
/// Every kind is seeded (the scenario's seed and the event's sequence) and exactly
/// `payloadBytes` bytes of printable ASCII, so two runs with one seed carry identical bytes and
/// only the content, never the size, differs between kinds.
///
/// - `random`: characters drawn from `[A-Za-z0-9]`; deflate gets about 6 bits a byte out of it.
/// - `chat`: chat lines, `alice@general: the deploy finished, shall we merge the branch now? `,
///   authors, rooms and words drawn from small fixed lists, as in a team chat.
/// - `ticker`: price ticks, `AAPL 229.87 +0.42% vol 48213554 bid 229.85 ask 229.88;`, symbols
///   from a fixed list, prices and volumes drawn near each symbol's level.
/// - `document`: a JSON document of records with the same keys, `{"items":[{"id":1017,
///   "name":"Carol","email":"carol@example.com","role":"viewer","active":true},…`, as a REST
///   resource returns it. Carried in the envelope's string field, JSON encoding escapes its
///   quotes (`\"`), as any JSON API that carries a document as a string does.
///
/// Content is cut at `payloadBytes`, so a long line or document ends mid-word.
public enum PayloadContent: String, CaseIterable, Codable, Sendable, Hashable {
    case random, chat, ticker, document

    /// Whether the content is shaped like an application's messages (every kind but `random`).
    public var isRealistic: Bool { self != .random }

    /// `count` bytes of this kind, from `generator`.
    func text(count: Int, using generator: inout SeededGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 128)
        switch self {
        case .random:
            return PayloadFactory.filler(count: count, using: &generator)
        case .chat:
            while bytes.count < count {
                bytes += Array("\(Self.pick(Vocabulary.names, &generator))@\(Self.pick(Vocabulary.rooms, &generator)):".utf8)
                let words = 6 + Int(generator.next() % 14)
                for index in 0..<words {
                    bytes.append(UInt8(ascii: " "))
                    bytes += Array(Self.pick(Vocabulary.words, &generator).utf8)
                    if index == words - 1 { bytes.append(generator.next() % 3 == 0 ? UInt8(ascii: "?") : UInt8(ascii: ".")) }
                }
                bytes.append(UInt8(ascii: " "))
            }
        case .ticker:
            while bytes.count < count {
                let index = Int(generator.next() % UInt64(Vocabulary.symbols.count))
                let level = Vocabulary.priceLevels[index]
                let price = level * (1 + (Double(generator.next() % 2001) - 1000) / 100_000)
                let change = (Double(generator.next() % 601) - 300) / 100
                let volume = 1_000_000 + generator.next() % 90_000_000
                let spread = 0.01 * Double(1 + generator.next() % 4)
                bytes += Array(
                    "\(Vocabulary.symbols[index]) \(Self.cents(price)) \(change >= 0 ? "+" : "")\(Self.cents(change))% vol \(volume) bid \(Self.cents(price - spread)) ask \(Self.cents(price + spread));".utf8)
            }
        case .document:
            bytes += Array("{\"page\":\(1 + generator.next() % 40),\"items\":[".utf8)
            var first = true
            while bytes.count < count {
                let name = Self.pick(Vocabulary.names, &generator)
                let role = Self.pick(["viewer", "editor", "admin", "owner"], &generator)
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                bytes += Array(
                    "{\"id\":\(1000 + generator.next() % 9000),\"name\":\"\(name.capitalized)\",\"email\":\"\(name)@example.com\",\"role\":\"\(role)\",\"active\":\(generator.next() % 5 != 0)}".utf8)
            }
        }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }

    private static func pick(_ list: [String], _ generator: inout SeededGenerator) -> String {
        list[Int(generator.next() % UInt64(list.count))]
    }

    private static func cents(_ value: Double) -> String {
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        return (value < 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    private typealias Vocabulary = SampleVocabulary
}

extension String {
    fileprivate var capitalized: String { prefix(1).uppercased() + dropFirst() }
}
