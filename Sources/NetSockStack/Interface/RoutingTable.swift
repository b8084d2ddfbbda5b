public import NSAPI

/// Where an IPv4 packet goes next: longest prefix first, then the default gateway.
/// A host's table is short (the on-link subnet, a gateway, a few static routes), so a
/// linear scan is the fast choice.
public struct RoutingTable: Sendable, Equatable {
    public struct Route: Sendable, Equatable {
        public var destination: IPv4Subnet
        /// nil: on-link, the destination itself is the next hop.
        public var gateway: IPv4Address?

        public init(destination: IPv4Subnet, gateway: IPv4Address?) {
            self.destination = destination
            self.gateway = gateway
        }
    }

    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func add(_ route: Route) {
        self.routes.removeAll { $0.destination.network == route.destination.network && $0.destination.prefixLength == route.destination.prefixLength }
        self.routes.append(route)
    }

    public mutating func removeAll() { self.routes.removeAll() }

    /// The next hop for `destination`, or nil when no route covers it.
    public func nextHop(for destination: IPv4Address) -> IPv4Address? {
        var best: Route?
        for route in self.routes where route.destination.contains(destination) {
            if best == nil || route.destination.prefixLength > best!.destination.prefixLength { best = route }
        }
        guard let best else { return nil }
        return best.gateway ?? destination
    }

    public var defaultGateway: IPv4Address? {
        self.routes.first { $0.destination.prefixLength == 0 }?.gateway
    }
}
