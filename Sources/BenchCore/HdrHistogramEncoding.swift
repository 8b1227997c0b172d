import CompressNIO
import Foundation
import Histogram
import NIOCore

/// HdrHistogram's own encoded form, so a latency histogram leaves `bench` without losing a
/// count: the V2 encoding (a 40-byte header, then the counts array with runs of zeros folded,
/// each number ZigZag-LEB128), compressed with zlib behind its 8-byte header, in base64 — the
/// `HISTFAAA…` strings that HdrHistogram's Java, C, Go and Python libraries write with
/// `encode()` and read with `decode()`, and that histogram logs carry.
///
/// The layout is Java's `AbstractHistogram.encodeIntoByteBuffer` and
/// `encodeIntoCompressedByteBuffer` (big-endian):
/// ```
/// compressed: cookie 0x1c849314 · int32 length of the zlib stream · zlib(encoding)
/// encoding:   cookie 0x1c849313 · int32 payload length · int32 normalizing index offset (0)
///             · int32 significant digits · int64 lowest discernible value
///             · int64 highest trackable value · float64 integer-to-double ratio (1.0) · payload
/// payload:    counts[0 ... index of the max], a count as ZigZag(count), a run of k > 1 zeros as ZigZag(-k)
/// ```
public enum HdrHistogramEncoding {
    static let encodingCookieBase: UInt32 = 0x1c84_9303
    static let compressedCookieBase: UInt32 = 0x1c84_9304
    /// The low nibble names the format, bits 4–7 once held the word size: Java writes 0x10 and
    /// reads any.
    static let wordSizeBits: UInt32 = 0x10

    /// `histogram` in the compressed, base64 form.
    public static func encode(_ histogram: Histogram<UInt64>) -> String {
        // A histogram of a few hundred buckets compresses to well under the bound.
        var encoding = uncompressed(histogram)
        let compressed = try! encoding.compress(with: .zlib())
        var framed = ByteBuffer()
        framed.writeInteger(compressedCookieBase | wordSizeBits)
        framed.writeInteger(UInt32(compressed.readableBytes))
        framed.writeImmutableBuffer(compressed)
        return Data(framed.readableBytesView).base64EncodedString()
    }

    /// The V2 encoding before compression: header and payload.
    static func uncompressed(_ histogram: Histogram<UInt64>) -> ByteBuffer {
        let layout = Layout(lowestDiscernibleValue: histogram.lowestDiscernibleValue, digits: Int(histogram.numberOfSignificantValueDigits.rawValue))
        var payload = ByteBuffer()
        var nextIndex = 0
        for bucket in histogram.recordedValues() {
            let index = layout.countsIndex(for: bucket.value)
            let zeros = index - nextIndex
            if zeros == 1 { writeZigZag(0, to: &payload) } else if zeros > 1 { writeZigZag(-Int64(zeros), to: &payload) }
            writeZigZag(Int64(bucket.count), to: &payload)
            nextIndex = index + 1
        }
        var encoding = ByteBuffer()
        encoding.writeInteger(encodingCookieBase | wordSizeBits)
        encoding.writeInteger(UInt32(payload.readableBytes))
        encoding.writeInteger(UInt32(0))
        encoding.writeInteger(UInt32(histogram.numberOfSignificantValueDigits.rawValue))
        encoding.writeInteger(histogram.lowestDiscernibleValue)
        encoding.writeInteger(histogram.highestTrackableValue)
        encoding.writeInteger((1.0 as Double).bitPattern)
        encoding.writeBuffer(&payload)
        return encoding
    }

    /// Reads the compressed base64 form (or the uncompressed V2 encoding in base64).
    /// - Throws: ``BenchError`` (usage) naming what is wrong with the text.
    public static func decode(_ text: String) throws(BenchError) -> Histogram<UInt64> {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .usage("an encoded histogram is not base64")
        }
        var buffer = ByteBuffer(data: data)
        guard let cookie = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { throw .usage("an encoded histogram is shorter than its cookie") }
        if cookie & ~0xF0 == compressedCookieBase {
            buffer.moveReaderIndex(forwardBy: 4)
            guard let length = buffer.readInteger(as: UInt32.self), var compressed = buffer.readSlice(length: Int(length)) else {
                throw .usage("an encoded histogram's compressed length does not match its size")
            }
            do { buffer = try compressed.decompress(with: .zlib()) } catch { throw .usage("an encoded histogram's zlib stream is damaged (\(error))") }
        }
        return try decodeEncoding(&buffer)
    }

    private static func decodeEncoding(_ buffer: inout ByteBuffer) throws(BenchError) -> Histogram<UInt64> {
        guard let cookie = buffer.readInteger(as: UInt32.self), cookie & ~0xF0 == encodingCookieBase else {
            throw .usage("not an HdrHistogram V2 encoding (cookie is not 0x1c849303 or its compressed form)")
        }
        guard let payloadLength = buffer.readInteger(as: UInt32.self), let offset = buffer.readInteger(as: Int32.self),
            let digits = buffer.readInteger(as: UInt32.self), let lowest = buffer.readInteger(as: UInt64.self),
            let highest = buffer.readInteger(as: UInt64.self), let ratio = buffer.readInteger(as: UInt64.self),
            var payload = buffer.readSlice(length: Int(payloadLength))
        else { throw .usage("an encoded histogram's header or payload is cut short") }
        guard offset == 0 else { throw .usage("an encoded histogram has a normalizing index offset (\(offset)); shifted histograms are not read") }
        guard Double(bitPattern: ratio) == 1 else { throw .usage("an encoded histogram is a double histogram (conversion ratio \(Double(bitPattern: ratio))); integer histograms only") }
        guard let significant = SignificantDigits(rawValue: Int8(clamping: digits)), lowest >= 1, highest >= 2 * lowest else {
            throw .usage("an encoded histogram's parameters are out of range (\(digits) digits, values \(lowest)…\(highest))")
        }
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: significant)
        let layout = Layout(lowestDiscernibleValue: lowest, digits: Int(digits))
        var index = 0
        var buckets: [(index: Int, count: UInt64)] = []
        while payload.readableBytes > 0 {
            guard let number = readZigZag(from: &payload) else { throw .usage("an encoded histogram's counts end in the middle of a number") }
            if number < 0 {
                index += Int(-number)
            } else {
                if number > 0 { buckets.append((index, UInt64(number))) }
                index += 1
            }
        }
        for (position, bucket) in buckets.enumerated() {
            // Any value of the bucket lands in it; the top bucket records its highest value, as
            // Java's decoder sets the maximum.
            let low = layout.lowestValue(at: bucket.index)
            let value = position == buckets.count - 1 ? histogram.highestEquivalentForValue(low) : low
            guard histogram.record(value, count: bucket.count) else {
                throw .usage("an encoded histogram has counts above its own highest trackable value")
            }
        }
        return histogram
    }

    /// The counts array's layout for a lowest discernible value and a precision (Java's and
    /// hdrhistogram-swift's: buckets of `subBucketCount` linear slots, each bucket twice as wide).
    struct Layout {
        let unitMagnitude: Int
        let subBucketHalfCountMagnitude: Int
        let subBucketMask: UInt64
        let leadingZeroCountBase: Int

        init(lowestDiscernibleValue: UInt64, digits: Int) {
            unitMagnitude = 63 - lowestDiscernibleValue.leadingZeroBitCount
            var largestSingleUnit: UInt64 = 2
            for _ in 0..<digits { largestSingleUnit *= 10 }
            let subBucketCountMagnitude = Int((Double(largestSingleUnit)).log2.rounded(.up))
            subBucketHalfCountMagnitude = Swift.max(subBucketCountMagnitude, 1) - 1
            subBucketMask = (UInt64(1 << (subBucketHalfCountMagnitude + 1)) - 1) << unitMagnitude
            leadingZeroCountBase = 64 - unitMagnitude - subBucketHalfCountMagnitude - 1
        }

        func countsIndex(for value: UInt64) -> Int {
            let bucketIndex = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
            let subBucketIndex = Int(value >> (bucketIndex + unitMagnitude))
            return ((bucketIndex + 1) << subBucketHalfCountMagnitude) + subBucketIndex - (1 << subBucketHalfCountMagnitude)
        }

        func lowestValue(at index: Int) -> UInt64 {
            var bucketIndex = (index >> subBucketHalfCountMagnitude) - 1
            var subBucketIndex = (index & ((1 << subBucketHalfCountMagnitude) - 1)) + (1 << subBucketHalfCountMagnitude)
            if bucketIndex < 0 {
                subBucketIndex -= 1 << subBucketHalfCountMagnitude
                bucketIndex = 0
            }
            return UInt64(subBucketIndex) << (bucketIndex + unitMagnitude)
        }
    }

    /// ZigZag, then little-endian base-128 with the 9th byte carrying 8 bits (Java's `ZigZagEncoding`).
    static func writeZigZag(_ value: Int64, to buffer: inout ByteBuffer) {
        var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if rest < 0x80 {
                buffer.writeInteger(UInt8(rest))
                return
            }
            buffer.writeInteger(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        buffer.writeInteger(UInt8(truncatingIfNeeded: rest))
    }

    static func readZigZag(from buffer: inout ByteBuffer) -> Int64? {
        var value: UInt64 = 0
        for byteIndex in 0..<9 {
            guard let byte = buffer.readInteger(as: UInt8.self) else { return nil }
            if byteIndex == 8 {
                value |= UInt64(byte) << 56
                break
            }
            value |= UInt64(byte & 0x7F) << (7 * byteIndex)
            if byte & 0x80 == 0 { break }
        }
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}

private extension Double {
    var log2: Double { Foundation.log2(self) }
}
