import BenchCore
import BenchServer
import Testing

@testable import BenchEngine

/// ``HostedRun``'s waits with real tasks and continuations, without a server: each must end.
@Suite("HostedRun waits", .timeLimit(.minutes(1)))
struct HostedRunTests {
    func run(expiry: Duration = .seconds(600)) -> HostedRun {
        HostedRun(id: "r", hosts: 1, scenario: .defaults, expiry: expiry)
    }

    @Test("a request waiting for the server goes on with CancellationError when its task is cancelled, while waiting or before")
    func cancelledWhileWaiting() async throws {
        let run = run()
        let waiting = Task { try await run.server() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await run.server()
        }
        await #expect(throws: CancellationError.self) { try await cancelledFirst.value }
    }

    @Test("a server that fails to start fails the requests waiting for it, with the failure")
    func failureResumesWaiters() async throws {
        let run = run()
        let waiting = Task { try await run.server() }
        try await Task.sleep(for: .milliseconds(50))
        run.fail(BenchError.runFailed("address already in use"))
        let error = await #expect(throws: HTTPRequestError.self) { try await waiting.value }
        #expect(error?.message.hasPrefix("the run's server did not start: ") == true)
        #expect(error?.message.hasSuffix("address already in use") == true)
    }

    @Test("an idle run retires its expiry after the last request")
    func idleRunRetires() async throws {
        let run = run(expiry: .milliseconds(300))
        let opened = ContinuousClock.now
        let retired = Task { await run.waitUntilRetired() }
        try await Task.sleep(for: .milliseconds(200))
        run.touch()
        await retired.value
        #expect(ContinuousClock.now - opened >= .milliseconds(500))
    }
}
