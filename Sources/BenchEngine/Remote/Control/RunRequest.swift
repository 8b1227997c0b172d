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
    /// The node's number in the run, from 0.
    var index: Int
    /// The backplane the node subscribes to (`redis://HOST:PORT`); `nil` without one.
    var redisURL: String?
    /// The Pub/Sub channel the run's events are published on.
    var channel: String
    /// Whether the node publishes the run's schedule itself: the first node when there is no
    /// backplane (the events land where the publisher's request did).
    var publishes: Bool
}
