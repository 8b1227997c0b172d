import BenchServer
import Testing

@testable import BenchEngine

/// A hosted run's protocol without sockets: the server is a name, each waiting request is a name.
@Suite("HostedRun.StateMachine")
struct HostedRunStateMachineTests {
    typealias Machine = HostedRun.StateMachine<String, String>
    static let opened = ContinuousClock.now

    /// Run "r" of `hosts` hosts, all joined, its server "server" listening; 5 s long, 600 s expiry.
    func listeningRun(hosts: Int) throws -> Machine {
        var run = Machine(id: "r", hosts: hosts, durationSeconds: 5, expiry: .seconds(600), now: Self.opened)
        for _ in 1..<hosts { _ = try run.hostJoined() }
        _ = run.serverAttached("server")
        return run
    }

    /// Each waiter `actions` resumes, with "ok" or the message it fails with.
    func outcomes(_ actions: Machine.Actions) -> [String: String] {
        var outcomes: [String: String] = [:]
        for (waiter, outcome) in actions.resume {
            switch outcome {
            case .success: outcomes[waiter] = "ok"
            case .failure(let error as HTTPRequestError): outcomes[waiter] = error.message
            case .failure(let error): outcomes[waiter] = "\(type(of: error))"
            }
        }
        return outcomes
    }

    @Test("the schedule starts when the last of N hosts is ready, not before, and every ready host goes on then", arguments: [1, 2, 3, 5])
    func scheduleStartsWithTheLastHost(hosts: Int) throws {
        var run = try listeningRun(hosts: hosts)
        let names = (1...hosts).map { "host \($0)" }
        for (index, name) in names.enumerated().dropLast() {
            let actions = run.hostReady(name, id: index, at: Self.opened)
            #expect(actions.startSchedule == nil && actions.resume.isEmpty && !run.started, "\(name) of \(hosts)")
        }
        let last = run.hostReady(names.last!, id: hosts, at: Self.opened)
        #expect(last.startSchedule == "server" && run.started)
        #expect(outcomes(last) == Dictionary(uniqueKeysWithValues: names.map { ($0, "ok") }))
    }

    @Test("hosts join with the next index; a fourth host of a 3-host run is refused")
    func fourthHostRefused() throws {
        var run = Machine(id: "r", hosts: 3, durationSeconds: 5, expiry: .seconds(600), now: Self.opened)
        #expect(try run.hostJoined() == 1)
        #expect(try run.hostJoined() == 2)
        #expect(throws: HTTPRequestError.self) { try run.hostJoined() }
        do { _ = try run.hostJoined() } catch { #expect(error.message == "run 'r' already has its 3 hosts") }
        #expect(run.joined == 3)
    }

    @Test("a host joining after the run started is refused")
    func joinAfterStartRefused() throws {
        var run = Machine(id: "r", hosts: 2, durationSeconds: 5, expiry: .seconds(600), now: Self.opened)
        _ = run.serverAttached("server")
        _ = run.hostReady("host 0", id: 1, at: Self.opened)
        // A second ready from the one joined host does not start a 2-host run.
        let again = run.hostReady("host 0 again", id: 2, at: Self.opened)
        #expect(outcomes(again) == ["host 0 again": "run 'r': every host that joined (1 of 2) is ready already"])
        #expect(try run.hostJoined() == 1)
        #expect(run.hostReady("host 1", id: 3, at: Self.opened).startSchedule == "server")
        do {
            _ = try run.hostJoined()
            Issue.record("a join after the start was accepted")
        } catch {
            #expect(error.message == "run 'r' has started; its hosts must all join before it starts")
        }
    }

    @Test("a waiter gives up when its timer fires, naming what it waited for; the others still go on")
    func waiterTimesOut() throws {
        var run = try listeningRun(hosts: 2)
        let readyAt = Self.opened + .seconds(7)
        let ready = run.hostReady("host 0", id: 1, at: readyAt)
        #expect(ready.armTimer == readyAt + .seconds(120))
        let fired = run.timerFired(1, at: readyAt + .seconds(120))
        #expect(outcomes(fired) == ["host 0": "run 'r': gave up after 120.0 seconds waiting for every host's clients to be ready"])
        #expect(run.timerFired(1, at: readyAt + .seconds(121)).resume.isEmpty)
        // 60 s plus the run's 5 s for every host to be done.
        let done = run.hostDone("host 1", id: 2, at: readyAt)
        #expect(done.armTimer == readyAt + .seconds(65))
        let gaveUp = run.timerFired(2, at: readyAt + .seconds(65))
        #expect(outcomes(gaveUp) == ["host 1": "run 'r': gave up after 65.0 seconds waiting for every host to finish"])
    }

    @Test("the last host's done ends the streams once, and every done host goes on then")
    func lastDoneEndsStreams() throws {
        var run = try listeningRun(hosts: 2)
        #expect(run.hostDone("host 0", id: 1, at: Self.opened).endStreams == nil)
        let last = run.hostDone("host 1", id: 2, at: Self.opened)
        #expect(last.endStreams == "server")
        #expect(outcomes(last) == ["host 0": "ok", "host 1": "ok"])
    }

    @Test("the run retires after the last host fetches its result, and then refuses requests")
    func retiresAfterLastFetch() throws {
        var run = try listeningRun(hosts: 2)
        #expect(run.waitForRetirement("run task", id: 9, at: Self.opened).armTimer == Self.opened + .seconds(600))
        #expect(run.resultFetched().resume.isEmpty && !run.retired)
        #expect(outcomes(run.resultFetched()) == ["run task": "ok"])
        #expect(run.retired)
        #expect(outcomes(run.hostReady("late", id: 10, at: Self.opened)).values.first?.hasPrefix("run 'r' is over") == true)
    }

    @Test("an idle run retires when its expiry passes with no request seen and none waiting")
    func idleRunRetires() throws {
        var run = try listeningRun(hosts: 2)
        _ = run.waitForRetirement("run task", id: 9, at: Self.opened)
        run.requestSeen(at: Self.opened + .seconds(300))
        // Fired at the first expiry, it re-arms at 600 s after the last request.
        let first = run.timerFired(9, at: Self.opened + .seconds(600))
        #expect(first.resume.isEmpty && first.armTimer == Self.opened + .seconds(900))
        // A request still waiting counts as activity.
        _ = run.hostReady("host 0", id: 1, at: Self.opened + .seconds(850))
        let second = run.timerFired(9, at: Self.opened + .seconds(900))
        #expect(second.resume.isEmpty && second.armTimer == Self.opened + .seconds(1500))
        _ = run.timerFired(1, at: Self.opened + .seconds(970))
        let third = run.timerFired(9, at: Self.opened + .seconds(1500))
        #expect(outcomes(third) == ["run task": "ok"] && run.retired)
    }

    @Test("requests waiting for the server go on when it listens; a host that asks later goes on at once")
    func serverListens() {
        var run = Machine(id: "r", hosts: 2, durationSeconds: 5, expiry: .seconds(600), now: Self.opened)
        #expect(run.waitForServer("host 0", id: 1, at: Self.opened).armTimer == Self.opened + .seconds(30))
        #expect(outcomes(run.serverAttached("server")) == ["host 0": "ok"])
        #expect(outcomes(run.waitForServer("host 1", id: 2, at: Self.opened)) == ["host 1": "ok"])
    }

    @Test("a failure before the server listens fails every waiting request, and every later one")
    func failureBeforeListening() {
        var run = Machine(id: "r", hosts: 2, durationSeconds: 5, expiry: .seconds(600), now: Self.opened)
        _ = run.waitForServer("host 0", id: 1, at: Self.opened)
        _ = try? run.hostJoined()
        _ = run.waitForServer("host 1", id: 2, at: Self.opened)
        let failed = run.serverFailed("address already in use")
        let message = "the run's server did not start: address already in use"
        #expect(outcomes(failed) == ["host 0": message, "host 1": message])
        #expect(outcomes(run.waitForServer("host 2", id: 3, at: Self.opened)) == ["host 2": message])
        #expect(throws: HTTPRequestError.self) { try run.hostJoined() }
    }

    @Test("a cancelled waiter is resumed once, with CancellationError, and no later event resumes it")
    func cancelledWaiter() throws {
        var run = try listeningRun(hosts: 2)
        _ = run.hostReady("host 0", id: 1, at: Self.opened)
        #expect(outcomes(run.waiterCancelled(1)) == ["host 0": "CancellationError"])
        #expect(run.waiterCancelled(1).resume.isEmpty)
        #expect(run.timerFired(1, at: Self.opened + .seconds(120)).resume.isEmpty)
        // Its readiness still counts: the second host's starts the schedule.
        let last = run.hostReady("host 1", id: 2, at: Self.opened)
        #expect(last.startSchedule == "server" && outcomes(last) == ["host 1": "ok"])
    }
}
