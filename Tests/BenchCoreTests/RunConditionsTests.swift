import BenchCore
import Testing

@Suite("The in-run floor, the machine's load and disturbed runs, from figures worked out by hand")
struct RunConditionsTests {
    /// /proc/stat of a two-CPU machine, as proc(5) lays it out; guest ticks (40) are already in user.
    static let before = """
        cpu  1000 50 300 8000 20 0 10 120 40 0
        cpu0 500 25 150 4000 10 0 5 60 20 0
        cpu1 500 25 150 4000 10 0 5 60 20 0
        intr 12345 0 0
        ctxt 999
        btime 1700000000
        processes 4242
        procs_running 3
        procs_blocked 0
        softirq 1 2 3
        """

    /// The same machine later: user +150, system +40, idle +150, steal +10 — 350 ticks, 10 stolen.
    static let after = """
        cpu  1150 50 340 8150 20 0 10 130 40 0
        cpu0 575 25 170 4075 10 0 5 65 20 0
        cpu1 575 25 170 4075 10 0 5 65 20 0
        procs_running 1
        """

    @Test("a /proc/stat reading: every tick of the cpu line up to steal, the steal, the CPUs and procs_running")
    func parse() throws {
        let stat = try #require(ProcStat(parsing: Self.before))
        // 1000 + 50 + 300 + 8000 + 20 + 0 + 10 + 120; guest and guest_nice left out.
        #expect(stat.totalTicks == 9500)
        #expect(stat.stealTicks == 120)
        #expect(stat.cores == 2)
        #expect(stat.procsRunning == 3)
        #expect(ProcStat(parsing: "cpu  1 2 3 4\nprocs_blocked 0") == nil, "no procs_running")
        #expect(ProcStat(parsing: "procs_running 2") == nil, "no cpu line")
    }

    @Test("the load between two readings: steal in seconds and as a share, runnable tasks besides the reader")
    func load() throws {
        let (start, end) = (try #require(ProcStat(parsing: Self.before)), try #require(ProcStat(parsing: Self.after)))
        #expect(abs(end.stealShare(since: start) - 10.0 / 350) < 1e-12)
        // procs_running 3, 1, 4, 2 less the reading thread: 2, 0, 3, 1.
        let load = MachineLoad(from: start, to: end, procsRunning: [3, 1, 4, 2], ticksPerSecond: 100, sampleIntervalSeconds: 0.1)
        #expect(load.cores == 2)
        #expect(abs(load.stealSeconds - 0.1) < 1e-12)
        #expect(load.runnableMean == 1.5)
        #expect(load.runnableMax == 3)
        #expect(load.runnableSamples == 4)
    }

    static func floor(start: UInt64, end: UInt64) -> InstrumentFloor {
        InstrumentFloor(
            loopbackP50Nanoseconds: 30_000, loopbackP99Nanoseconds: 80_000, startP50Nanoseconds: start, endP50Nanoseconds: end,
            samples: 400, bursts: 12, messageBytes: 64, cpuSeconds: 0.01)
    }

    static func load(steal: Double = 0, runnable: Double = 0.5) -> MachineLoad {
        MachineLoad(cores: 2, stealSeconds: steal * 10, stealShare: steal, runnableMean: runnable, runnableMax: 4, runnableSamples: 50, sampleIntervalSeconds: 0.1)
    }

    @Test("disturbed: the floor moved by more than ×1.5 either way, over 2 % stolen, or more runnable tasks than CPUs")
    func disturbance() {
        #expect(Disturbance.reasons(floor: Self.floor(start: 20_000, end: 29_000), load: Self.load()).isEmpty, "×1.45")
        #expect(Disturbance.reasons(floor: Self.floor(start: 29_000, end: 20_000), load: Self.load(steal: 0.02, runnable: 2)).isEmpty, "at the limits")
        let moved = Disturbance.reasons(floor: Self.floor(start: 20_000, end: 31_000), load: nil)
        #expect(moved == ["the floor moved from 20.0 µs before the clients started to 31.0 µs after they stopped (×1.55, above ×1.5)"])
        #expect(Disturbance.reasons(floor: Self.floor(start: 31_000, end: 20_000), load: nil).count == 1, "downwards too")
        #expect(Disturbance.reasons(floor: nil, load: Self.load(steal: 0.0286)) == ["2.9 % of the CPU time was stolen (0.29 s over 2 CPUs; more than 2 %)"])
        #expect(Disturbance.reasons(floor: nil, load: Self.load(runnable: 2.5)) == ["2.5 tasks were runnable on average (at most 4, 50 samples) on 2 CPUs"])
        #expect(Disturbance.reasons(floor: Self.floor(start: 10_000, end: 20_000), load: Self.load(steal: 0.1, runnable: 3)).count == 3)
    }

    @Test("the push targets: 1 client 1.5× for WebSocket and SSE, 2.5× for long polling and gRPC; 10 clients 3×; none for polls on an interval, echo or other counts")
    func targets() {
        #expect(LatencyTarget.ratio(transport: "websocket", delivery: .stream, direction: "push", clients: 1) == 1.5)
        #expect(LatencyTarget.ratio(transport: "sse", delivery: .stream, direction: "push", clients: 1) == 1.5)
        #expect(LatencyTarget.ratio(transport: "long-polling", delivery: .longPoll, direction: "push", clients: 1) == 2.5)
        #expect(LatencyTarget.ratio(transport: "grpc", delivery: .stream, direction: "push", clients: 1) == 2.5)
        for transport in ["websocket", "sse", "long-polling", "grpc"] {
            #expect(LatencyTarget.ratio(transport: transport, delivery: transport == "long-polling" ? .longPoll : .stream, direction: "push", clients: 10) == 3)
        }
        #expect(LatencyTarget.ratio(transport: "short-polling", delivery: .poll, direction: "push", clients: 1) == nil)
        #expect(LatencyTarget.ratio(transport: "grpc", delivery: .poll, direction: "push", clients: 1) == nil, "gRPC's unary poll")
        #expect(LatencyTarget.ratio(transport: "websocket", delivery: .stream, direction: "echo", clients: 1) == nil)
        #expect(LatencyTarget.ratio(transport: "websocket", delivery: .stream, direction: "push", clients: 100) == nil)
    }

    @Test("a row against its floor: p50 and p99 divided by it, the target met at or under its ratio, and an emulated link's delay added")
    func ratios() {
        var row = RunResult(transport: "websocket", variant: "push", encoding: "json", scenario: "t", clients: 1)
        row.delivery = .stream
        (row.latencyP50Nanoseconds, row.latencyP99Nanoseconds, row.latencySamples) = (45_000, 90_000, 100)
        row.recordConditions(floor: Self.floor(start: 30_000, end: 31_000), load: Self.load())
        // Floor 30 µs: 45 / 30 and 90 / 30.
        #expect(row.instrumentFloorOneWayNanoseconds == 30_000)
        #expect(row.latencyP50ToFloor == 1.5)
        #expect(row.latencyP99ToFloor == 3)
        #expect(row.latencyTargetToFloor == 1.5)
        #expect(row.latencyTargetMet == true)
        #expect(row.disturbed == false && row.disturbances == [])
        row.latencyP50Nanoseconds = 45_030
        row.recordConditions(floor: Self.floor(start: 30_000, end: 31_000), load: Self.load(runnable: 3))
        #expect(row.latencyTargetMet == false)
        #expect(row.isDisturbed)

        // 25 ms one way, and 64 bytes at 1 Mbit/s: 512 µs.
        let link = LinkConditions(delaySeconds: 0.025, jitterSeconds: 0.005, downBitsPerSecond: 1e6)
        #expect(InstrumentFloor.linkNanoseconds(link, messageBytes: 64) == 25_512_000)
        #expect(InstrumentFloor.linkNanoseconds(nil, messageBytes: 64) == 0)
        let linked = InstrumentFloor(
            loopbackP50Nanoseconds: 30_000, loopbackP99Nanoseconds: 80_000, startP50Nanoseconds: 30_000, endP50Nanoseconds: 30_000,
            linkNanoseconds: 25_512_000, samples: 400, bursts: 12, messageBytes: 64, cpuSeconds: 0.01)
        #expect(linked.oneWayNanoseconds == 25_542_000)

        // A remote run: no floor, no ratio, no target; the load is still checked.
        var remote = RunResult(transport: "websocket", variant: "push", encoding: "json", scenario: "t", clients: 1)
        remote.delivery = .stream
        (remote.latencyP50Nanoseconds, remote.latencySamples) = (45_000, 100)
        remote.recordConditions(floor: nil, load: Self.load())
        #expect(remote.instrumentFloorOneWayNanoseconds == nil && remote.latencyP50ToFloor == nil && remote.latencyTargetMet == nil)
        #expect(remote.disturbed == false)
    }
}
