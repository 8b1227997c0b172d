import BenchCore
import Foundation

/// Whether this machine can hold a scale-out run's nodes, checked before anything starts.
///
/// Each node is a `bench serve` process: an idle one holds about ``bytesPerNode`` resident, and
/// every client connection costs a node some more (``bytesPerConnection``, buffers and state on
/// both ends of loopback). The run needs that much of the memory the kernel reports available
/// (`MemAvailable` in `/proc/meminfo`).
enum NodeCapacity {
    /// An idle `bench serve` node's resident memory, with room for its run's server.
    static let bytesPerNode = 96 << 20
    /// A held connection's share on the server side, generously.
    static let bytesPerConnection = 64 << 10

    /// - Throws: ``BenchError`` (usage) naming `--nodes` when the nodes would not fit.
    static func check(nodes: Int, clients: Int) throws(BenchError) {
        let needed = nodes * bytesPerNode + clients * bytesPerConnection
        guard let available = availableBytes() else { return }
        guard needed <= available else {
            throw .usage(
                "--nodes \(nodes) with \(clients) clients needs about \(needed >> 20) MiB for its node processes, and this machine has \(available >> 20) MiB available; use fewer nodes or clients")
        }
    }

    /// `MemAvailable` from `/proc/meminfo`, in bytes; `nil` where it cannot be read.
    static func availableBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kibibytes = Int(fields[1]) else { return nil }
            return kibibytes << 10
        }
        return nil
    }
}
