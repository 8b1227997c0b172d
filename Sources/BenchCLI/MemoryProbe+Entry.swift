import BenchCore
import BenchEngine

/// The engine's memory probe under its old name in this module, for ``ClaimsCommand`` (which does
/// not import BenchEngine): a bridge until claims are planned in the engine.
typealias MemoryProbe = BenchEngine.MemoryProbe

extension MemoryProbe {
    /// A memory case of `bench claims`, with its status lines: `position` names it. The
    /// measurement itself is ``MemoryProbe/measure(_:client:)``.
    static func measure(_ entry: Plan.Entry, position: String) async throws -> IdleMemory {
        Console.status("\(position) \(entry.client.kind.rawValue): \(entry.scenario.clients) idle connections to a `bench serve` process, its resident memory before and after")
        let memory = try await measure(entry.scenario, client: entry.client)
        Console.status("    done: \(memory.residentBytesBefore / 1024) KiB → \(memory.residentBytesAfter / 1024) KiB, \(Int(memory.residentBytesPerConnection)) B per connection")
        return memory
    }
}
