import BenchCore
import NIOCore
import Synchronization

/// The sending side of an echo or upload client (WebSocket, gRPC): its own seeded schedule and
/// the events it has sent so far (kept across reconnects, so sending resumes with the next
/// sequence).
public struct SendingSession: Sendable {
    public let target: ClientTarget
    public let schedule: EventSchedule
    let payloads: PayloadFactory
    private let sentCount = SentCount()

    public init(target: ClientTarget) {
        let scenario = target.scenario
        let clientSeed = scenario.seed &+ UInt64(target.clientIndex) &* 0x9E37_79B9_7F4A_7C15
        self.target = target
        self.schedule = EventSchedule(arrival: scenario.arrival, eventsPerSecond: scenario.eventsPerSecond, count: scenario.eventCount, seed: clientSeed)
        self.payloads = PayloadFactory(byteCount: scenario.payloadBytes, seed: clientSeed, content: scenario.payloadContent)
    }

    /// Records an echoed body: latency from its scheduled and its actual send time.
    public func deliverEcho(_ body: ByteBuffer, codec: EventCodec, start: StartGate.Start, recorder: inout DeliveryRecorder) throws {
        let event = try codec.decode(body)
        guard event.sequence >= 1, event.sequence <= UInt64(schedule.offsetsNanoseconds.count) else { return }
        let scheduledAt = start.monotonicNanoseconds + schedule.offsetsNanoseconds[Int(event.sequence - 1)]
        recorder.deliverEcho(event, scheduledAt: scheduledAt, receivedAt: MonotonicClock.nowNanoseconds(), bodyBytes: body.readableBytes)
    }

    /// Sends every event not sent yet, each at its scheduled time (or at once if late): `write`
    /// puts its encoded body on the wire; `onSent` gets the event, its body size and when it was due.
    public func send(
        start: StartGate.Start,
        write: (ByteBuffer) async throws -> Void,
        onSent: (Event, Int, UInt64) -> Void
    ) async throws {
        let codec = EventCodec(target.scenario.encoding)
        while true {
            let index = sentCount.value
            guard index < schedule.offsetsNanoseconds.count else { return }
            let sequence = UInt64(index + 1)
            let payload = payloads.payload(for: sequence)
            let offset = schedule.offsetsNanoseconds[index]
            try await Task.sleep(until: start.instant + .nanoseconds(Int64(offset)), clock: .continuous)
            let event = Event(sequence: sequence, publishedAt: MonotonicClock.nowNanoseconds(), payload: payload)
            let body = codec.encode(event)
            try await write(body)
            sentCount.increment()
            onSent(event, body.readableBytes, start.monotonicNanoseconds + offset)
        }
    }
}

/// Events sent so far by one client, across its connections.
private final class SentCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
