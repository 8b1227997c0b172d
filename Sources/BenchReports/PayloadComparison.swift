import BenchMessages
import CompressNIO
import NIOCore

/// `bench payloads`: each sample message as compact JSON, pretty JSON and protobuf, raw and
/// gzip-compressed, measured by the real encoders; and the study notes' User example checked
/// line by line.
public struct PayloadComparison: Sendable {
    /// One message's sizes, in bytes.
    public struct Row: Codable, Sendable, Hashable {
        public var message: String
        public var summary: String
        public var jsonCompactBytes: Int
        public var jsonPrettyBytes: Int
        public var protobufBytes: Int
        public var gzipJSONCompactBytes: Int
        public var gzipJSONPrettyBytes: Int
        public var gzipProtobufBytes: Int
        /// `protobuf / jsonCompact - 1`, in percent: negative means protobuf is smaller.
        public var protobufVersusJSONPercent: Double
        /// The same after gzip.
        public var gzipProtobufVersusGzipJSONPercent: Double
        /// Protobuf bytes as hex, for messages of at most 64 bytes.
        public var protobufHex: String?
    }

    /// A claim of the notes about the User example and what the encoders say.
    public struct NoteCheck: Codable, Sendable, Hashable {
        public var claim: String
        public var measured: String
        public var agrees: Bool
    }

    public var rows: [Row]
    /// Streams of realistic messages through each transport's compression (``PayloadStreamRow``).
    public var streams: [PayloadStreamRow]
    public var noteChecks: [NoteCheck]
    /// The User example's protobuf bytes, annotated field by field.
    public var userWireAnnotation: [String]

    /// What the study notes ("JSON vs Protobuf") print for
    /// `User{id: 123, name: "Alice", email: "alice@example.com"}`: quotations, not results.
    public enum Notes {
        public static let json = "{\n  \"id\": 123,\n  \"name\": \"Alice\",\n  \"email\": \"alice@example.com\"\n}"
        public static let jsonBytes = 60
        public static let protobufHex = "08 7B 12 05 41 6C 69 63 65 1A 13 61 6C 69 63 65 40 65 78 61 6D 70 6C 65 2E 63 6F 6D"
        public static let protobufBytes = 28
        public static let reductionPercent = 53
    }

    public init(samples: [SampleMessage] = SampleMessage.all, streams: [SampleStream] = SampleStream.all()) {
        self.streams = Self.streamRows(streams)
        rows = samples.map { sample in
            let gzipCompact = Self.gzipSize(sample.jsonCompact)
            let gzipPretty = Self.gzipSize(sample.jsonPretty)
            let gzipProtobuf = Self.gzipSize(sample.protobuf)
            return Row(
                message: sample.name,
                summary: sample.summary,
                jsonCompactBytes: sample.jsonCompact.count,
                jsonPrettyBytes: sample.jsonPretty.count,
                protobufBytes: sample.protobuf.count,
                gzipJSONCompactBytes: gzipCompact,
                gzipJSONPrettyBytes: gzipPretty,
                gzipProtobufBytes: gzipProtobuf,
                protobufVersusJSONPercent: Self.percentChange(from: sample.jsonCompact.count, to: sample.protobuf.count),
                gzipProtobufVersusGzipJSONPercent: Self.percentChange(from: gzipCompact, to: gzipProtobuf),
                protobufHex: sample.protobuf.count <= 64 ? Self.hex(sample.protobuf) : nil
            )
        }
        let user = SampleMessage.all.first { $0.name == "user" }!
        noteChecks = Self.checkNotes(user)
        userWireAnnotation = ProtobufWireAnnotator.annotate(user.protobuf)
    }

    static func checkNotes(_ user: SampleMessage) -> [NoteCheck] {
        var checks: [NoteCheck] = []
        let notesLayoutBytes = Array(Notes.json.utf8).count
        checks.append(
            NoteCheck(
                claim: "JSON is \(Notes.jsonBytes) bytes",
                measured: "compact JSON of these values is \(user.jsonCompact.count) bytes; Foundation's pretty JSON \(user.jsonPretty.count); "
                    + "the JSON exactly as the notes print it (2-space indent, no trailing newline) \(notesLayoutBytes)",
                agrees: [user.jsonCompact.count, user.jsonPretty.count, notesLayoutBytes].contains(Notes.jsonBytes)
            ))
        checks.append(
            NoteCheck(
                claim: "protobuf is \(Notes.protobufBytes) bytes",
                measured: "swift-protobuf writes \(user.protobuf.count) bytes",
                agrees: user.protobuf.count == Notes.protobufBytes
            ))
        let reduction = -percentChange(from: user.jsonCompact.count, to: user.protobuf.count)
        let reductionFromNotesJSON = -percentChange(from: Notes.jsonBytes, to: user.protobuf.count)
        checks.append(
            NoteCheck(
                claim: "\(Notes.reductionPercent)% smaller",
                measured: "\(format(reduction))% smaller than compact JSON (\(user.protobuf.count) vs \(user.jsonCompact.count) bytes); "
                    + "\(format(reductionFromNotesJSON))% against the notes' own \(Notes.jsonBytes)",
                agrees: Int(reduction.rounded()) == Notes.reductionPercent
            ))
        let emailBytes = SampleMessage.notesUser.email.utf8.count
        let notesBytes = Notes.protobufHex.split(separator: " ").map { UInt8($0, radix: 16)! }
        var differences: [String] = []
        for index in 0..<max(notesBytes.count, user.protobuf.count) {
            let noted = index < notesBytes.count ? hexByte(notesBytes[index]) : "none"
            let actual = index < user.protobuf.count ? hexByte(user.protobuf[index]) : "none"
            if noted != actual { differences.append("byte \(index): notes \(noted), encoder \(actual)") }
        }
        checks.append(
            NoteCheck(
                claim: "the bytes are \(Notes.protobufHex)",
                measured: differences.isEmpty
                    ? "identical to the encoder's bytes"
                    : "encoder writes \(hex(user.protobuf)); differs at " + differences.joined(separator: "; ")
                        + " (the email \"\(SampleMessage.notesUser.email)\" is \(emailBytes) bytes, so its length prefix is 0x\(hexByte(UInt8(emailBytes))))",
                agrees: differences.isEmpty
            ))
        return checks
    }

    /// Size of `bytes` after gzip (zlib's default level), as HTTP's `Content-Encoding: gzip` sends it.
    static func gzipSize(_ bytes: [UInt8]) -> Int {
        var buffer = ByteBuffer(bytes: bytes)
        // Compressing into a buffer sized by zlib's own bound cannot overflow.
        return (try! buffer.compress(with: .gzip())).readableBytes
    }

    static func percentChange(from base: Int, to value: Int) -> Double {
        base == 0 ? 0 : (Double(value) / Double(base) - 1) * 100
    }

    static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map(hexByte).joined(separator: " ") }

    static func format(_ value: Double) -> String { Format.decimal(value, places: 1) }
}

/// Reads protobuf's wire format (tag = field number << 3 | wire type; varints; length prefixes)
/// and describes each field, so a reader can follow the bytes.
public enum ProtobufWireAnnotator {
    public static func annotate(_ bytes: [UInt8]) -> [String] {
        var lines: [String] = []
        var index = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while index < bytes.count {
            let start = index
            guard let tag = varint() else { break }
            let field = tag >> 3
            let type = tag & 7
            let tagHex = PayloadComparison.hex(Array(bytes[start..<index]))
            switch type {
            case 0:
                let valueStart = index
                guard let value = varint() else { return lines }
                lines.append("\(tagHex) | \(PayloadComparison.hex(Array(bytes[valueStart..<index]))): field \(field), varint, value \(value)")
            case 2:
                let lengthStart = index
                guard let length = varint(), index + Int(length) <= bytes.count else { return lines }
                let lengthHex = PayloadComparison.hex(Array(bytes[lengthStart..<index]))
                let content = Array(bytes[index..<(index + Int(length))])
                index += Int(length)
                let text = content.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) ? " \"\(String(decoding: content, as: UTF8.self))\"" : ""
                lines.append("\(tagHex) | \(lengthHex) | \(length) bytes: field \(field), length-delimited\(text)")
            case 1:
                guard index + 8 <= bytes.count else { return lines }
                let raw = bytes[index..<(index + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
                lines.append("\(tagHex) | \(PayloadComparison.hex(Array(bytes[index..<(index + 8)]))): field \(field), 64-bit, as double \(Double(bitPattern: raw))")
                index += 8
            case 5:
                guard index + 4 <= bytes.count else { return lines }
                lines.append("\(tagHex) | \(PayloadComparison.hex(Array(bytes[index..<(index + 4)]))): field \(field), 32-bit")
                index += 4
            default:
                lines.append("\(tagHex): field \(field), unknown wire type \(type)")
                return lines
            }
        }
        return lines
    }
}
