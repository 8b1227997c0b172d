import NIOCore
import NIOPosix
import Synchronization

/// Set once by a timer task, read by the test.
final class TimerFlag: Sendable {
    private let fired = Atomic<Bool>(false)
    func set() { fired.store(true, ordering: .relaxed) }
    var value: Bool { fired.load(ordering: .relaxed) }
}

/// A TCP client with no HTTP code at all: writes the given bytes, then reads until the server
/// closes. What it wrote and read is the independent side of the byte-count comparisons.
enum RawTCPClient {
    static func exchange(port: Int, sending request: String) async throws -> [UInt8] {
        try await conversation(port: port, steps: [(Array(request.utf8), nil)])
    }

    /// `GET target` with `Connection: close` and any extra header lines; the whole response as text.
    static func get(_ target: String, port: Int, headers: String = "") async throws -> String {
        let request = "GET \(target) HTTP/1.1\r\nHost: x\r\n\(headers)Connection: close\r\n\r\n"
        return String(decoding: try await exchange(port: port, sending: request), as: UTF8.self)
    }

    /// Writes `request`, reads until the server closes or `timeout` passes; returns what was read
    /// and whether the server closed the connection.
    static func exchange(port: Int, sending request: String, timeout: Duration) async throws -> (bytes: [UInt8], serverClosed: Bool) {
        try await exchange(port: port, sending: Array(request.utf8), timeout: timeout)
    }

    /// Writes `request`'s bytes, reads until the server closes or `timeout` passes; returns what
    /// was read and whether the server closed the connection.
    static func exchange(port: Int, sending request: [UInt8], timeout: Duration) async throws -> (bytes: [UInt8], serverClosed: Bool) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let rawChannel = channel.channel
        let timerFired = TimerFlag()
        let timer = Task {
            try await Task.sleep(for: timeout)
            timerFired.set()
            rawChannel.close(promise: nil)
        }
        defer { timer.cancel() }
        let received = try await channel.executeThenClose { inbound, outbound in
            // A server that closes at once (a connection over the limit) may do so before the
            // request is written; what was read and the close are then the answer.
            try? await outbound.write(ByteBuffer(bytes: request))
            var received: [UInt8] = []
            do {
                for try await chunk in inbound { received += chunk.readableBytesView }
            } catch {}
            return received
        }
        return (received, !timerFired.value)
    }

    /// Writes each step's bytes, then (when given) reads until the bytes read so far end with
    /// the step's marker; finally reads until the server closes. Returns everything read.
    static func conversation(port: Int, steps: [(send: [UInt8], readUntil: [UInt8]?)]) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var received: [UInt8] = []
            var chunks = inbound.makeAsyncIterator()
            for step in steps {
                try await outbound.write(ByteBuffer(bytes: step.send))
                if let marker = step.readUntil {
                    while !received.ends(with: marker), let chunk = try await chunks.next() { received += chunk.readableBytesView }
                }
            }
            while let chunk = try await chunks.next() { received += chunk.readableBytesView }
            return received
        }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }

    /// How many times `pattern` occurs, without overlaps.
    func occurrences(of pattern: [UInt8]) -> Int {
        guard !pattern.isEmpty, count >= pattern.count else { return 0 }
        var found = 0
        var index = 0
        while index + pattern.count <= count {
            if self[index..<(index + pattern.count)].elementsEqual(pattern) {
                found += 1
                index += pattern.count
            } else {
                index += 1
            }
        }
        return found
    }
}
