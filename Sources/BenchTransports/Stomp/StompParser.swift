import NIOCore

/// Reads the STOMP frames one WebSocket message carries (STOMP 1.2 §Augmented BNF).
///
/// A message holds whole frames, as stomp.js and stomp.py send them (one frame per message), and
/// heart-beats (an EOL, `\n` or `\r\n`) before, between or after them. A message that ends inside
/// a frame is an error, as are an unknown command, a line longer than ``maxLineBytes``, more
/// than ``maxHeaders`` headers, a header line without a colon, an escape STOMP does not define
/// and a `content-length` not followed by the NUL: each is a ``StompError`` whose message goes
/// in the ERROR frame's `message` header.
///
/// ```swift
/// let items = try StompParser.parse(ByteBuffer(string: "\nSUBSCRIBE\nid:0\ndestination:/topic/events\n\n\0"))
/// // [.heartbeat(bytes: 1), .frame(SUBSCRIBE…, framingBytes: 43)]
/// ```
public enum StompParser {
    /// The longest command or header line accepted, in bytes without its EOL.
    public static let maxLineBytes = 1024
    /// The most header lines a frame may have.
    public static let maxHeaders = 32

    /// What a message carries, in order.
    public enum Item: Sendable, Equatable {
        /// A heart-beat: an EOL of `bytes` bytes outside any frame.
        case heartbeat(bytes: Int)
        /// A frame, and its framing bytes: all of its bytes but the body.
        case frame(StompFrame, framingBytes: Int)
    }

    /// The frames and heart-beats in `message`.
    /// - Throws: ``StompError`` at the first thing STOMP 1.2 does not allow.
    public static func parse(_ message: ByteBuffer) throws(StompError) -> [Item] {
        let bytes = message.readableBytesView
        var items: [Item] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 10 {
                items.append(.heartbeat(bytes: 1))
                index += 1
                continue
            }
            if bytes[index] == 13, index + 1 < bytes.endIndex, bytes[index + 1] == 10 {
                items.append(.heartbeat(bytes: 2))
                index += 2
                continue
            }
            let start = index
            let frame = try parseFrame(bytes, at: &index, message: message)
            items.append(.frame(frame, framingBytes: index - start - frame.body.readableBytes))
        }
        return items
    }

    private static func parseFrame(_ bytes: ByteBufferView, at index: inout Int, message: ByteBuffer) throws(StompError) -> StompFrame {
        let commandLine = try line(bytes, at: &index)
        guard let command = StompFrame.Command(rawValue: commandLine) else {
            throw StompError("unknown command '\(commandLine.prefix(40))'")
        }
        var headers: [StompFrame.Header] = []
        while true {
            let text = try line(bytes, at: &index)
            if text.isEmpty { break }
            guard headers.count < maxHeaders else { throw StompError("more than \(maxHeaders) headers") }
            guard let colon = text.firstIndex(of: ":") else { throw StompError("header line without a colon") }
            let (name, value) = (text[..<colon], text[text.index(after: colon)...])
            if command.escapesHeaders {
                guard let name = StompFrame.unescape(name), let value = StompFrame.unescape(value) else {
                    throw StompError("undefined escape sequence in a header")
                }
                headers.append(StompFrame.Header(name, value))
            } else {
                headers.append(StompFrame.Header(String(name), String(value)))
            }
        }
        var frame = StompFrame(command, headers)
        let bodyStart = index
        let bodyEnd: Int
        if let declared = frame["content-length"] {
            guard let length = Int(declared), length >= 0 else { throw StompError("content-length is not a number of bytes") }
            guard bytes.endIndex - bodyStart > length else { throw StompError("frame ends before its content-length bytes and NUL") }
            bodyEnd = bodyStart + length
            guard bytes[bodyEnd] == 0 else { throw StompError("frame not terminated by NUL after its content-length bytes") }
        } else {
            guard let nul = bytes[bodyStart...].firstIndex(of: 0) else { throw StompError("frame not terminated by NUL") }
            bodyEnd = nul
        }
        frame.body = message.getSlice(at: message.readerIndex + (bodyStart - bytes.startIndex), length: bodyEnd - bodyStart)!
        index = bodyEnd + 1
        return frame
    }

    /// The line at `index` without its EOL (LF, or CR LF); moves `index` past the EOL.
    private static func line(_ bytes: ByteBufferView, at index: inout Int) throws(StompError) -> String {
        let limit = Swift.min(bytes.endIndex, index + maxLineBytes + 2)
        guard let end = bytes[index..<limit].firstIndex(of: 10) else {
            if limit - index > maxLineBytes + 1 { throw StompError("header line longer than \(maxLineBytes) bytes") }
            throw StompError("frame not terminated by NUL")
        }
        let contentEnd = end > index && bytes[end - 1] == 13 ? end - 1 : end
        guard contentEnd - index <= maxLineBytes else { throw StompError("header line longer than \(maxLineBytes) bytes") }
        let text = String(decoding: bytes[index..<contentEnd], as: UTF8.self)
        index = end + 1
        return text
    }
}

/// Input STOMP 1.2 does not allow; answered with an ERROR frame carrying ``message``, then a close.
public struct StompError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, for the ERROR frame's `message` header.
    public var message: String
    /// Headers the ERROR frame carries besides `message` (the versions the server speaks).
    public var headers: [StompFrame.Header]

    public init(_ message: String, headers: [StompFrame.Header] = []) {
        self.message = message
        self.headers = headers
    }

    public var description: String { message }

    /// The ERROR frame that answers it.
    public var frame: StompFrame {
        StompFrame(.error, headers + [StompFrame.Header("message", message)])
    }
}
