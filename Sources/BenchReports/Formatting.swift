import Foundation

/// Number formatting shared by the text reports: plain digits (no locale), fixed decimals.
enum Format {
    /// Nanoseconds as milliseconds: 3 decimals below 10 ms, 1 above.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let ms = Double(nanoseconds) / 1e6
        return ms < 10 ? String(format: "%.3f", ms) : String(format: "%.1f", ms)
    }

    /// Nanoseconds as microseconds with 3 decimals: exact to the nanosecond.
    static func microseconds(_ nanoseconds: UInt64) -> String {
        String(format: "%.3f", Double(nanoseconds) / 1e3)
    }

    static func decimal(_ value: Double, places: Int) -> String {
        String(format: "%.\(places)f", value)
    }

    static func percent(_ ratio: Double) -> String {
        String(format: "%.1f", ratio * 100)
    }
}
