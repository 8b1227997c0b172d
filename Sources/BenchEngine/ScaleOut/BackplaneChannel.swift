import BenchCore

/// Where a scale-out node's events come from: a Redis Pub/Sub channel whose messages are one
/// event each, encoded in ``encoding`` by ``EventCodec`` (what ``BackplanePublisher`` sends).
/// A `bench run` node gets it in its ``NodeRole``; `bench serve --redis URL --redis-channel NAME
/// --redis-encoding E` is a node of its own (``serveArguments``).
public struct BackplaneChannel: Codable, Sendable, Hashable {
    /// `redis://HOST:PORT`.
    public var url: String
    public var channel: String
    public var encoding: Encoding

    public init(url: String, channel: String, encoding: Encoding = .json) {
        (self.url, self.channel, self.encoding) = (url, channel, encoding)
    }

    /// The `bench serve` flags that make a process a node on this channel.
    var serveArguments: [String] { ["--redis", url, "--redis-channel", channel, "--redis-encoding", encoding.rawValue] }
}
