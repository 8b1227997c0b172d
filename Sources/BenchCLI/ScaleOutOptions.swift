import ArgumentParser
import BenchCore

/// `--nodes`, `--balancer`, `--sticky`, `--backplane`, `--redis` and `--kill-node-at`: the
/// server side's deployment, shared by `bench run`, `sweep` and claim files' `run` lines
/// (docs/scale-out.md).
struct ScaleOutOptions: ParsableArguments {
    @Option(name: .long, help: "Server nodes, each a bench serve process of its own; above 1 they sit behind nginx and share events through Redis unless --balancer/--backplane say otherwise.")
    var nodes = 1

    @Option(name: .long, help: ArgumentHelp(
        "nginx (started by bench with a generated configuration) in front of the nodes, none (client i connects to node i mod N), or both (each runs once, so the report shows what the proxy hop costs). Default: nginx above one node.",
        valueName: "nginx|none|both"))
    var balancer: BalancerChoice?

    @Option(name: .long, help: ArgumentHelp("With nginx: on sends every request of a client to one node (a hash of its tb_session cookie), off round robin.", valueName: "on|off"))
    var sticky = Switch.off

    @Option(name: .long, help: ArgumentHelp(
        "redis: the run's events are PUBLISHed once to Redis (redis-server started by bench on a free loopback port, or --redis) and every node subscribes; none: they are published on the first node only; both: each runs once, so the report shows what the broker hop costs. Default: redis above one node.",
        valueName: "redis|none|both"))
    var backplane: BackplaneChoice?

    @Option(name: .long, help: ArgumentHelp("Use this Redis instead of starting redis-server.", valueName: "redis://HOST:PORT"))
    var redis: String?

    @Option(name: .customLong("kill-node-at"), help: ArgumentHelp("Kill the last node (SIGKILL) this many seconds after publishing starts; its clients reconnect through the balancer.", valueName: "SECONDS"))
    var killNodeAt: Double?

    /// The settings these flags give, one per `--backplane` and `--balancer` choice, checked.
    func settings() throws(BenchError) -> [ScaleOutSettings] {
        let balancers: [ScaleOutSettings.Balancer?] = balancer.map { $0.balancers } ?? [nil]
        let backplanes: [ScaleOutSettings.Backplane?] = backplane.map { $0.backplanes } ?? [redis != nil ? .redis : nil]
        var all: [ScaleOutSettings] = []
        for backplane in backplanes {
            for balancer in balancers {
                let settings = ScaleOutSettings(
                    nodes: nodes, balancer: balancer, sticky: sticky == .on, backplane: backplane, redisURL: self.backplane == .both && backplane == ScaleOutSettings.Backplane.none ? nil : redis,
                    killNodeAtSeconds: killNodeAt)
                try settings.validate()
                all.append(settings)
            }
        }
        return all
    }
}

/// `--balancer`: one choice or both.
enum BalancerChoice: String, CaseIterable, ExpressibleByArgument {
    case nginx, none, both

    var balancers: [ScaleOutSettings.Balancer] {
        switch self {
        case .nginx: [.nginx]
        case .none: [.none]
        case .both: [.none, .nginx]
        }
    }
}

/// `--backplane`: one choice or both.
enum BackplaneChoice: String, CaseIterable, ExpressibleByArgument {
    case redis, none, both

    var backplanes: [ScaleOutSettings.Backplane] {
        switch self {
        case .redis: [.redis]
        case .none: [.none]
        case .both: [.none, .redis]
        }
    }
}
