import BenchCore
import NIOCore
import NIOWebSocket
import Synchronization

/// The sending side of a WebSocket echo or upload client: its own seeded schedule, the events it
/// has sent so far (kept across reconnects, so sending resumes with the next sequence), and the
/// close handshake that ends its connection.
struct SendingSession: Sendable {
    let target: ClientTarget
    let schedule: EventSchedule
    let payloads: PayloadFactory
    private let sentCount = SentCount()

    init(target: ClientTarget) {
        let scenario = target.scenario
        let clientSeed = scenario.seed &+ UInt64(target.clientIndex) &* 0x9E37_79B9_7F4A_7C15
        self.target = target
        self.schedule = EventSchedule(arrival: scenario.arrival, eventsPerSecond: scenario.eventsPerSecond, count: scenario.eventCount, seed: clientSeed)
        self.payloads = PayloadFactory(byteCount: scenario.payloadBytes, seed: clientSeed)
    }

    /// Echo: sends on the schedule while receiving the echoes; returns true after a close handshake.
    func echo(
        _ frames: inout NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        recorder: inout DeliveryRecorder
    ) async throws -> Bool {
        let start = await target.startGate.wait()
        let codec = EventCodec(target.scenario.encoding)
        let count = schedule.offsetsNanoseconds.count
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await send(start: start, outbound) { _, _, _ in } }
            while recorder.ledger.delivered < count {
                guard let frame = try await frames.next() else {
                    group.cancelAll()
                    return false
                }
                switch frame.opcode {
                case .text, .binary:
                    let body = frame.unmaskedData
                    let event = try codec.decode(body)
                    guard event.sequence >= 1, event.sequence <= UInt64(count) else { continue }
                    let scheduledAt = start.monotonicNanoseconds + schedule.offsetsNanoseconds[Int(event.sequence - 1)]
                    recorder.deliverEcho(event, scheduledAt: scheduledAt, receivedAt: MonotonicClock.nowNanoseconds(), bodyBytes: body.readableBytes)
                default:
                    if try await WebSocketClient.answerControlFrame(frame, outbound) {
                        group.cancelAll()
                        return true
                    }
                }
            }
            try await group.waitForAll()
            return try await closeHandshake(&frames, outbound)
        }
    }

    /// Upload: sends on the schedule, noting when each event was due and when it left; returns
    /// true after a close handshake.
    func upload(
        _ frames: inout NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        recorder: inout DeliveryRecorder
    ) async throws -> Bool {
        let start = await target.startGate.wait()
        try await send(start: start, outbound) { event, bodySize, scheduledAt in
            recorder.noteSent(sequence: event.sequence, bodySize: bodySize, scheduledAt: scheduledAt, sentAt: event.publishedAt)
        }
        return try await closeHandshake(&frames, outbound)
    }

    /// Sends every event not sent yet, each at its scheduled time (or at once if late).
    private func send(
        start: StartGate.Start,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        onSent: (Event, Int, UInt64) -> Void
    ) async throws {
        let codec = EventCodec(target.scenario.encoding)
        let opcode = WebSocketFrame.dataOpcode(for: target.scenario.encoding)
        while true {
            let index = sentCount.value
            guard index < schedule.offsetsNanoseconds.count else { return }
            let sequence = UInt64(index + 1)
            let payload = payloads.payload(for: sequence)
            let offset = schedule.offsetsNanoseconds[index]
            try await Task.sleep(until: start.instant + .nanoseconds(Int64(offset)), clock: .continuous)
            let event = Event(sequence: sequence, publishedAt: MonotonicClock.nowNanoseconds(), payload: payload)
            let body = codec.encode(event)
            try await outbound.write(WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: body))
            sentCount.increment()
            onSent(event, body.readableBytes, start.monotonicNanoseconds + offset)
        }
    }

    /// Sends close 1000 and reads until the server's close (answering pings on the way).
    private func closeHandshake(
        _ frames: inout NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator,
        _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    ) async throws -> Bool {
        try await outbound.write(WebSocketFrame.close(.normalClosure, masked: true))
        while let frame = try await frames.next() {
            switch frame.opcode {
            case .connectionClose: return true
            case .ping: try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
            default: continue
            }
        }
        return true
    }
}

/// Events sent so far by one client, across its connections.
private final class SentCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
