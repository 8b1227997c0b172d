extension ScaleRow {
    /// One scale-out node's share of a `bench scale --nodes` row: the connections nginx gave it,
    /// its resident growth over them and its CPU time over the fan-out.
    public struct Node: Codable, Sendable, Hashable {
        /// From 1, in start order.
        public var number: Int
        /// Sockets the node held with every client connected, less those it held idle
        /// (its listeners and its Redis subscription): nginx's connections to it.
        public var connections: Int
        /// VmRSS before any client connected, and with every connection open and idle.
        public var residentBytesIdle: Int
        public var residentBytesConnected: Int
        /// The node's user and system CPU time from the PUBLISH to the last delivery (and the
        /// 200 ms after).
        public var fanOutUserCPUSeconds: Double
        public var fanOutSystemCPUSeconds: Double

        public init(
            number: Int, connections: Int, residentBytesIdle: Int, residentBytesConnected: Int, fanOutUserCPUSeconds: Double,
            fanOutSystemCPUSeconds: Double
        ) {
            (self.number, self.connections, self.residentBytesIdle, self.residentBytesConnected) = (
                number, connections, residentBytesIdle, residentBytesConnected
            )
            (self.fanOutUserCPUSeconds, self.fanOutSystemCPUSeconds) = (fanOutUserCPUSeconds, fanOutSystemCPUSeconds)
        }

        /// The node's resident growth per connection it held, in bytes.
        public var residentBytesPerConnection: Double {
            Double(residentBytesConnected - residentBytesIdle) / Double(max(connections, 1))
        }
    }
}
