import BenchCore
import NIOCore
import NIOPosix
import Testing

@testable import BenchServer

@Suite("EventHub")
struct EventHubTests {
    func makeHub(retained: Int = 100) -> EventHub {
        EventHub(retainedEvents: retained, encodings: [.json], timerLoop: MultiThreadedEventLoopGroup.singleton.next())
    }

    @Test("sequences start at 1 with no gaps, and events(after:) returns exactly what came after")
    func sequences() {
        let hub = makeHub()
        for index in 1...5 { #expect(hub.publish(payload: "e\(index)").event.sequence == UInt64(index)) }
        let batch = hub.events(after: 2)
        #expect(batch.events.map(\.event.sequence) == [3, 4, 5])
        #expect(batch.gap == nil)
        #expect(hub.events(after: 5).isEmpty)
        #expect(hub.events(after: 0, limit: 2).events.map(\.event.sequence) == [1, 2])
    }

    @Test("a cursor that fell out of the window gets an explicit gap and then everything retained")
    func gapWhenBehind() {
        let hub = makeHub(retained: 5)
        for index in 1...12 { hub.publish(payload: "e\(index)") }
        // Retained: 8...12. A client at 2 missed 3...7.
        let batch = hub.events(after: 2)
        #expect(batch.gap == 3...7)
        #expect(batch.events.map(\.event.sequence) == [8, 9, 10, 11, 12])
        // A client at 7 missed nothing that was dropped.
        #expect(hub.events(after: 7).gap == nil)
    }

    @Test("each event is encoded once when published, and the body decodes to the event")
    func encodedBodies() throws {
        let hub = makeHub()
        let stored = hub.publish(payload: "xyz")
        let body = try #require(stored.body(.json))
        #expect(try EventCodec(.json).decode(body) == stored.event)
        #expect(String(buffer: body) == #"{"payload":"xyz","publishedAt":\#(stored.event.publishedAt),"sequence":1}"#)
    }

    @Test("a waiting client is woken by a publish")
    func wakeOnPublish() async {
        let hub = makeHub()
        async let batch = hub.next(after: 0, timeout: .seconds(30))
        try? await Task.sleep(for: .milliseconds(20))
        hub.publish(payload: "now")
        let result = await batch
        #expect(result.reason == .available)
        #expect(result.events.map(\.event.sequence) == [1])
    }

    @Test("waits end with timedOut, finished or cancelled, never hang")
    func waitEndings() async {
        let hub = makeHub()
        let timedOut = await hub.next(after: 0, timeout: .milliseconds(20))
        #expect(timedOut.reason == .timedOut)
        #expect(timedOut.isEmpty)

        let waiting = Task { await hub.next(after: 0) }
        try? await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        #expect(await waiting.value.reason == .cancelled)

        async let finished = hub.next(after: 0)
        try? await Task.sleep(for: .milliseconds(20))
        hub.finish()
        #expect(await finished.reason == .finished)
        #expect(await hub.next(after: 0).reason == .finished)
    }

    @Test("a wait after events exist returns at once with them")
    func immediate() async {
        let hub = makeHub()
        hub.publish(payload: "a")
        hub.publish(payload: "b")
        let batch = await hub.next(after: 1, timeout: .seconds(30))
        #expect(batch.reason == .available)
        #expect(batch.events.map(\.event.sequence) == [2])
    }

    @Test("relayed events keep their sequence, publish time and body; a skipped sequence stays missing, a duplicate is ignored")
    func relay() throws {
        let hub = makeHub()
        let codec = EventCodec(.json)
        func relay(_ sequence: UInt64) -> EventHub.StoredEvent? {
            let event = Event(sequence: sequence, publishedAt: 1_000 + sequence, payload: "r\(sequence)")
            var body = codec.encode(event)
            // A body the hub could not have made itself: the relay must keep it, not encode again.
            body.writeString(" ")
            return hub.relay(event, encoded: (body, .json))
        }
        let first = try #require(relay(1))
        #expect(first.event.publishedAt == 1_001)
        #expect(first.body(.json).map { String(buffer: $0) }?.hasSuffix(" ") == true)
        _ = relay(2)
        // The broker lost 3 and 4.
        _ = relay(5)
        #expect(relay(5) == nil, "a duplicate is ignored")
        #expect(hub.lastSequence == 5)
        let batch = hub.events(after: 0)
        #expect(batch.events.map(\.event.sequence) == [1, 2, 5])
        #expect(batch.gap == nil)
        #expect(batch.cursor(after: 0) == 5)
    }

    @Test("a waiter ahead of a relaying hub (its cursor from a node further on) waits until the hub passes it")
    func waiterAheadWaits() async throws {
        let hub = makeHub()
        hub.relay(Event(sequence: 1, publishedAt: 1, payload: "a"))
        async let batch = hub.next(after: 3, timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(20))
        // 2 and 3 are not news to a client at 3: it keeps waiting.
        hub.relay(Event(sequence: 2, publishedAt: 2, payload: "b"))
        hub.relay(Event(sequence: 3, publishedAt: 3, payload: "c"))
        try await Task.sleep(for: .milliseconds(20))
        hub.relay(Event(sequence: 4, publishedAt: 4, payload: "d"))
        let answered = await batch
        #expect(answered.reason == .available)
        #expect(answered.events.map(\.event.sequence) == [4])
    }
}
