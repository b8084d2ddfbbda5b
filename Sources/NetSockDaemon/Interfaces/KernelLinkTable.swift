import NSAPI
import NetSockPOSIX

/// What the kernel reports about links, addresses and default routes, kept current
/// from rtnetlink, and the NSAPI status it implies for a device.
struct KernelLinkTable {
    private(set) var links: [Int32: Netlink.Link] = [:]
    private(set) var addresses: [Int32: [Netlink.Address]] = [:]
    private(set) var defaultRoutes: [Netlink.Route] = []

    /// The table a full dump describes.
    init(dump messages: [Netlink.Message]) {
        for message in messages { self.apply(message) }
    }

    init() {}

    mutating func apply(_ message: Netlink.Message) {
        switch message {
        case .newLink(let link):
            self.links[link.index] = link
            // Taking a link down flushes its routes without a RTM_DELROUTE for each.
            if !link.isUp { self.defaultRoutes.removeAll { $0.outputIndex == link.index } }
        case .deleteLink(let index):
            self.links.removeValue(forKey: index)
            self.addresses.removeValue(forKey: index)
            self.defaultRoutes.removeAll { $0.outputIndex == index }
        case .newAddress(let address):
            var list = self.addresses[address.index] ?? []
            list.removeAll { $0.address == address.address }
            list.append(address)
            self.addresses[address.index] = list
        case .deleteAddress(let address):
            self.addresses[address.index]?.removeAll { $0.address == address.address }
        case .newRoute(let route) where route.isDefault:
            self.defaultRoutes.removeAll { $0.family == route.family && $0.outputIndex == route.outputIndex && $0.gateway == route.gateway }
            self.defaultRoutes.append(route)
        case .deleteRoute(let route) where route.isDefault:
            self.defaultRoutes.removeAll { $0.family == route.family && $0.outputIndex == route.outputIndex && $0.gateway == route.gateway }
        default:
            break
        }
    }

    /// Replaces every default route with those of a fresh route dump.
    mutating func replaceRoutes(with messages: [Netlink.Message]) {
        self.defaultRoutes = []
        for message in messages { if case .newRoute = message { self.apply(message) } }
    }

    func link(named name: String) -> Netlink.Link? { self.links.values.first { $0.name == name } }

    func addresses(of link: Netlink.Link) -> [Netlink.Address] { self.addresses[link.index] ?? [] }

    func gateway(of link: Netlink.Link, version: IPVersion) -> IPAddress? {
        self.defaultRoutes.first { $0.outputIndex == link.index && $0.gateway?.version == version }?.gateway
    }

    /// The status of a device: down or absent is `disconnected`; up without carrier or
    /// address is `connecting`; only link-local addresses is `local_up`; any other
    /// address (loopback included) is `global_up`.
    func status(device: String) -> ConnectionStatus {
        guard let link = self.link(named: device), link.isUp else { return .disconnected }
        guard link.hasCarrier || link.isLoopback else { return .connecting }
        let addresses = self.addresses(of: link)
        if addresses.contains(where: { !$0.isLinkLocal }) { return .globalUp }
        if !addresses.isEmpty { return .localUp }
        return .connecting
    }
}
