/// What one scale-out node saw of its backplane over a run: the messages its subscription
/// brought, the bytes its socket read for them, the sequences that never came, and how long each
/// event took from the publisher's PUBLISH to the node's read (the broker hop).
public struct BackplaneTally: Codable, Sendable, Hashable {
    /// Messages (events) the node received.
    public var messages = 0
    /// TCP payload bytes the node's subscription read: the broker's RESP framing and the events.
    public var socketBytesReceived = 0
    /// TCP payload bytes the node's subscription wrote (its SUBSCRIBE commands).
    public var socketBytesSent = 0
    /// Sequences the node never received (Pub/Sub delivers at most once: what was published
    /// while the node's subscription was down is gone), as ranges.
    public var lost: [ClosedRange<UInt64>] = []
    /// The highest sequence the node received (0 before the first): sequences after it that
    /// the publisher sent never came either.
    public var highestSequence: UInt64 = 0
    /// Times the subscription's connection dropped.
    public var disconnects = 0
    /// Publish → the node's read of each event, in nanoseconds, as an HdrHistogram
    /// (``HdrHistogramEncoding``); `nil` before the first event.
    public var brokerHopHistogram: String?

    public init() {}

    /// The sequences the node never received out of the publisher's `1...published`: the gaps
    /// it saw, and what came after its last.
    public func lost(through published: UInt64) -> [ClosedRange<UInt64>] {
        highestSequence < published ? lost + [(highestSequence + 1)...published] : lost
    }
}
