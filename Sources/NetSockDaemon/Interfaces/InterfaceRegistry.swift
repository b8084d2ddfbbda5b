import Logging
import NSAPI
import NetSockJSON
import NetSockPOSIX

/// The daemon's interfaces: which stack serves each, its NSAPI status, and the
/// NetworkInterface calls (connect, disconnect, set_network, set_dhcp, set_default).
///
/// Kernel interfaces follow the kernel through rtnetlink: every status change,
/// whoever caused it, is published as an `interface` event `status_changed`.
final class InterfaceRegistry {
    private(set) var interfaces: [ManagedInterface] = []
    var defaultName: String?
    let kernelStack: KernelStack
    private var table = KernelLinkTable()
    private var netlink: RouteNetlink?
    private let reactor: Reactor
    private let events: EventBus
    private let logger: Logger
    /// How long a blocking `interface.connect` waits for an address before `NO_CONNECTION`.
    var connectTimeoutMilliseconds = 15_000

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
            if let existing = self.interfaces.first(where: { $0.name == entry.name && $0.device == entry.device && $0.stackKind == entry.stack }) {
                next.append(existing)
                continue
            }
            let stack: any NetworkStack = entry.stack == .kernel ? self.kernelStack : UnavailableStack(name: entry.stack.rawValue)
            let interface = ManagedInterface(configuration: entry, stack: stack)
            if entry.stack == .kernel, let device = entry.device { interface.status = self.table.status(device: device) }
            next.append(interface)
        }
        self.interfaces = next
        self.defaultName = configuration.defaultInterface ?? next.first?.name
    }

    /// Starts following the kernel. Without rtnetlink (a restricted sandbox) kernel
    /// interfaces stay `disconnected` and connect reports the reason.
    func start() {
        do {
            let netlink = try RouteNetlink(reactor: self.reactor) { [unowned self] messages in self.kernelChanged(messages) }
            for type in [Netlink.MessageType.getLink, Netlink.MessageType.getAddress, Netlink.MessageType.getRoute] {
                for message in try netlink.dump(type) { self.table.apply(message) }
            }
            self.netlink = netlink
        } catch {
            self.logger.warning("rtnetlink unavailable, kernel interface status is unknown: \(error)")
        }
        for interface in self.interfaces where interface.stackKind == .kernel {
            interface.status = self.table.status(device: interface.device ?? "")
        }
    }

    // MARK: Lookup

    func interface(named name: String?) -> ManagedInterface? {
        guard let name = name ?? self.defaultName else { return nil }
        return self.interfaces.first { $0.name == name }
    }

    var names: [String] { self.interfaces.map(\.name) }

    // MARK: Kernel events

    private func kernelChanged(_ messages: [Netlink.Message]) {
        for message in messages { self.table.apply(message) }
        for interface in self.interfaces where interface.stackKind == .kernel {
            let observed = self.table.status(device: interface.device ?? "")
            // While connect runs, the kernel's "down" is stale news; the request moved it on.
            if interface.status == .connecting && observed == .disconnected && !interface.connectWaiters.isEmpty { continue }
            self.publish(interface, observed)
        }
    }

    /// Records and announces a status change (Mbed's NSAPI_EVENT_CONNECTION_STATUS_CHANGE).
    private func publish(_ interface: ManagedInterface, _ status: ConnectionStatus) {
        guard interface.status != status else { return }
        let previous = interface.status
        interface.status = status
        self.logger.info("interface \(interface.name): \(previous.apiName) -> \(status.apiName)")
        self.events.publish(
            topic: "interface", event: "status_changed",
            data: ["interface": .string(interface.name), "status": .string(status.apiName), "previous": .string(previous.apiName)])
        if status.isUp {
            let waiters = interface.connectWaiters
            interface.connectWaiters.removeAll()
            for waiter in waiters { waiter(status) }
        }
    }

    // MARK: NetworkInterface calls

    /// Brings the link up (applying a static network) and, when blocking, waits for an
    /// address: `IS_CONNECTED` when up, `BUSY` while connecting, `NO_CONNECTION` when no
    /// address comes in time (Mbed's lwIP interface codes).
    func connect(
        _ interface: ManagedInterface, blocking: Bool, progress: @escaping (String) -> Void = { _ in },
        completion: @escaping (Result<ConnectionStatus, NSAPIError>) -> Void
    ) {
        guard interface.stackKind == .kernel, let device = interface.device else { return completion(.failure(.unsupported)) }
        if interface.status.isUp { return completion(.failure(.isConnected)) }
        if interface.status == .connecting { return completion(.failure(.busy)) }
        guard let netlink, let link = self.table.link(named: device) else {
            return completion(.failure(.noConnection))
        }
        self.publish(interface, .connecting)
        do {
            progress("link_up")
            try netlink.perform { Netlink.setLink(index: link.index, up: true, sequence: $0) }
            if let network = interface.staticNetwork {
                progress("static_network")
                try self.apply(network, to: link, netlink: netlink)
            }
        } catch {
            self.publish(interface, .disconnected)
            return completion(.failure(Self.nsapiError(error)))
        }
        guard blocking else { return completion(.success(.connecting)) }
        progress("waiting_for_address")
        var finished = false
        let timer = self.reactor.scheduleTimer(afterMilliseconds: self.connectTimeoutMilliseconds) { [weak interface] in
            guard !finished, let interface else { return }
            finished = true
            interface.connectWaiters.removeAll()
            completion(.failure(.noConnection))
        }
        interface.connectWaiters.append { status in
            guard !finished else { return }
            finished = true
            timer.cancel()
            completion(.success(status))
        }
    }

    /// Takes the link down: `NO_CONNECTION` when already down.
    func disconnect(_ interface: ManagedInterface) throws(NSAPIError) -> ConnectionStatus {
        guard interface.stackKind == .kernel, let device = interface.device else { throw .unsupported }
        guard interface.status != .disconnected else { throw .noConnection }
        guard let netlink, let link = self.table.link(named: device) else { throw .noConnection }
        do {
            try netlink.perform { Netlink.setLink(index: link.index, up: false, sequence: $0) }
        } catch {
            throw Self.nsapiError(error)
        }
        let waiters = interface.connectWaiters
        interface.connectWaiters.removeAll()
        self.publish(interface, .disconnected)
        for waiter in waiters { waiter(.disconnected) }
        return .disconnected
    }

    /// Stores a static address, netmask and gateway; applied at once when the link is up.
    func setNetwork(_ interface: ManagedInterface, _ network: ManagedInterface.StaticNetwork) throws(NSAPIError) {
        guard interface.stackKind == .kernel else { throw .unsupported }
        let previous = interface.staticNetwork
        interface.staticNetwork = network
        interface.dhcp = false
        guard let netlink, let device = interface.device, let link = self.table.link(named: device), link.isUp else { return }
        do {
            if let previous, previous.address != network.address {
                try? netlink.perform {
                    Netlink.address(add: false, index: link.index, address: previous.address, prefixLength: previous.prefixLength, sequence: $0)
                }
            }
            try self.apply(network, to: link, netlink: netlink)
        } catch {
            throw Self.nsapiError(error)
        }
    }

    private func apply(_ network: ManagedInterface.StaticNetwork, to link: Netlink.Link, netlink: RouteNetlink) throws(SystemError) {
        try netlink.perform {
            Netlink.address(add: true, index: link.index, address: network.address, prefixLength: network.prefixLength, sequence: $0)
        }
        if let gateway = network.gateway {
            try netlink.perform { Netlink.defaultRoute(add: true, index: link.index, gateway: gateway, sequence: $0) }
        }
    }

    static func nsapiError(_ error: SystemError) -> NSAPIError {
        switch error.errno {
        case 1, 13: .deviceError  // EPERM, EACCES: the daemon lacks CAP_NET_ADMIN.
        case 19: .noConnection  // ENODEV: the device went away.
        default: KernelErrno.nsapiError(error.errno)
        }
    }

    // MARK: Views

    func summary(_ interface: ManagedInterface) -> JSONValue {
        [
            "name": .string(interface.name), "type": .string(interface.type.rawValue),
            "stack": .string(interface.stackKind.rawValue), "status": .string(interface.status.apiName),
            "default": .bool(interface.name == self.defaultName),
        ]
    }

    func details(_ interface: ManagedInterface, dns: [String]) -> JSONValue {
        var result: JSONObject = [
            "name": .string(interface.name), "type": .string(interface.type.rawValue),
            "stack": .string(interface.stackKind.rawValue), "status": .string(interface.status.apiName),
        ]
        var mac: JSONValue = .null
        var ipv4: JSONValue = .null
        var ipv6: [JSONValue] = []
        var extra: JSONObject = [:]
        if interface.stackKind == .kernel, let device = interface.device, let link = self.table.link(named: device) {
            if let hardware = link.hardwareAddress, hardware.count == 6 {
                mac = .string(hardware.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined(separator: ":"))
            }
            let addresses = self.table.addresses(of: link)
            if let v4 = addresses.first(where: { $0.address.version == .ipv4 }) {
                let mask: UInt32 = v4.prefixLength == 0 ? 0 : ~UInt32(0) << (32 - UInt32(min(32, v4.prefixLength)))
                ipv4 = [
                    "address": .string(v4.address.description), "netmask": .string(IPv4Address(mask).description),
                    "gateway": self.table.gateway(of: link, version: .ipv4).map { .string($0.description) } ?? .null,
                ]
            }
            ipv6 = addresses.filter { $0.address.version == .ipv6 }.map { .string($0.address.description) }
            extra = [
                "device": .string(device), "index": .integer(Int64(link.index)),
                "mtu": link.mtu.map { .integer(Int64($0)) } ?? .null, "carrier": .bool(link.hasCarrier),
            ]
        } else if let device = interface.device {
            extra["device"] = .string(device)
        }
        result["mac"] = mac
        result["ipv4"] = ipv4
        result["ipv6"] = .array(ipv6)
        result["dhcp"] = .bool(interface.dhcp)
        result["dns"] = JSONValue(dns)
        result["default"] = .bool(interface.name == self.defaultName)
        for (key, value) in extra { result[key] = value }
        return .object(result)
    }
}
