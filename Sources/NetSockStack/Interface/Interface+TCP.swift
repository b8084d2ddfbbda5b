import NSAPI
import NetSockWire

/// The connection table and demultiplexer: segments go to the connection of their
/// four-tuple, SYNs to a listener, anything else earns a reset (RFC 9293 §3.10.7.1).
/// Connections queue themselves for `output`, which runs once per batch of frames.
extension Interface {
    struct TCPKey: Hashable {
        var local: IPv4Endpoint
        var remote: IPv4Endpoint
    }

    public func makeTCPSocket() -> TCPSocket {
        let socket = TCPSocket(interface: self, id: self.nextSocketID, settings: self.settings.tcp)
        self.nextSocketID += 1
        return socket
    }

    /// Live connections (tests and status).
    public var tcpConnectionCount: Int { self.tcpConnections.count }

    // MARK: Ports

    func tcpBind(_ socket: TCPSocket, _ endpoint: IPv4Endpoint) throws(StackError) {
        let address = endpoint.address
        if !address.isUnspecified {
            guard address == self.address?.address else { throw .addressNotAvailable }
        }
        var port = endpoint.port
        if port == 0 {
            port = try self.freeEphemeralPort { self.tcpPorts[$0] == nil && self.tcpOrphanPorts[$0] == nil }
        } else if let holders = self.tcpPorts[port] {
            for other in holders where other !== socket && Self.bindingsOverlap(address, other.localEndpoint?.address) { throw .addressInUse }
        }
        socket.localEndpoint = IPv4Endpoint(address, port)
        self.tcpPorts[port, default: []].append(socket)
        socket.holdsPort = true
    }

    func tcpReleasePort(_ socket: TCPSocket) {
        guard socket.holdsPort, let port = socket.localEndpoint?.port else { return }
        socket.holdsPort = false
        self.tcpPorts[port]?.removeAll { $0 === socket }
        if self.tcpPorts[port]?.isEmpty == true { self.tcpPorts[port] = nil }
    }

    // MARK: Opening

    func tcpConnect(_ socket: TCPSocket, to remote: IPv4Endpoint, at now: Instant) throws(StackError) -> TCPConnection {
        guard let own = self.address?.address else { throw .notConfigured }
        if !remote.address.isLoopback && remote.address != own {
            guard self.routes.nextHop(for: remote.address) != nil else { throw .noRoute }
        }
        if socket.localEndpoint == nil { try self.tcpBind(socket, IPv4Endpoint(.any, 0)) }
        guard let bound = socket.localEndpoint else { throw .invalidArgument }
        let local = IPv4Endpoint(bound.address.isUnspecified ? own : bound.address, bound.port)
        let key = TCPKey(local: local, remote: remote)
        guard self.tcpConnections[key] == nil else { throw .addressInUse }
        let connection = TCPConnection(
            interface: self, local: local, remote: remote, state: .synSent, settings: socket.settings,
            initialSendSequence: self.sequenceNumbers.next(local: local, remote: remote, at: now), eventID: socket.id, at: now,
            timestampOffset: UInt32(truncatingIfNeeded: self.random.next()))
        self.tcpConnections[key] = connection
        self.queueOutput(connection)
        self.flushTCPOutput(at: now)
        return connection
    }

    func tcpListen(_ socket: TCPSocket, backlog: Int) -> TCPListener {
        let local = socket.localEndpoint ?? IPv4Endpoint(.any, 0)
        let listener = TCPListener(
            local: local, backlog: backlog, synQueueLimit: Swift.max(backlog, self.settings.tcpSynQueueLimit), eventID: socket.id,
            settings: socket.settings)
        self.tcpListeners[local.port, default: []].append(listener)
        return listener
    }

    func tcpUnlisten(_ listener: TCPListener, at now: Instant) {
        self.tcpListeners[listener.local.port]?.removeAll { $0 === listener }
        if self.tcpListeners[listener.local.port]?.isEmpty == true { self.tcpListeners[listener.local.port] = nil }
        for connection in listener.drain() { connection.abort(at: now) }
        // Handshakes in progress for it are reset too.
        for connection in self.tcpConnections.values where connection.listener === listener {
            connection.listener = nil
            connection.isOrphan = true
            connection.abort(at: now)
        }
    }

    func adoptAccepted(_ connection: TCPConnection) -> TCPSocket {
        let socket = TCPSocket(interface: self, id: self.nextSocketID, accepting: connection)
        self.nextSocketID += 1
        return socket
    }

    /// The connection reached CLOSED: its four-tuple is free again.
    func tcpConnectionEnded(_ connection: TCPConnection) {
        let key = TCPKey(local: connection.local, remote: connection.remote)
        if self.tcpConnections[key] === connection { self.tcpConnections[key] = nil }
        if let listener = connection.listener {
            listener.handshakeEnded()
            connection.listener = nil
        }
        self.releaseOrphanPort(connection)
    }

    // MARK: Output

    func queueOutput(_ connection: TCPConnection) {
        guard !connection.isQueuedForOutput else { return }
        connection.isQueuedForOutput = true
        self.tcpOutputQueue.append(connection)
    }

    /// Lets every connection that asked send what it may.
    public func flushTCPOutput(at now: Instant) {
        self.lastNow = Swift.max(self.lastNow, now)
        var index = 0
        while index < self.tcpOutputQueue.count {
            let connection = self.tcpOutputQueue[index]
            connection.isQueuedForOutput = false
            connection.output(at: now)
            index += 1
        }
        self.tcpOutputQueue.removeAll(keepingCapacity: true)
    }

    /// Whether the link cuts large TCP packets into segments itself (TSO).
    var offloadsTCPSegmentation: Bool { self.link.capabilities.offloads.contains(.tcpSegmentation) }

    /// The most payload one TCP packet carries through segmentation offload, behind a
    /// header of `headerLength` bytes: what fits the IPv4 length field.
    static func largestOffloadedPayload(headerLength: Int) -> Int { IPv4Packet.maximumLength - IPv4Repr.headerLength - headerLength }

    /// Sends one TCP packet whose payload `write` fills behind the header. A payload
    /// longer than `segmentSize` goes as one packet for the device to cut, which only a
    /// link offering segmentation offload is asked to do.
    func transmitTCP(
        _ repr: TCPRepr, from local: IPv4Endpoint, to remote: IPv4Endpoint, typeOfService: UInt8, payloadLength: Int,
        segmentSize: Int = .max, at now: Instant, write: (UnsafeMutableRawBufferPointer) -> Void
    ) -> Bool {
        let headerLength = repr.headerLength
        let length = headerLength + payloadLength
        let partial = !self.link.capabilities.offloads.isDisjoint(with: [.checksum, .tcpSegmentation])
        let cut = payloadLength > segmentSize ? segmentSize : 0
        precondition(cut == 0 || self.offloadsTCPSegmentation)
        do throws(StackError) {
            try self.sendIPv4(
                to: remote.address, protocol: .tcp, payloadLength: length, source: local.address, typeOfService: typeOfService,
                dontFragment: true, tcpOffload: partial ? cut : nil, at: now
            ) { buffer in
                write(UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength..<length]))
                repr.emit(into: buffer, payloadLength: payloadLength, source: local.address, destination: remote.address, partialChecksum: partial)
            }
            self.counters.tcpSegmentsSent += 1
            return true
        } catch {
            return false
        }
    }

    // MARK: Input

    func processTCP(_ ip: IPv4Repr, _ payload: UnsafeRawBufferPointer, unicastToUs: Bool, checksum: ReceivedChecksum = .unchecked, at now: Instant) {
        // TCP is unicast only (RFC 1122 §4.2.3.10).
        guard unicastToUs else { return self.counters.drop(.notForUs) }
        let segment: TCPSegment
        do throws(WireError) { segment = try TCPSegment(checking: payload) } catch { return self.counters.drop(.malformed) }
        let repr: TCPRepr
        do throws(WireError) {
            repr = try TCPRepr(segment, source: ip.source, destination: ip.destination, checksumVerified: checksum == .verified)
        } catch {
            return self.counters.drop(segment.checksumIsValid(source: ip.source, destination: ip.destination) ? .malformed : .badChecksum)
        }
        self.counters.tcpSegmentsReceived += 1
        let local = IPv4Endpoint(ip.destination, repr.destinationPort)
        let remote = IPv4Endpoint(ip.source, repr.sourcePort)
        let key = TCPKey(local: local, remote: remote)
        let data = segment.payload
        if let connection = self.tcpConnections[key] {
            // A new SYN for a four-tuple in TIME-WAIT, above what it received, may reopen it
            // (RFC 9293 §3.10.7.4, RFC 6191).
            if connection.state == .timeWait, repr.flags.contains(.syn), repr.acknowledgmentNumber == nil,
               SequenceNumber(repr.sequenceNumber) - connection.receiveNext > 0, self.listener(for: local) != nil
            {
                connection.terminate(nil, at: now)
            } else {
                connection.process(repr, data, at: now)
                return
            }
        }
        let flags = repr.flags
        if flags.contains(.rst) { return }
        if flags.contains(.syn), repr.acknowledgmentNumber == nil, let listener = self.listener(for: local) {
            return self.acceptHandshake(repr, local: local, remote: remote, listener: listener, at: now)
        }
        self.counters.drop(.noSocket)
        // No connection: a reset that the sender will accept (RFC 9293 §3.10.7.1).
        var reset: TCPRepr
        if let ack = repr.acknowledgmentNumber {
            reset = TCPRepr(sourcePort: local.port, destinationPort: remote.port, sequenceNumber: ack, flags: .rst, window: 0)
        } else {
            let length = data.count + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0)
            reset = TCPRepr(
                sourcePort: local.port, destinationPort: remote.port, sequenceNumber: 0,
                acknowledgmentNumber: repr.sequenceNumber &+ UInt32(truncatingIfNeeded: length), flags: .rst, window: 0)
        }
        reset.flags = .rst
        guard self.tcpResets.take(at: now) else { return self.counters.drop(.resetRateLimited) }
        _ = self.transmitTCP(reset, from: local, to: remote, typeOfService: 0, payloadLength: 0, at: now) { _ in }
    }

    private func listener(for local: IPv4Endpoint) -> TCPListener? {
        guard let listeners = self.tcpListeners[local.port] else { return nil }
        return listeners.first { $0.local.address == local.address } ?? listeners.first { $0.local.address.isUnspecified }
    }

    private func acceptHandshake(_ syn: TCPRepr, local: IPv4Endpoint, remote: IPv4Endpoint, listener: TCPListener, at now: Instant) {
        guard listener.admitsHandshake() else { return self.counters.drop(.socketQueueFull) }
        let connection = TCPConnection(
            interface: self, local: local, remote: remote, state: .synReceived, settings: listener.settings,
            initialSendSequence: self.sequenceNumbers.next(local: local, remote: remote, at: now), eventID: listener.eventID, at: now,
            timestampOffset: UInt32(truncatingIfNeeded: self.random.next()))
        connection.listener = listener
        connection.isOrphan = true
        let sequence = SequenceNumber(syn.sequenceNumber)
        connection.initialReceiveSequence = sequence
        connection.receiveNext = sequence + 1
        connection.advertisedEdge = connection.receiveNext
        connection.negotiate(syn, sequence: sequence)
        listener.handshakeStarted()
        self.tcpConnections[TCPKey(local: local, remote: remote)] = connection
        self.holdOrphanPort(connection)
        self.queueOutput(connection)
    }

    // MARK: Ports held by connections no socket holds

    /// Connections without a socket (accepted but not yet taken, orphaned in FIN-WAIT
    /// or TIME-WAIT) keep their port out of the ephemeral range's choices.
    func holdOrphanPort(_ connection: TCPConnection) {
        guard !connection.holdsOrphanPort else { return }
        connection.holdsOrphanPort = true
        self.tcpOrphanPorts[connection.local.port, default: 0] += 1
    }

    func releaseOrphanPort(_ connection: TCPConnection) {
        guard connection.holdsOrphanPort else { return }
        connection.holdsOrphanPort = false
        let port = connection.local.port
        let left = (self.tcpOrphanPorts[port] ?? 1) - 1
        self.tcpOrphanPorts[port] = left > 0 ? left : nil
    }

    // MARK: Timers

    var nextTCPDeadline: Instant? {
        var next: Instant?
        for connection in self.tcpConnections.values { next = next.earliest(connection.nextDeadline) }
        return next
    }

    func runTCPTimers(at now: Instant) -> Bool {
        guard !self.tcpConnections.isEmpty else { return false }
        var didWork = false
        for connection in Array(self.tcpConnections.values) {
            guard let due = connection.nextDeadline, due <= now else { continue }
            if connection.runTimers(at: now) { didWork = true }
        }
        return didWork
    }
}
