/// The real-time web transports that TransportBench compares.
///
/// The raw values are the names used on the command line and in every report; they are part of
/// the stable interface (see DESIGN.md) and must not change.
public enum TransportKind: String, CaseIterable, Codable, Sendable, Hashable, Comparable {
    /// The client asks at a fixed interval; the server answers at once, often with nothing.
    case shortPolling = "short-polling"
    /// The client asks; the server holds the request until an event exists or a timeout passes.
    case longPolling = "long-polling"
    /// One long HTTP response in `text/event-stream` format.
    case serverSentEvents = "sse"
    /// RFC 6455 frames over an upgraded HTTP/1.1 connection.
    case webSocket = "websocket"
    /// Protobuf messages over HTTP/2 with grpc-swift.
    case grpc = "grpc"

    /// A name for tables and charts.
    public var displayName: String {
        switch self {
        case .shortPolling: "Short polling"
        case .longPolling: "Long polling"
        case .serverSentEvents: "SSE"
        case .webSocket: "WebSocket"
        case .grpc: "gRPC"
        }
    }

    /// Whether the transport speaks the scenario's HTTP version (polling, SSE); WebSocket
    /// upgrades from HTTP/1.1 and gRPC is HTTP/2.
    public var hasHTTPVersionChoice: Bool {
        self == .shortPolling || self == .longPolling || self == .serverSentEvents
    }

    /// The HTTP version under this transport in `scenario`.
    public func httpVersion(in scenario: Scenario) -> HTTPProtocolVersion {
        switch self {
        case .webSocket: .http1_1
        case .grpc: .http2
        case .shortPolling, .longPolling, .serverSentEvents: scenario.httpVersion
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a comma-separated list such as `short-polling,sse` or `all`.
    ///
    /// - Throws: ``BenchError`` naming the unknown transport and the valid names.
    public static func parseList(_ text: String, available: [TransportKind] = allCases) throws(BenchError) -> [TransportKind] {
        var kinds: [TransportKind] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = raw.trimmingCharacters(in: " ").lowercased()
            if name == "all" {
                kinds.append(contentsOf: available)
                continue
            }
            guard let kind = TransportKind(rawValue: name) else {
                let valid = (available.map(\.rawValue) + ["all"]).joined(separator: ", ")
                throw .usage("unknown transport '\(name)'; choose from \(valid)")
            }
            guard available.contains(kind) else {
                let valid = available.map(\.rawValue).joined(separator: ", ")
                throw .usage("transport '\(name)' is not implemented yet; available: \(valid)")
            }
            kinds.append(kind)
        }
        var seen = Set<TransportKind>()
        return kinds.filter { seen.insert($0).inserted }
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var slice = self[...]
        while slice.first == set { slice = slice.dropFirst() }
        while slice.last == set { slice = slice.dropLast() }
        return String(slice)
    }
}
