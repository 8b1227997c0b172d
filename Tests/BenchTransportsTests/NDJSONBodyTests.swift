import BenchCore
import Foundation
import NIOCore
import Testing

@testable import BenchTransports

@Suite("NDJSON body parser")
struct NDJSONBodyTests {
    let codec = EventCodec(.json)

    @Test("lines split anywhere across reads are put back together; empty lines are skipped")
    func splitsAcrossReads() throws {
        let text = #"{"payload":"a","publishedAt":5,"sequence":1}"# + "\n\n" + #"{"payload":"b\nc","publishedAt":6,"sequence":2}"# + "\n"
        // The escaped \n inside the string is two characters, not a line end.
        #expect(!text.contains("\"b\nc\""))
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            var parser = NDJSONBody(codec: codec)
            let first = try parser.feed(ByteBuffer(bytes: bytes[..<cut]))
            let second = try parser.feed(ByteBuffer(bytes: bytes[cut...]))
            let events = first.events + second.events
            #expect(events.map(\.sequence) == [1, 2], "cut at \(cut)")
            #expect(events.map(\.payload) == ["a", "b\nc"])
            #expect(first.messages + second.messages == 2)
            var resume = NDJSONBody.Resume()
            parser.update(&resume)
            #expect(resume.after == 2)
        }
    }

    @Test("a gap line is an announced gap, not an event")
    func gapLine() throws {
        var parser = NDJSONBody(codec: codec)
        let body = try parser.feed(ByteBuffer(string: #"{"gap":"3-7"}"# + "\n"))
        #expect(body.gaps == [3...7])
        #expect(body.events.isEmpty)
        #expect(body.messages == 1)
    }

    @Test("a binary event travels as its base64 in a JSON string")
    func base64Line() throws {
        let protobuf = EventCodec(.protobuf)
        let event = Event(sequence: 9, publishedAt: 12, payload: "xyz")
        let base64 = Data(protobuf.encode(event).readableBytesView).base64EncodedString()
        var parser = NDJSONBody(codec: protobuf)
        let body = try parser.feed(ByteBuffer(string: "\"\(base64)\"\n"))
        #expect(body.events == [event])
    }

    @Test("a line that is no event ends the stream with an error")
    func malformedLine() {
        var parser = NDJSONBody(codec: codec)
        #expect(throws: (any Error).self) { try parser.feed(ByteBuffer(string: "not json\n")) }
        var gaps = NDJSONBody(codec: codec)
        #expect(throws: NDJSONBody.MalformedLine.self) { try gaps.feed(ByteBuffer(string: #"{"gap":"x"}"# + "\n")) }
    }
}
