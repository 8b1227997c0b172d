import BenchCore

/// The nginx configuration the load balancer runs: pure text, generated from the nodes' ports.
///
/// Two listeners in front of the nodes, on the same host:
/// - **HTTP/1.1** (``httpPort``): every request is proxied as HTTP/1.1 to the nodes' HTTP ports,
///   WebSocket upgrades included, unbuffered both ways (SSE and long polling write as events come).
/// - **h2c** (``http2Port``, HTTP/2 with prior knowledge): gRPC's `EventStream` service goes to
///   the nodes' gRPC ports as gRPC; every other path is proxied as HTTP/1.1 to the HTTP ports, so
///   the HTTP/2 variants of SSE and polling cross the balancer too.
///
/// Everything nginx writes (pid, logs, temporary files) goes into ``directory``; the access log
/// names the node (`$upstream_addr`) of every request, which ``NginxAccessLog`` reads.
///
/// ```swift
/// let configuration = NginxConfiguration(
///     nodes: [.init(httpPort: 8001, grpcPort: 9001), .init(httpPort: 8002, grpcPort: 9002)],
///     sticky: true, httpPort: 8080, http2Port: 8081, directory: "/tmp/nginx-run")
/// try configuration.text.write(toFile: configuration.file, atomically: true, encoding: .utf8)
/// ```
public struct NginxConfiguration: Sendable, Hashable {
    /// One server node behind the balancer.
    public struct Node: Sendable, Hashable {
        /// The port that serves every HTTP transport: HTTP/1.1, h2c prior knowledge, WebSocket.
        public var httpPort: Int
        /// grpc-swift's own listener (h2c); `nil` when the node serves no gRPC.
        public var grpcPort: Int?

        public init(httpPort: Int, grpcPort: Int? = nil) {
            self.httpPort = httpPort
            self.grpcPort = grpcPort
        }
    }

    /// The path prefix of gRPC's service, which the h2c listener passes to the gRPC upstream.
    public static let grpcServicePath = "/transportbench.EventStream/"
    /// The cookie whose value sticky sessions hash: clients send `Cookie: tb_session=INDEX`.
    public static let sessionCookie = ScaleOutSettings.sessionCookie

    /// The nodes, in order; the access log's addresses map back to them.
    public var nodes: [Node]
    /// Whether every request of a client goes to one node (the session cookie's hash) rather
    /// than round robin.
    public var sticky: Bool
    /// Where nginx listens and where the nodes are.
    public var host: String
    /// nginx's HTTP/1.1 listener.
    public var httpPort: Int
    /// nginx's h2c listener (HTTP/2 with prior knowledge only, as nginx 1.22 speaks it cleartext).
    public var http2Port: Int
    /// The directory every file nginx writes goes into (absolute).
    public var directory: String
    /// Whether nginx runs as root: then its workers run as root too (`user root;`), so they can
    /// write in ``directory``; otherwise they run as the caller and the directive is left out.
    public var runsAsRoot: Bool
    /// Connections one worker holds, both sides counted: a proxied client costs two. nginx
    /// inherits the caller's open-file limit, which bounds it (nginx warns above it).
    public var workerConnections: Int
    /// How long a held request may stay quiet: long polls, SSE streams, gRPC streams, WebSockets.
    public var streamTimeoutSeconds: Int
    /// Directives appended to the `http` block as they are; for tests (a broken one shows how
    /// nginx refuses) and experiments.
    public var extraDirectives: [String]

    public init(
        nodes: [Node], sticky: Bool, host: String = "127.0.0.1", httpPort: Int, http2Port: Int, directory: String,
        runsAsRoot: Bool = false, workerConnections: Int = 16_384, streamTimeoutSeconds: Int = 3_600, extraDirectives: [String] = []
    ) {
        self.nodes = nodes
        self.sticky = sticky
        self.host = host
        self.httpPort = httpPort
        self.http2Port = http2Port
        self.directory = directory
        self.runsAsRoot = runsAsRoot
        self.workerConnections = workerConnections
        self.streamTimeoutSeconds = streamTimeoutSeconds
        self.extraDirectives = extraDirectives
    }

    /// The configuration file nginx is started with.
    public var file: String { path("nginx.conf") }
    /// The access log: one line per request, in ``NginxAccessLog``'s format.
    public var accessLog: String { path("access.log") }
    /// nginx's error log.
    public var errorLog: String { path("error.log") }

    /// The access log's fields, tab-separated (nginx escapes tabs inside values as `\x09`).
    static let logFormat = [
        "$msec", "$status", "$upstream_addr", "$request_length", "$bytes_sent", "$upstream_bytes_sent", "$upstream_bytes_received",
        "$cookie_\(sessionCookie)", "$server_protocol $request_method $request_uri",
    ].joined(separator: "\\t")

    /// The configuration file's text.
    public var text: String {
        let timeout = "\(streamTimeoutSeconds)s"
        var lines = [
            "# TransportBench's load balancer, generated for one run.",
            "daemon off;",
            "master_process on;",
            "worker_processes 1;",
        ]
        if runsAsRoot { lines.append("user root;  # the workers write in the run's temporary directory") }
        lines += [
            "pid \(path("nginx.pid"));",
            "error_log \(errorLog) warn;",
            "",
            "events {",
            "    worker_connections \(workerConnections);",
            "}",
            "",
            "http {",
            "    log_format transportbench '\(Self.logFormat)';",
            "    access_log \(accessLog) transportbench;",
            "    client_body_temp_path \(path("client_body_temp"));",
            "    proxy_temp_path \(path("proxy_temp"));",
            "    fastcgi_temp_path \(path("fastcgi_temp"));",
            "    uwsgi_temp_path \(path("uwsgi_temp"));",
            "    scgi_temp_path \(path("scgi_temp"));",
            "",
            "    # Held requests (long polls, SSE, gRPC streams, quiet WebSockets) and long runs: nginx",
            "    # closes nothing the nodes would keep open, and streamed uploads have no size limit.",
            "    keepalive_timeout \(timeout);",
            "    keepalive_requests 1000000;",
            "    send_timeout \(timeout);",
            "    client_body_timeout \(timeout);",
            "    client_max_body_size 0;",
            "",
            "    # An Upgrade request passes `Connection: upgrade`; any other none, so the connection to",
            "    # the node stays open for the next request.",
            "    map $http_upgrade $connection_upgrade {",
            "        default upgrade;",
            "        ''      '';",
            "    }",
            "",
            "    # Every HTTP request goes to a node as HTTP/1.1, unbuffered both ways.",
            "    proxy_http_version 1.1;",
            "    proxy_set_header Host $http_host;",
            "    proxy_set_header Upgrade $http_upgrade;",
            "    proxy_set_header Connection $connection_upgrade;",
            "    proxy_buffering off;",
            "    proxy_request_buffering off;",
            "    proxy_read_timeout \(timeout);",
            "    proxy_send_timeout \(timeout);",
            "    # A node that refuses or times out: the request goes to the next one, and the node is",
            "    # left out for 10 s (nginx's defaults: max_fails=1 fail_timeout=10s).",
            "    proxy_next_upstream error timeout;",
            "",
        ]
        lines += upstream("transportbench_http", ports: nodes.map(\.httpPort))
        let grpcPorts = nodes.compactMap(\.grpcPort)
        if !grpcPorts.isEmpty { lines += upstream("transportbench_grpc", ports: grpcPorts) }
        lines += [
            "    server {",
            "        listen \(host):\(httpPort);",
            "        location / {",
            "            proxy_pass http://transportbench_http;",
            "        }",
            "    }",
            "",
            "    server {",
            "        # Cleartext HTTP/2 in nginx 1.22 is prior knowledge only (no h2c upgrade, no WebSocket).",
            "        listen \(host):\(http2Port) http2;",
        ]
        if !grpcPorts.isEmpty {
            lines += [
                "        location \(Self.grpcServicePath) {",
                "            grpc_pass grpc://transportbench_grpc;",
                "            grpc_read_timeout \(timeout);",
                "            grpc_send_timeout \(timeout);",
                "            grpc_next_upstream error timeout;",
                "        }",
            ]
        }
        lines += [
            "        location / {",
            "            proxy_pass http://transportbench_http;",
            "        }",
            "    }",
        ]
        lines += extraDirectives.map { "    " + $0 }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// An upstream block over `ports` on ``host``: the sticky hash or round robin, then a pool of
    /// idle connections to the nodes (nginx wants the balancing method before `keepalive`).
    private func upstream(_ name: String, ports: [Int]) -> [String] {
        var lines = ["    upstream \(name) {"]
        if sticky {
            lines += [
                "        # Sticky by a cookie, not by address: every client comes from \(host), so ip_hash",
                "        # would send them all to one node. A request without the cookie hashes \"\".",
                "        hash $cookie_\(Self.sessionCookie) consistent;",
            ]
        } else {
            lines.append("        # Round robin (nginx's default).")
        }
        lines += ports.map { "        server \(host):\($0);" }
        lines += [
            "        keepalive 64;",
            "        keepalive_requests 1000000;",
            "    }",
            "",
        ]
        return lines
    }

    private func path(_ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
