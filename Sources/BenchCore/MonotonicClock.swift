import NIOCore

/// The one clock every timestamp in a run is taken from: Linux `CLOCK_MONOTONIC` (through
/// `NIODeadline`), in nanoseconds.
///
/// In-process, server and clients share it, so publish and receive times need no skew
/// correction. `bench run --target` puts the server in another process: on the same kernel
/// (same boot ID) `CLOCK_MONOTONIC` is still one clock; on another machine the runner estimates
/// the offset from control round trips and applies it to arrivals (``ClockRelation``,
/// ``DeliveryRecorder/clockOffsetNanoseconds``); the report states how the clocks were related.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point; only differences are meaningful.
    @inlinable
    public static func nowNanoseconds() -> UInt64 {
        NIODeadline.now().uptimeNanoseconds
    }
}
