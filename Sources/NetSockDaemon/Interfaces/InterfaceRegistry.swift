#if canImport(Glibc)
import Glibc
#endif
import Logging
import NSAPI
import NetSockJSON
import NetSockPOSIX

/// The daemon's interfaces: which stack serves each, its NSAPI status, and the
/// NetworkInterface calls (connect, disconnect, set_network, set_dhcp, set_default).
///
/// Kernel interfaces follow the kernel through rtnetlink: every status change,
/// whoever caused it, is published as an `interface` event `status_changed`. Every
/// call that changes the kernel first applies what the monitor holds and applies it
/// again after its change, so decisions use the kernel's current state and no older
/// news can follow an event this registry published (events never go backwards).
final class InterfaceRegistry {
    private(set) var interfaces: [ManagedInterface] = []
    var defaultName: String?
    let kernelStack: KernelStack
    private var table = KernelLinkTable()
    private var netlink: RouteNetlink?
    /// DNS servers an interface learnt from its link (DHCP), for the resolver.
    var onLinkDNSServers: ((String, [SocketAddress]) -> Void)?
    let reactor: Reactor
    let events: EventBus
    let logger: Logger

    init(configuration: DaemonConfiguration, reactor: Reactor, events: EventBus, logger: Logger) {
        self.reactor = reactor
        self.events = events
        self.logger = logger
        self.kernelStack = KernelStack(reactor: reactor)
        self.configure(configuration)
    }

    /// Applies a (re)loaded configuration: interfaces keep their state when they stay.
    func configure(_ configuration: DaemonConfiguration) {
        var next: [ManagedInterface] = []
        for entry in configuration.interfaces {
            if let existing = self.interfaces.first(where: {
                $0.name == entry.name && $0.device == entry.device && $0.stackKind == entry.stack
                    && $0.connectTimeoutMilliseconds == entry.connectTimeoutMilliseconds
                    && $0.link == entry.link && $0.linkOptions == entry.linkOptions
                    && (($0.stackKind != .modem && $0.type != .wifi) || $0.configuration == entry)
            }) {
                next.append(existing)
                continue
            }
            let stack: any NetworkStack
            var modem: CellularModem?
            switch (entry.stack, entry.link) {
            case (.kernel, _): stack = self.kernelStack
            case (.ip, let link?): stack = self.makeIPStack(entry, link)
            case (.modem, _):
                modem = self.makeCellularModem(entry)
                stack = modem!.stack
            default: stack = UnavailableStack(name: entry.stack.rawValue)
            }
            let interface = ManagedInterface(configuration: entry, stack: stack)
            interface.modem = modem
            if let control = entry.wpaControl { interface.wifi = self.makeWiFiSupplicant(entry, control: control) }
            if let driver = entry.wpaSpawnDriver, let device = entry.supplicantDevice {
                self.spawnSupplicant(interface, entry, device: device, driver: driver)
            }
            // A Wi-Fi link counts as up only once associated, whatever its device says.
            if entry.stack == .kernel, interface.wifi == nil, let device = entry.device { interface.status = self.table.status(device: device) }
            next.append(interface)
        }
        // Interfaces that went (or changed) let go of their devices.
        for gone in self.interfaces where !next.contains(where: { $0 === gone }) {
            (gone.stack as? IPStack)?.detach()
            gone.modem?.close()
            gone.wifi?.close()
            gone.supplicantProcess?.stop()
        }
        self.interfaces = next
        self.defaultName = configuration.defaultInterface ?? next.first?.name
    }

    /// Starts following the kernel. Without rtnetlink (a restricted sandbox) kernel
    /// interfaces stay `disconnected` and connect reports the reason.
    func start() {
        do {
            let netlink = try RouteNetlink(
                reactor: self.reactor, onMessages: { [unowned self] messages in self.kernelChanged(messages) },
                onOverrun: { [unowned self] in self.resynchronise() })
            self.table = try Self.dumpAll(netlink)
            self.netlink = netlink
        } catch {
            self.logger.warning("rtnetlink unavailable, kernel interface status is unknown: \(error)")
        }
        for interface in self.interfaces where interface.stackKind == .kernel && interface.wifi == nil {
            interface.status = self.table.status(device: interface.device ?? "")
        }
    }

    private static func dumpAll(_ netlink: RouteNetlink) throws(SystemError) -> KernelLinkTable {
        var messages: [Netlink.Message] = []
        for type in [Netlink.MessageType.getLink, Netlink.MessageType.getAddress, Netlink.MessageType.getRoute] {
            messages += try netlink.dump(type)
        }
        return KernelLinkTable(dump: messages)
    }

    // MARK: Lookup

    func interface(named name: String?) -> ManagedInterface? {
        guard let name = name ?? self.defaultName else { return nil }
        return self.interfaces.first { $0.name == name }
    }

    var names: [String] { self.interfaces.map(\.name) }

    // MARK: Kernel events

    private func kernelChanged(_ messages: [Netlink.Message]) {
        var routesInDoubt = false
        for message in messages {
            self.table.apply(message)
            switch message {
            case .newLink, .deleteLink, .deleteAddress: routesInDoubt = true
            default: break
            }
        }
        // Links going down and addresses going away take routes with them, not always
        // with a RTM_DELROUTE: ask the kernel for its routes rather than guess.
        if routesInDoubt, let netlink, let routes = try? netlink.dump(Netlink.MessageType.getRoute) {
            self.table.replaceRoutes(with: routes)
        }
        self.followKernel()
    }

    /// The monitor overflowed and lost notifications: read the kernel's state again.
    private func resynchronise() {
        guard let netlink else { return }
        do {
            self.table = try Self.dumpAll(netlink)
            self.logger.notice("rtnetlink monitor overflowed; state read again from the kernel")
        } catch {
            self.logger.error("rtnetlink monitor overflowed and the re-dump failed: \(error)")
        }
        self.followKernel()
    }

    /// Publishes what the kernel's state implies for every kernel interface, and ends
    /// connect attempts it decides.
    private func followKernel() {
        for interface in self.interfaces where interface.stackKind == .kernel {
            // A Wi-Fi link is up only while associated: its status is the station's until then.
            if let wifi = interface.wifi, wifi.station.phase != .connected { continue }
            let observed = self.table.status(device: interface.device ?? "")
            // While a connect brings the link up, its own `connecting` stands until the
            // kernel says more (an address) or the attempt ends.
            if interface.connectAttempt != nil && observed == .disconnected { continue }
            self.publish(interface, observed)
            // An interface told to expect an address (DHCP, or a static network) is up
            // for connect once it has one, as Mbed's lwIP interface waits past a
            // link-local one; otherwise a link-local address is all that will come.
            if interface.countsAsConnected(observed), let attempt = interface.connectAttempt {
                interface.connectAttempt = nil
                attempt.finish(.success(observed))
            }
        }
    }

    /// The kernel's view of the interfaces again (a Wi-Fi link that just associated).
    func republishKernelStatus() {
        self.synchronise()
        self.followKernel()
    }

    /// Applies every notification the monitor holds (the kernel's answer to our last
    /// request included), before a decision and before an event of ours.
    private func synchronise() { self.netlink?.drainMonitor() }

    /// Records and announces a status change (Mbed's NSAPI_EVENT_CONNECTION_STATUS_CHANGE).
    func publish(_ interface: ManagedInterface, _ status: ConnectionStatus) {
        guard interface.status != status else { return }
        let previous = interface.status
        interface.status = status
        self.logger.info("interface \(interface.name): \(previous.apiName) -> \(status.apiName)")
        self.events.publish(.statusChanged(interface: interface.name, status: status, previous: previous))
    }

    // MARK: NetworkInterface calls

    /// Brings the link up (applying a static network) and, when blocking, waits for an
    /// address. `IS_CONNECTED` when up; `BUSY` while another connect runs; when no address
    /// comes in time, `NO_CONNECTION` without carrier and `DHCP_FAILURE` with it (Mbed's
    /// lwIP interface codes), and a link this connect brought up goes down again. A
    /// nonblocking connect answers `connecting` at once and runs to the same end.
    func connect(
        _ interface: ManagedInterface, blocking: Bool, progress: @escaping (String) -> Void = { _ in },
        completion: @escaping (Result<ConnectionStatus, NSAPIError>) -> Void
    ) {
        // A Wi-Fi interface associates first, whichever stack then takes the address.
        if let wifi = interface.wifi {
            return self.connect(interface, on: wifi, blocking: blocking, progress: progress, completion: completion)
        }
        if let stack = interface.stack as? IPStack {
            return self.connect(interface, on: stack, blocking: blocking, progress: progress, completion: completion)
        }
        if let modem = interface.modem {
            return self.connect(interface, on: modem, blocking: blocking, progress: progress, completion: completion)
        }
        self.connectKernel(interface, blocking: blocking, progress: progress, completion: completion)
    }

    /// The kernel's link and addresses: up, then an address in time. `associated`: a
    /// Wi-Fi connect goes on after its association, whose link may have brought its
    /// address already; the attempt is in place before the kernel's news is read.
    func connectKernel(
        _ interface: ManagedInterface, blocking: Bool, associated: Bool = false, progress: @escaping (String) -> Void = { _ in },
        completion: @escaping (Result<ConnectionStatus, NSAPIError>) -> Void
    ) {
        guard interface.stackKind == .kernel, let device = interface.device else { return completion(.failure(.unsupported)) }
        if !associated {
            self.synchronise()
            if interface.isConnected { return completion(.failure(.isConnected)) }
            if interface.connectAttempt != nil { return completion(.failure(.busy)) }
        }
        let attempt = ConnectAttempt(completion: blocking ? completion : nil, broughtLinkUp: false)
        interface.connectAttempt = attempt
        if associated {
            self.synchronise()
            // The address was there already (a static one kept from before).
            guard interface.connectAttempt === attempt else { return }
        }
        guard let netlink, let link = self.table.link(named: device) else {
            interface.connectAttempt = nil
            return completion(.failure(.noConnection))
        }
        attempt.broughtLinkUp = !link.isUp
        self.publish(interface, .connecting)
        do {
            progress("link_up")
            if !link.isUp {
                try netlink.perform { Netlink.setLink(index: link.index, up: true, sequence: $0) }
                self.synchronise()
            }
            if let network = interface.staticNetwork, let current = self.table.link(named: device) {
                progress("static_network")
                try self.apply(network, replacing: interface.appliedNetwork, on: current, netlink: netlink)
                interface.appliedNetwork = network
            }
        } catch {
            interface.connectAttempt = nil
            self.takeDown(interface, after: attempt)
            return completion(.failure(Self.nsapiError(error)))
        }
        // A nonblocking connect answers at once, as Mbed's does: the events tell the rest.
        if !blocking { completion(.success(.connecting)) }
        self.followKernel()
        // Up already (an address was there, or the static one made it): done.
        guard interface.connectAttempt === attempt else { return }
        progress("waiting_for_address")
        attempt.timer = self.reactor.scheduleTimer(afterMilliseconds: interface.connectTimeoutMilliseconds) {
            [weak self, weak interface, weak attempt] in
            guard let self, let interface, let attempt, interface.connectAttempt === attempt else { return }
            self.synchronise()
            guard interface.connectAttempt === attempt else { return }
            interface.connectAttempt = nil
            let carrier = self.table.link(named: device)?.hasCarrier ?? false
            self.takeDown(interface, after: attempt)
            attempt.finish(.failure(carrier ? .dhcpFailure : .noConnection))
        }
    }

    /// After a failed attempt: a link it brought up goes down again, and the status
    /// follows the kernel (so the next connect starts afresh instead of finding BUSY).
    private func takeDown(_ interface: ManagedInterface, after attempt: ConnectAttempt) {
        if attempt.broughtLinkUp, let netlink, let device = interface.device, let link = self.table.link(named: device) {
            try? netlink.perform { Netlink.setLink(index: link.index, up: false, sequence: $0) }
            self.synchronise()
        }
        self.followKernel()
    }

    /// Takes the link down: `NO_CONNECTION` when already down. A connect still waiting
    /// ends with `NO_CONNECTION` (it was disconnected before an address came).
    func disconnect(_ interface: ManagedInterface) throws(NSAPIError) -> ConnectionStatus {
        if let wifi = interface.wifi { return try self.disconnect(interface, on: wifi) }
        if let stack = interface.stack as? IPStack { return try self.disconnect(interface, on: stack) }
        if let modem = interface.modem { return try self.disconnect(interface, on: modem) }
        guard interface.stackKind == .kernel, let device = interface.device else { throw .unsupported }
        self.synchronise()
        guard interface.status != .disconnected else { throw .noConnection }
        guard let netlink, let link = self.table.link(named: device) else { throw .noConnection }
        do {
            try netlink.perform { Netlink.setLink(index: link.index, up: false, sequence: $0) }
        } catch {
            throw Self.nsapiError(error)
        }
        let attempt = interface.connectAttempt
        interface.connectAttempt = nil
        self.synchronise()
        self.followKernel()
        self.publish(interface, .disconnected)
        attempt?.finish(.failure(.noConnection))
        return .disconnected
    }

    /// A static address, netmask and gateway. On a link that is up it is applied at once,
    /// as a whole or not at all (a failure puts back what was there); on a link that is
    /// down it is configuration, applied by the next connect.
    func setNetwork(_ interface: ManagedInterface, _ network: ManagedInterface.StaticNetwork) throws(NSAPIError) {
        if let stack = interface.stack as? IPStack { return try self.setNetwork(interface, network, on: stack) }
        // The network gives a cellular interface its address.
        if interface.modem != nil { throw .unsupported }
        guard interface.stackKind == .kernel else { throw .unsupported }
        self.synchronise()
        if let netlink, let device = interface.device, let link = self.table.link(named: device), link.isUp {
            do {
                try self.apply(network, replacing: interface.appliedNetwork, on: link, netlink: netlink)
                interface.appliedNetwork = network
            } catch where error.errno == ENETDOWN {
                // The link went down meanwhile: what we changed is undone; keep it as configuration.
            } catch {
                throw Self.nsapiError(error)
            }
            self.followKernel()
        }
        interface.staticNetwork = network
        interface.dhcp = false
    }

    /// Puts `network` on the link in place of `previous`: every step is undone, in
    /// reverse, when a later one fails, and the first failure is thrown.
    private func apply(
        _ network: ManagedInterface.StaticNetwork, replacing previous: ManagedInterface.StaticNetwork?,
        on link: Netlink.Link, netlink: RouteNetlink
    ) throws(SystemError) {
        var undo: [() -> Void] = []
        func step(_ build: @escaping (UInt32) -> [UInt8], undoneBy reverse: ((UInt32) -> [UInt8])?) throws(SystemError) {
            try netlink.perform(build)
            if let reverse { undo.append { try? netlink.perform(reverse) } }
        }
        let index = link.index
        let present = self.table.addresses(of: link).map(\.address)
        let oldGateway = self.table.gateway(of: link, version: network.address.version)
        do {
            if let previous, previous.address != network.address, present.contains(previous.address) {
                // Removing the old address takes the routes through it along (the kernel's
                // doing): undoing it puts both back.
                try step(
                    { Netlink.address(add: false, index: index, address: previous.address, prefixLength: previous.prefixLength, sequence: $0) },
                    undoneBy: nil)
                undo.append {
                    try? netlink.perform {
                        Netlink.address(add: true, index: index, address: previous.address, prefixLength: previous.prefixLength, sequence: $0)
                    }
                    if let oldGateway { try? netlink.perform { Netlink.defaultRoute(add: true, index: index, gateway: oldGateway, sequence: $0) } }
                }
            }
            try step(
                { Netlink.address(add: true, index: index, address: network.address, prefixLength: network.prefixLength, sequence: $0) },
                undoneBy: present.contains(network.address) ? nil
                    : { Netlink.address(add: false, index: index, address: network.address, prefixLength: network.prefixLength, sequence: $0) })
            if let gateway = network.gateway {
                try step(
                    { Netlink.defaultRoute(add: true, index: index, gateway: gateway, sequence: $0) },
                    undoneBy: oldGateway.map { old in { Netlink.defaultRoute(add: true, index: index, gateway: old, sequence: $0) } }
                        ?? { Netlink.defaultRoute(add: false, index: index, gateway: gateway, sequence: $0) })
            } else if let oldGateway, let previousGateway = previous?.gateway, previousGateway == oldGateway {
                // The gateway we set before goes with the network it belonged to.
                try? netlink.perform { Netlink.defaultRoute(add: false, index: index, gateway: oldGateway, sequence: $0) }
            }
        } catch {
            for reverse in undo.reversed() { reverse() }
            self.synchronise()
            throw error
        }
        self.synchronise()
    }

    static func nsapiError(_ error: SystemError) -> NSAPIError {
        switch error.errno {
        case 1, 13: .deviceError  // EPERM, EACCES: the daemon lacks CAP_NET_ADMIN.
        case 19: .noConnection  // ENODEV: the device went away.
        default: KernelErrno.nsapiError(error.errno)
        }
    }

    // MARK: Views

    /// What the kernel says of an interface's link and addresses (nothing for other stacks yet).
    struct Observed {
        var hardwareAddress: [UInt8]?
        var ipv4: (address: IPAddress, prefixLength: Int, gateway: IPAddress?)?
        var ipv6: [IPAddress] = []
        /// The kernel link behind the interface: its index, MTU and carrier.
        var link: (index: Int, mtu: Int?, carrier: Bool)?
        /// An `ip` interface's own link: its device, MTU, whether it is attached, and counters.
        var ipLink: IPLinkDetails?
        /// A cellular interface's modem: state, operator, registration, signal.
        var cellular: CellularDetails?
        /// A Wi-Fi interface's station: the network and the access point.
        var wifi: WiFiDetails?
    }

    func observe(_ interface: ManagedInterface) -> Observed {
        var observed = self.observeStack(interface)
        observed.wifi = interface.wifi.map { WiFiDetails($0.station) }
        return observed
    }

    private func observeStack(_ interface: ManagedInterface) -> Observed {
        if let stack = interface.stack as? IPStack { return Self.observe(stack) }
        if let modem = interface.modem { return Self.observe(modem) }
        guard interface.stackKind == .kernel, let device = interface.device, let link = self.table.link(named: device) else {
            return Observed()
        }
        let addresses = self.table.addresses(of: link)
        var observed = Observed(
            hardwareAddress: link.hardwareAddress, ipv6: addresses.filter { $0.address.version == .ipv6 }.map(\.address),
            link: (Int(link.index), link.mtu.map { Int($0) }, link.hasCarrier))
        if let v4 = addresses.first(where: { $0.address.version == .ipv4 }) {
            observed.ipv4 = (v4.address, v4.prefixLength, self.table.gateway(of: link, version: .ipv4))
        }
        return observed
    }
}
