import BenchCore
import BenchMessages
import Foundation
import NIOCore
import SwiftProtobuf
import Testing

/// Protobuf's wire format, written out by hand in the tests: tag = field number << 3 | wire
/// type; varints 7 bits a byte, low bits first, high bit on all but the last; length-delimited
/// fields are a varint length then the bytes.
enum HandProtobuf {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            bytes.append(value == 0 ? low : low | 0x80)
        } while value != 0
        return bytes
    }

    static func tag(_ field: UInt64, _ wireType: UInt64) -> [UInt8] { varint(field << 3 | wireType) }

    static func string(_ field: UInt64, _ text: String) -> [UInt8] {
        tag(field, 2) + varint(UInt64(text.utf8.count)) + Array(text.utf8)
    }
}

@Suite("Encodings")
struct EncodingTests {
    @Test("the User example's protobuf bytes equal a hand encoding from the wire-format rules")
    func userByHand() throws {
        // id = 1 (varint), name = 2 and email = 3 (length-delimited); roles empty, so absent.
        let expected = HandProtobuf.tag(1, 0) + HandProtobuf.varint(123) + HandProtobuf.string(2, "Alice") + HandProtobuf.string(3, "alice@example.com")
        #expect(expected == [0x08, 0x7B, 0x12, 0x05] + Array("Alice".utf8) + [0x1A, 0x11] + Array("alice@example.com".utf8))
        let bytes: [UInt8] = try SampleMessage.notesUser.serializedBytes()
        #expect(bytes == expected)
        #expect(bytes.count == 28)
        // With roles, each role is one more length-delimited field 4.
        var withRoles = SampleMessage.notesUser
        withRoles.roles = ["admin", "editor"]
        #expect(try withRoles.serializedBytes() == expected + HandProtobuf.string(4, "admin") + HandProtobuf.string(4, "editor"))
    }

    @Test("a varint over 127 takes two bytes: id 300 is AC 02")
    func multiByteVarint() throws {
        let user = Transportbench_User.with { $0.id = 300 }
        #expect(try user.serializedBytes() == [0x08, 0xAC, 0x02])
        #expect(HandProtobuf.varint(300) == [0xAC, 0x02])
    }

    @Test("every sample message round-trips through both encodings, and its JSON parses to the same values")
    func roundTrips() throws {
        for sample in SampleMessage.all {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(sample.jsonCompact)) as? [String: Any], "\(sample.name)")
            let pretty = try #require(try JSONSerialization.jsonObject(with: Data(sample.jsonPretty)) as? [String: Any])
            #expect(NSDictionary(dictionary: object) == NSDictionary(dictionary: pretty))
            #expect(sample.jsonPretty.count > sample.jsonCompact.count)
            switch sample.name {
            case "user", "user-with-roles":
                let fromProtobuf = try Transportbench_User(serializedBytes: sample.protobuf)
                let fromJSON = try JSONDecoder().decode(Transportbench_User.self, from: Data(sample.jsonCompact))
                #expect(fromProtobuf == fromJSON)
                #expect(object["id"] as? Int == Int(fromProtobuf.id))
                #expect(object["email"] as? String == fromProtobuf.email)
                #expect((object["roles"] as? [String] ?? []) == fromProtobuf.roles)
            case "sensor-reading":
                let fromProtobuf = try Transportbench_SensorReading(serializedBytes: sample.protobuf)
                #expect(fromProtobuf == (try JSONDecoder().decode(Transportbench_SensorReading.self, from: Data(sample.jsonCompact))))
                #expect(object["temperatureCelsius"] as? Double == fromProtobuf.temperatureCelsius)
                #expect(object["sensorId"] as? String == fromProtobuf.sensorID)
            case "stock-quote":
                let fromProtobuf = try Transportbench_StockQuote(serializedBytes: sample.protobuf)
                #expect(fromProtobuf == (try JSONDecoder().decode(Transportbench_StockQuote.self, from: Data(sample.jsonCompact))))
                #expect(object["price"] as? Double == fromProtobuf.price)
                #expect((object["volume"] as? NSNumber)?.int64Value == fromProtobuf.volume)
            case "chat-message":
                let fromProtobuf = try Transportbench_ChatMessage(serializedBytes: sample.protobuf)
                #expect(fromProtobuf == (try JSONDecoder().decode(Transportbench_ChatMessage.self, from: Data(sample.jsonCompact))))
                #expect(object["text"] as? String == fromProtobuf.text)
            case "user-page":
                let fromProtobuf = try Transportbench_UserPage(serializedBytes: sample.protobuf)
                #expect(fromProtobuf == (try JSONDecoder().decode(Transportbench_UserPage.self, from: Data(sample.jsonCompact))))
                #expect((object["users"] as? [Any])?.count == fromProtobuf.users.count)
            default:
                Issue.record("no round-trip check for \(sample.name)")
            }
        }
    }

    @Test("the protobuf envelope and batch follow the wire format, and decode back", arguments: [0, 1, 200])
    func protobufEnvelope(payloadBytes: Int) throws {
        let codec = EventCodec(.protobuf)
        let payload = String(repeating: "x", count: payloadBytes)
        let event = Event(sequence: 5, publishedAt: 1_000_000, payload: payload)
        let body = codec.encode(event)
        // sequence = 1 and published_at = 2 are varints; payload = 3 is length-delimited and,
        // being proto3, absent when empty.
        var expected = HandProtobuf.tag(1, 0) + HandProtobuf.varint(5) + HandProtobuf.tag(2, 0) + HandProtobuf.varint(1_000_000)
        if payloadBytes > 0 { expected += HandProtobuf.string(3, payload) }
        #expect(Array(body.readableBytesView) == expected)
        #expect(try codec.decode(body) == event)

        let second = Event(sequence: 6, publishedAt: 1_000_001, payload: payload)
        let batch = EventCodec.batch(of: [body, codec.encode(second)], encoding: .protobuf)
        let secondBody = Array(codec.encode(second).readableBytesView)
        #expect(Array(batch.readableBytesView) == HandProtobuf.tag(1, 2) + HandProtobuf.varint(UInt64(expected.count)) + expected
            + HandProtobuf.tag(1, 2) + HandProtobuf.varint(UInt64(secondBody.count)) + secondBody)
        #expect(try codec.decodeBatch(batch) == [event, second])
        #expect(try codec.decodeBatch(EventCodec.batch(of: [], encoding: .protobuf)) == [])
    }

    @Test("binary bodies travel as base64 on text carriers; JSON travels as itself")
    func textForms() throws {
        let event = Event(sequence: 1, publishedAt: 2, payload: "abc")
        let protobuf = EventCodec(.protobuf)
        let body = protobuf.encode(event)
        let text = EventCodec.textForm(of: body, encoding: .protobuf)
        #expect(String(buffer: text) == Data(body.readableBytesView).base64EncodedString())
        #expect(text.readableBytes == EventCodec.base64Length(of: body.readableBytes))
        #expect(try protobuf.decodeText(String(buffer: text)) == event)
        let json = EventCodec(.json)
        #expect(EventCodec.textForm(of: json.encode(event), encoding: .json) == json.encode(event))
        // RFC 4648: every 3 bytes become 4 characters, the last group padded.
        #expect([0, 1, 2, 3, 4, 28].map(EventCodec.base64Length) == [0, 4, 4, 4, 8, 40])
    }
}
