/// The server's answer: the run, this host's place in it, and the run's ports by transport.
public struct RunTicket: Codable, Sendable {
    public var id: String
    public var host: Int
    public var hosts: Int
    /// Hosts number their clients from here, so every client of the run has its own index.
    public var firstClientIndex: Int
    public var ports: [String: Int]
    /// The certificate the run's server presents (PEM), for its clients to trust: set when the
    /// run's scenario has TLS; `nil` for cleartext, and from servers older than TLS runs.
    public var certificatePEM: String?
    /// The token this host's clients present, issued by the run's key; `nil` when the run's
    /// scenario requires none.
    public var bearerToken: String?
}
