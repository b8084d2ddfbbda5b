#if canImport(Glibc)
import Glibc
#endif
import Logging
import NSAPI
import NetSockPOSIX
import NetSockStack
import NetSockWire

/// The `ip` stack of one interface: our own IPv4 stack (`NetSockStack`) on a TAP device
/// or an AF_PACKET socket, driven by the reactor, behind the same ``NetworkStack``
/// contract as the kernel's sockets, so the socket layer's Mbed rules apply unchanged.
///
/// The stack and its sockets live as long as the interface; the device is opened by
/// `interface.connect` and closed by `disconnect`, as a cable is plugged and unplugged.
/// Timers come from the stack's `nextPoll`: one reactor timer, moved when that changes.
final class IPStack: NetworkStack {
    let name = "ip"
    var eventHandler: ((SocketHandle) -> Void)?
    /// Address conflicts, for the registry to publish.
    var onInterfaceEvent: ((InterfaceEvent) -> Void)?
    /// Leases bound, renewed and lost, for the registry's status and the resolver.
    var onDHCPEvent: ((DHCPClient.Event) -> Void)?
    /// The device went away under us; the link is already detached.
    var onLinkLost: (() -> Void)?

    let interfaceName: String
    let linkConfiguration: DaemonConfiguration.Link
    let options: DaemonConfiguration.LinkOptions
    let core: NetSockStack.Interface
    let dhcp: DHCPClient
    private let link: AttachableLink
    private let reactor: Reactor
    private let logger: Logger
    /// The stack's sockets behind the layer's handles.
    enum StackSocket {
        case udp(UDPSocket)
        case icmp(ICMPSocket)
        case tcp(TCPSocket)
    }
    var sockets: [SocketHandle: StackSocket] = [:]
    /// The multicast groups each UDP socket joined, left when it closes.
    private var groups: [SocketHandle: Set<IPv4Address>] = [:]
    private let timer: DeadlineTimer
    /// Sockets the stack reported during a poll, told to the socket layer after it, so
    /// the layer never re-enters the stack in the middle of a frame.
    private var pendingSocketEvents: [Int] = []
    private var polling = false
    private var pcapFD: Int32 = -1
    /// TCP sockets with SO_LINGER zero: their close is a reset.
    var lingerAborts: Set<SocketHandle> = []
    private var eventFlushScheduled = false

    /// Frames served in one reactor turn before other descriptors get theirs.
    static let pollsPerTurn = 16

    init(configuration: DaemonConfiguration.Interface, link: DaemonConfiguration.Link, reactor: Reactor, logger: Logger) {
        self.interfaceName = configuration.name
        self.linkConfiguration = link
        self.options = configuration.linkOptions
        self.reactor = reactor
        self.timer = DeadlineTimer(reactor: reactor)
        self.logger = logger
        self.link = AttachableLink(mtu: configuration.linkOptions.mtu)
        var entropy = SystemRandomNumberGenerator()
        let seed = entropy.next()
        self.core = NetSockStack.Interface(link: self.link, hardwareAddress: Self.hardwareAddress(configuration, link), seed: seed)
        var dhcpSettings = DHCPClient.Settings()
        dhcpSettings.hostName = Self.hostName
        self.dhcp = DHCPClient(interface: self.core, settings: dhcpSettings, seed: entropy.next())
        self.core.onSocketEvent = { [unowned self] id in
            // Bulk TCP reports the same socket for every segment: keep one.
            if self.pendingSocketEvents.last != id { self.pendingSocketEvents.append(id) }
        }
    }

    /// The host's name, sent in DHCP requests as NetworkManager and dhclient do.
    private static var hostName: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    /// The configured address; on an AF_PACKET link the device's own; otherwise one
    /// derived from the machine, the interface and its device (as systemd-networkd
    /// derives them): locally administered, stable across restarts, and different for
    /// every TAP on every machine.
    private static func hardwareAddress(_ configuration: DaemonConfiguration.Interface, _ link: DaemonConfiguration.Link) -> MACAddress {
        if let configured = configuration.linkOptions.hardwareAddress { return configured }
        let device: String
        switch link {
        case .packet(let name):
            if let info = try? DeviceInfo(device: name) { return info.hardwareAddress }
            device = name
        case .tap(let name): device = name
        }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a
        for byte in "\(Self.machineID) \(configuration.name) \(device)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return MACAddress(locallyAdministeredFrom: hash)
    }

    private static var machineID: String {
        guard let file = fopen("/etc/machine-id", "r") else { return "" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static var now: Instant { DeadlineTimer.now }

    var isAttached: Bool { self.link.device != nil }
    var deviceName: String? { self.link.device?.deviceName }

    // MARK: The device

    /// Opens the device (a TAP is created if missing) and starts serving it.
    func attach() throws(SystemError) {
        guard self.link.device == nil else { return }
        let device: DescriptorLink
        let offloads: LinkOffloads = self.options.offload == false ? [] : [.checksum, .tcpSegmentation]
        switch self.linkConfiguration {
        case .tap(let name):
            device = try TAPLink(device: name, hardwareAddress: self.core.hardwareAddress, mtu: self.options.mtu, offloads: offloads)
        case .packet(let name):
            device = try PacketLink(device: name, hardwareAddress: self.core.hardwareAddress, mtu: self.options.mtu, offloads: offloads)
        }
        var through: any Link = device
        if let path = self.options.pcap {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
            if fd >= 0 {
                self.pcapFD = fd
                through = PcapLink(wrapping: device) { bytes in
                    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                }
            } else {
                self.logger.warning("interface \(self.interfaceName): cannot write pcap \(path): \(SystemError.last("open"))")
            }
        }
        do {
            try self.reactor.register(device.fileDescriptor, interest: .readable) { [unowned self] _ in self.service() }
        } catch {
            device.close()
            self.closePcap()
            throw error
        }
        self.link.attach(device, through: through)
        let offloaded = device.capabilities.offloads.contains(.tcpSegmentation) ? ", checksum and segmentation offload" : ""
        self.logger.info("interface \(self.interfaceName): attached to \(device.deviceName) as \(self.core.hardwareAddress), MTU \(device.capabilities.maximumTransmissionUnit)\(offloaded)")
    }

    /// Releases a DHCP lease, clears the address and closes the device; sockets stay,
    /// and fail until the next attach.
    func detach() {
        self.dhcp.stop(at: Self.now)
        self.core.configure(nil, at: Self.now)
        if let device = self.link.device { self.reactor.unregister(device.fileDescriptor) }
        self.link.detach()
        self.closePcap()
        self.reschedule()
    }

    private func closePcap() {
        if self.pcapFD >= 0 { close(self.pcapFD) }
        self.pcapFD = -1
    }

    /// A static network: DHCP, if running, stops first (releasing what it held).
    func configure(_ address: IPv4Subnet?, gateway: IPv4Address?) {
        self.dhcp.stop(at: Self.now)
        self.core.configure(address, gateway: gateway, at: Self.now)
        self.service()
    }

    func startDHCP() {
        self.dhcp.start(at: Self.now)
        self.service()
    }

    /// The link is back (a radio associated again): DHCP asks at once.
    func linkReturned() {
        self.dhcp.linkReturned(at: Self.now)
        self.service()
    }

    // MARK: Driving

    /// Takes what the device has (bounded per turn: the descriptor stays readable and
    /// the reactor comes back), runs due timers, then tells the socket layer.
    func service() {
        guard !self.polling else { return }
        self.polling = true
        let now = Self.now
        for _ in 0..<Self.pollsPerTurn {
            guard self.core.poll(at: now) else { break }
        }
        for event in self.core.takeEvents() {
            self.dhcp.handle(event, at: now)
            self.onInterfaceEvent?(event)
        }
        self.dhcp.poll(at: now)
        self.polling = false
        for event in self.dhcp.takeEvents() { self.onDHCPEvent?(event) }
        self.flushSocketEvents()
        if let device = self.link.device, device.isBroken {
            self.logger.error("interface \(self.interfaceName): device \(device.deviceName) went away")
            self.detach()
            self.onLinkLost?()
            return
        }
        self.reschedule()
    }

    /// Reports pending socket events on the reactor's next turn.
    func deferSocketEvents() {
        guard !self.pendingSocketEvents.isEmpty, !self.eventFlushScheduled else { return }
        self.eventFlushScheduled = true
        _ = self.reactor.schedule(afterNanoseconds: 0) { [weak self] in
            guard let self else { return }
            self.eventFlushScheduled = false
            self.flushSocketEvents()
        }
    }

    func flushSocketEvents() {
        guard !self.pendingSocketEvents.isEmpty else { return }
        let events = self.pendingSocketEvents
        self.pendingSocketEvents.removeAll(keepingCapacity: true)
        for id in events where self.sockets[id] != nil { self.eventHandler?(id) }
    }

    /// The reactor's timer at the stack's next deadline (its own or DHCP's).
    func reschedule() {
        var next = self.core.nextPoll
        if let dhcp = self.dhcp.nextPoll { next = next.map { Swift.min($0, dhcp) } ?? dhcp }
        self.timer.move(to: next) { [weak self] in self?.service() }
    }

    // MARK: NetworkStack

    func socketOpen(_ proto: SocketProtocol) throws(NSAPIError) -> SocketHandle {
        switch proto {
        case .udp:
            let socket = self.core.makeUDPSocket()
            self.sockets[socket.id] = .udp(socket)
            return socket.id
        case .icmp:
            let socket = self.core.makeICMPSocket()
            self.sockets[socket.id] = .icmp(socket)
            return socket.id
        case .tcp:
            let socket = self.core.makeTCPSocket()
            self.sockets[socket.id] = .tcp(socket)
            return socket.id
        default:
            throw .unsupported
        }
    }

    func socketClose(_ handle: SocketHandle) {
        for group in self.groups.removeValue(forKey: handle) ?? [] { self.core.leaveGroup(group, at: Self.now) }
        switch self.sockets.removeValue(forKey: handle) {
        case .udp(let socket)?: socket.close()
        case .icmp(let socket)?: socket.close()
        case .tcp(let socket)?:
            if self.lingerAborts.remove(handle) != nil { socket.abort(at: Self.now) }
            socket.close(at: Self.now)
            self.tcpCallEnded()
        case nil: break
        }
    }

    func socket(_ handle: SocketHandle) throws(NSAPIError) -> StackSocket {
        guard let socket = self.sockets[handle] else { throw .noSocket }
        return socket
    }

    /// Our stack speaks IPv4: an absent or all-zero address is "any", IPv6 is refused.
    static func endpoint(_ address: SocketAddress) throws(NSAPIError) -> IPv4Endpoint {
        switch address.address {
        case nil: return IPv4Endpoint(.any, address.port)
        case .v4(let v4)?: return IPv4Endpoint(v4, address.port)
        case .v6(let v6)? where v6.isUnspecified: return IPv4Endpoint(.any, address.port)
        case .v6?: throw .parameter
        }
    }

    static func socketAddress(_ endpoint: IPv4Endpoint) -> SocketAddress {
        SocketAddress(.v4(endpoint.address), port: endpoint.port)
    }

    func socketBind(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        let endpoint = try Self.endpoint(address)
        let socket = try self.socket(handle)
        do throws(StackError) {
            switch socket {
            case .udp(let socket): try socket.bind(endpoint)
            // A ping socket's "port" is its echo identifier, as on Linux.
            case .icmp(let socket): try socket.bind(identifier: endpoint.port)
            case .tcp(let socket): try socket.bind(endpoint)
            }
        } catch {
            throw error.nsapiError
        }
    }


    func socketSendTo(_ handle: SocketHandle, _ address: SocketAddress, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        let socket = try self.socket(handle)
        let destination = try Self.endpoint(address)
        guard self.isAttached else { throw .noConnection }
        if case .tcp = socket { return try self.socketSend(handle, data) }
        let outcome = data.withUnsafeBytes { bytes in
            Result { () throws(StackError) in
                switch socket {
                case .udp(let socket): try socket.send(bytes, to: destination, at: Self.now)
                case .icmp(let socket): try socket.send(bytes, to: destination.address, at: Self.now)
                case .tcp: 0
                }
            }
        }
        // Sending may have started an ARP resolution with its own deadline.
        self.reschedule()
        switch outcome {
        case .success(let sent): return sent
        case .failure(let error): throw error.nsapiError
        }
    }

    func socketReceiveFrom(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> (SocketAddress, [UInt8]) {
        let source: SocketAddress
        let payload: [UInt8]
        switch try self.socket(handle) {
        case .udp(let socket):
            guard let datagram = socket.receive() else { throw .wouldBlock }
            (source, payload) = (Self.socketAddress(datagram.source), datagram.payload)
        case .icmp(let socket):
            guard let message = socket.receive() else { throw .wouldBlock }
            (source, payload) = (SocketAddress(.v4(message.source), port: 0), message.message)
        case .tcp(let socket):
            let bytes = try self.socketReceive(handle, maxBytes: maxBytes)
            return (socket.remoteEndpoint.map(Self.socketAddress) ?? SocketAddress(.v4(.any), port: 0), bytes)
        }
        // What does not fit is discarded, as recvfrom does with a datagram.
        return (source, payload.count <= maxBytes ? payload : Array(payload.prefix(maxBytes)))
    }

    func setOption(_ handle: SocketHandle, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError) {
        if case .tcp(let socket) = try self.socket(handle) { return try self.setTCPOption(handle, socket, option, value) }
        guard case .udp(let socket) = try self.socket(handle) else { throw .unsupported }
        if option == .addMembership || option == .dropMembership {
            guard case .membership(.v4(let group), _) = value, group.isMulticast else { throw .parameter }
            return try self.membership(handle, join: option == .addMembership, group: group)
        }
        guard case .integer(let number) = value else { throw .parameter }
        switch option {
        // lwIP lets every UDP socket send broadcasts; the flag is accepted and changes nothing.
        case .broadcast, .reuseAddress: break
        case .ipTOS:
            guard (0...255).contains(number) else { throw .parameter }
            socket.typeOfService = UInt8(number)
        default: throw .unsupported
        }
    }

    /// Mbed's (lwIP's) codes: joining a group twice is ADDRESS_IN_USE, leaving one not
    /// joined is NO_ADDRESS.
    private func membership(_ handle: SocketHandle, join: Bool, group: IPv4Address) throws(NSAPIError) {
        var joined = self.groups[handle] ?? []
        if join {
            guard !joined.contains(group) else { throw .addressInUse }
            do throws(StackError) { try self.core.joinGroup(group, at: Self.now) } catch { throw error.nsapiError }
            joined.insert(group)
        } else {
            guard joined.remove(group) != nil else { throw .noAddress }
            self.core.leaveGroup(group, at: Self.now)
        }
        self.groups[handle] = joined.isEmpty ? nil : joined
        self.reschedule()
    }

    func getOption(_ handle: SocketHandle, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        if case .tcp(let socket) = try self.socket(handle) { return try self.tcpOption(socket, option) }
        guard case .udp(let socket) = try self.socket(handle) else { throw .unsupported }
        switch option {
        case .broadcast: return .integer(1)
        case .ipTOS: return .integer(Int64(socket.typeOfService))
        default: throw .unsupported
        }
    }

    func localAddress(_ handle: SocketHandle) throws(NSAPIError) -> SocketAddress {
        switch try self.socket(handle) {
        case .udp(let socket):
            guard let local = socket.localEndpoint else { return SocketAddress(.v4(.any), port: 0) }
            return Self.socketAddress(local)
        case .icmp(let socket):
            return SocketAddress(.v4(self.core.address?.address ?? .any), port: socket.identifier ?? 0)
        case .tcp(let socket):
            if let connection = socket.connection { return Self.socketAddress(connection.local) }
            return Self.socketAddress(socket.localEndpoint ?? IPv4Endpoint(.any, 0))
        }
    }
}
