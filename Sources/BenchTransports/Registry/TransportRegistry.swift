import BenchCore
import BenchServer
import Foundation

/// The transports a run may use, in report order: the one list the engine, the reports and the
/// command line consult.
///
/// `bench`'s own list is `TransportRegistry.standard` in BenchCLI (the only module that sees
/// BenchGRPC); tests build smaller ones, or add a transport of their own.
public struct TransportRegistry: Sendable {
    public let descriptors: [any TransportDescriptor]

    /// - Precondition: no two descriptors share a name.
    public init(_ descriptors: [any TransportDescriptor]) {
        precondition(Set(descriptors.map(\.kind)).count == descriptors.count, "two transports share a name")
        self.descriptors = descriptors
    }

    /// The names, in report order.
    public var kinds: [TransportKind] { descriptors.map(\.kind) }

    /// Every transport's server half.
    public var routes: Routes {
        var routes = Routes()
        for descriptor in descriptors { descriptor.register(in: &routes) }
        return routes
    }

    /// The transport named `kind`, if registered.
    public func descriptor(for kind: TransportKind) -> (any TransportDescriptor)? {
        descriptors.first { $0.kind == kind }
    }

    /// The display name of `kind`, or its name when it is not registered.
    public func displayName(of kind: TransportKind) -> String {
        descriptor(for: kind)?.displayName ?? kind.rawValue
    }

    /// Parses a comma-separated list such as `short-polling,sse`, or `all`: every registered
    /// transport that carries `direction` (every one when `direction` is `nil`). Duplicates are
    /// dropped, the order kept.
    ///
    /// - Throws: ``BenchError`` (usage) naming an unknown transport and the valid names.
    public func parse(_ text: String, carrying direction: Direction? = nil) throws(BenchError) -> [any TransportDescriptor] {
        var chosen: [any TransportDescriptor] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "all" {
                chosen += descriptors.filter { direction.map($0.directions.contains) ?? true }
                continue
            }
            guard let descriptor = descriptor(for: TransportKind(rawValue: name)) else {
                throw .usage("unknown transport '\(name)'; choose from \(names)")
            }
            chosen.append(descriptor)
        }
        var seen = Set<TransportKind>()
        return chosen.filter { seen.insert($0.kind).inserted }
    }

    /// The names and `all`, for help texts and errors.
    public var names: String { (kinds.map(\.rawValue) + ["all"]).joined(separator: ", ") }

    /// Refuses `scenario` for `descriptor`: a direction it does not carry (naming the registered
    /// transports that do), then whatever ``TransportDescriptor/check(_:)`` refuses.
    public func check(_ descriptor: any TransportDescriptor, _ scenario: Scenario) throws(BenchError) {
        guard descriptor.directions.contains(scenario.direction) else {
            let carriers = descriptors.filter { $0.directions.contains(scenario.direction) }.map(\.kind.rawValue)
            let supported = descriptor.directions.map(\.rawValue).joined(separator: ", ")
            throw .usage(
                "\(descriptor.kind.rawValue) carries only \(supported); --direction \(scenario.direction.rawValue) needs "
                    + (carriers.isEmpty ? "a transport that carries it" : carriers.joined(separator: " or ")))
        }
        // Every client here speaks TLS through swift-nio-ssl, whose API keeps no client sessions.
        if scenario.tls.enabled && scenario.tls.resumption {
            throw .usage(
                "--tls-resumption on: bench's clients run on swift-nio-ssl, which keeps no client TLS sessions, so they cannot resume; "
                    + "docs/tls.md measures resumption with curl against bench serve --tls")
        }
        try descriptor.check(scenario)
    }
}
