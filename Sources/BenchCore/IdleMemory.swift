/// What idle connections cost a server process in resident memory: `bench serve` alone in its
/// process, read from `/proc/PID/status` (VmRSS) before the clients connect and once they all
/// are connected and idle. Kernel socket buffers are not in it; everything the server's
/// user space keeps per connection (NIO channel and pipeline, HTTP/WebSocket/HTTP/2 state,
/// the task serving it) is.
public struct IdleMemory: Codable, Sendable, Hashable {
    public var transport: String
    public var connections: Int
    public var residentBytesBefore: Int
    public var residentBytesAfter: Int
    /// `(after - before) / connections`.
    public var residentBytesPerConnection: Double

    public init(transport: String, connections: Int, residentBytesBefore: Int, residentBytesAfter: Int) {
        (self.transport, self.connections, self.residentBytesBefore, self.residentBytesAfter) = (transport, connections, residentBytesBefore, residentBytesAfter)
        residentBytesPerConnection = connections == 0 ? 0 : Double(residentBytesAfter - residentBytesBefore) / Double(connections)
    }
}
