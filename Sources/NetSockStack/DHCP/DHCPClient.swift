public import NSAPI
public import NetSockWire

/// An RFC 2131 DHCP client for one interface, driven like the interface itself: by
/// `poll(at:)`, with `nextPoll` saying when it next has timed work.
///
/// INIT → SELECTING (DISCOVER, retransmitted at 4, 8, 16, 32, 64 s ±1 s) → REQUESTING
/// (REQUEST for the first OFFER) → an ARP probe of the offered address (a DECLINE if
/// anyone answers) → BOUND; at T1 RENEWING (unicast REQUEST to the server), at T2
/// REBINDING (broadcast), at expiry the lease is lost and it starts again. A NAK starts
/// again too, after a pause that doubles while NAKs repeat. `stop` releases the lease.
public final class DHCPClient {
    public struct Settings: Sendable, Equatable {
        public var initialTimeout = TimeSpan.seconds(4)
        public var maximumTimeout = TimeSpan.seconds(64)
        /// REQUESTs sent for one OFFER before going back to DISCOVER.
        public var requestAttempts = 4
        /// How long an ARP probe waits for a holder of the offered address.
        public var probeWait = TimeSpan.seconds(1)
        /// After a DECLINE, RFC 2131 §3.1.5 asks for at least ten seconds.
        public var declineWait = TimeSpan.seconds(10)
        /// Retransmissions while renewing or rebinding come no sooner than this (§4.4.5),
        /// or a sixteenth of the lease when that is shorter.
        public var minimumRenewRetry = TimeSpan.seconds(60)
        public var hostName: String?

        public init() {}
    }

    public enum State: String, Sendable {
        case stopped, selecting, requesting, probing, bound, renewing, rebinding
        /// Waiting to start again after a DECLINE or a NAK.
        case waiting
    }

    public enum Event: Sendable, Equatable {
        case bound(DHCPLease)
        /// Renewed or rebound; the address may have changed.
        case renewed(DHCPLease)
        /// Expired, refused (NAK) or given up after a conflict.
        case lost(DHCPLease)
        case declined(IPv4Address)
    }

    /// Options asked for: mask, router, DNS, domain, MTU, broadcast, lease, server, T1, T2.
    static let parameterRequestList: [UInt8] = [1, 3, 6, 15, 26, 28, 51, 54, 58, 59]

    public let interface: Interface
    public let settings: Settings
    public private(set) var state = State.stopped
    public private(set) var lease: DHCPLease?
    private var random: StackRandom
    private var socket: UDPSocket?
    private var transactionID: UInt32 = 0
    private var exchangeStarted = Instant.zero
    private var deadline: Instant?
    private var timeout = TimeSpan.zero
    private var attempts = 0
    private var offer: DHCPv4Repr?
    private var acknowledged: DHCPLease?
    private var nakPause = TimeSpan.zero
    private var events: [Event] = []

    public init(interface: Interface, settings: Settings = Settings(), seed: UInt64) {
        self.interface = interface
        self.settings = settings
        self.random = StackRandom(seed: seed)
    }

    public var nextPoll: Instant? { self.deadline }

    public func takeEvents() -> [Event] {
        defer { self.events.removeAll() }
        return self.events
    }

    // MARK: Start and stop

    public func start(at now: Instant) {
        guard self.state == .stopped else { return }
        let socket = self.interface.makeUDPSocket()
        do throws(StackError) {
            try socket.bind(IPv4Endpoint(.any, 68))
        } catch {
            // Someone holds port 68 on this interface: nothing to do but say so by staying stopped.
            socket.close()
            return
        }
        self.socket = socket
        self.nakPause = .zero
        self.discover(at: now)
    }

    /// Releases a lease held (RFC 2131 §3.1.6), unconfigures, and stops.
    public func stop(at now: Instant) {
        guard self.state != .stopped else { return }
        if let lease, [.bound, .renewing, .rebinding].contains(self.state) {
            var release = self.message(.release, at: now)
            release.clientAddress = lease.address.address
            release.serverIdentifier = lease.server
            self.send(release, to: lease.server, at: now)
        }
        if self.lease != nil { self.interface.configure(nil, at: now) }
        self.interface.mtuLimit = nil
        self.interface.endProbe()
        self.lease = nil
        self.socket?.close()
        self.socket = nil
        self.state = .stopped
        self.deadline = nil
    }

    /// The link came back (a radio associated again, a cable plugged in): a client still
    /// looking for a lease asks at once instead of finishing its back-off, which may have
    /// grown to a minute while nobody could hear it. A lease held stays (its timers and
    /// the server decide it), as NetworkManager and dhcpcd keep one across a short loss.
    public func linkReturned(at now: Instant) {
        switch self.state {
        case .selecting, .requesting, .waiting: self.discover(at: now)
        case .stopped, .probing, .bound, .renewing, .rebinding: break
        }
    }

    // MARK: Driving

    /// Handles what arrived, then what is due. True when it did anything.
    @discardableResult
    public func poll(at now: Instant) -> Bool {
        var didWork = false
        while let datagram = self.socket?.receive() {
            didWork = true
            guard datagram.source.port == 67 else { continue }
            let reply = datagram.payload.withUnsafeBytes { bytes in
                try? DHCPv4Repr(DHCPv4Packet(checking: bytes))
            }
            if let reply { self.receive(reply, at: now) }
        }
        if let deadline, deadline <= now {
            self.deadline = nil
            self.timerFired(at: now)
            didWork = true
        }
        return didWork
    }

    /// Conflicts the interface saw: during the probe the offer is declined; once bound,
    /// the lease is given up and declined too (another host holds the address).
    public func handle(_ event: InterfaceEvent, at now: Instant) {
        switch event {
        case .probeConflict(let address, _) where self.state == .probing && address == self.acknowledged?.address.address:
            self.decline(address, server: self.acknowledged?.server, at: now)
        case .addressConflict(let address, _) where self.lease?.address.address == address:
            guard let lease else { return }
            self.events.append(.lost(lease))
            self.interface.configure(nil, at: now)
            self.interface.mtuLimit = nil
            self.lease = nil
            self.decline(address, server: lease.server, at: now)
        default: break
        }
    }

    private func timerFired(at now: Instant) {
        switch self.state {
        case .selecting: self.sendDiscover(at: now)
        case .requesting:
            if self.attempts >= self.settings.requestAttempts { self.discover(at: now) } else { self.sendRequest(at: now) }
        case .probing: self.bind(at: now)
        case .bound: self.renew(at: now)
        case .renewing:
            guard let lease else { return self.discover(at: now) }
            if let rebindAt = lease.rebindAt, now >= rebindAt { self.rebind(at: now) } else { self.sendRenewal(at: now) }
        case .rebinding:
            guard let lease else { return self.discover(at: now) }
            if let expiresAt = lease.expiresAt, now >= expiresAt { self.expire(lease, at: now) } else { self.sendRenewal(at: now) }
        case .waiting: self.discover(at: now)
        case .stopped: break
        }
    }

    // MARK: Messages out

    private func message(_ type: DHCPv4Repr.MessageType, at now: Instant) -> DHCPv4Repr {
        var message = DHCPv4Repr(messageType: type, transactionID: self.transactionID, clientHardwareAddress: self.interface.hardwareAddress)
        let elapsed = (now - self.exchangeStarted).microseconds / 1_000_000
        message.secondsElapsed = UInt16(clamping: elapsed)
        message.clientIdentifier = [1] + self.interface.hardwareAddress.bytes
        if type != .release && type != .decline {
            message.parameterRequestList = Self.parameterRequestList
            message.maximumMessageSize = UInt16(clamping: Swift.max(576, self.interface.maximumTransmissionUnit))
            message.hostName = self.settings.hostName
        }
        return message
    }

    private func send(_ message: DHCPv4Repr, to server: IPv4Address = .broadcast, at now: Instant) {
        _ = try? self.socket?.send(message.bytes, to: IPv4Endpoint(server, 67), at: now)
    }

    /// The next retransmission: the timeout doubles up to its maximum, ±1 s (§4.1).
    private func armRetransmission(at now: Instant) {
        self.timeout = self.attempts == 0 ? self.settings.initialTimeout
            : Swift.min(self.timeout * 2, self.settings.maximumTimeout)
        let jitter = TimeSpan(microseconds: Int64(self.random.below(2_000_001)) - 1_000_000)
        self.deadline = now + self.timeout + jitter
        self.attempts += 1
    }

    private func newTransaction(at now: Instant) {
        self.transactionID = UInt32(truncatingIfNeeded: self.random.next())
        self.exchangeStarted = now
        self.attempts = 0
    }

    private func discover(at now: Instant) {
        self.state = .selecting
        self.offer = nil
        self.acknowledged = nil
        self.newTransaction(at: now)
        self.sendDiscover(at: now)
    }

    private func sendDiscover(at now: Instant) {
        var discover = self.message(.discover, at: now)
        // Ask for the address we last held, as clients do.
        discover.requestedAddress = self.lease?.address.address
        self.send(discover, at: now)
        self.armRetransmission(at: now)
    }

    private func sendRequest(at now: Instant) {
        guard let offer else { return self.discover(at: now) }
        var request = self.message(.request, at: now)
        request.requestedAddress = offer.yourAddress
        request.serverIdentifier = offer.serverIdentifier
        self.send(request, at: now)
        self.armRetransmission(at: now)
    }

    private func renew(at now: Instant) {
        self.state = .renewing
        self.newTransaction(at: now)
        self.sendRenewal(at: now)
    }

    private func rebind(at now: Instant) {
        self.state = .rebinding
        self.sendRenewal(at: now)
    }

    /// A REQUEST with our address in ciaddr: unicast to the server while renewing,
    /// broadcast while rebinding; again after half the time left, at least a minute.
    private func sendRenewal(at now: Instant) {
        guard let lease else { return self.discover(at: now) }
        var request = self.message(.request, at: now)
        request.clientAddress = lease.address.address
        self.send(request, to: self.state == .renewing ? lease.server : .broadcast, at: now)
        guard let limit = self.state == .renewing ? lease.rebindAt : lease.expiresAt, let duration = lease.duration else { return }
        let half = TimeSpan(microseconds: (limit - now).microseconds / 2)
        // RFC 2131's floor of a minute leaves a short lease one try in each state; a
        // sixteenth of the lease keeps a few tries (lwIP also retries short leases sooner).
        let floor = Swift.max(.seconds(1), Swift.min(self.settings.minimumRenewRetry, TimeSpan(microseconds: duration.microseconds / 16)))
        self.deadline = Swift.min(limit, now + Swift.max(half, floor))
    }

    private func decline(_ address: IPv4Address, server: IPv4Address?, at now: Instant) {
        self.interface.endProbe()
        var decline = self.message(.decline, at: now)
        decline.requestedAddress = address
        decline.serverIdentifier = server
        self.send(decline, at: now)
        self.events.append(.declined(address))
        self.acknowledged = nil
        self.offer = nil
        self.state = .waiting
        self.deadline = now + self.settings.declineWait
    }

    // MARK: Messages in

    private func receive(_ reply: DHCPv4Repr, at now: Instant) {
        guard reply.transactionID == self.transactionID, reply.clientHardwareAddress == self.interface.hardwareAddress else { return }
        switch (self.state, reply.messageType) {
        case (.selecting, .offer):
            guard !reply.yourAddress.isUnspecified, reply.serverIdentifier != nil else { return }
            self.offer = reply
            self.state = .requesting
            self.attempts = 0
            self.sendRequest(at: now)
        case (.requesting, .ack):
            guard reply.serverIdentifier == self.offer?.serverIdentifier, let lease = DHCPLease(reply, at: now) else { return }
            self.acknowledged = lease
            self.state = .probing
            self.interface.probe(lease.address.address, at: now)
            self.deadline = now + self.settings.probeWait
        case (.renewing, .ack), (.rebinding, .ack):
            guard let lease = DHCPLease(reply, at: now) else { return }
            self.apply(lease, at: now)
            self.state = .bound
            self.deadline = lease.renewAt
            self.events.append(.renewed(lease))
        case (.requesting, .nak), (.renewing, .nak), (.rebinding, .nak):
            if self.state == .requesting, reply.serverIdentifier != nil, reply.serverIdentifier != self.offer?.serverIdentifier { return }
            if let lease {
                self.interface.configure(nil, at: now)
                self.interface.mtuLimit = nil
                self.events.append(.lost(lease))
                self.lease = nil
            }
            // Start again, after a pause that grows while the server keeps refusing.
            self.nakPause = self.nakPause == .zero ? .seconds(1) : Swift.min(self.nakPause * 2, self.settings.maximumTimeout)
            self.state = .waiting
            self.deadline = now + self.nakPause
        default: break
        }
    }

    private func bind(at now: Instant) {
        self.interface.endProbe()
        guard let lease = self.acknowledged else { return self.discover(at: now) }
        self.apply(lease, at: now)
        self.acknowledged = nil
        self.state = .bound
        self.nakPause = .zero
        self.deadline = lease.renewAt
        self.events.append(.bound(lease))
    }

    private func apply(_ lease: DHCPLease, at now: Instant) {
        if self.lease?.address != lease.address || self.lease?.router != lease.router {
            self.interface.configure(lease.address, gateway: lease.router, at: now)
        }
        self.interface.mtuLimit = lease.mtu
        self.lease = lease
    }

    private func expire(_ lease: DHCPLease, at now: Instant) {
        self.interface.configure(nil, at: now)
        self.interface.mtuLimit = nil
        self.events.append(.lost(lease))
        self.lease = nil
        self.discover(at: now)
    }
}
