import BenchCore

/// What a load host asks `bench serve` for: a run of `scenario` (at wall clock; `clients` is
/// this host's), shared by `hosts` hosts that all name the same `id`.
struct RunRequest: Codable {
    var id: String?
    var hosts: Int
    var scenario: Scenario
    /// The server's part when it is one node of a scale-out run; `nil` for a run of its own.
    var node: NodeRole?
}

/// A scale-out node's part in its run: where its events come from.
struct NodeRole: Codable, Sendable, Hashable {
    /// The channel the node subscribes to; `nil` without a backplane.
    var backplane: BackplaneChannel?
    /// Whether the node publishes the run's schedule itself: the first node when there is no
    /// backplane (the events land where the publisher's request did).
    var publishes: Bool
}
