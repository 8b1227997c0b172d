import BenchCore
import BenchMessages
import BenchTLS
import BenchTransports
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import Synchronization

/// gRPC's client half: one grpc-swift-2 client (one HTTP/2 connection, cleartext) per simulated
/// client, making the call shape its direction needs.
///
/// - Push: `Subscribe` (server streaming) from the last sequence received, or `Poll` (unary) on
///   short polling's schedule with ``Call/unary``.
/// - Echo: one `Echo` call (bidirectional streaming) sending on the client's schedule; latency
///   from the scheduled send time (coordinated-omission corrected) and the actual one.
/// - Upload: one `Upload` call (client streaming) sending on the schedule.
///
/// A call that fails (the connection dropped, the server went away) is retried after a backoff
/// with full jitter from the cursor, counted as a reconnect. A call that reaches the scenario's
/// deadline (`--deadline`) is counted as a deadline and reopened at once from the cursor; a call
/// the client cancels is counted as cancelled. Neither loses events.
///
/// With the scenario's compression on, the client enables its gRPC algorithm (``ClientCompression``):
/// it offers it (`grpc-accept-encoding`) and compresses every request with it (`grpc-encoding`,
/// `CallOptions.compression`); its ``GRPCClientCensus`` and the calls count what that layer did
/// into the recorder's ``DeliveryRecorder/compression``.
public struct GRPCTransportClient: TransportClient {
    /// The four call shapes of `transportbench.EventStream`.
    public enum Call: String, CaseIterable, Sendable {
        case unary
        case serverStreaming = "server-streaming"
        case clientStreaming = "client-streaming"
        case bidirectionalStreaming = "bidi-streaming"
    }

    public let kind = TransportKind.grpc
    public let call: Call
    public var variant: String { call.rawValue }

    /// The call shape for `direction`; push uses `pushCall` (server streaming or unary).
    public init(direction: Direction, pushCall: Call = .serverStreaming) {
        switch direction {
        case .push: call = pushCall == .unary ? .unary : .serverStreaming
        case .echo: call = .bidirectionalStreaming
        case .upload: call = .clientStreaming
        }
    }

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let box = RecorderBox(recorder)
        let compression = ClientCompression(target.scenario.compression)
        var config = HTTP2ClientTransport.Posix.Config.defaults
        if let compression { config.compression = compression.transportConfig }
        config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in
            box.withLock { $0.noteConnectionOpened() }
            return channel.eventLoop.makeCompletedFuture {
                if let compression {
                    try channel.pipeline.syncOperations.addHandler(GRPCClientCensus(counter: compression.counter), position: .first)
                }
                // gRPC over TLS: the same swift-nio-ssl client every transport uses, offering h2,
                // in front of the census (which reads HTTP/2 frames) and grpc-swift's handlers.
                if let tls = target.tls {
                    try channel.pipeline.syncOperations.addHandlers(tls.handlers(offering: ["h2"]), position: .first)
                }
                // The byte meter in front of everything, TLS included: what the socket carries.
                try target.addWireMeter(to: channel)
            }
        }
        do {
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: target.host, port: target.port),
                transportSecurity: target.tls == nil ? .plaintext : .customSecure,
                config: config
            )
            try await withGRPCClient(transport: transport) { client in
                let session = CallSession(client: client, target: target, box: box, compression: compression)
                switch call {
                case .serverStreaming, .unary: await session.receive(call)
                case .bidirectionalStreaming, .clientStreaming: await session.send(call)
                }
            }
        } catch {
            if !(error is CancellationError) { box.withLock { $0.noteConnectionError(error) } }
        }
        if let compression { box.withLock { $0.compression = $0.compression + compression.counter.tally } }
        recorder = box.withLock { $0 }
    }
}

/// A client's recorder, shared with the response handlers grpc-swift runs as `@Sendable` closures.
final class RecorderBox: Sendable {
    private let recorder: Mutex<DeliveryRecorder>

    init(_ recorder: DeliveryRecorder) {
        self.recorder = Mutex(recorder)
    }

    func withLock<Result>(_ body: (inout DeliveryRecorder) throws -> Result) rethrows -> Result {
        try recorder.withLock { try body(&$0) }
    }

    var progress: ClientProgress { recorder.withLock { $0.progress } }

    /// Records a reconnect after `error` (``ReconnectLoop``'s `onReconnect`).
    func noteReconnect(after error: (any Error)?) {
        recorder.withLock { $0.noteReconnect(after: error) }
    }
}

/// One client's calls over its gRPC client.
private struct CallSession<Transport: ClientTransport> {
    typealias Methods = Transportbench_EventStream.Method

    let client: GRPCClient<Transport>
    let target: ClientTarget
    let box: RecorderBox
    let progress: ClientProgress
    let encoding: Encoding
    /// The client's compression; `nil` when its scenario's is off.
    let compression: ClientCompression?

    init(client: GRPCClient<Transport>, target: ClientTarget, box: RecorderBox, compression: ClientCompression?) {
        self.client = client
        self.target = target
        self.box = box
        self.progress = box.progress
        self.encoding = target.scenario.encoding
        self.compression = compression
    }

    /// Each call's metadata: the header profile's gRPC request head (HTTP/2 names are lower
    /// case) with the run's `authorization: Bearer` token, then the encoding.
    private var metadata: Metadata {
        var metadata = Metadata()
        for field in target.requestFields(.grpc) { metadata.addString(field.value, forKey: field.name.lowercased()) }
        metadata.addString(encoding.rawValue, forKey: EventStreamMetadata.encoding)
        return metadata
    }

    /// Push calls' options: the scenario's deadline, and its compression.
    private var options: CallOptions {
        var options = sendOptions
        options.timeout = target.scenario.callDeadlineSeconds.map { .milliseconds(Int64(($0 * 1000).rounded())) }
        return options
    }

    /// Echo and upload calls' options: no deadline (each call lasts the run), the scenario's
    /// compression for the requests.
    private var sendOptions: CallOptions {
        var options = CallOptions.defaults
        options.compression = compression?.algorithm.algorithm
        return options
    }

    /// Serializes requests, counting their plain sizes when they are compressed.
    private func serializer<Base: MessageSerializer>(_ base: Base) -> CompressorInputCounting<Base> {
        CompressorInputCounting(base: base, counter: compression?.counter)
    }

    /// Push: subscribes (or polls) from the cursor until the run stops, resuming after failures.
    func receive(_ call: GRPCTransportClient.Call) async {
        let cursor = Cursor()
        let interval = Duration.seconds(target.scenario.pollIntervalSeconds)
        var generator = SeededGenerator(seed: target.scenario.seed &+ UInt64(target.clientIndex) &* 0x2545_F491_4F6C_DD1D)
        var nextPoll = ContinuousClock.now + interval * generator.nextUnitInterval()
        var first = true
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x62C)
        await loop.run(until: progress, onReconnect: box.noteReconnect) { loop in
            if call == .unary {
                // Short polling's schedule: the first poll at once, then fixed-rate slots from a
                // random phase.
                if !first {
                    do { try await Task.sleep(until: nextPoll, clock: .continuous) } catch { return .finished }
                    nextPoll = Swift.max(nextPoll + interval, .now)
                    if progress.isStopRequested { return .finished }
                }
                first = false
            }
            do {
                if call == .unary { try await poll(cursor) } else { try await subscribe(cursor) }
                loop.resetBackoff()
            } catch let error as RPCError where error.code == .deadlineExceeded {
                // Reopened at once from the cursor.
                box.withLock { $0.deadlinesExceeded += 1 }
            } catch let error where Task.isCancelled || error is CancellationError {
                // A call this client cancelled: its task was cancelled while the call was open.
                box.withLock { $0.callsCancelled += 1 }
                return .finished
            } catch let error as RPCError where error.code == .cancelled && !progress.isStopRequested {
                // Cancelled on the way (not by this task): counted as such, resumed from the cursor.
                box.withLock { $0.callsCancelled += 1 }
            }
            // A call that ended or answered (or passed its deadline): the next one at once.
            return .again
        }
    }

    /// A request for the events after the cursor, counted as sent.
    private func request(after cursor: Cursor) -> ClientRequest<Transportbench_Cursor> {
        box.withLock { $0.requestsSent += 1 }
        return ClientRequest(message: .with { $0.after = cursor.value }, metadata: metadata)
    }

    /// One `Subscribe` call: records events until the server ends the call.
    private func subscribe(_ cursor: Cursor) async throws {
        let request = request(after: cursor)
        let encoding = encoding
        try await client.serverStreaming(
            request: request,
            descriptor: Methods.Subscribe.descriptor,
            serializer: serializer(EncodingSerializer<Transportbench_Cursor>(encoding: encoding)),
            deserializer: EncodedBodySerializer(),
            options: options
        ) { [box, progress, compression] response in
            let contents = try response.accepted.get()
            progress.markReady()
            box.withLock { $0.noteResumed() }
            let codec = EventCodec(encoding)
            for try await part in contents.bodyParts {
                switch part {
                case .message(let body):
                    compression?.received(body, metadata: contents.metadata)
                    let event = try codec.decode(body)
                    let receivedAt = MonotonicClock.nowNanoseconds()
                    box.withLock { $0.deliver(event, receivedAt: receivedAt) }
                    cursor.advance(to: event.sequence)
                case .trailingMetadata(let trailers):
                    cursor.skip(trailers.gap, recordingIn: box)
                }
            }
        }
    }

    /// One `Poll` call.
    private func poll(_ cursor: Cursor) async throws {
        let request = request(after: cursor)
        progress.markReady()
        let encoding = encoding
        try await client.unary(
            request: request,
            descriptor: Methods.Poll.descriptor,
            serializer: serializer(EncodingSerializer<Transportbench_Cursor>(encoding: encoding)),
            deserializer: EncodedBodySerializer(),
            options: options
        ) { [box, compression] response in
            let body = try response.message
            box.withLock { $0.noteResumed() }
            compression?.received(body, metadata: response.metadata)
            let events = try EventCodec(encoding).decodeBatch(body)
            let receivedAt = MonotonicClock.nowNanoseconds()
            cursor.skip(response.metadata.gap, recordingIn: box)
            box.withLock { recorder in
                for event in events { recorder.deliver(event, receivedAt: receivedAt) }
            }
            for event in events { cursor.advance(to: event.sequence) }
        }
    }

    /// Echo or upload: one call that sends every event on the client's schedule.
    func send(_ call: GRPCTransportClient.Call) async {
        let session = SendingSession(target: target)
        var metadata = metadata
        metadata.addString(String(target.clientIndex), forKey: EventStreamMetadata.client)
        let count = session.schedule.offsetsNanoseconds.count
        progress.markReady()
        let start = await target.startGate.wait()
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x62D)
        await loop.run(until: progress, onReconnect: box.noteReconnect) { _ in
            let request = StreamingClientRequest<ByteBuffer>(metadata: metadata) { [box] writer in
                try await session.send(start: start, write: { try await writer.write($0) }) { event, bodySize, scheduledAt in
                    box.withLock {
                        $0.requestsSent += 1
                        if call == .clientStreaming {
                            $0.noteSent(sequence: event.sequence, bodySize: bodySize, scheduledAt: scheduledAt, sentAt: event.publishedAt)
                        }
                    }
                }
            }
            let encoding = encoding
            if call == .clientStreaming {
                _ = try await client.clientStreaming(
                    request: request,
                    descriptor: Methods.Upload.descriptor,
                    serializer: serializer(EncodedBodySerializer()),
                    deserializer: EncodedBodySerializer(),
                    options: sendOptions
                ) { [compression] response in
                    let body = try response.message
                    compression?.received(body, metadata: response.metadata)
                    return try EncodingSerializer<Transportbench_UploadReceipt>(encoding: encoding).decode(body).events
                }
                return .finished
            }
            try await client.bidirectionalStreaming(
                request: request,
                descriptor: Methods.Echo.descriptor,
                serializer: serializer(EncodedBodySerializer()),
                deserializer: EncodedBodySerializer(),
                options: sendOptions
            ) { [box, compression] response in
                let codec = EventCodec(encoding)
                let metadata = response.metadata
                for try await body in response.messages {
                    compression?.received(body, metadata: metadata)
                    try box.withLock { try session.deliverEcho(body, codec: codec, start: start, recorder: &$0) }
                }
            }
            // An echo call that ended before every echo came back is reopened at once.
            return box.withLock({ $0.ledger.delivered }) >= count ? .finished : .again
        }
    }
}

/// The highest sequence received or skipped, shared with response handlers.
private final class Cursor: Sendable {
    private let sequence = Atomic<UInt64>(0)
    var value: UInt64 { sequence.load(ordering: .relaxed) }
    func advance(to value: UInt64) { _ = sequence.max(value, ordering: .relaxed) }

    /// Moves past a gap the server announced, recording it in the client's ledger.
    func skip(_ gap: ClosedRange<UInt64>?, recordingIn box: RecorderBox) {
        guard let gap else { return }
        box.withLock { $0.ledger.recordAnnouncedGap(gap) }
        advance(to: gap.upperBound)
    }
}
