#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchCore
import Foundation
import Synchronization

/// A raw-TCP one-way probe on loopback (``InstrumentFloor``): two blocking POSIX sockets, the
/// sending end driven by its caller's thread, the receiving end on a thread of its own.
///
/// Where the machine has two CPUs for this process, the two ends are kept on different ones
/// (``placement``): a message from one core to another, the hop from the server's event loop to a
/// client's on another core. Left to the scheduler, the two threads sometimes share a core
/// and sometimes not, and on a VM the two differ by about three times (a sleeping virtual CPU is
/// slow to wake), so an unpinned floor jumps between two values from burst to burst.
///
/// Each message carries ``MonotonicClock``'s time taken just before its write; the receiver
/// takes the clock again once the whole message is read and sends the difference back, and the
/// next message goes only then, so none waits behind another and the sender owns every sample.
///
/// ```swift
/// let probe = try FloorProbe()
/// let oneWay = try probe.burst(20)   // nanoseconds, one per message
/// let receiverCPUSeconds = probe.close()
/// ```
final class FloorProbe: Sendable {
    /// Bytes per message: the 8-byte stamp and filler, as `bench baseline`'s default messages.
    static let messageBytes = 64

    private let sender: Socket
    /// The CPUs the sending and the receiving ends are kept on; `nil` when unpinned.
    let cpus: (sender: Int, receiver: Int)?
    private let receiverDone = DispatchSemaphore(value: 0)
    private let receiverCPUSeconds = Mutex(0.0)

    /// Connects the two ends, starts the receiving thread and keeps it on another CPU than the
    /// calling thread, which it keeps on the first CPU it may use (the calling thread sends).
    init() throws {
        let allowed = CPUAffinity.allowed()
        let cpus = allowed.count >= 2 && CPUAffinity.pin(to: allowed[0]) ? (sender: allowed[0], receiver: allowed[1]) : nil
        self.cpus = cpus
        let listener = try Socket.listen()
        defer { listener.close() }
        sender = try Socket.connect(port: listener.port)
        let receiver = try listener.accept()
        Thread { [self] in
            if let cpus { CPUAffinity.pin(to: cpus.receiver) }
            var message = [UInt8](repeating: 0, count: Self.messageBytes)
            while (try? receiver.readExactly(&message)) == true {
                let arrived = MonotonicClock.nowNanoseconds()
                let sent = message.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                guard (try? receiver.writeAll(withUnsafeBytes(of: arrived &- sent) { Array($0) })) != nil else { break }
            }
            receiverCPUSeconds.withLock { $0 = Self.threadCPUSeconds() }
            receiver.close()
            receiverDone.signal()
        }.start()
    }

    /// Where the two ends ran: `sender on CPU 0, receiver on CPU 1`, or `unpinned`.
    var placement: String {
        cpus.map { "sender on CPU \($0.sender), receiver on CPU \($0.receiver)" } ?? "unpinned"
    }

    /// Sends `count` messages, each `gap` seconds after the previous one's time came back, and
    /// returns their one-way times in nanoseconds. Blocks the calling thread.
    ///
    /// With a gap both ends sit idle between messages, as a run's connections do between events:
    /// a message sent back to back with the last finds warm caches and a CPU not yet asleep, and
    /// crosses faster than any event of a run that publishes a few hundred a second.
    func burst(_ count: Int, gap: Double = 0) throws -> [UInt64] {
        var message = [UInt8](repeating: 0x42, count: Self.messageBytes)
        var answer = [UInt8](repeating: 0, count: 8)
        var times: [UInt64] = []
        times.reserveCapacity(count)
        for index in 0..<count {
            if gap > 0 && index > 0 { usleep(useconds_t(gap * 1e6)) }
            let stamp = MonotonicClock.nowNanoseconds()
            message.withUnsafeMutableBytes { $0.storeBytes(of: stamp, as: UInt64.self) }
            try sender.writeAll(message)
            guard try sender.readExactly(&answer) else { throw BenchError.runFailed("the floor probe's receiver closed its end") }
            times.append(answer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        }
        return times
    }

    /// Closes the sending end, waits for the receiving thread to see it and end, and returns
    /// the CPU time that thread used, in seconds.
    func close() -> Double {
        sender.close()
        receiverDone.wait()
        return receiverCPUSeconds.withLock { $0 }
    }

    /// The CPU time the calling thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
