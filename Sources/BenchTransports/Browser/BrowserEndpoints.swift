import BenchCore
import BenchServer
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A page a real browser runs the workload from, served by `bench serve`.
///
/// - `GET /browser?duration=S&interval=S`: the page. Its script runs each transport for S
///   seconds in turn with the browser's own APIs — `fetch` short polling every `interval`, `fetch`
///   long polling, `EventSource`, `WebSocket` — keeps a ledger of the sequences it received and
///   their latencies, shows a table and posts one result per transport to `/browser/results`.
///   With `&access_token=JWT` (what `bench serve --auth jwt` prints) the polls send
///   `Authorization: Bearer JWT` and the `EventSource` and `WebSocket` URLs carry the token.
/// - `GET /browser/clock`: `{"now": NS, "last": SEQ}`, the server's monotonic clock and its last
///   sequence. The page estimates the offset between its clock and the server's from the
///   fastest of several round trips (half the round trip is the error bound, well under a
///   millisecond on loopback), so latency runs from publish to the page's receipt.
/// - `POST /browser/results`: one transport's result as JSON; `GET` lists those received.
public enum BrowserEndpoints {
    /// The three routes, sharing `results`.
    public static func routes(results: BrowserResults) -> [any HTTPRoute] {
        [Page(), Clock(), Results(results: results)]
    }

    struct Page: HTTPRoute {
        let transport: TransportKind? = nil
        let path = "/browser"

        func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
            try await writer.respond(
                status: .ok, headers: ["Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"],
                body: ByteBuffer(string: BrowserPage.html))
        }
    }

    struct Clock: HTTPRoute {
        let transport: TransportKind? = nil
        let path = "/browser/clock"

        func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
            let body = "{\"now\":\(MonotonicClock.nowNanoseconds()),\"last\":\(context.hub.lastSequence)}"
            try await writer.respond(status: .ok, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: ByteBuffer(string: body))
        }
    }

    struct Results: HTTPRoute {
        let transport: TransportKind? = nil
        let path = "/browser/results"
        let results: BrowserResults

        func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
            let json: HTTPHeaders = ["Content-Type": "application/json", "Cache-Control": "no-store"]
            if request.head.method == .POST {
                let result: BrowserResult
                do {
                    result = try JSONDecoder().decode(BrowserResult.self, from: Data(request.body.readableBytesView))
                } catch {
                    throw HTTPRequestError(message: "a browser result must be JSON with transport, received, first, last, missing, duplicates and latency fields: \(error)")
                }
                results.append(result)
                try await writer.respond(status: .noContent, headers: json)
            } else {
                let body = try JSONEncoder().encode(results.all)
                try await writer.respond(status: .ok, headers: json, body: ByteBuffer(bytes: body))
            }
        }
    }
}

/// What the page measured over one transport.
public struct BrowserResult: Codable, Sendable, Hashable {
    /// `short-polling`, `long-polling`, `sse` or `websocket`.
    public var transport: String
    /// The browser's `navigator.userAgent`.
    public var userAgent: String
    /// Distinct events received, the lowest and highest sequence.
    public var received: Int
    public var first: UInt64
    public var last: UInt64
    /// Sequences between `first` and `last` that never arrived.
    public var missing: [UInt64]
    public var duplicates: Int
    /// Publish → received by the page, in milliseconds (with the clock offset's error bound).
    public var latencyP50Milliseconds: Double
    public var latencyP99Milliseconds: Double
    public var latencyMaxMilliseconds: Double
    public var clockErrorMilliseconds: Double
}

/// Results the browser posted, in arrival order.
public final class BrowserResults: Sendable {
    private let results = Mutex<[BrowserResult]>([])
    private let onArrival: @Sendable (BrowserResult) -> Void

    /// `onArrival` hears of each result as it arrives (`bench serve` prints it).
    public init(onArrival: @escaping @Sendable (BrowserResult) -> Void = { _ in }) {
        self.onArrival = onArrival
    }

    func append(_ result: BrowserResult) {
        results.withLock { $0.append(result) }
        onArrival(result)
    }

    public var all: [BrowserResult] { results.withLock { $0 } }
}
