import BenchCore
import BenchRedis
import Foundation

/// A scale-out deployment's broker: the `redis-server` bench started (or the Redis `--redis`
/// names), a Pub/Sub channel of the run's own, and the publisher's connection to it.
struct Backplane: Sendable {
    /// The Redis bench started; `nil` for one `--redis` named, which is left running.
    let server: RedisServer?
    /// What the nodes subscribe to.
    let channel: BackplaneChannel
    let publisher: BackplanePublisher

    /// Starts `redis-server` on a free loopback port unless `redisURL` names a Redis, connects
    /// the publisher (events in `encoding`), and names a new channel `prefix:UUID`.
    /// - Throws: ``BenchError`` (usage) in one sentence when Redis cannot be reached or
    ///   `redis-server` is not installed.
    static func start(redisURL: String?, encoding: Encoding, channelPrefix prefix: String) async throws -> Backplane {
        let server = redisURL == nil ? try await RedisServer.start() : nil
        let url = redisURL ?? server!.url
        do {
            let connection = try await RedisConnection.connect(to: try RedisEndpoint(url: url))
            let channel = BackplaneChannel(url: url, channel: "\(prefix):\(UUID().uuidString)", encoding: encoding)
            return Backplane(server: server, channel: channel, publisher: BackplanePublisher(connection: connection, channel: channel))
        } catch {
            await server?.stop()
            throw error
        }
    }

    /// Closes the publisher's connection and stops the Redis bench started.
    func stop() async {
        await publisher.close()
        await server?.stop()
    }
}

extension NginxBalancer {
    /// The listener `transport`'s clients connect to: the h2c one for gRPC and for HTTP/2
    /// (nginx 1.22 speaks cleartext HTTP/2 with prior knowledge only), the HTTP/1.1 one otherwise.
    func port(for transport: any TransportTraits, scenario: Scenario) -> Int {
        transport.kind == .grpc || (transport.hasHTTPVersionChoice && scenario.httpVersion == .http2) ? http2Port : httpPort
    }
}
