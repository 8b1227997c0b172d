import BenchCore
import BenchServer
import Foundation
import NIOCore
import Synchronization

/// The server's half of one run, wherever it is: publishes the scenario's events on their
/// schedule (push) until the duration is over, and drops connections (fault injection) until
/// publishing is finished. `bench serve` publishes through one too, at a steady rate, and a
/// scale-out run's publisher into its backplane (an ``EventSink`` other than a hub).
public final class ServerSchedule: Sendable {
    /// Which events a schedule publishes, and when.
    struct Timetable: Sendable {
        var payloads: PayloadFactory
        /// The first event's sequence: those before it were published already.
        var firstSequence: UInt64
        /// The offset from the start of the `n`th event published (from 0); `nil` after the last.
        var offset: @Sendable (Int) -> Duration?
        /// When publishing is over, from the start; `nil` once the last event is out.
        var end: Duration?
        /// The encoding whose sizes ``PublishingRecord/encodedSizes`` holds; `nil` keeps none
        /// (an endless schedule's record would grow without bound).
        var recordedEncoding: Encoding?

        /// A run's events: the scenario's schedule from sequence 1, publishing until its
        /// duration is over, so polls and heartbeats after the last event are counted as the
        /// modeled workload has them.
        init(_ scenario: Scenario) {
            let offsets = EventSchedule(scenario).offsetsNanoseconds
            payloads = scenario.payloads
            firstSequence = 1
            offset = { $0 < offsets.count ? .nanoseconds(Int64(offsets[$0])) : nil }
            end = .seconds(scenario.durationSeconds)
            recordedEncoding = scenario.encoding
        }

        /// An event every `1 / rate` seconds from one gap after the start, after the first
        /// `preloaded`; for `seconds`, or endless.
        init(rate: Double, payloads: PayloadFactory, after preloaded: Int, for seconds: Double?) {
            let gap = Duration.seconds(1 / rate)
            let end = seconds.map { Duration.seconds($0) }
            self.payloads = payloads
            firstSequence = UInt64(preloaded) + 1
            offset = { index in
                let offset = gap * (index + 1)
                if let end, offset > end { return nil }
                return offset
            }
            self.end = end
            recordedEncoding = nil
        }
    }

    /// Where the events go.
    private let sink: any EventSink
    /// The connections fault injection drops from; `nil` when the schedule has no server.
    private let traffic: TrafficRecorder?
    /// What to publish; `nil` for echo and upload, where the clients send.
    private let timetable: Timetable?
    /// The scenario whose faults to inject; `nil` for none.
    private let faults: Scenario?
    private let published = Atomic<Int>(0)
    private let task = Mutex<Task<PublishingRecord, any Error>?>(nil)

    init(sink: any EventSink, traffic: TrafficRecorder?, timetable: Timetable?, faults: Scenario?) {
        (self.sink, self.traffic, self.timetable, self.faults) = (sink, traffic, timetable, faults)
    }

    convenience init(server: LoopbackServer, timetable: Timetable?, faults: Scenario?) {
        self.init(sink: server.hub, traffic: server.traffic, timetable: timetable, faults: faults)
    }

    /// A run of `scenario` at wall clock: its events (push), its faults.
    convenience init(server: LoopbackServer, scenario: Scenario) {
        self.init(server: server, timetable: scenario.direction == .push ? Timetable(scenario) : nil, faults: scenario.dropFraction > 0 ? scenario : nil)
    }

    /// A scale-out run's publisher: `scenario`'s events into `sink` (its backplane), no faults.
    convenience init(publishingTo sink: any EventSink, scenario: Scenario) {
        self.init(sink: sink, traffic: nil, timetable: Timetable(scenario), faults: nil)
    }

    /// `bench serve`'s: `rate` events a second, the first one a gap after ``start()``, from
    /// sequence `preloaded + 1` on, for `seconds` or until the server stops; no faults.
    public convenience init(server: LoopbackServer, rate: Double, payloads: PayloadFactory, after preloaded: Int, for seconds: Double?) {
        self.init(server: server, timetable: Timetable(rate: rate, payloads: payloads, after: preloaded, for: seconds), faults: nil)
    }

    /// Events published so far.
    public var publishedCount: Int { published.load(ordering: .relaxed) }

    /// Starts publishing now; a second call does nothing.
    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            let (traffic, timetable, faultScenario) = (traffic, timetable, faults)
            task = Task {
                let faults = faultScenario.flatMap { scenario in traffic.map { traffic in Task { await Self.injectFaults(scenario, traffic: traffic) } } }
                defer { faults?.cancel() }
                var encodedSizes: [Int] = []
                if let timetable {
                    encodedSizes = try await self.publish(timetable)
                } else {
                    // Echo and upload: the clients send; faults go on until finish() cancels this.
                    await withTaskCancellationHandler { _ = await faults?.value } onCancel: { faults?.cancel() }
                }
                faults?.cancel()
                return PublishingRecord(encodedSizes: encodedSizes, connectionsDropped: await faults?.value ?? 0)
            }
        }
    }

    /// Waits for the timetable to end; with none (echo, upload), stops fault injection now.
    public func finish() async throws -> PublishingRecord {
        guard let running = task.withLock({ $0 }) else { return PublishingRecord(encodedSizes: [], connectionsDropped: 0) }
        if timetable == nil { running.cancel() }
        return try await running.value
    }

    /// Publishes `timetable`'s events on time; returns their encoded sizes, if it keeps them.
    ///
    /// Each event is published by a timer on the sink's event loop (the hub's), not by a task:
    /// connections on that loop are written in the same turn of it, and the others' loops are
    /// woken straight from it, with no hop through Swift's task pool between the publish and the
    /// writes.
    private func publish(_ timetable: Timetable) async throws -> [Int] {
        let loop = sink.loop
        let start = NIODeadline.now()
        var encodedSizes: [Int] = []
        var index = 0
        while let offset = timetable.offset(index) {
            let sequence = timetable.firstSequence + UInt64(index)
            let (sink, payload, encoding) = (sink, timetable.payloads.payload(for: sequence), timetable.recordedEncoding)
            let scheduled = loop.scheduleTask(deadline: start + .nanoseconds(offset.nanoseconds)) {
                sink.publish(sequence: sequence, payload: payload, sizeIn: encoding)
            }
            let size = try await withTaskCancellationHandler { try await scheduled.futureResult.get() } onCancel: { scheduled.cancel() }
            if let size { encodedSizes.append(size) }
            index += 1
            published.store(index, ordering: .relaxed)
        }
        if let end = timetable.end {
            let remaining = start + .nanoseconds(end.nanoseconds) - NIODeadline.now()
            if remaining > .zero { try await Task.sleep(for: .nanoseconds(remaining.nanoseconds)) }
        }
        return encodedSizes
    }

    /// Drops the scenario's fraction of open connections, periodically or at random times,
    /// until cancelled; returns how many it dropped.
    private static func injectFaults(_ scenario: Scenario, traffic: TrafficRecorder) async -> Int {
        var generator = SeededGenerator(seed: scenario.seed ^ 0xFA17)
        var dropped = 0
        while !Task.isCancelled {
            let gap = scenario.dropTiming == .fixed
                ? scenario.dropIntervalSeconds
                : -log(generator.nextUnitInterval()) * scenario.dropIntervalSeconds
            do { try await Task.sleep(for: .seconds(gap)) } catch { break }
            dropped += traffic.dropConnections(fraction: scenario.dropFraction, using: &generator)
        }
        return dropped
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Where a ``ServerSchedule`` publishes: a server's ``EventHub``, or a scale-out run's backplane.
protocol EventSink: Sendable {
    /// The event loop the schedule's timers run on, and the sink is called on.
    var loop: any EventLoop { get }
    /// Publishes the event numbered `sequence` with `payload` now; returns its encoded size in
    /// `encoding` (`nil` for none).
    func publish(sequence: UInt64, payload: String, sizeIn encoding: Encoding?) -> Int?
}

extension EventHub: EventSink {
    var loop: any EventLoop { timerLoop }

    /// The hub numbers its events itself: a schedule's sequences are the hub's next ones.
    func publish(sequence: UInt64, payload: String, sizeIn encoding: Encoding?) -> Int? {
        let stored = publish(payload: payload)
        return encoding.map { stored.body($0)!.readableBytes }
    }
}
