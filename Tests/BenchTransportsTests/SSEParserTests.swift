@testable import BenchTransports
import NIOCore
import Testing

@Suite("SSE parser (WHATWG HTML §9.2.6)")
struct SSEParserTests {
    @Test("events, ids, types and multi-line data")
    func basics() {
        var parser = SSEParser()
        let messages = parser.feed(ByteBuffer(string: "id: 7\ndata: first\n\nevent: gap\ndata: 3-5\n\ndata: a\ndata: b\n\n"))
        #expect(messages == [
            SSEMessage(type: "message", data: "first", lastEventID: "7"),
            SSEMessage(type: "gap", data: "3-5", lastEventID: "7"),
            SSEMessage(type: "message", data: "a\nb", lastEventID: "7"),
        ])
        #expect(parser.lastEventID == "7")
    }

    @Test("CRLF, CR and LF line ends, also split across chunks")
    func lineEnds() {
        var parser = SSEParser()
        var messages = parser.feed(ByteBuffer(string: "id: 1\r\ndata: x\r"))
        #expect(messages.isEmpty)
        messages += parser.feed(ByteBuffer(string: "\n\r"))  // CRLF split, then a CR blank line
        messages += parser.feed(ByteBuffer(string: "id: 2\rdata: y\r\r"))
        #expect(messages.map(\.data) == ["x", "y"])
        #expect(parser.lastEventID == "2")
    }

    @Test("a field split across chunks is joined before it is read")
    func splitField() {
        var parser = SSEParser()
        #expect(parser.feed(ByteBuffer(string: "da")).isEmpty)
        #expect(parser.feed(ByteBuffer(string: "ta: hel")).isEmpty)
        #expect(parser.feed(ByteBuffer(string: "lo\n\n")).map(\.data) == ["hello"])
    }

    @Test("comments are heartbeats, not events; retry must be all digits; an id with NUL is ignored")
    func commentsRetryAndID() {
        var parser = SSEParser()
        #expect(parser.feed(ByteBuffer(string: ":\n\n: keep-alive\n\nretry: 250\n\n")).isEmpty)
        #expect(parser.comments == 2)
        #expect(parser.retryMilliseconds == 250)
        _ = parser.feed(ByteBuffer(string: "retry: 1s\n\n"))
        #expect(parser.retryMilliseconds == 250)
        _ = parser.feed(ByteBuffer(string: "id: 9\u{0}\ndata: z\n\n"))
        #expect(parser.lastEventID == "")
    }

    @Test("an event cut before its blank line is not dispatched")
    func incompleteEvent() {
        var parser = SSEParser(lastEventID: "4")
        let messages = parser.feed(ByteBuffer(string: "id: 5\ndata: {\"half"))
        #expect(messages.isEmpty)
        // The stream broke here: the client must resume after 4, the last complete event.
        #expect(parser.lastEventID == "4")
    }

    @Test("a field without a colon has an empty value; one leading space is stripped")
    func fieldForms() {
        var parser = SSEParser()
        #expect(parser.feed(ByteBuffer(string: "data\ndata:  two\n\n")).map(\.data) == ["\n two"])
    }
}
