#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchCore
import Foundation
import Synchronization

/// Watches one run's conditions from a thread of its own: the ``FloorProbe``'s bursts before the
/// clients start, spread over the run and after they stopped, and the machine's stolen CPU and
/// runnable tasks from /proc/stat (``ProcStat``).
///
/// ```swift
/// let monitor = try await RunMonitor.start(probing: true)   // the opening burst is done
/// // … publish, drain …
/// let (floor, load) = await monitor.finish(link: scenario.link)
/// ```
///
/// What it costs the run: with the default ``Schedule``, 60 messages of 64 bytes before
/// publishing, 10 every half second during it and 50 after, 2 ms apart (so the opening and
/// closing bursts add about 0.1 s each to a run); each is a write and a read at each end (a
/// wake-up a side), one at a time. ``InstrumentFloor/cpuSeconds`` reports the CPU time it
/// took, readings of /proc/stat every 0.1 s included.
final class RunMonitor: Sendable {
    /// How the probe and the readings are spread over a run.
    struct Schedule: Sendable {
        /// Untimed messages first, then the burst before the clients start.
        var warmup = 10
        var opening = 50
        /// A burst of `during` messages every `burstInterval` seconds while the run goes on.
        var during = 10
        var burstInterval = 0.5
        /// Seconds between the messages of a burst (the warm-up's excepted): each crosses
        /// after both ends sat idle, as an event of a run does.
        var messageGap = 0.002
        /// `procs_running` is read every `sampleInterval` seconds.
        var sampleInterval = 0.1
        /// The burst after the clients stopped.
        var closing = 50
    }

    /// What the watching thread gathered.
    struct Observations: Sendable {
        var start: [UInt64] = []
        var during: [UInt64] = []
        var end: [UInt64] = []
        var bursts = 0
        var first: ProcStat?
        var last: ProcStat?
        var procsRunning: [Int] = []
        var cpuSeconds = 0.0
        var placement: String?
    }

    let schedule: Schedule
    private let stop = DispatchSemaphore(value: 0)
    /// Set by ``finish(link:)`` before it signals `stop`; `nil` after ``cancel()``.
    private let finishing = Mutex<CheckedContinuation<Observations, Never>?>(nil)

    private init(schedule: Schedule) {
        self.schedule = schedule
    }

    /// Starts watching; returns once the first burst is done. `probing` false
    /// (a server elsewhere) reads /proc/stat only.
    static func start(probing: Bool, schedule: Schedule = Schedule()) async throws -> RunMonitor {
        let monitor = RunMonitor(schedule: schedule)
        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
            Thread { monitor.watch(probing: probing, opened: opened) }.start()
        }
        return monitor
    }

    /// Ends the watch with the burst after the run and returns the floor (`nil` without a
    /// probe) and the machine's load (`nil` without /proc/stat). Call it once.
    func finish(link: LinkConditions?) async -> (floor: InstrumentFloor?, load: MachineLoad?) {
        let observations = await withCheckedContinuation { continuation in
            finishing.withLock { $0 = continuation }
            stop.signal()
        }
        return (floor(observations, link: link), load(observations))
    }

    /// Ends the watch without the closing burst, when the run failed; harmless after ``finish(link:)``.
    func cancel() {
        stop.signal()
    }

    /// The watching thread's whole life.
    private func watch(probing: Bool, opened: CheckedContinuation<Void, any Error>) {
        var seen = Observations()
        let probe: FloorProbe?
        do {
            probe = probing ? try FloorProbe() : nil
            seen.placement = probe?.placement
            if let probe {
                _ = try probe.burst(schedule.warmup)
                seen.start = try probe.burst(schedule.opening, gap: schedule.messageGap)
                seen.bursts = 1
            }
        } catch {
            opened.resume(throwing: error)
            return
        }
        seen.first = ProcStat.read()
        opened.resume()
        var working = probe != nil
        let interval = UInt64(schedule.burstInterval * 1e9)
        var nextBurst = MonotonicClock.nowNanoseconds() + interval
        while stop.wait(timeout: .now() + schedule.sampleInterval) == .timedOut {
            if let stat = ProcStat.read() { seen.procsRunning.append(stat.procsRunning) }
            guard let probe, working, MonotonicClock.nowNanoseconds() >= nextBurst else { continue }
            do {
                seen.during += try probe.burst(schedule.during, gap: schedule.messageGap)
                seen.bursts += 1
            } catch {
                working = false
            }
            nextBurst = MonotonicClock.nowNanoseconds() + interval
        }
        seen.last = ProcStat.read()
        let finish = finishing.withLock { $0.take() }
        if let probe, working, finish != nil, let end = try? probe.burst(schedule.closing, gap: schedule.messageGap) {
            seen.end = end
            seen.bursts += 1
        }
        let receiverCPU = probe?.close() ?? 0
        seen.cpuSeconds = FloorProbe.threadCPUSeconds() + receiverCPU
        finish?.resume(returning: seen)
    }

    /// The floor from every timed message, with `link`'s one-way delay added; `nil` without a
    /// probe or when it failed before the burst after the run.
    func floor(_ seen: Observations, link: LinkConditions?) -> InstrumentFloor? {
        guard !seen.start.isEmpty, !seen.end.isEmpty else { return nil }
        func histogram(_ samples: [UInt64]) -> LatencyHistogram {
            var histogram = LatencyHistogram()
            for sample in samples { histogram.record(nanoseconds: sample) }
            return histogram
        }
        let all = histogram(seen.start + seen.during + seen.end)
        var floor = InstrumentFloor(
            loopbackP50Nanoseconds: all.valueAtPercentile(50), loopbackP99Nanoseconds: all.valueAtPercentile(99),
            startP50Nanoseconds: histogram(seen.start).valueAtPercentile(50), endP50Nanoseconds: histogram(seen.end).valueAtPercentile(50),
            linkNanoseconds: InstrumentFloor.linkNanoseconds(link, messageBytes: FloorProbe.messageBytes),
            samples: Int(all.count), bursts: seen.bursts, messageBytes: FloorProbe.messageBytes, cpuSeconds: seen.cpuSeconds)
        floor.placement = seen.placement
        return floor
    }

    /// The machine's load between the readings after the opening burst and before the closing
    /// one; `nil` where /proc/stat cannot be read.
    func load(_ seen: Observations) -> MachineLoad? {
        guard let first = seen.first, let last = seen.last else { return nil }
        return MachineLoad(
            from: first, to: last, procsRunning: seen.procsRunning, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
            sampleIntervalSeconds: schedule.sampleInterval)
    }
}
