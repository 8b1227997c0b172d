import BenchCore
import Testing

@testable import BenchRedis

@Suite("RedisEndpoint")
struct RedisEndpointTests {
    @Test(
        "redis://HOST:PORT URLs parse, the port defaulting to 6379",
        arguments: [
            ("redis://127.0.0.1:6380", "127.0.0.1", 6380),
            ("redis://localhost", "localhost", 6379),
            ("redis://redis.internal:7000/", "redis.internal", 7000),
            ("redis://[::1]:7001", "::1", 7001),
        ])
    func parses(url: String, host: String, port: Int) throws {
        let endpoint = try RedisEndpoint(url: url)
        #expect(endpoint == RedisEndpoint(host: host, port: port))
    }

    @Test("the URL it gives back is redis://HOST:PORT, with brackets around IPv6")
    func url() {
        #expect(RedisEndpoint(host: "127.0.0.1", port: 6380).url == "redis://127.0.0.1:6380")
        #expect(RedisEndpoint(host: "::1", port: 7001).url == "redis://[::1]:7001")
    }

    @Test(
        "anything else is a usage error naming the input",
        arguments: [
            "http://127.0.0.1:6379", "redis://", "redis://h:0", "redis://h:65536", "redis://h:abc", "redis://user:pw@h:1", "redis://h:1/0",
            "127.0.0.1:6379",
        ])
    func rejects(url: String) throws {
        let error = try #require(throws: BenchError.self) { try RedisEndpoint(url: url) }
        #expect(error.code == .usage)
        #expect(error.message == "`\(url)` is not a Redis URL; expected redis://HOST:PORT, e.g. redis://127.0.0.1:6379")
    }
}
