/// How every transport announces events that fell out of the server's retention window:
/// `FIRST-LAST` (a polling header, an SSE `gap` event, a WebSocket text frame, gRPC metadata).
public enum GapNotice {
    /// `first-last`.
    public static func text(_ gap: ClosedRange<UInt64>) -> String {
        "\(gap.lowerBound)-\(gap.upperBound)"
    }

    /// The gap in `first-last`, or `nil` when the text is not one.
    public static func parse(_ text: some StringProtocol) -> ClosedRange<UInt64>? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let first = UInt64(parts[0]), let last = UInt64(parts[1]), first <= last else { return nil }
        return first...last
    }
}
