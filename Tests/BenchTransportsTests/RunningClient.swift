@testable import BenchServer
import Testing
import BenchCore
import BenchTLS
import BenchTransports

/// A transport client running in its own task against a test's server.
struct RunningClient {
    let progress = ClientProgress()
    let task: Task<DeliveryRecorder, Never>

    /// Starts `client` against `server`; `tls` is what it trusts when the server speaks TLS.
    init(
        _ client: any TransportClient, server: LoopbackServer, clientIndex: Int = 0, scenario: Scenario = .defaults, tls: ClientTLS? = nil,
        bearerToken: String? = nil
    ) {
        let target = ClientTarget(
            host: server.host, port: server.port(for: client.kind), clientIndex: clientIndex, scenario: scenario, tls: tls,
            bearerToken: bearerToken)
        let progress = progress
        task = Task {
            var recorder = DeliveryRecorder(progress: progress)
            await client.run(target, recorder: &recorder)
            return recorder
        }
    }

    /// The client did not get ready in time (the test has recorded it).
    struct NotReady: Error {}

    /// Waits until the client is ready, failing after `timeout`.
    func waitUntilReady(timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + timeout
        while !progress.isReady {
            guard ContinuousClock.now < deadline else {
                Issue.record("the client was not ready within \(timeout)", sourceLocation: sourceLocation)
                throw NotReady()
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Asks the client to stop (the caller ends the server's streams) and returns what it recorded.
    func stop() async -> DeliveryRecorder {
        progress.requestStop()
        return await task.value
    }
}

extension RunningClient {
    /// Waits until the client has `count` distinct events, or `timeout` passes.
    func waitUntilDelivered(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while progress.delivered < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
    }

    /// Once the client is ready, publishes `count` events and drops every connection after each
    /// `cutEvery` of them (``LoopbackServer/publishCuttingConnections(count:cutEvery:)``), waits
    /// for them all, ends as the runner ends a run (stop first, so the stream's end is not one
    /// more reconnect; then finish the hub) and returns what the client recorded, having checked
    /// that every event arrived exactly once across at least three reconnects.
    func deliverAcrossCuts(
        _ server: LoopbackServer, count: Int = 320, cutEvery: Int = 75, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> DeliveryRecorder {
        try await waitUntilReady(sourceLocation: sourceLocation)
        try await server.publishCuttingConnections(count: count, cutEvery: cutEvery)
        try await waitUntilDelivered(count, timeout: .seconds(15))
        progress.requestStop()
        server.hub.finish()
        let recorder = await stop()
        expectEveryEventOnce(recorder, count: count, sourceLocation: sourceLocation)
        #expect(recorder.reconnects >= 3, sourceLocation: sourceLocation)
        return recorder
    }
}

extension LoopbackServer {
    /// Publishes `count` events a millisecond apart and drops every open connection after each
    /// `cutEvery` of them, while events are flowing.
    func publishCuttingConnections(count: Int, cutEvery: Int) async throws {
        for index in 1...count {
            hub.publish(payload: "event-\(index)")
            if index % cutEvery == 0 { traffic.closeAll() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Every event from 1 to `count` arrived exactly once: all delivered, none missing, none twice.
func expectEveryEventOnce(_ recorder: DeliveryRecorder, count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(recorder.ledger.delivered == count, sourceLocation: sourceLocation)
    #expect(recorder.ledger.missing(through: UInt64(count)).isEmpty, sourceLocation: sourceLocation)
    #expect(recorder.ledger.duplicates == 0, sourceLocation: sourceLocation)
}

extension RunningClient {
    /// Client → server bytes, requests and connections of one `kind` client running `scenario`
    /// while nothing is published, so every request it makes is the same.
    static func idleTraffic(_ kind: TransportKind, _ scenario: Scenario) async throws -> TrafficTotals {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let client = TransportRegistry.withoutGRPC.descriptor(for: kind)!.makeClient(for: scenario)
            let running = RunningClient(client, server: server, scenario: scenario)
            try await running.waitUntilReadyAndSettled()
            // Stop first, so a client answered by the finished hub sends nothing more.
            running.progress.requestStop()
            server.hub.finish()
            _ = await running.task.value
            _ = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
            return server.traffic.totals(for: kind)
        }
    }
}
