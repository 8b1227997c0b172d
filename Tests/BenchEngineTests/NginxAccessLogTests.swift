import BenchEngine
import Testing

@Suite("nginx access log")
struct NginxAccessLogTests {
    let configuration = NginxConfiguration(
        nodes: [.init(httpPort: 18001, grpcPort: 19001), .init(httpPort: 18002, grpcPort: 19002)], sticky: false, httpPort: 18080,
        http2Port: 18081, directory: "/tmp/unused")

    @Test("reads the tries of each request and counts the node that answered")
    func parse() {
        // Lines as nginx 1.22 wrote them: a plain request, a retry after the first node failed,
        // a gRPC call, a 502 with no node left (nginx logs the upstream's name), and noise.
        let text = [
            "1796073699.858\t200\t127.0.0.1:18002\t113\t138\t113\t78\t7\tHTTP/1.1 GET /poll?after=0",
            "1796073699.974\t200\t127.0.0.1:18002, 127.0.0.1:18001\t54\t80\t113, 113\t0, 78\t7\tHTTP/2.0 GET /poll?after=0",
            "1796073837.626\t200\t127.0.0.1:19002\t252\t281\t289\t368\t9\tHTTP/2.0 POST /transportbench.EventStream/Subscribe",
            "1796073840.000\t502\ttransportbench_http\t113\t497\t-\t-\t-\tHTTP/1.1 GET /poll?after=0",
            "not a log line",
        ].joined(separator: "\n")
        let log = NginxAccessLog(text: text)
        #expect(log.entries.count == 4)
        let retried = log.entries[1]
        #expect(retried.upstreamAddresses == ["127.0.0.1:18002", "127.0.0.1:18001"])
        #expect(retried.servedBy == "127.0.0.1:18001")
        #expect(retried.upstreamBytesSent == 226)
        #expect(retried.upstreamBytesReceived == 78)
        #expect(retried.request == "HTTP/2.0 GET /poll?after=0")
        #expect(log.entries[3].upstreamAddresses.isEmpty)
        #expect(log.entries[3].upstreamBytesSent == 0)
        // Node 2 answered the first and the gRPC call, node 1 the retry; the 502 counts for none.
        #expect(log.requestsByNode(configuration) == [1, 2])
        // Session 7's two polls went to node 2, then (retried) node 1; session 9's call to node 2.
        #expect(log.entries[3].session == nil)
        #expect(log.sessionSpread(configuration) == (sessionsOnSeveralNodes: 1, mostNodes: 2))
    }
}
