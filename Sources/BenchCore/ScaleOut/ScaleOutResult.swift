/// A scale-out run's server side as measured: each node's share, the broker's bytes and hop,
/// the balancer's spread of requests, what was lost and where, and the node that was killed.
///
/// The row's own byte columns (``RunResult/bytesUp``, ``RunResult/bytesDown``) stay what the
/// server side's sockets carried — with a balancer, the balancer–node side; what the clients'
/// sockets carried (the client–balancer side, what users pay) is
/// ``RunResult/clientWireBytesSent``/``RunResult/clientWireBytesReceived``.
public struct ScaleOutResult: Codable, Sendable, Hashable {
    /// One node's share of the run.
    public struct Node: Codable, Sendable, Hashable {
        /// The node's number, from 1 as reports name it.
        public var number: Int
        /// Killed mid-run (`--kill-node-at`): its server counts died with it and are missing.
        public var killed: Bool
        /// TCP payload bytes the node's transport sockets read and wrote.
        public var bytesIn: Int
        public var bytesOut: Int
        public var connections: Int
        public var requests: Int
        /// The node process's CPU time and peak resident memory over the run.
        public var userCPUSeconds: Double?
        public var systemCPUSeconds: Double?
        public var peakResidentBytes: Int?
        /// The node's subscription; `nil` without a backplane or when its counts are missing.
        public var backplane: BackplaneTally?

        public init(number: Int, killed: Bool = false, bytesIn: Int = 0, bytesOut: Int = 0, connections: Int = 0, requests: Int = 0) {
            self.number = number
            self.killed = killed
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.connections = connections
            self.requests = requests
        }
    }

    public var settings: ScaleOutSettings
    public var nodes: [Node]
    /// The publisher's socket to Redis: its PUBLISH commands, and Redis's replies.
    public var publisherBytesSent: Int?
    public var publisherBytesReceived: Int?
    /// The fewest nodes an event reached, by PUBLISH's replies.
    public var fewestNodesReached: Int?
    /// Sequences whose PUBLISH failed (Redis went away): no node got them.
    public var lostAtPublish: [ClosedRange<UInt64>]
    /// Sequences some live node never received from the backplane, with the node's number.
    public var lostAtNodes: [Int: [ClosedRange<UInt64>]]
    /// Publish → a node's read, over every node's events (the broker hop).
    public var brokerHop: LatencySummary?
    /// When the last node was killed, seconds after publishing started; `nil` for none.
    public var nodeKilledAtSeconds: Double?
    /// Requests the balancer passed to each node (from its access log, once they ended);
    /// `nil` without a balancer.
    public var balancerRequestsByNode: [Int]?
    /// Clients (by their session cookie) whose requests the balancer sent to more than one node,
    /// and the most nodes one client's requests reached; `nil` without a balancer.
    public var clientsOnSeveralNodes: Int?
    public var mostNodesPerClient: Int?

    public init(settings: ScaleOutSettings, nodes: [Node]) {
        self.settings = settings
        self.nodes = nodes
        self.lostAtPublish = []
        self.lostAtNodes = [:]
    }

    /// Whether the backplane lost any event (at the publisher or at a live node): the run fails.
    public var backplaneLostEvents: Bool { !lostAtPublish.isEmpty || lostAtNodes.values.contains { !$0.isEmpty } }

    /// Broker bytes per event: the publisher's PUBLISH bytes, and what each live node's
    /// subscription read, divided by the events published.
    public func brokerBytesPerEvent(published: Int) -> (publish: Double, perNodeDelivery: Double)? {
        guard published > 0, let sent = publisherBytesSent else { return nil }
        let live = nodes.compactMap(\.backplane)
        let delivery = live.isEmpty ? 0 : Double(live.reduce(0) { $0 + $1.socketBytesReceived }) / Double(live.count)
        return (Double(sent) / Double(published), delivery / Double(published))
    }
}
