import BenchCore
import NIOCore
import Synchronization

/// The TCP payload bytes one client's connections read from and wrote to their sockets.
///
/// The client side's counterpart of the server's `WireMeter`: a ``ClientWireMeter`` first in
/// each of the client's pipelines (in front of TLS and every decoder) adds to it, on whichever
/// event loop the connection runs, with relaxed atomics (no lock per read or write). With a
/// load balancer in front of the server, these are the bytes of the client–balancer side,
/// which only the clients can count. The runner makes one per client (``ClientTarget/wire``)
/// and folds it into the client's ``DeliveryRecorder`` when the client's run ends.
///
/// ```swift
/// let target = ClientTarget(host: host, port: port, clientIndex: 0, scenario: scenario, wire: ClientWireCounter())
/// await client.run(target, recorder: &recorder)
/// target.wire?.collect(into: &recorder)
/// ```
public typealias ClientWireCounter = SocketByteCounter

extension SocketByteCounter {
    /// Adds what the client's connections counted to `recorder`'s ``DeliveryRecorder/wireBytesReceived``
    /// and ``DeliveryRecorder/wireBytesSent``.
    public func collect(into recorder: inout DeliveryRecorder) {
        recorder.wireBytesReceived += bytesReceived
        recorder.wireBytesSent += bytesSent
    }
}

/// Counts a client connection's bytes at the socket into its client's ``ClientWireCounter``,
/// first in the pipeline (``ClientTarget/addWireMeter(to:)``): TLS records, request heads, the
/// WebSocket upgrade and frames, HTTP/2 frames alike.
typealias ClientWireMeter = SocketByteMeter
