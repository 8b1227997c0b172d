import BenchCore
import BenchServer
import BenchTLS
import BenchTransports
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The run's server on another host, driven through `bench serve`'s control API (``ControlPath``).
final class RemoteRunServer: RunServer {
    let target: RemoteTarget
    let ticket: RunTicket
    let clock: ClockRelation
    /// The run's TLS, trusting the certificate its server presents; `nil` for cleartext.
    let clientTLS: ClientTLS?
    private let published = Atomic<Int>(0)
    private let statusTask = Mutex<Task<Void, Never>?>(nil)

    private init(target: RemoteTarget, ticket: RunTicket, clock: ClockRelation, clientTLS: ClientTLS?) {
        self.target = target
        self.ticket = ticket
        self.clock = clock
        self.clientTLS = clientTLS
    }

    deinit { statusTask.withLock { $0?.cancel() } }

    /// Relates the clocks, then opens (or joins) the run; with TLS, trusts the certificate the
    /// run's server presents, which the ticket carries.
    /// As a scale-out run's node, `node` says where its events come from.
    static func open(_ target: RemoteTarget, scenario: Scenario, transport: any TransportTraits, node: NodeRole? = nil) async throws -> RemoteRunServer {
        let clock = try await measureClock(target)
        // One run per plan entry: the transport, and what else an entry can vary by.
        let entry = "\(transport.kind.rawValue)-\(scenario.encoding.rawValue)" + (transport.hasHTTPVersionChoice ? "-http\(scenario.httpVersion.rawValue)" : "")
        let request = RunRequest(id: target.runID.map { "\($0)/\(entry)" }, hosts: target.hosts, scenario: scenario, node: node)
        let ticket: RunTicket = try await control(.POST, .open, on: target, body: JSONEncoder().encode(request))
        guard ticket.ports[transport.kind.rawValue] != nil else {
            throw BenchError.usage("the server at \(target.url) has no endpoint for \(transport.kind.rawValue)")
        }
        var clientTLS: ClientTLS?
        if scenario.tls.enabled {
            guard let certificatePEM = ticket.certificatePEM else {
                throw BenchError.usage("the server at \(target.url) sent no certificate for a TLS run: it is a bench serve from before remote TLS runs")
            }
            clientTLS = try ClientTLS(settings: scenario.tls, trusting: certificatePEM)
        }
        return RemoteRunServer(target: target, ticket: ticket, clock: clock, clientTLS: clientTLS)
    }

    /// The offset from the control round trip with the smallest time (as NTP and Cristian's
    /// algorithm take it): the server read its clock somewhere inside the round trip, assumed
    /// its middle, so the offset is off by at most half of it. One kernel (the same boot ID,
    /// two processes or two network namespaces on one machine) means one clock: offset 0.
    static func measureClock(_ target: RemoteTarget) async throws -> ClockRelation {
        var best: (roundTrip: UInt64, offset: Int64)?
        var bootID: String?
        for _ in 0..<8 {
            let sent = MonotonicClock.nowNanoseconds()
            let reading: ClockReading = try await control(.GET, .clock, on: target)
            let received = MonotonicClock.nowNanoseconds()
            bootID = reading.bootID
            let middle = sent + (received - sent) / 2
            let sample = (roundTrip: received - sent, offset: Int64(bitPattern: reading.nanoseconds &- middle))
            if best.map({ sample.roundTrip < $0.roundTrip }) ?? true { best = sample }
        }
        if let bootID, bootID == ClockReading.bootID {
            return ClockRelation(offsetNanoseconds: 0, uncertaintyNanoseconds: 0, source: "one kernel (same boot ID)")
        }
        return ClockRelation(offsetNanoseconds: best!.offset, uncertaintyNanoseconds: best!.roundTrip / 2, source: "estimated over the network")
    }

    var host: String { target.host }
    func port(for transport: TransportKind) -> Int { ticket.ports[transport.rawValue] ?? 0 }
    /// The port every HTTP transport of the run shares (gRPC listens on its own).
    var httpPort: Int { ticket.ports.first { $0.key != TransportKind.grpc.rawValue }?.value ?? 0 }
    var firstClientIndex: Int { ticket.firstClientIndex }
    var bearerToken: String? { ticket.bearerToken }
    var uploads: UploadRegistry? { nil }
    var publishedCount: Int { published.load(ordering: .relaxed) }
    private var query: String { "?id=" + (ticket.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ticket.id) }

    /// Tells the server this host's clients are ready; returns when every host's are and the
    /// server has started the schedule.
    func start() async throws {
        let _: RunStatus = try await Self.control(.POST, .ready, query, on: target)
        let (target, query) = (target, query)
        statusTask.withLock { task in
            task = Task { [weak self] in
                while !Task.isCancelled {
                    if let status: RunStatus = try? await Self.control(.GET, .status, query, on: target) {
                        self?.published.store(status.published, ordering: .relaxed)
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        }
    }

    func finishPublishing() async throws -> PublishingRecord {
        let record: PublishingRecord = try await Self.control(.POST, .published, query, on: target)
        statusTask.withLock { $0?.cancel() }
        published.store(record.encodedSizes.count, ordering: .relaxed)
        return record
    }

    func end() async throws {
        let _: RunStatus = try await Self.control(.POST, .done, query, on: target)
    }

    func counts() async throws -> ServerCounts {
        try await Self.control(.GET, .result, query, on: target)
    }

    /// One control request (`path` and `query`), its JSON answer decoded.
    static func control<Answer: Decodable>(
        _ method: HTTPMethod, _ path: ControlPath, _ query: String = "", on target: RemoteTarget, body: Data? = nil
    ) async throws -> Answer {
        let control = ClientTarget(host: target.host, port: target.port, clientIndex: 0, scenario: .defaults, bearerToken: target.controlToken)
        let uri = path.rawValue + query
        let text: String
        do {
            text = try await HTTPClientConnection.request(method, uri, to: control, body: body.map { ByteBuffer(bytes: $0) })
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError.runFailed("cannot reach bench serve at \(target.url) (\(method) \(uri))", cause: error)
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(text.utf8))
        } catch {
            throw BenchError.runFailed("bench serve at \(target.url) answered \(uri) with something other than \(Answer.self): \(text.prefix(200))")
        }
    }
}
