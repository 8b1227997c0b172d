/// A STOMP subscription's `ack` header (STOMP 1.2 §SUBSCRIBE ack Header).
public enum StompAckMode: String, CaseIterable, Sendable, Hashable, Codable {
    /// The server counts a message as delivered once sent; the client sends no ACK.
    case auto
    /// The client acknowledges cumulatively: an ACK covers its message and every one before it.
    /// Bench's client sends one ACK per read, for the last message the read brought.
    case client
    /// The client acknowledges each message on its own: one ACK per message.
    case clientIndividual = "client-individual"

    /// Whether MESSAGE frames carry an `ack` header for the client's ACK to name.
    public var needsAck: Bool { self != .auto }
}
