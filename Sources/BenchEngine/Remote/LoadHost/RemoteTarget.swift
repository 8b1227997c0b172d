import BenchCore
import Foundation

/// Where `bench run --target` finds `bench serve`: its control URL, and the run's load hosts.
public struct RemoteTarget: Sendable {
    /// The URL as given, for example `http://10.0.0.1:8080`.
    public var url: String
    public var host: String
    public var port: Int
    /// Load hosts that take part in each run; the server starts the schedule when all are ready.
    public var hosts: Int
    /// The name every host of a multi-host run gives, so they join the same run; `nil` for one host.
    public var runID: String?
    /// The token `bench serve`'s control API asks for (``ControlToken``), sent as
    /// `Authorization: Bearer`; `nil` sends none (a loopback `bench serve` without one).
    public var controlToken: String?

    /// - Throws: ``BenchError`` (usage) when `url` is not `http://HOST:PORT`.
    public init(url: String, hosts: Int = 1, runID: String? = nil, controlToken: String? = nil) throws(BenchError) {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host, !host.isEmpty,
            let port = components.port, components.path.isEmpty || components.path == "/"
        else {
            throw .usage("--target must be bench serve's control URL, http://HOST:PORT (got '\(url)')")
        }
        guard hosts >= 1 else { throw .usage("--hosts must be at least 1 (got \(hosts))") }
        guard hosts == 1 || runID != nil else { throw .usage("--hosts \(hosts) needs --run-id NAME, the same on every host, so their clients join one run") }
        self.url = url
        self.host = host
        self.port = port
        self.hosts = hosts
        self.runID = runID
        self.controlToken = controlToken
    }

    /// What a server elsewhere can run: push and echo, whose arrivals the clients record.
    /// - Throws: ``BenchError`` (usage) for upload, whose arrivals are recorded at the server.
    public static func check(_ direction: Direction) throws(BenchError) {
        guard direction != .upload else {
            throw .usage("--target runs push and echo: upload's arrivals are recorded at the server, which is elsewhere (run upload in-process)")
        }
    }

    /// What TLS a server elsewhere can speak: a certificate it makes for the run, which its
    /// ticket hands to this host's clients.
    /// - Throws: ``BenchError`` (usage) for `--cert`/`--key`, files on this host that the
    ///   serving host would look for on its own.
    public static func check(_ tls: TLSSettings) throws(BenchError) {
        guard tls.enabled, tls.certificatePath != nil || tls.privateKeyPath != nil else { return }
        throw .usage("--cert and --key with --target: the run's server is on the serving host, which makes its own certificate (choose its key with --tls-key)")
    }
}
