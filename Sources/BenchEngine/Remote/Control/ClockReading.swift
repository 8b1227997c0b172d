import BenchCore
import Foundation

/// `GET /control/clock`: the server's monotonic clock and its kernel's boot ID.
struct ClockReading: Codable {
    var nanoseconds: UInt64
    var bootID: String?

    static var now: ClockReading { ClockReading(nanoseconds: MonotonicClock.nowNanoseconds(), bootID: bootID) }

    /// Linux's `/proc/sys/kernel/random/boot_id`: two processes that read the same one share
    /// `CLOCK_MONOTONIC` (network namespaces included).
    static let bootID: String? = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
}
