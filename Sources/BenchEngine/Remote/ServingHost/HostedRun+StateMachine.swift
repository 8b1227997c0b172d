import BenchServer

extension HostedRun {
    /// What a waiting control request waits for.
    enum Wait: Sendable {
        /// `open`: the run's server to listen.
        case listening
        /// `ready`: every host's clients to be ready, when the schedule starts.
        case everyHostReady
        /// `done`: every host to be done, when the streams end.
        case everyHostDone
        /// The run's own task: every host's result fetched, or the run idle for its expiry.
        case retirement

        /// What a request that gave up had waited for.
        var description: String {
            switch self {
            case .listening: "the run's server to listen"
            case .everyHostReady: "every host's clients to be ready"
            case .everyHostDone: "every host to finish"
            case .retirement: "the run to retire"
            }
        }
    }

    /// A hosted run's protocol as a value: how many hosts joined, are ready, are done and
    /// fetched their results, the run's server, and the requests waiting for one of these.
    ///
    /// Each event is a mutating method that returns what to do (``Actions``): which waiters to
    /// resume with what, whether to start the schedule or end the streams, when to fire the
    /// waiter's timer. ``HostedRun`` keeps the machine under a lock and acts outside it. The
    /// machine is generic over the server (`Server`) and over a waiting request (`Waiter`, a
    /// continuation in ``HostedRun``), so tests drive it without sockets or tasks.
    ///
    /// Each wait is bounded: 30 s for the server to listen, 120 s for every host to be ready,
    /// 60 s plus the run's duration for every host to be done. The run retires when its last
    /// host has fetched its result, or when it has been idle (no request seen, none waiting)
    /// for its expiry.
    struct StateMachine<Server, Waiter> {
        /// What ``HostedRun`` does after an event.
        struct Actions {
            /// Waiters to resume, each with its outcome.
            var resume: [(waiter: Waiter, outcome: Result<Void, any Error>)] = []
            /// The last host is ready: start this server's schedule.
            var startSchedule: Server?
            /// The last host is done: end this server's streams.
            var endStreams: Server?
            /// When the registered (or fired) waiter's timer fires (next).
            var armTimer: ContinuousClock.Instant?
        }

        private struct Pending {
            var id: Int
            var wait: Wait
            var waiter: Waiter
        }

        let id: String
        let hosts: Int
        /// The run's duration, which bounds the wait for every host to be done.
        let durationSeconds: Double
        /// How long the run may be idle before it retires.
        let expiry: Duration
        private(set) var joined = 1
        private(set) var ready = 0
        private(set) var done = 0
        private(set) var fetched = 0
        /// The run's server, once it listens.
        private(set) var server: Server?
        private var failure: String?
        private(set) var retired = false
        private var lastActivity: ContinuousClock.Instant
        private var waiters: [Pending] = []

        /// A run opened at `now` by its first host.
        init(id: String, hosts: Int, durationSeconds: Double, expiry: Duration, now: ContinuousClock.Instant) {
            self.id = id
            self.hosts = hosts
            self.durationSeconds = durationSeconds
            self.expiry = expiry
            self.lastActivity = now
        }

        /// Whether every host is ready, so the schedule has started.
        var started: Bool { ready >= hosts }

        /// How long a request waits for `wait` before it gives up.
        func timeout(for wait: Wait) -> Duration {
            switch wait {
            case .listening: .seconds(30)
            case .everyHostReady: .seconds(120)
            case .everyHostDone: .seconds(60 + Int64(durationSeconds))
            case .retirement: expiry
            }
        }

        // MARK: The server

        /// The run's server listens: the requests waiting for it go on.
        mutating func serverAttached(_ server: Server) -> Actions {
            self.server = server
            return resumeAll(.listening, with: .success(()))
        }

        /// The run's server failed (to start, usually): every waiting request fails.
        mutating func serverFailed(_ description: String) -> Actions {
            failure = description
            let refusal = self.refusal!
            return resumeAll(with: { _ in .failure(refusal) })
        }

        /// A host (the first, or one that joined) waits for the run's server to listen.
        mutating func waitForServer(_ waiter: Waiter, id waiterID: Int, at now: ContinuousClock.Instant) -> Actions {
            if failure == nil, server != nil { return .resuming(waiter, with: .success(())) }
            if let refusal { return .resuming(waiter, with: .failure(refusal)) }
            return add(waiter, id: waiterID, waiting: .listening, at: now)
        }

        // MARK: The hosts

        /// Another host joins; returns its index. Refused once the run has started or has its hosts.
        mutating func hostJoined() throws(HTTPRequestError) -> Int {
            if let refusal { throw refusal }
            guard !started else { throw HTTPRequestError(message: "run '\(id)' has started; its hosts must all join before it starts") }
            guard joined < hosts else { throw HTTPRequestError(message: "run '\(id)' already has its \(hosts) hosts") }
            joined += 1
            return joined - 1
        }

        /// A host's clients are ready. The last host's readiness starts the schedule and lets
        /// every ready host go on; until then the host waits.
        mutating func hostReady(_ waiter: Waiter, id waiterID: Int, at now: ContinuousClock.Instant) -> Actions {
            if let refusal { return .resuming(waiter, with: .failure(refusal)) }
            guard let server else { return .resuming(waiter, with: .failure(notListening)) }
            guard ready < joined else {
                let refusal = HTTPRequestError(message: "run '\(id)': every host that joined (\(joined) of \(hosts)) is ready already")
                return .resuming(waiter, with: .failure(refusal))
            }
            ready += 1
            guard started else { return add(waiter, id: waiterID, waiting: .everyHostReady, at: now) }
            var actions = resumeAll(.everyHostReady, with: .success(()))
            actions.resume.append((waiter, .success(())))
            actions.startSchedule = server
            return actions
        }

        /// A host is done. The last host's ends the server's streams and lets every done host go on.
        mutating func hostDone(_ waiter: Waiter, id waiterID: Int, at now: ContinuousClock.Instant) -> Actions {
            if let refusal { return .resuming(waiter, with: .failure(refusal)) }
            guard let server else { return .resuming(waiter, with: .failure(notListening)) }
            done += 1
            guard done >= hosts else { return add(waiter, id: waiterID, waiting: .everyHostDone, at: now) }
            var actions = resumeAll(.everyHostDone, with: .success(()))
            actions.resume.append((waiter, .success(())))
            if done == hosts { actions.endStreams = server }
            return actions
        }

        /// A host fetched its result; the last host's retires the run.
        mutating func resultFetched() -> Actions {
            fetched += 1
            return fetched >= hosts && !retired ? retire() : Actions()
        }

        // MARK: Time

        /// A control request named the run at `now`: it is not idle.
        mutating func requestSeen(at now: ContinuousClock.Instant) {
            lastActivity = now
        }

        /// The run's own task waits for the run to retire; its timer fires at the idle expiry.
        mutating func waitForRetirement(_ waiter: Waiter, id waiterID: Int, at now: ContinuousClock.Instant) -> Actions {
            if retired { return .resuming(waiter, with: .success(())) }
            return add(waiter, id: waiterID, waiting: .retirement, at: now)
        }

        /// Waiter `id`'s timer fired at `now`. A request gives up; the retirement timer retires
        /// an idle run, or fires again at the new expiry (a waiting request counts as activity).
        mutating func timerFired(_ waiterID: Int, at now: ContinuousClock.Instant) -> Actions {
            guard let index = waiters.firstIndex(where: { $0.id == waiterID }) else { return Actions() }
            let wait = waiters[index].wait
            guard wait == .retirement else {
                let waiter = waiters.remove(at: index).waiter
                let message = "run '\(id)': gave up after \(timeout(for: wait)) waiting for \(wait.description)"
                return .resuming(waiter, with: .failure(HTTPRequestError(message: message)))
            }
            if waiters.contains(where: { $0.wait != .retirement }) { lastActivity = now }
            guard now < lastActivity + expiry else { return retire() }
            var actions = Actions()
            actions.armTimer = lastActivity + expiry
            return actions
        }

        /// Waiter `id`'s task was cancelled: it goes on with `CancellationError`.
        mutating func waiterCancelled(_ waiterID: Int) -> Actions {
            guard let index = waiters.firstIndex(where: { $0.id == waiterID }) else { return Actions() }
            return .resuming(waiters.remove(at: index).waiter, with: .failure(CancellationError()))
        }

        // MARK: Helpers

        /// Why the run refuses every request: its server failed, or it has retired.
        private var refusal: HTTPRequestError? {
            if let failure {
                let what = server == nil ? "did not start" : "failed"
                return HTTPRequestError(message: "the run's server \(what): \(failure)")
            }
            guard retired else { return nil }
            return HTTPRequestError(message: "run '\(id)' is over (every host fetched its result, or it was idle \(expiry))")
        }

        private var notListening: HTTPRequestError { HTTPRequestError(message: "run '\(id)' is not listening yet") }

        private mutating func add(_ waiter: Waiter, id waiterID: Int, waiting wait: Wait, at now: ContinuousClock.Instant) -> Actions {
            waiters.append(Pending(id: waiterID, wait: wait, waiter: waiter))
            var actions = Actions()
            actions.armTimer = wait == .retirement ? lastActivity + expiry : now + timeout(for: wait)
            return actions
        }

        private mutating func resumeAll(_ wait: Wait, with outcome: Result<Void, any Error>) -> Actions {
            var actions = Actions()
            waiters.removeAll { pending in
                guard pending.wait == wait else { return false }
                actions.resume.append((pending.waiter, outcome))
                return true
            }
            return actions
        }

        private mutating func resumeAll(with outcome: (Wait) -> Result<Void, any Error>) -> Actions {
            var actions = Actions()
            actions.resume = waiters.map { ($0.waiter, outcome($0.wait)) }
            waiters = []
            return actions
        }

        /// The run retires: its own task goes on, and any request still waiting is refused.
        private mutating func retire() -> Actions {
            retired = true
            let refusal = self.refusal!
            return resumeAll { $0 == .retirement ? .success(()) : .failure(refusal) }
        }
    }
}

extension HostedRun.StateMachine.Actions {
    /// Resume one waiter now, with `outcome`.
    static func resuming(_ waiter: Waiter, with outcome: Result<Void, any Error>) -> Self {
        var actions = Self()
        actions.resume = [(waiter, outcome)]
        return actions
    }
}
