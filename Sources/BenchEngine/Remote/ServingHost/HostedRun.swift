import BenchCore
import BenchServer
import Synchronization

/// One run `bench serve` hosts for load hosts elsewhere.
///
/// Its protocol is a ``StateMachine`` under a lock: each control request is an event, and a
/// request that must wait (for the server to listen, for every host to be ready or done) is a
/// continuation the machine holds and resumes on a later event, on its timer, or when the
/// request's task is cancelled.
final class HostedRun: Sendable {
    /// The run's server and its schedule, once it listens, and a scale-out node's backplane.
    struct Listening: Sendable {
        let server: LoopbackServer
        let schedule: ServerSchedule
        let relay: BackplaneRelay?
    }

    typealias Waiter = CheckedContinuation<Void, any Error>
    typealias Machine = StateMachine<Listening, Waiter>

    let id: String
    let hosts: Int
    /// One host's scenario (every host runs the same).
    let scenario: Scenario
    /// The run's JWT key when its scenario requires tokens: its server verifies with it, and
    /// each host's ticket carries a token it issued.
    let tokenAuthority: JWTAuthority?
    /// The server's part when it is a scale-out node; `nil` for a run of its own.
    let node: NodeRole?
    private let machine: Mutex<Machine>
    private let waiterIDs = Atomic<Int>(0)
    private let cpuBefore = ProcessResources.now()

    /// A run opened now by its first host; it retires after `expiry` without a request.
    init(id: String, hosts: Int, scenario: Scenario, tokenAuthority: JWTAuthority? = nil, node: NodeRole? = nil, expiry: Duration) {
        self.id = id
        self.hosts = hosts
        self.scenario = scenario
        self.tokenAuthority = tokenAuthority
        self.node = node
        self.machine = Mutex(Machine(id: id, hosts: hosts, durationSeconds: scenario.durationSeconds, expiry: expiry, now: .now))
        _ = ProcessResources.resetPeakResident()
    }

    /// A request named the run.
    func touch() { machine.withLock { $0.requestSeen(at: .now) } }

    /// Another host joins; returns its index. Every host must run the same scenario.
    func join(_ request: RunRequest) throws(HTTPRequestError) -> Int {
        guard request.scenario == scenario, request.hosts == hosts else {
            throw HTTPRequestError(
                message: "run '\(id)' exists with another scenario or host count; every host of a run must give the same options"
            )
        }
        return try machine.withLock { machine throws(HTTPRequestError) in try machine.hostJoined() }
    }

    /// The run's server listens (a node's subscribed to its backplane through `relay`). A node
    /// that does not publish the run's schedule itself only injects its faults.
    func attach(_ server: LoopbackServer, relay: BackplaneRelay? = nil) {
        let schedule = node.map { $0.publishes } ?? true
            ? ServerSchedule(server: server, scenario: scenario)
            : ServerSchedule(server: server, timetable: nil, faults: scenario.dropFraction > 0 ? scenario : nil)
        let serving = Listening(server: server, schedule: schedule, relay: relay)
        perform(machine.withLock { $0.serverAttached(serving) })
    }

    /// The run's server failed.
    func fail(_ error: any Error) { perform(machine.withLock { $0.serverFailed("\(error)") }) }

    /// The run's server, once it listens.
    func server() async throws -> LoopbackServer {
        try await wait { $0.waitForServer($1, id: $2, at: $3) }
        return try serving().server
    }

    /// Counts this host ready; returns when every host is and the schedule has started.
    func ready() async throws -> RunStatus {
        try await wait { $0.hostReady($1, id: $2, at: $3) }
        return status
    }

    var status: RunStatus {
        machine.withLock { RunStatus(started: $0.started, published: $0.server?.schedule.publishedCount ?? 0) }
    }

    /// When the schedule is over: what it published.
    func publishing() async throws -> PublishingRecord {
        guard let schedule = machine.withLock({ $0.started ? $0.server?.schedule : nil }) else {
            throw HTTPRequestError(message: "run '\(id)' has not started")
        }
        return try await schedule.finish()
    }

    /// Counts this host done; returns when every host is and the server's streams have ended.
    func done() async throws -> RunStatus {
        try await wait { $0.hostDone($1, id: $2, at: $3) }
        return status
    }

    /// The server's counts once its connections have closed; the last host's request retires the run.
    func result() async throws -> ServerCounts {
        let serving = try serving()
        var counts = await ServerCounts(closing: serving.server)
        counts.backplane = serving.relay?.tally
        let cpu = ProcessResources.now()
        counts.userCPUSeconds = cpu.userSeconds - cpuBefore.userSeconds
        counts.systemCPUSeconds = cpu.systemSeconds - cpuBefore.systemSeconds
        counts.peakResidentBytes = ProcessResources.peakResidentBytes()
        perform(machine.withLock { $0.resultFetched() })
        return counts
    }

    /// Returns when every host has fetched its result, or the run has been idle for its expiry.
    func waitUntilRetired() async {
        try? await wait { $0.waitForRetirement($1, id: $2, at: $3) }
    }

    /// Untyped `throws` on purpose: with `throws(HTTPRequestError)`, Swift 6.3's release
    /// optimizer crashed (signal 11, splitting ``RunControl``'s `open` coroutine) once this was
    /// inlined into ``server()`` and that into `open`.
    private func serving() throws -> Listening {
        guard let serving = machine.withLock({ $0.server }) else { throw HTTPRequestError(message: "run '\(id)' is not listening yet") }
        return serving
    }

    /// Registers this task as a waiter through `event`, then suspends until the machine
    /// resumes it: on a later event, when its timer fires, or when this task is cancelled.
    private func wait(_ event: @Sendable (inout Machine, Waiter, Int, ContinuousClock.Instant) -> Machine.Actions) async throws {
        let waiterID = waiterIDs.wrappingAdd(1, ordering: .relaxed).newValue
        try await withThrowingTaskGroup(of: Void.self) { timers in
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (waiter: Waiter) in
                    let actions = machine.withLock { event(&$0, waiter, waiterID, .now) }
                    if let deadline = actions.armTimer {
                        timers.addTask { await self.runTimer(waiterID, until: deadline) }
                    }
                    perform(actions)
                    // Cancelled before the waiter was registered: the handler found nothing to resume.
                    if Task.isCancelled { perform(machine.withLock { $0.waiterCancelled(waiterID) }) }
                }
            } onCancel: {
                perform(machine.withLock { $0.waiterCancelled(waiterID) })
            }
            timers.cancelAll()
        }
        touch()
    }

    /// Waiter `waiterID`'s timer: fires at `deadline`, and again whenever the machine re-arms it,
    /// until the waiter is resumed (which cancels it).
    private func runTimer(_ waiterID: Int, until deadline: ContinuousClock.Instant) async {
        var deadline = deadline
        while (try? await Task.sleep(until: deadline, clock: .continuous)) != nil {
            let actions = machine.withLock { $0.timerFired(waiterID, at: .now) }
            perform(actions)
            guard let next = actions.armTimer else { return }
            deadline = next
        }
    }

    /// Does what an event asked, outside the lock.
    private func perform(_ actions: Machine.Actions) {
        actions.startSchedule?.schedule.start()
        actions.endStreams?.server.hub.finish()
        for (waiter, outcome) in actions.resume { waiter.resume(with: outcome) }
    }
}
