public import NSAPI
public import NetSockWire

/// IPv4 → MAC for one Ethernet interface, with the packets that wait for an answer.
///
/// Entries expire; a lookup that misses asks again at most once per `retryInterval`
/// and gives up after `maximumTries`, dropping what waited. Waiting packets are bounded
/// in bytes per address and in total, so a sender to a silent address costs a fixed amount of
/// memory. Only answers we asked for, requests aimed at us, and refreshes of known
/// entries are learnt (RFC 826's merge rule), so unsolicited ARP cannot fill the table.
public struct ARPCache: Sendable {
    public struct Settings: Sendable, Equatable {
        public var entryLifetime = TimeSpan.seconds(60)
        public var retryInterval = TimeSpan.seconds(1)
        public var maximumTries = 3
        public var maximumEntries = 256
        /// Enough for one maximal datagram in fragments (about 67 KB), as Linux's
        /// `unres_qlen_bytes` bounds bytes rather than packets.
        public var bytesPerAddress = 80 * 1024
        public var bytesInTotal = 256 * 1024

        public init() {}
    }

    struct Entry: Sendable {
        var hardwareAddress: MACAddress
        var expiresAt: Instant
    }

    struct Resolution: Sendable {
        var tries: Int
        var nextTry: Instant
        var packets: [[UInt8]]
        var bytes: Int
    }

    public let settings: Settings
    private var entries: [IPv4Address: Entry] = [:]
    private var resolutions: [IPv4Address: Resolution] = [:]
    private var waitingBytes = 0

    public init(settings: Settings = Settings()) { self.settings = settings }

    public var count: Int { self.entries.count }

    public func lookup(_ address: IPv4Address, at now: Instant) -> MACAddress? {
        guard let entry = self.entries[address], entry.expiresAt > now else { return nil }
        return entry.hardwareAddress
    }

    public func isKnownOrAwaited(_ address: IPv4Address) -> Bool {
        self.entries[address] != nil || self.resolutions[address] != nil
    }

    /// Records a mapping; returns the packets that waited for it, in order.
    public mutating func learn(_ address: IPv4Address, is hardwareAddress: MACAddress, at now: Instant) -> [[UInt8]] {
        if self.entries[address] == nil && self.entries.count >= self.settings.maximumEntries {
            self.evictOne(at: now)
        }
        self.entries[address] = Entry(hardwareAddress: hardwareAddress, expiresAt: now + self.settings.entryLifetime)
        guard let resolution = self.resolutions.removeValue(forKey: address) else { return [] }
        self.waitingBytes -= resolution.bytes
        return resolution.packets
    }

    public mutating func forget(_ address: IPv4Address) { self.entries[address] = nil }

    public enum Enqueued: Equatable {
        /// The first packet for this address: send a request now.
        case askNow
        /// A request is already out.
        case waiting
        /// No room; the packet is dropped.
        case full
    }

    /// Holds an IP packet until `address` resolves.
    public mutating func enqueue(_ packet: [UInt8], for address: IPv4Address, at now: Instant) -> Enqueued {
        guard self.waitingBytes + packet.count <= self.settings.bytesInTotal else { return .full }
        if var resolution = self.resolutions[address] {
            guard resolution.bytes + packet.count <= self.settings.bytesPerAddress else { return .full }
            resolution.packets.append(packet)
            resolution.bytes += packet.count
            self.resolutions[address] = resolution
            self.waitingBytes += packet.count
            return .waiting
        }
        guard packet.count <= self.settings.bytesPerAddress else { return .full }
        self.resolutions[address] = Resolution(tries: 1, nextTry: now + self.settings.retryInterval, packets: [packet], bytes: packet.count)
        self.waitingBytes += packet.count
        return .askNow
    }

    /// Due work: addresses to ask again, and how many packets were dropped on giving up.
    public mutating func poll(at now: Instant) -> (ask: [IPv4Address], abandoned: Int) {
        var ask: [IPv4Address] = []
        var abandoned = 0
        for (address, var resolution) in self.resolutions where resolution.nextTry <= now {
            if resolution.tries >= self.settings.maximumTries {
                abandoned += resolution.packets.count
                self.waitingBytes -= resolution.bytes
                self.resolutions[address] = nil
            } else {
                resolution.tries += 1
                resolution.nextTry = now + self.settings.retryInterval
                self.resolutions[address] = resolution
                ask.append(address)
            }
        }
        return (ask.sorted(), abandoned)
    }

    public var nextDeadline: Instant? {
        self.resolutions.values.map(\.nextTry).min()
    }

    private mutating func evictOne(at now: Instant) {
        // The entry closest to expiry (an expired one first); the table is small.
        if let victim = self.entries.min(by: { $0.value.expiresAt < $1.value.expiresAt })?.key {
            self.entries[victim] = nil
        }
    }
}
