/// The instrument's floor during one run: how long a raw-TCP message took one way, on the same
/// machine and at the same time as the run's own events (``RunResult/instrumentFloorOneWayNanoseconds``).
///
/// A probe of blocking POSIX sockets on two threads of their own sends a message, stamped with
/// ``MonotonicClock`` just before the write, and the receiving thread takes the clock again once
/// the whole message is read: both ends share one clock, so the one-way time is measured, not
/// halved from a round trip. Each message goes after the previous one's answer, so none waits
/// behind another. Bursts come before the run's clients start, spread over the run and after they
/// stopped, as `bench baseline` interleaves its paths.
///
/// The two ends are kept on two different CPUs where there are two (``placement``): one core to
/// another, as a server's and a client's event loops on different cores are. On a VM a hop within
/// one core is about three times faster than one between cores (a sleeping virtual CPU is slow
/// to wake); left to the scheduler, the probe would jump between the two.
///
/// Behind an emulated link the floor is this loopback figure **plus** the link's one-way delay
/// (and a probe message's serialization at the link's down bandwidth): the probe does not cross
/// the ``LinkConditions`` emulator, a NIO handler inside the server whose own timer and event
/// loop are part of what the harness costs, not of the floor.
public struct InstrumentFloor: Codable, Sendable, Hashable {
    /// The floor every ratio divides by: ``loopbackP50Nanoseconds`` + ``linkNanoseconds``.
    public var oneWayNanoseconds: UInt64
    /// The probe's median and 99th percentile one way on loopback, over every burst.
    public var loopbackP50Nanoseconds: UInt64
    public var loopbackP99Nanoseconds: UInt64
    /// The median of the burst before the clients started and of the burst after they stopped: how
    /// far the floor moved during the run.
    public var startP50Nanoseconds: UInt64
    public var endP50Nanoseconds: UInt64
    /// Added for an emulated link: its one-way delay (the median of a delay ± uniform jitter)
    /// and a probe message's serialization at its down bandwidth; 0 on loopback.
    public var linkNanoseconds: UInt64
    /// Timed messages and the bursts they came in (warm-up messages are not counted).
    public var samples: Int
    public var bursts: Int
    /// Bytes per probe message, the stamp included.
    public var messageBytes: Int
    /// CPU time the probe's two threads used over the run (the load it added), in seconds,
    /// including the monitor's readings of /proc/stat.
    public var cpuSeconds: Double
    /// Where the probe's two ends ran: `sender on CPU 0, receiver on CPU 1` (kept on two cores,
    /// as a server's and a client's event loops on different cores are), or `unpinned`.
    public var placement: String?

    public init(
        loopbackP50Nanoseconds: UInt64, loopbackP99Nanoseconds: UInt64, startP50Nanoseconds: UInt64, endP50Nanoseconds: UInt64,
        linkNanoseconds: UInt64 = 0, samples: Int, bursts: Int, messageBytes: Int, cpuSeconds: Double
    ) {
        self.loopbackP50Nanoseconds = loopbackP50Nanoseconds
        self.loopbackP99Nanoseconds = loopbackP99Nanoseconds
        self.startP50Nanoseconds = startP50Nanoseconds
        self.endP50Nanoseconds = endP50Nanoseconds
        self.linkNanoseconds = linkNanoseconds
        self.samples = samples
        self.bursts = bursts
        self.messageBytes = messageBytes
        self.cpuSeconds = cpuSeconds
        oneWayNanoseconds = loopbackP50Nanoseconds + linkNanoseconds
    }

    /// How far the floor moved between the run's start and its end: the larger of the two
    /// bursts' medians over the smaller (1 when they agree).
    public var movement: Double {
        let (low, high) = (min(startP50Nanoseconds, endP50Nanoseconds), max(startP50Nanoseconds, endP50Nanoseconds))
        return Double(high) / Double(max(low, 1))
    }

    /// What an emulated link adds to the loopback floor: its one-way delay, and `messageBytes`
    /// serialized at its down bandwidth. Jitter is uniform around the delay, so the median stays it.
    public static func linkNanoseconds(_ link: LinkConditions?, messageBytes: Int) -> UInt64 {
        guard let link else { return 0 }
        let seconds = link.delaySeconds + LinkConditions.serialization(bytes: messageBytes, bitsPerSecond: link.downBitsPerSecond)
        return UInt64((seconds * 1e9).rounded())
    }
}
