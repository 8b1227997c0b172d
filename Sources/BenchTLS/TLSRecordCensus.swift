import BenchCore
import NIOCore
import NIOSSL
import NIOTLS

/// What the census below the TLS handler and the meter above it know of one connection; used on
/// its event loop only.
final class TLSLayerState {
    /// The TLS handler has fired `handshakeCompleted`: its handshake flight is already written.
    var handshakeComplete = false
    /// The connection is being closed from above: what the TLS handler writes now is its
    /// close_notify.
    var closing = false
    /// The size of the inbound application-data record the census is handing up, while it does.
    private var watchedInbound: Int?
    let counter: TLSCounter

    init(counter: TLSCounter) {
        self.counter = counter
    }

    /// Hands an inbound application-data record up with `forward`, watching for an answer.
    func watchInbound(recordBytes: Int, _ forward: () -> Void) {
        watchedInbound = recordBytes
        forward()
        watchedInbound = nil
    }

    /// Whether an inbound record is being handed up.
    var isWatchingInbound: Bool { watchedInbound != nil }

    /// The TLS handler answered the record being handed up at once (a record that carries no
    /// plaintext, a close, the end of a shutdown): it was an alert (close_notify). Counted now,
    /// before the close it causes folds the connection's counts.
    func inboundAnswered() {
        guard let bytes = watchedInbound else { return }
        watchedInbound = nil
        counter.reclassifyInboundRecordAsAlert(bytes: bytes)
    }

    /// The plaintext written since the last flush.
    var pendingPlaintext = 0
    /// While a flush from above is passed down: the outbound pieces written so far (bytes, and
    /// whether each starts a record) and the records they start, counted when the flush returns.
    /// Kept between flushes, so a flush allocates nothing.
    private(set) var isFlushing = false
    private var flushed: [(bytes: Int, startsRecord: Bool)] = []
    private var flushedRecords = 0
    /// Application-data records the flush under way will write, and the plaintext they carry.
    private var flushExpected = 0
    private var flushPlaintext = 0

    /// Notes an outbound piece of an application-data record written during a flush.
    func noteFlushed(bytes: Int, startsRecord: Bool) {
        flushed.append((bytes, startsRecord))
        if startsRecord { flushedRecords += 1 }
    }

    /// The largest plaintext of one record (RFC 8446 §5.1).
    static let maxFragment = 16_384

    /// Application-data records (and their plaintext) flushed before the handshake completed:
    /// the TLS handler holds such writes and writes them once it completes (gRPC's listener
    /// sends its HTTP/2 SETTINGS as soon as the connection is accepted).
    private var heldRecords = 0
    private var heldPlaintext = 0

    /// Whether the TLS handler holds flushed writes until its handshake completes.
    var holdsWrites: Bool { heldRecords > 0 }

    /// Passes a flush down, then counts what it wrote: the last records are the application
    /// data — the ``TLSWriteCoalescer`` below hands the flush's plaintext to the TLS handler as
    /// one write, which takes one record per 16 KiB; records before them are handshake messages
    /// BoringSSL held back until the first write (TLS 1.3's session tickets).
    func flush(_ flush: () -> Void) {
        let plaintext = pendingPlaintext
        let records = (plaintext + Self.maxFragment - 1) / Self.maxFragment
        pendingPlaintext = 0
        count(records: records, plaintext: plaintext, writtenBy: flush)
    }

    /// Hands up an inbound handshake record with `forward` while the TLS handler holds writes,
    /// and counts what it writes as those writes' flush: the record may complete the handshake,
    /// after which the handler writes what it held (after the tickets TLS 1.3 sends first).
    func forwardReleasingHeldWrites(_ forward: () -> Void) {
        let (records, plaintext) = (heldRecords, heldPlaintext)
        (heldRecords, heldPlaintext) = (0, 0)
        count(records: records, plaintext: plaintext, writtenBy: forward)
    }

    /// Runs `body`, during which the TLS handler writes `records` application-data records
    /// carrying `plaintext`, and counts what it wrote.
    private func count(records: Int, plaintext: Int, writtenBy body: () -> Void) {
        flushExpected += records
        flushPlaintext += plaintext
        // A flush inside a flush (a write's promise writing again): the outer one counts.
        guard !isFlushing else { return body() }
        isFlushing = true
        body()
        isFlushing = false
        let (expected, plaintext, records) = (flushExpected, flushPlaintext, flushedRecords)
        (flushExpected, flushPlaintext, flushedRecords) = (0, 0, 0)
        defer { flushed.removeAll(keepingCapacity: true) }
        if records > 0 || expected == 0 {
            counter.countPlaintext(plaintext, .outbound)
        } else if !handshakeComplete {
            // Held by the TLS handler until its handshake completes.
            (heldRecords, heldPlaintext) = (heldRecords + expected, heldPlaintext + plaintext)
        }
        // Otherwise the TLS handler dropped the plaintext (written after it closed): it never
        // reached the wire.
        var recordsLeft = records
        for piece in flushed {
            if piece.startsRecord { recordsLeft -= 1 }
            // recordsLeft counts the records after this piece's own.
            let kind: TLSCounter.Kind = recordsLeft < expected ? .applicationData : .handshake
            counter.count(piece.bytes, of: kind, .outbound, startsRecord: piece.startsRecord)
        }
    }
}

/// Reads TLS record headers (RFC 8446 §5.1: type, legacy version, length) in the ciphertext
/// both ways and counts each record's bytes as handshake, application data or alert
/// (``TLSCounter``). It sits right above the WireMeter and below swift-nio-ssl's handler.
///
/// TLS 1.2 names every record's content type in its header. TLS 1.3 encrypts the handshake after
/// the ServerHello and every alert under the outer type `application_data` (§5.2), so the census
/// also reads the connection's state:
///
/// - every record before the handshake completed on this side is handshake (the TLS handler
///   writes its flight before it reports completion; inbound records are handed up one at a
///   time, so the record that completes the handshake is the last one counted as handshake);
/// - after it, outbound records written during a flush from above carry application data, but for
///   those BoringSSL held back and writes first (TLS 1.3 sends its session tickets with the first
///   write: ``TLSLayerState/flush(_:)``); so do the writes flushed before the handshake
///   completed, which the TLS handler writes when it completes, while the census hands up the
///   record that completed it (``TLSLayerState/forwardReleasingHeldWrites(_:)``); records
///   written while the connection closes are its close_notify; others are handshake messages;
/// - inbound records after it carry application data, unless the TLS handler answered one at once
///   with a record of its own or a close: that one was an alert (close_notify).
final class TLSRecordCensus: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let layer: TLSLayerState
    private var counter: TLSCounter { layer.counter }
    private var inbound = RecordReader()
    private var outbound = RecordReader()

    init(layer: TLSLayerState) {
        self.layer = layer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        // Hands each record up on its own: the state the TLS handler is in after one record
        // decides what the next one is.
        while let piece = inbound.nextPiece(of: &bytes, classify: { classifyInbound(type: $0) }) {
            counter.count(piece.bytes.readableBytes, of: piece.kind, .inbound, startsRecord: piece.startsRecord)
            if piece.endsRecord && piece.kind == .applicationData {
                layer.watchInbound(recordBytes: piece.recordBytes) { context.fireChannelRead(wrapInboundOut(piece.bytes)) }
            } else if piece.endsRecord && layer.holdsWrites {
                layer.forwardReleasingHeldWrites { context.fireChannelRead(wrapInboundOut(piece.bytes)) }
            } else {
                context.fireChannelRead(wrapInboundOut(piece.bytes))
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .byteBuffer(var bytes) = unwrapOutboundIn(data) {
            while let piece = outbound.nextPiece(of: &bytes, classify: { classifyOutbound(type: $0) }) {
                if piece.kind == .applicationData, layer.isFlushing {
                    layer.noteFlushed(bytes: piece.bytes.readableBytes, startsRecord: piece.startsRecord)
                } else {
                    counter.count(piece.bytes.readableBytes, of: piece.kind, .outbound, startsRecord: piece.startsRecord)
                }
            }
        }
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        layer.inboundAnswered()
        context.close(mode: mode, promise: promise)
    }

    private func classifyInbound(type: UInt8) -> TLSCounter.Kind {
        if type == RecordReader.alert { return .alert }
        if !layer.handshakeComplete || type != RecordReader.applicationData { return .handshake }
        return .applicationData
    }

    private func classifyOutbound(type: UInt8) -> TLSCounter.Kind {
        if type == RecordReader.alert { return .alert }
        if !layer.handshakeComplete || type != RecordReader.applicationData { return .handshake }
        if layer.isFlushing { return .applicationData }
        if layer.isWatchingInbound {
            layer.inboundAnswered()
            return .alert
        }
        return layer.closing ? .alert : .handshake
    }
}

@available(*, unavailable)
extension TLSRecordCensus: Sendable {}

/// Splits one direction's bytes at TLS record boundaries, holding at most a partial header.
struct RecordReader {
    static let headerBytes = 5
    static let alert: UInt8 = 21
    static let applicationData: UInt8 = 23

    /// Part of a record, or a whole one.
    struct Piece {
        var bytes: ByteBuffer
        var kind: TLSCounter.Kind
        var startsRecord: Bool
        var endsRecord: Bool
        /// The whole record's size, header included.
        var recordBytes: Int
    }

    /// A header that arrived split across reads, until it is whole.
    private var header: [UInt8] = []
    /// Bytes of the current record still to come (its header too, while that is still in the
    /// bytes read); 0 between records.
    private var remaining = 0
    private var kind = TLSCounter.Kind.handshake
    private var recordBytes = 0

    /// The next piece of `bytes` that belongs to one record (taken from `bytes` as a slice, no
    /// copy), or `nil` when `bytes` is used up (a partial header is held until the rest
    /// arrives). `classify` is asked once per record, when its header is whole.
    mutating func nextPiece(of bytes: inout ByteBuffer, classify: (UInt8) -> TLSCounter.Kind) -> Piece? {
        var held: [UInt8] = []
        let startsRecord = remaining == 0
        if startsRecord {
            if header.isEmpty, bytes.readableBytes >= Self.headerBytes {
                // The usual case: the whole header is here; read it in place.
                let at = bytes.readerIndex
                start(bytes.getInteger(at: at, as: UInt8.self)!, Int(bytes.getInteger(at: at + 3, as: UInt16.self)!), classify)
                remaining = recordBytes
            } else {
                let available = Swift.min(Self.headerBytes - header.count, bytes.readableBytes)
                if available > 0, let taken = bytes.readBytes(length: available) { header += taken }
                guard header.count == Self.headerBytes else { return nil }
                start(header[0], Int(header[3]) << 8 | Int(header[4]), classify)
                remaining = recordBytes - Self.headerBytes
                (held, header) = (header, [])
            }
        }
        let count = Swift.min(remaining, bytes.readableBytes)
        remaining -= count
        guard var piece = bytes.readSlice(length: count) else { return nil }
        if !held.isEmpty {
            var joined = ByteBuffer(bytes: held)
            joined.writeBuffer(&piece)
            piece = joined
        }
        guard piece.readableBytes > 0 else { return nil }
        return Piece(bytes: piece, kind: kind, startsRecord: startsRecord, endsRecord: remaining == 0, recordBytes: recordBytes)
    }

    private mutating func start(_ type: UInt8, _ length: Int, _ classify: (UInt8) -> TLSCounter.Kind) {
        recordBytes = Self.headerBytes + length
        kind = classify(type)
    }
}

/// Counts plaintext above swift-nio-ssl's handler, has the census below count what a flush writes
/// (``TLSLayerState/flush(_:)``), tells it when the connection closes, notes the handshake's end (completed,
/// failed, or timed out after the server's limit, when it closes the connection).
final class TLSPlaintextMeter: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let layer: TLSLayerState
    private var counter: TLSCounter { layer.counter }
    private let handshakeTimeout: TimeAmount
    private var timeout: Scheduled<Void>?
    private var outcomeCounted = false

    init(layer: TLSLayerState, handshakeTimeout: TimeAmount) {
        self.layer = layer
        self.handshakeTimeout = handshakeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loop = context.eventLoop.assumeIsolated()
        timeout = loop.scheduleTask(in: handshakeTimeout) { [self] in
            guard !layer.handshakeComplete else { return }
            count(.timedOut)
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counter.countPlaintext(unwrapInboundIn(data).readableBytes, .inbound)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = unwrapOutboundIn(data).readableBytes
        layer.pendingPlaintext += bytes
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        layer.flush { context.flush() }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        layer.closing = true
        context.close(mode: mode, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event as? TLSUserEvent {
        case .handshakeCompleted:
            layer.handshakeComplete = true
            timeout?.cancel()
            count(.completed)
        case .shutdownCompleted:
            // The peer's close_notify ended a shutdown we began.
            layer.inboundAnswered()
        case nil:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !layer.handshakeComplete { count(.failed) }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !layer.handshakeComplete { count(.failed) }
        context.fireChannelInactive()
    }

    private func count(_ outcome: TLSCounter.Outcome) {
        guard !outcomeCounted else { return }
        outcomeCounted = true
        counter.countHandshake(outcome)
    }
}

@available(*, unavailable)
extension TLSPlaintextMeter: Sendable {}
