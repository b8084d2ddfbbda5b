import Logging
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockRPC
import NetSockStack
import NetSockWire

/// What `interface.status` shows of an `ip` interface's own link.
struct IPLinkDetails: APIObject {
    var kind: String
    var device: String
    var attached: Bool
    var mtu: Int
    var offloads: [String]
    var counters: JSONObject

    static let members: [APIMember<IPLinkDetails>] = [
        APIMember("kind", \.kind, "tap or packet."), APIMember("device", \.device, "The TAP or AF_PACKET device."),
        APIMember("attached", \.attached, "Whether the device is open (between connect and disconnect)."),
        APIMember("mtu", \.mtu, "The link's MTU as the stack uses it."),
        APIMember(
            "offloads", \.offloads,
            "What the device does for the stack: checksum (finishes and vouches for TCP/UDP checksums), tcp_segmentation (cuts 64 KB TCP packets). Empty when none or detached."),
        APIMember(
            "counters", \.counters,
            "frames_received, bytes_received, frames_sent, bytes_sent, arp_conflicts, tcp_segments_received, tcp_segments_sent (a packet the device cuts counts once), tcp_connections, and drops by reason."),
    ]
}

/// NetworkInterface calls on `ip` interfaces: the daemon owns the link and the
/// addresses, so connect attaches the device and applies the static network (DHCP
/// follows in its own client), and status comes from the stack, not from rtnetlink.
extension InterfaceRegistry {
    func makeIPStack(_ entry: DaemonConfiguration.Interface, _ link: DaemonConfiguration.Link) -> IPStack {
        let stack = IPStack(configuration: entry, link: link, reactor: self.reactor, logger: self.logger)
        stack.onInterfaceEvent = { [unowned self] event in
            switch event {
            case .addressConflict(let address, let mac):
                self.logger.warning("interface \(entry.name): \(mac) also claims \(address)")
                self.events.publish(.addressConflict(interface: entry.name, address: address.description, mac: mac.description))
            case .probeConflict:
                break  // The DHCP client's business: it declines the offer.
            }
        }
        stack.onDHCPEvent = { [unowned self, unowned stack] event in self.dhcpEvent(event, on: stack, interfaceName: entry.name) }
        stack.onLinkLost = { [unowned self, unowned stack] in
            guard let interface = self.interfaces.first(where: { $0.stack === stack }) else { return }
            let attempt = interface.connectAttempt
            interface.connectAttempt = nil
            self.onLinkDNSServers?(interface.name, [])
            // A radio's device gone: the association is over too.
            if let wifi = interface.wifi { self.dissociate(interface, wifi) }
            self.publish(interface, .disconnected)
            attempt?.finish(.failure(.noConnection))
        }
        return stack
    }

    /// A lease bound or renewed brings the interface up and its DNS servers to the
    /// resolver; a lease lost takes it back to `connecting` while DHCP starts again.
    private func dhcpEvent(_ event: DHCPClient.Event, on stack: IPStack, interfaceName: String) {
        guard let interface = self.interfaces.first(where: { $0.stack === stack }) else { return }
        switch event {
        case .bound(let lease), .renewed(let lease):
            self.logger.info("interface \(interfaceName): DHCP lease \(lease.address) from \(lease.server)")
            self.onLinkDNSServers?(interfaceName, lease.dnsServers.map { SocketAddress(.v4($0), port: 53) })
            self.publish(interface, .globalUp)
            if let attempt = interface.connectAttempt {
                interface.connectAttempt = nil
                attempt.finish(.success(.globalUp))
            }
        case .lost(let lease):
            self.logger.warning("interface \(interfaceName): DHCP lease \(lease.address) lost")
            self.onLinkDNSServers?(interfaceName, [])
            self.publish(interface, .connecting)
        case .declined(let address):
            self.logger.warning("interface \(interfaceName): declined \(address), which another host holds")
        }
    }

    func connect(
        _ interface: ManagedInterface, on stack: IPStack, blocking: Bool, progress: @escaping (String) -> Void,
        completion: @escaping (Result<ConnectionStatus, NSAPIError>) -> Void
    ) {
        if interface.status.isUp { return completion(.failure(.isConnected)) }
        if interface.connectAttempt != nil { return completion(.failure(.busy)) }
        progress("link_up")
        do {
            try stack.attach()
        } catch {
            self.logger.error("interface \(interface.name): cannot attach its link: \(error)")
            return completion(.failure(Self.nsapiError(error)))
        }
        if let network = interface.staticNetwork, !interface.dhcp, case .v4(let address) = network.address {
            progress("static_network")
            stack.configure(IPv4Subnet(address, prefixLength: network.prefixLength), gateway: Self.ipv4(network.gateway))
            self.publish(interface, .globalUp)
            return completion(.success(.globalUp))
        }
        // DHCP (or nothing, without a static network) has the time the interface
        // allows, then the link is let go.
        let attempt = ConnectAttempt(completion: blocking ? completion : nil, broughtLinkUp: true)
        interface.connectAttempt = attempt
        self.publish(interface, .connecting)
        if !blocking { completion(.success(.connecting)) }
        progress("waiting_for_address")
        if interface.dhcp { stack.startDHCP() }
        // DHCP may have bound at once (never on a real link, but say so right).
        guard interface.connectAttempt === attempt else { return }
        attempt.timer = self.reactor.scheduleTimer(afterMilliseconds: interface.connectTimeoutMilliseconds) {
            [weak self, weak interface, weak attempt] in
            guard let self, let interface, let attempt, interface.connectAttempt === attempt else { return }
            interface.connectAttempt = nil
            stack.detach()
            self.publish(interface, .disconnected)
            attempt.finish(.failure(.dhcpFailure))
        }
    }

    func disconnect(_ interface: ManagedInterface, on stack: IPStack) throws(NSAPIError) -> ConnectionStatus {
        guard interface.status != .disconnected else { throw .noConnection }
        let attempt = interface.connectAttempt
        interface.connectAttempt = nil
        stack.detach()
        self.onLinkDNSServers?(interface.name, [])
        self.publish(interface, .disconnected)
        attempt?.finish(.failure(.noConnection))
        return .disconnected
    }

    /// IPv4 only (this stack has no IPv6 yet). Applied at once while the link is
    /// attached, which also ends a connect waiting for an address.
    func setNetwork(_ interface: ManagedInterface, _ network: ManagedInterface.StaticNetwork, on stack: IPStack) throws(NSAPIError) {
        guard case .v4(let address) = network.address, network.prefixLength <= 32 else { throw .unsupported }
        if let gateway = network.gateway, gateway.version != .ipv4 { throw .parameter }
        interface.staticNetwork = network
        interface.dhcp = false
        guard stack.isAttached else { return }
        stack.configure(IPv4Subnet(address, prefixLength: network.prefixLength), gateway: Self.ipv4(network.gateway))
        self.publish(interface, .globalUp)
        if let attempt = interface.connectAttempt {
            interface.connectAttempt = nil
            attempt.finish(.success(.globalUp))
        }
    }

    private static func ipv4(_ address: IPAddress?) -> IPv4Address? {
        if case .v4(let v4)? = address, !v4.isUnspecified { return v4 }
        return nil
    }

    static func observe(_ stack: IPStack) -> Observed {
        let core = stack.core
        var observed = Observed(hardwareAddress: core.hardwareAddress.bytes)
        if let subnet = core.address {
            observed.ipv4 = (.v4(subnet.address), subnet.prefixLength, core.routes.defaultGateway.map { .v4($0) })
        }
        let counters = core.counters
        var drops = JSONObject()
        for reason in DropReason.allCases where counters.drops[reason, default: 0] > 0 {
            drops[reason.rawValue] = JSONValue(counters.drops[reason, default: 0])
        }
        let kind: String
        let device: String
        switch stack.linkConfiguration {
        case .tap(let name): (kind, device) = ("tap", name)
        case .packet(let name): (kind, device) = ("packet", name)
        }
        let offloads = core.link.capabilities.offloads
        observed.ipLink = IPLinkDetails(
            kind: kind, device: stack.deviceName ?? device, attached: stack.isAttached, mtu: core.maximumTransmissionUnit,
            offloads: [offloads.contains(.checksum) ? "checksum" : nil, offloads.contains(.tcpSegmentation) ? "tcp_segmentation" : nil].compactMap { $0 },
            counters: [
                "frames_received": JSONValue(counters.framesReceived), "bytes_received": JSONValue(counters.bytesReceived),
                "frames_sent": JSONValue(counters.framesSent), "bytes_sent": JSONValue(counters.bytesSent),
                "arp_conflicts": JSONValue(counters.arpConflicts), "tcp_segments_received": JSONValue(counters.tcpSegmentsReceived),
                "tcp_segments_sent": JSONValue(counters.tcpSegmentsSent), "tcp_connections": JSONValue(core.tcpConnectionCount),
                "drops": .object(drops),
            ])
        return observed
    }
}
