/// A transport's identity: the stable name used on the command line and in every report.
///
/// The names are part of the stable interface (reports and claim files use them) and must not
/// change. A transport is described by its ``TransportTraits`` (and, with its server and client
/// halves, by a descriptor registered in the command line's one list of transports); this type
/// only names it, so a new transport — or a test's fake one — needs no change here.
public struct TransportKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// The client asks at a fixed interval; the server answers at once, often with nothing.
    public static let shortPolling = TransportKind(rawValue: "short-polling")
    /// The client asks; the server holds the request until an event exists or a timeout passes.
    public static let longPolling = TransportKind(rawValue: "long-polling")
    /// One long HTTP response in `text/event-stream` format.
    public static let serverSentEvents = TransportKind(rawValue: "sse")
    /// RFC 6455 frames over an upgraded HTTP/1.1 connection.
    public static let webSocket = TransportKind(rawValue: "websocket")
    /// Protobuf messages over HTTP/2 with grpc-swift.
    public static let grpc = TransportKind(rawValue: "grpc")
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var slice = self[...]
        while slice.first == set { slice = slice.dropFirst() }
        while slice.last == set { slice = slice.dropLast() }
        return String(slice)
    }
}
