import BenchCore
import BenchServer
import Foundation
import NIOCore

/// One endpoint of ``RunControl``: answers the requests on one ``ControlPath`` with JSON.
struct ControlRoute: HTTPRoute {
    let endpoint: ControlPath
    let control: RunControl
    let transport: TransportKind? = nil
    var path: String { endpoint.rawValue }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        let answer: any Encodable
        switch endpoint {
        case .clock: answer = ClockReading.now
        case .open:
            let body = Data(request.body.readableBytesView)
            let runRequest: RunRequest
            do { runRequest = try JSONDecoder().decode(RunRequest.self, from: body) } catch {
                throw HTTPRequestError(message: "POST /control/run/open takes a JSON RunRequest body (\(error))")
            }
            answer = try await control.open(runRequest)
        case .ready: answer = try await control.run(request).ready()
        case .status: answer = try control.run(request).status
        case .published: answer = try await control.run(request).publishing()
        case .done: answer = try await control.run(request).done()
        case .result: answer = try await control.run(request).result()
        }
        let json = try JSONEncoder().encode(answer)
        try await writer.respond(status: .ok, headers: ["Content-Type": "application/json"], body: ByteBuffer(bytes: json))
    }
}
