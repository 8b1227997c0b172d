/// The balancer's access log, read back: which node served each request, and the bytes on
/// either side of nginx.
///
/// Each line is ``NginxConfiguration``'s tab-separated format. nginx writes a line when a request
/// ends: a held one (SSE, a WebSocket, a gRPC stream) appears only once it closed.
///
/// ```swift
/// let log = NginxAccessLog(text: try String(contentsOfFile: configuration.accessLog, encoding: .utf8))
/// log.requestsByNode(configuration)   // [12, 11]
/// ```
public struct NginxAccessLog: Sendable, Hashable {
    /// One request.
    public struct Entry: Sendable, Hashable {
        /// The status nginx answered the client with (`502` when no node could serve it).
        public var status: Int
        /// Every node address nginx tried, in order (`127.0.0.1:8001`): a refused or failed
        /// try is followed by the next node's (`proxy_next_upstream`); the last one served.
        /// Empty when nginx answered without a node.
        public var upstreamAddresses: [String]
        /// Bytes nginx read from the client for the request (its head and body; for HTTP/2 as
        /// nginx estimates them from the decoded fields).
        public var requestBytes: Int
        /// Bytes nginx sent the client (head and body).
        public var bytesSent: Int
        /// Bytes nginx sent the nodes, summed over the tries.
        public var upstreamBytesSent: Int
        /// Bytes nginx read from the nodes, summed over the tries.
        public var upstreamBytesReceived: Int
        /// The client's session cookie (``NginxConfiguration/sessionCookie``); `nil` without one.
        public var session: String?
        /// `HTTP/1.1 GET /poll?after=0&encoding=json`.
        public var request: String

        /// The node address that answered: the last one tried (unless nginx answered `502` or
        /// `504` itself because every try failed); `nil` when nginx tried none.
        public var servedBy: String? { upstreamAddresses.last }
    }

    /// The requests in the order nginx logged them.
    public var entries: [Entry]

    /// Parses the log's lines; lines that are not in the format are skipped.
    public init(text: String) {
        entries = text.split(separator: "\n").compactMap(Self.entry)
    }

    /// How many requests each node served, by the node's index in `configuration.nodes` (its HTTP
    /// or gRPC port); requests nginx answered itself (`502`, `504`) or sent to no node are left out.
    public func requestsByNode(_ configuration: NginxConfiguration) -> [Int] {
        var counts = Array(repeating: 0, count: configuration.nodes.count)
        for entry in entries where entry.status != 502 && entry.status != 504 {
            if let index = node(entry, configuration) { counts[index] += 1 }
        }
        return counts
    }

    /// How many sessions (clients, by their session cookie) had requests served by more than
    /// one node, and the most nodes one session's requests reached: sticky sessions keep both
    /// at 0 and 1, round robin spreads a poller's requests over every node.
    public func sessionSpread(_ configuration: NginxConfiguration) -> (sessionsOnSeveralNodes: Int, mostNodes: Int) {
        var nodes: [String: Set<Int>] = [:]
        for entry in entries where entry.status != 502 && entry.status != 504 {
            guard let session = entry.session, let index = node(entry, configuration) else { continue }
            nodes[session, default: []].insert(index)
        }
        return (nodes.values.filter { $0.count > 1 }.count, nodes.values.map(\.count).max() ?? 0)
    }

    /// The index in `configuration.nodes` of the node that served `entry`.
    private func node(_ entry: Entry, _ configuration: NginxConfiguration) -> Int? {
        guard let served = entry.servedBy, let port = served.split(separator: ":").last.flatMap({ Int($0) }) else { return nil }
        return configuration.nodes.firstIndex(where: { $0.httpPort == port || $0.grpcPort == port })
    }

    /// One line: `$msec $status $upstream_addr $request_length $bytes_sent $upstream_bytes_sent
    /// $upstream_bytes_received $cookie_tb_session $request`, tab-separated.
    static func entry(_ line: Substring) -> Entry? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 9, let status = Int(fields[1]) else { return nil }
        return Entry(
            status: status, upstreamAddresses: addresses(fields[2]), requestBytes: Int(fields[3]) ?? 0, bytesSent: Int(fields[4]) ?? 0,
            upstreamBytesSent: sum(fields[5]), upstreamBytesReceived: sum(fields[6]),
            session: fields[7] == "-" || fields[7].isEmpty ? nil : String(fields[7]), request: String(fields[8]))
    }

    /// nginx separates the tries of one upstream with `, ` and the upstreams of an internal
    /// redirect with ` : `; it writes `-` for none, and the upstream's name when no node was up.
    private static func addresses(_ field: Substring) -> [String] {
        field.split(whereSeparator: { $0 == "," || $0 == " " }).filter { $0 != ":" && $0.contains(":") }.map(String.init)
    }

    /// The sum of a per-try list such as `113, 78`; `-` counts as 0.
    private static func sum(_ field: Substring) -> Int {
        field.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ":" }).compactMap { Int($0) }.reduce(0, +)
    }
}
