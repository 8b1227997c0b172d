/// STOMP 1.2's heart-beat negotiation (§Heart-beating): each side states in its `heart-beat`
/// header `x,y`, the smallest interval at which it can send heart-beats (x) and the interval at
/// which it wants to receive them (y), in milliseconds, 0 meaning "cannot" or "does not want".
///
/// ```swift
/// let client = try StompHeartbeat("0,5000"), server = try StompHeartbeat("10000,0")
/// StompHeartbeat.interval(sender: server, receiver: client)  // 10000: max(10000, 5000)
/// StompHeartbeat.interval(sender: client, receiver: server)  // 0: the client cannot send
/// ```
public struct StompHeartbeat: Sendable, Equatable {
    /// The smallest interval between heart-beats this side can send; 0 sends none.
    public var canSend: Int
    /// The interval this side wants to receive heart-beats at; 0 wants none.
    public var wants: Int

    public init(canSend: Int, wants: Int) {
        self.canSend = canSend
        self.wants = wants
    }

    /// The `heart-beat` header's value; a missing header is `0,0`.
    /// - Throws: ``StompError`` when it is not two non-negative integers.
    public init(_ header: String?) throws(StompError) {
        guard let header else {
            self.init(canSend: 0, wants: 0)
            return
        }
        let parts = header.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let x = Int(parts[0]), let y = Int(parts[1]), x >= 0, y >= 0 else {
            throw StompError("heart-beat must be two non-negative integers, x,y")
        }
        self.init(canSend: x, wants: y)
    }

    /// The header's value, `x,y`.
    public var header: String { "\(canSend),\(wants)" }

    /// How often `sender` sends heart-beats to `receiver`, in milliseconds: none (0) unless the
    /// sender can and the receiver wants, else the larger of the two intervals.
    public static func interval(sender: StompHeartbeat, receiver: StompHeartbeat) -> Int {
        sender.canSend == 0 || receiver.wants == 0 ? 0 : Swift.max(sender.canSend, receiver.wants)
    }
}
