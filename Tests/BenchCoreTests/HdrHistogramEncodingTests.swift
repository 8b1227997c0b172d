import Foundation
import Histogram
import NIOCore
import Testing

@testable import BenchCore

@Suite("HdrHistogram's encoded form")
struct HdrHistogramEncodingTests {
    static func histogram(_ samples: [UInt64]) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestTrackableNanoseconds, numberOfSignificantValueDigits: .three)
        for sample in samples { _ = histogram.record(sample) }
        return histogram
    }

    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test("1, 1 and 3 encode as Java's V2 layout worked out by hand: 40-byte header, then counts 0, 2, 0, 1 as ZigZag varints")
    func handWorkedEncoding() {
        let encoding = HdrHistogramEncoding.uncompressed(Self.histogram([1, 1, 3]))
        // cookie 0x1c849303|0x10, payload length 4, index offset 0, 3 digits, lowest 1,
        // highest 600e9 = 0x8bb2c97000, ratio 1.0 = 0x3ff0000000000000; then counts[0...3]:
        // 0 -> zigzag 0, 2 -> 4, 0 -> 0, 1 -> 2 (values below 2048 have a slot each).
        let expected = Self.bytes("1c849313" + "00000004" + "00000000" + "00000003" + "0000000000000001" + "0000008bb2c97000" + "3ff0000000000000" + "00040002")
        #expect(Array(encoding.readableBytesView) == expected)
    }

    @Test("ZigZag varints: Java's form, up to the 9-byte case that carries 8 bits in its last byte")
    func zigZag() {
        let cases: [(Int64, String)] = [(0, "00"), (-1, "01"), (1, "02"), (-2, "03"), (63, "7e"), (-64, "7f"), (64, "8001"), (1000, "d00f"), (Int64.max, "feffffffffffffffff"), (Int64.min, "ffffffffffffffffff")]
        for (value, hex) in cases {
            var buffer = ByteBuffer()
            HdrHistogramEncoding.writeZigZag(value, to: &buffer)
            #expect(Array(buffer.readableBytesView) == Self.bytes(hex), "\(value)")
            #expect(HdrHistogramEncoding.readZigZag(from: &buffer) == value)
        }
    }

    @Test("a latency histogram survives encoding bucket for bucket: every percentile lands in the same bucket and the count is the same after decoding")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        let samples = (0..<5000).map { _ in UInt64(-log(generator.nextUnitInterval()) * 2_000_000) + 50_000 } + [599_000_000_000, 1]
        let original = Self.histogram(samples)
        let text = HdrHistogramEncoding.encode(original)
        #expect(text.hasPrefix("HISTFAAA"))
        let decoded = try HdrHistogramEncoding.decode(text)
        #expect(decoded.totalCount == original.totalCount)
        // hdrhistogram-swift clamps a percentile in the top bucket to the exact maximum, which the
        // encoding (Java's too) does not carry: the decoded one reads the bucket's highest value.
        for percentile in stride(from: 0.0, through: 100.0, by: 0.5) + [99.9, 99.99] {
            let (before, after) = (original.valueAtPercentile(percentile), decoded.valueAtPercentile(percentile))
            #expect(original.highestEquivalentForValue(before) == after, "p\(percentile)")
        }
        #expect(decoded.valueAtPercentile(50) == original.valueAtPercentile(50))
        #expect(Array(decoded.recordedValues().map { [$0.value, $0.count] }) == Array(original.recordedValues().map { [$0.value, $0.count] }))
        let latency = try LatencyHistogram(encoded: text, overflow: 3)
        #expect(latency.count == UInt64(samples.count) + 3)
    }

    @Test("damaged or foreign input is refused with a sentence, not a crash")
    func badInput() {
        #expect(throws: BenchError.self) { try HdrHistogramEncoding.decode("not base64!") }
        #expect(throws: BenchError.self) { try HdrHistogramEncoding.decode(Data([0, 1, 2, 3, 4, 5, 6, 7]).base64EncodedString()) }
        let text = HdrHistogramEncoding.encode(Self.histogram([5, 6, 7]))
        var damaged = Data(base64Encoded: text)!
        damaged[20] ^= 0xFF
        #expect(throws: BenchError.self) { try HdrHistogramEncoding.decode(damaged.base64EncodedString()) }
        // Another range than latency histograms use.
        let other = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .two)
        #expect(throws: BenchError.self) { try LatencyHistogram(encoded: HdrHistogramEncoding.encode(other)) }
    }

    static let python: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hdrh.histogram"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static func runPython(_ script: String, input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: output, as: UTF8.self)
    }

    static let percentiles = [50.0, 90, 99, 99.9, 100]

    @Test("HdrHistogram's Python library (hdrh) reads our encoding and finds the same count and percentiles", .enabled(if: python))
    func pythonReadsOurs() throws {
        var generator = SeededGenerator(seed: 11)
        let original = Self.histogram((0..<3000).map { _ in UInt64(generator.nextUnitInterval() * 40_000_000) + 1000 })
        let script = """
            import sys
            from hdrh.histogram import HdrHistogram
            h = HdrHistogram.decode(sys.stdin.read().strip())
            print(h.get_total_count(), *[h.get_value_at_percentile(p) for p in \(Self.percentiles)])
            """
        let printed = try Self.runPython(script, input: HdrHistogramEncoding.encode(original)).split(separator: " ").compactMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        // Like Java, hdrh reports a bucket's highest value; hdrhistogram-swift clamps the top one to the exact max.
        #expect(printed == [original.totalCount] + Self.percentiles.map { original.highestEquivalentForValue(original.valueAtPercentile($0)) })
    }

    @Test("we read what hdrh encodes (zlib-compressed, its own ZigZag choices) and find its count and percentiles", .enabled(if: python))
    func weReadPythons() throws {
        let script = """
            import random
            from hdrh.histogram import HdrHistogram
            random.seed(5)
            h = HdrHistogram(1, 600000000000, 3)
            for _ in range(4000): h.record_value(int(random.expovariate(1 / 3e6)) + 1)
            h.record_value(123456789012)
            print(h.encode().decode(), h.get_total_count(), *[h.get_value_at_percentile(p) for p in \(Self.percentiles)])
            """
        let fields = try Self.runPython(script, input: "").split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(fields.count == 2 + Self.percentiles.count)
        let decoded = try HdrHistogramEncoding.decode(fields[0])
        #expect([decoded.totalCount] + Self.percentiles.map { decoded.highestEquivalentForValue(decoded.valueAtPercentile($0)) } == fields.dropFirst().map { UInt64($0)! })
    }
}
