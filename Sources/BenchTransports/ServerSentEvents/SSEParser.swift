import NIOCore

/// One dispatched Server-Sent Event.
public struct SSEMessage: Sendable, Hashable {
    /// The `event:` type, `message` when absent.
    public var type: String
    /// The `data:` lines joined with line feeds.
    public var data: String
    /// The last event ID in force when the event was dispatched.
    public var lastEventID: String
}

/// The `text/event-stream` parser of the WHATWG HTML standard (§9.2.6), as a value-type state
/// machine fed with whatever chunks the network delivers.
///
/// Lines end with CRLF, LF or CR, also across chunk boundaries; `:` starts a comment; a blank
/// line dispatches the event being built, if it has data; `id:` sets the last event ID (ignored
/// when it contains NUL), `retry:` the reconnection time (ignored unless all digits).
public struct SSEParser: Sendable {
    /// The ID a reconnecting client sends back in `Last-Event-ID`.
    public private(set) var lastEventID: String
    /// The reconnection time the server asked for, in milliseconds.
    public private(set) var retryMilliseconds: Int?
    /// Comment lines seen (heartbeats).
    public private(set) var comments = 0

    private var line: [UInt8] = []
    private var skipLineFeed = false
    private var data: [UInt8] = []
    private var hasData = false
    private var type = ""
    private var idBuffer: String

    public init(lastEventID: String = "") {
        self.lastEventID = lastEventID
        self.idBuffer = lastEventID
    }

    /// Feeds bytes; returns the events they completed, in order.
    public mutating func feed(_ buffer: ByteBuffer) -> [SSEMessage] {
        var messages: [SSEMessage] = []
        for byte in buffer.readableBytesView {
            if skipLineFeed {
                skipLineFeed = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                processLine(into: &messages)
            case UInt8(ascii: "\r"):
                processLine(into: &messages)
                skipLineFeed = true
            default:
                line.append(byte)
            }
        }
        return messages
    }

    private mutating func processLine(into messages: inout [SSEMessage]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(into: &messages)
            return
        }
        if line[0] == UInt8(ascii: ":") {
            comments += 1
            return
        }
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            type = String(decoding: value, as: UTF8.self)
        case "data":
            data.append(contentsOf: value)
            data.append(UInt8(ascii: "\n"))
            hasData = true
        case "id":
            if !value.contains(0) { idBuffer = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                retryMilliseconds = Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break
        }
    }

    private mutating func dispatch(into messages: inout [SSEMessage]) {
        lastEventID = idBuffer
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            type = ""
        }
        guard hasData else { return }
        data.removeLast()  // the trailing line feed
        messages.append(SSEMessage(type: type.isEmpty ? "message" : type, data: String(decoding: data, as: UTF8.self), lastEventID: lastEventID))
    }
}
