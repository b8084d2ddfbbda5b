public import NSAPI
public import NetSockWire

/// Something an interface reports upward (to the daemon's events).
public enum InterfaceEvent: Sendable, Equatable {
    /// Another station answered for our address (RFC 5227).
    case addressConflict(IPv4Address, MACAddress)
    /// Another station claims the address we are probing before taking it.
    case probeConflict(IPv4Address, MACAddress)
}

/// One Ethernet interface with its IPv4 configuration, ARP cache, fragment
/// reassembly, ICMP and UDP sockets. Driven only by `poll(at:)`; asked when it next
/// needs to be by `nextPoll`.
public final class Interface {
    public struct Settings: Sendable, Equatable {
        public var arp = ARPCache.Settings()
        public var reassembly = FragmentReassembler.Settings()
        public var udp = UDPSocket.Settings()
        public var defaultTimeToLive: UInt8 = 64
        /// ICMP errors per second and the burst allowed (Linux's defaults).
        public var icmpErrorRate = 1000
        public var icmpErrorBurst = 50
        /// Frames taken from the link in one poll, so timers and sending keep their turn.
        public var framesPerPoll = 64
        /// Gratuitous ARP announcements after an address is set (RFC 5227 §2.3: two, 2 s apart).
        public var announcements = 2
        public var announceInterval = TimeSpan.seconds(2)
        /// Packets to ourselves waiting for the next poll.
        public var loopbackBytes = 256 * 1024
        /// What new TCP sockets start with.
        public var tcp = TCPConnection.Settings()
        /// Handshakes in progress per listener, at least its backlog (Linux's
        /// tcp_max_syn_backlog is per listener too).
        public var tcpSynQueueLimit = 128
        /// Resets answering segments for no connection, per second and burst.
        public var tcpResetRate = 1000
        public var tcpResetBurst = 50

        public init() {}
    }

    public let link: any Link
    public let hardwareAddress: MACAddress
    public let settings: Settings
    public private(set) var address: IPv4Subnet?
    public private(set) var routes = RoutingTable()
    public internal(set) var counters = InterfaceCounters()

    var arp: ARPCache
    var reassembler: FragmentReassembler
    var icmpErrors: TokenBucket
    var random: StackRandom
    var nextIdentification: UInt16
    var announcementsDue: [Instant] = []
    var events: [InterfaceEvent] = []
    var nextSocketID = 1
    var udpSockets: [Int: UDPSocket] = [:]
    /// Bound UDP ports and the sockets on each (several when bound to different addresses).
    var udpPorts: [UInt16: [UDPSocket]] = [:]
    /// Until when an IGMPv1 router was last heard to be present.
    var versionOneRouterUntil: Instant?
    /// Multicast groups joined, with their local member counts and IGMP report timers.
    var memberships: [IPv4Address: GroupMembership] = [:]
    /// ICMP echo sockets by identifier.
    var icmpSockets: [UInt16: ICMPSocket] = [:]
    var lastNow = Instant.zero
    var tcpConnections: [TCPKey: TCPConnection] = [:]
    var tcpListeners: [UInt16: [TCPListener]] = [:]
    /// Sockets bound to each port.
    var tcpPorts: [UInt16: [TCPSocket]] = [:]
    /// Connections no socket holds, per port.
    var tcpOrphanPorts: [UInt16: Int] = [:]
    var tcpOutputQueue: [TCPConnection] = []
    var tcpResets: TokenBucket
    let sequenceNumbers: InitialSequenceNumbers
    /// The address an ARP probe asked about, until `endProbe`.
    var probing: IPv4Address?
    /// When we last defended our address, and last reported it contested (RFC 5227).
    var lastDefense: Instant?
    var lastConflictReport: Instant?
    /// Packets sent to our own address, received at the next poll.
    var loopback: [[UInt8]] = []
    var loopbackBytes = 0

    /// Called with a socket's id when something may have changed on it.
    public var onSocketEvent: ((Int) -> Void)?
    /// Called with each ICMP echo reply addressed to us (for ICMP sockets).
    public var onEchoReply: ((IPv4Address, ICMPv4Repr) -> Void)?

    public init(link: any Link, hardwareAddress: MACAddress, settings: Settings = Settings(), seed: UInt64) {
        self.link = link
        self.hardwareAddress = hardwareAddress
        self.settings = settings
        self.arp = ARPCache(settings: settings.arp)
        self.reassembler = FragmentReassembler(settings: settings.reassembly)
        self.icmpErrors = TokenBucket(rate: settings.icmpErrorRate, burst: settings.icmpErrorBurst)
        self.tcpResets = TokenBucket(rate: settings.tcpResetRate, burst: settings.tcpResetBurst)
        self.random = StackRandom(seed: seed)
        self.sequenceNumbers = InitialSequenceNumbers(key0: self.random.next(), key1: self.random.next())
        self.nextIdentification = UInt16(truncatingIfNeeded: self.random.next())
    }

    /// A smaller MTU than the link's, as a DHCP server may give (option 26).
    public var mtuLimit: Int?

    public var maximumTransmissionUnit: Int {
        let link = self.link.capabilities.maximumTransmissionUnit
        guard let limit = self.mtuLimit else { return link }
        return Swift.max(576, Swift.min(link, limit))
    }

    /// Sets or clears the address and the routes that follow from it. Setting one
    /// announces it with gratuitous ARP.
    public func configure(_ address: IPv4Subnet?, gateway: IPv4Address? = nil, at now: Instant) {
        self.address = address
        self.routes.removeAll()
        guard let address else {
            self.announcementsDue.removeAll()
            return
        }
        self.routes.add(.init(destination: IPv4Subnet(address.network, prefixLength: address.prefixLength), gateway: nil))
        if let gateway {
            self.routes.add(.init(destination: IPv4Subnet(.any, prefixLength: 0), gateway: gateway))
        }
        self.announcementsDue = (0..<self.settings.announcements).map { now + self.settings.announceInterval * Int64($0) }
    }

    public func addRoute(_ route: RoutingTable.Route) { self.routes.add(route) }

    /// Events since the last call.
    public func takeEvents() -> [InterfaceEvent] {
        defer { self.events.removeAll() }
        return self.events
    }

    /// Receives what the link has (up to `framesPerPoll`), then runs due timers.
    /// Returns true when it did anything, so a caller can poll again at once.
    @discardableResult
    public func poll(at now: Instant) -> Bool {
        self.lastNow = now
        var didWork = false
        if !self.loopback.isEmpty {
            let packets = self.loopback
            self.loopback.removeAll()
            self.loopbackBytes = 0
            for packet in packets {
                packet.withUnsafeBytes { self.processIPv4($0, linkBroadcast: false, looped: true, checksum: .verified, at: now) }
            }
            didWork = true
        }
        for _ in 0..<self.settings.framesPerPoll {
            guard self.link.receive(at: now, { frame, checksum in self.process(frame, checksum: checksum, at: now) }) else { break }
            didWork = true
        }
        if self.runTimers(at: now) { didWork = true }
        if !self.tcpOutputQueue.isEmpty {
            self.flushTCPOutput(at: now)
            didWork = true
        }
        return didWork
    }

    /// When the interface next has timed work; nil when only the link can wake it.
    public var nextPoll: Instant? {
        if !self.loopback.isEmpty || !self.tcpOutputQueue.isEmpty { return self.lastNow }
        var next = self.arp.nextDeadline.earliest(self.reassembler.nextDeadline)
        next = next.earliest(self.announcementsDue.first).earliest(self.nextIGMPReport).earliest(self.nextTCPDeadline)
        return next.earliest(self.link.nextArrival)
    }

    func runTimers(at now: Instant) -> Bool {
        var didWork = self.runIGMPTimers(at: now)
        if self.runTCPTimers(at: now) { didWork = true }
        let (ask, abandoned) = self.arp.poll(at: now)
        for address in ask {
            self.sendARPRequest(for: address, at: now)
            didWork = true
        }
        for _ in 0..<abandoned { self.counters.drop(.arpFailed) }
        for (source, destination, invoking) in self.reassembler.expire(at: now) {
            self.counters.drop(.reassemblyTimeout)
            // Only datagrams sent to us alone earn an error (RFC 1122 §3.2.2).
            if let invoking, destination == self.address?.address {
                self.sendICMPError(.timeExceeded(.reassembly, invoking: invoking), to: source, at: now)
            }
            didWork = true
        }
        while let due = self.announcementsDue.first, due <= now {
            self.announcementsDue.removeFirst()
            if let address = self.address?.address {
                self.sendARP(.request(from: self.hardwareAddress, address, for: address), to: .broadcast, at: now)
                didWork = true
            }
        }
        return didWork
    }

    func nextPacketIdentification() -> UInt16 {
        defer { self.nextIdentification &+= 1 }
        return self.nextIdentification
    }
}
