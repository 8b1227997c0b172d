import NIOCore

/// The one clock every timestamp in a run is taken from: Linux `CLOCK_MONOTONIC` (through
/// `NIODeadline`), in nanoseconds.
///
/// Server and clients share one process, so publish and receive times need no skew correction.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point; only differences are meaningful.
    @inlinable
    public static func nowNanoseconds() -> UInt64 {
        NIODeadline.now().uptimeNanoseconds
    }
}
