import BenchCore
import BenchEngine
import BenchTestSupport
import BenchTransports
import Foundation
import Testing

@Suite("A run's floor and conditions", .serialized)
struct RunConditionsRunnerTests {
    let runner = Runner(registry: .withoutGRPC)

    func scenario(duration: Double = 1) -> Scenario {
        Scenario(name: "floor", clients: 1, eventsPerSecond: 50, payloadBytes: 64, durationSeconds: duration)
    }

    @Test("a short WebSocket run reports its raw-TCP one-way floor, its bursts, its latency over the floor and its target")
    func floorAndRatio() async throws {
        let result = try await runner.run(scenario(), transport: WebSocketTransport())
        let floor = try #require(result.instrumentFloor)
        #expect(floor.oneWayNanoseconds > 0)
        #expect(result.instrumentFloorOneWayNanoseconds == floor.oneWayNanoseconds)
        #expect(floor.oneWayNanoseconds == floor.loopbackP50Nanoseconds, "loopback: nothing added")
        #expect(floor.linkNanoseconds == 0)
        #expect(floor.startP50Nanoseconds > 0 && floor.endP50Nanoseconds > 0)
        #expect(floor.loopbackP50Nanoseconds <= floor.loopbackP99Nanoseconds)
        // The burst before the clients start and the one after they stop: 50 timed messages each, plus those during.
        #expect(floor.samples >= 100)
        #expect(floor.bursts >= 2)
        #expect(floor.messageBytes == 64)
        #expect(floor.cpuSeconds > 0)
        if (ProcStat.read()?.cores ?? 0) >= 2 {
            // Two ends on two different CPUs.
            let cpus = (floor.placement ?? "").split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }
            #expect(cpus.count == 2 && cpus[0] != cpus[1], "\(floor.placement ?? "nil")")
        }
        let p50 = Double(result.latencyP50Nanoseconds) / Double(floor.oneWayNanoseconds)
        let p99 = Double(result.latencyP99Nanoseconds) / Double(floor.oneWayNanoseconds)
        #expect(result.latencyP50ToFloor == p50)
        #expect(result.latencyP99ToFloor == p99)
        #expect(result.latencyTargetToFloor == 1.5)
        #expect(result.latencyTargetMet == (p50 <= 1.5))
        #expect(result.disturbed == !(result.disturbances ?? ["unset"]).isEmpty)
        let load = try #require(result.machineLoad, "Linux has /proc/stat")
        #expect(load.cores == ProcStat.read()?.cores)
        #expect(load.runnableSamples > 0)
    }

    @Test("behind an emulated link the floor is the loopback probe's plus the link's one-way delay")
    func floorBehindLink() async throws {
        var scenario = scenario(duration: 0.6)
        scenario.link = LinkConditions(delaySeconds: 0.02)
        let result = try await runner.run(scenario, transport: ServerSentEventsTransport())
        let floor = try #require(result.instrumentFloor)
        #expect(floor.linkNanoseconds == 20_000_000)
        #expect(floor.oneWayNanoseconds == floor.loopbackP50Nanoseconds + 20_000_000)
        #expect(result.latencyP50ToFloor == Double(result.latencyP50Nanoseconds) / Double(floor.oneWayNanoseconds))
    }

    @Test("a run beside busy threads on every CPU and one more is flagged as disturbed, with the runnable load's figures")
    func hogDisturbs() async throws {
        let cores = try #require(ProcStat.read()?.cores)
        let hog = CPUHog(threads: cores + 1, seconds: 30)
        defer { hog.end() }
        let result = try await runner.run(scenario(), transport: WebSocketTransport())
        hog.end()
        #expect(result.isDisturbed)
        let load = try #require(result.machineLoad)
        #expect(load.runnableMean > Double(cores))
        #expect(result.disturbances?.contains { $0.contains("tasks were runnable on average") && $0.hasSuffix("on \(cores) CPUs") } == true)
    }
}
