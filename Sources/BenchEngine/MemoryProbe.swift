import BenchCore
import BenchTransports

/// Measures what idle connections cost a server in resident memory: starts `bench serve` in a
/// process of its own (so the clients' memory is not counted), reads its VmRSS, opens the
/// scenario's clients of one transport against it, waits until every client is connected and
/// the server is quiet, and reads VmRSS again. The server publishes nothing meanwhile. A
/// scenario with TLS has the server speak it, and its clients.
public enum MemoryProbe {
    /// `run.scenario.clients` idle connections of `run`'s transport, and what they cost `bench serve`.
    public static func measure(_ run: PlannedRun) async throws -> IdleMemory {
        let (scenario, client) = (run.scenario, run.transport.makeClient(for: run.scenario))
        let server = try ServeProcess.start(tls: scenario.tls)
        defer { server.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let before = try server.residentBytes()
        return try await server.withClients(scenario, client: client) { _ in
            IdleMemory(transport: client.kind.rawValue, connections: scenario.clients, residentBytesBefore: before, residentBytesAfter: try server.residentBytes())
        }.value
    }
}
