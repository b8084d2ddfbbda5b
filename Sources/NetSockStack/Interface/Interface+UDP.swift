import NSAPI
import NetSockWire

/// UDP port bookkeeping and sending for the interface's sockets.
extension Interface {
    public static let ephemeralPorts: ClosedRange<UInt16> = 49152...65535

    public func makeUDPSocket() -> UDPSocket {
        let socket = UDPSocket(interface: self, id: self.nextSocketID, settings: self.settings.udp)
        self.nextSocketID += 1
        self.udpSockets[socket.id] = socket
        return socket
    }

    func udpBind(_ socket: UDPSocket, _ endpoint: IPv4Endpoint) throws(StackError) {
        let address = endpoint.address
        if !address.isUnspecified && !address.isMulticast && !address.isBroadcast {
            guard address == self.address?.address else { throw .addressNotAvailable }
        }
        var port = endpoint.port
        if port == 0 {
            port = try self.freeEphemeralPort { self.udpPorts[$0] == nil }
        } else if let bound = self.udpPorts[port] {
            for other in bound where Self.bindingsOverlap(address, other.localEndpoint?.address) { throw .addressInUse }
        }
        socket.localEndpoint = IPv4Endpoint(address, port)
        self.udpPorts[port, default: []].append(socket)
    }

    /// A random start, then the next port `isFree` accepts: unpredictable ports (RFC 6056)
    /// in O(ports in use). UDP and TCP each pass their own table.
    func freeEphemeralPort(_ isFree: (UInt16) -> Bool) throws(StackError) -> UInt16 {
        let range = Self.ephemeralPorts
        let span = Int(range.upperBound - range.lowerBound) + 1
        let start = self.random.below(span)
        for step in 0..<span {
            let port = range.lowerBound + UInt16((start + step) % span)
            if isFree(port) { return port }
        }
        throw .noPortsLeft
    }

    /// Two bindings of one port clash when their addresses are equal or either is "any".
    static func bindingsOverlap(_ address: IPv4Address, _ other: IPv4Address?) -> Bool {
        let other = other ?? .any
        return other == address || other.isUnspecified || address.isUnspecified
    }

    func udpClose(_ socket: UDPSocket) {
        self.udpSockets[socket.id] = nil
        guard let port = socket.localEndpoint?.port else { return }
        self.udpPorts[port]?.removeAll { $0 === socket }
        if self.udpPorts[port]?.isEmpty == true { self.udpPorts[port] = nil }
    }

    /// The largest UDP payload one IPv4 datagram carries.
    public static let maximumUDPPayload = IPv4Packet.maximumLength - IPv4Repr.headerLength - UDPRepr.headerLength

    func udpSend(from socket: UDPSocket, _ payload: UnsafeRawBufferPointer, to destination: IPv4Endpoint, at now: Instant) throws(StackError) {
        guard payload.count <= Self.maximumUDPPayload else { throw .messageTooLong }
        guard let local = socket.localEndpoint else { throw .invalidArgument }
        let source = local.address.isUnspecified || local.address.isMulticast ? (self.address?.address ?? .any) : local.address
        let udp = UDPRepr(sourcePort: local.port, destinationPort: destination.port)
        let length = UDPRepr.headerLength + payload.count
        try self.sendIPv4(
            to: destination.address, protocol: .udp, payloadLength: length, source: source,
            timeToLive: socket.timeToLive, typeOfService: socket.typeOfService, at: now
        ) { buffer in
            if !payload.isEmpty {
                UnsafeMutableRawBufferPointer(rebasing: buffer[UDPRepr.headerLength..<length]).copyMemory(from: payload)
            }
            udp.emit(into: buffer, payloadLength: payload.count, source: source, destination: destination.address)
        }
    }
}
