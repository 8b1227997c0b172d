import BenchCore
import Foundation

/// Number formatting shared by the reports and the command line: plain digits (no locale).
public enum Format {
    /// Nanoseconds as milliseconds: 3 decimals below 10 ms, 1 above.
    public static func milliseconds(_ nanoseconds: UInt64) -> String {
        let ms = Double(nanoseconds) / 1e6
        return ms < 10 ? String(format: "%.3f", ms) : String(format: "%.1f", ms)
    }

    /// How a run's two clocks were related (`bench run --target`): the source, and an estimated
    /// offset (the server's clock minus this one's) with its uncertainty.
    public static func clock(_ clock: ClockRelation) -> String {
        guard clock.uncertaintyNanoseconds > 0 else { return clock.source }
        let sign = clock.offsetNanoseconds < 0 ? "−" : "+"
        return "\(clock.source), server clock \(sign)\(milliseconds(clock.offsetNanoseconds.magnitude)) ms ± \(milliseconds(clock.uncertaintyNanoseconds)) ms"
    }

    /// Nanoseconds as microseconds with 3 decimals: exact to the nanosecond.
    static func microseconds(_ nanoseconds: UInt64) -> String {
        String(format: "%.3f", Double(nanoseconds) / 1e3)
    }

    public static func decimal(_ value: Double, places: Int) -> String {
        String(format: "%.\(places)f", value)
    }

    static func percent(_ ratio: Double) -> String {
        String(format: "%.1f", ratio * 100)
    }

    /// Four significant digits, no exponent, no grouping, no trailing zeros: 0.0001234, 0.01667,
    /// 12.35, 60, 1235, 123457.
    public static func significant(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value == 0 { return "0" }
        let magnitude = Int(floor(log10(abs(value))))
        let places = Swift.max(0, 3 - magnitude)
        var text = String(format: "%.\(places)f", value)
        if places > 0, text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

extension RunResult {
    /// `keep-alive, HTTP/1.1, json`; with `layers`, then the layers the row ran over:
    /// `, compressed`, `, TLS 1.3`. Every table names a row this way.
    func variantLabel(layers: Bool = true) -> String {
        var label = "\(variant), HTTP/\(httpVersion), \(encoding)"
        if layers {
            if compressionOn { label += ", compressed" }
            if isTLS { label += ", \(tlsVersionLabel)" }
            if let scaleOut { label += ", " + scaleOut.settings.label }
        }
        return label
    }
}
