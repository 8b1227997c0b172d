/// One transport's figures from `bench scale`: a `bench serve` process holding `connections`
/// connections, then publishing `events` events at once to every one of them.
public struct ScaleRow: Codable, Sendable, Hashable {
    public var transport: String
    /// The transport's name for tables (`SSE`); `nil` in documents written before it was recorded.
    public var transportName: String?
    /// The name for tables: ``transportName``, or ``transport`` in older documents.
    public var displayName: String { transportName ?? transport }
    public var connections: Int
    public var events: Int
    public var deliveriesExpected: Int
    public var deliveries: Int
    /// The server's VmRSS before any client connected, and with every connection open and idle.
    public var residentBytesIdle: Int
    public var residentBytesConnected: Int
    /// The server's VmRSS once the fan-out is over and every connection is idle again: what the
    /// events left behind per connection (compression contexts); `nil` in older documents.
    public var residentBytesAfterFanOut: Int?
    /// The compression policy (``CompressionSettings/label``); `nil` in older documents (off).
    public var compression: String?
    /// The connections' TLS (``TLSSettings/label``: `off`, `TLS 1.3, P-256`, …); `nil` in older
    /// documents (cleartext).
    public var tls: String?
    /// From the first client's connect to the last client ready: TCP, the TLS handshake, the
    /// transport's own setup (an upgrade, a first request); `nil` in older documents.
    public var connectSeconds: Double?
    /// The server's user and system CPU time while the connections opened (and the half second
    /// after, while the last writes settle); `nil` in older documents.
    public var serverConnectUserCPUSeconds: Double?
    public var serverConnectSystemCPUSeconds: Double?
    /// The server's VmHWM at the end.
    public var peakResidentBytes: Int
    /// From the publish request to the last delivery.
    public var fanOutSeconds: Double
    public var serverUserCPUSeconds: Double
    public var serverSystemCPUSeconds: Double
    /// Publish to delivery, across processes on one machine's monotonic clock.
    public var latencyP50Nanoseconds: UInt64
    public var latencyP99Nanoseconds: UInt64
    public var latencyMaxNanoseconds: UInt64
    /// Server nodes (`bench scale --nodes`), each a `bench serve` process relaying the events
    /// from Redis behind nginx; `nil` for one process. The server figures above are then the
    /// nodes' summed (resident sizes, peak included, and CPU times).
    public var nodes: Int?
    /// The deployment (``ScaleOutSettings/label``: `2 nodes, nginx round robin, redis`); `nil` for one process.
    public var deployment: String?
    /// Each node's figures, in node order; `nil` for one process.
    public var nodeFigures: [Node]?

    public init(
        transport: String, connections: Int, events: Int, deliveriesExpected: Int, deliveries: Int, residentBytesIdle: Int,
        residentBytesConnected: Int, peakResidentBytes: Int, fanOutSeconds: Double, serverUserCPUSeconds: Double, serverSystemCPUSeconds: Double,
        latencyP50Nanoseconds: UInt64, latencyP99Nanoseconds: UInt64, latencyMaxNanoseconds: UInt64
    ) {
        (self.transport, self.connections, self.events, self.deliveriesExpected, self.deliveries) = (transport, connections, events, deliveriesExpected, deliveries)
        (self.residentBytesIdle, self.residentBytesConnected, self.peakResidentBytes) = (residentBytesIdle, residentBytesConnected, peakResidentBytes)
        (self.fanOutSeconds, self.serverUserCPUSeconds, self.serverSystemCPUSeconds) = (fanOutSeconds, serverUserCPUSeconds, serverSystemCPUSeconds)
        (self.latencyP50Nanoseconds, self.latencyP99Nanoseconds, self.latencyMaxNanoseconds) = (latencyP50Nanoseconds, latencyP99Nanoseconds, latencyMaxNanoseconds)
    }

    /// The server's resident growth per connection, in bytes.
    public var residentBytesPerConnection: Double { Double(residentBytesConnected - residentBytesIdle) / Double(max(connections, 1)) }
    /// The server's resident growth per connection after the fan-out, from before any connection.
    public var residentBytesPerConnectionAfterFanOut: Double? {
        residentBytesAfterFanOut.map { Double($0 - residentBytesIdle) / Double(max(connections, 1)) }
    }
    /// The server's user and system CPU time per connection opened, in microseconds: accepting
    /// it, the transport's setup and, with TLS, the server's half of the handshake.
    public var serverCPUMicrosecondsPerConnection: Double? {
        guard let user = serverConnectUserCPUSeconds, let system = serverConnectSystemCPUSeconds else { return nil }
        return (user + system) * 1e6 / Double(max(connections, 1))
    }
    /// Deliveries over the fan-out time.
    public var deliveriesPerSecond: Double { fanOutSeconds > 0 ? Double(deliveries) / fanOutSeconds : 0 }
    /// The server's user and system CPU time per delivery, in microseconds.
    public var serverCPUMicrosecondsPerDelivery: Double {
        deliveries > 0 ? (serverUserCPUSeconds + serverSystemCPUSeconds) * 1e6 / Double(deliveries) : 0
    }
}
