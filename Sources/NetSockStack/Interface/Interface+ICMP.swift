import NSAPI
import NetSockWire

/// Echo requests out (ICMP sockets and ping); what the ARP cache knows.
extension Interface {
    public func sendEchoRequest(to destination: IPv4Address, identifier: UInt16, sequenceNumber: UInt16, data: [UInt8], timeToLive: UInt8? = nil, at now: Instant) throws(StackError) {
        let request = ICMPv4Repr.echoRequest(identifier: identifier, sequenceNumber: sequenceNumber, data: data)
        guard request.length <= IPv4Packet.maximumLength - IPv4Repr.headerLength else { throw .messageTooLong }
        try self.sendIPv4(to: destination, protocol: .icmp, payloadLength: request.length, timeToLive: timeToLive, at: now) { request.emit(into: $0) }
    }

    public func hardwareAddress(for address: IPv4Address, at now: Instant) -> MACAddress? {
        self.arp.lookup(address, at: now)
    }

    public var reassembliesInProgress: Int { self.reassembler.inProgress }

    /// Asks whether anyone holds `address`, from no address (an RFC 5227 probe): an
    /// answer, or anyone else's claim, is reported as `.probeConflict` until `endProbe`.
    public func probe(_ address: IPv4Address, at now: Instant) {
        self.probing = address
        self.sendARP(.request(from: self.hardwareAddress, .any, for: address), to: .broadcast, at: now)
    }

    public func endProbe() { self.probing = nil }
}
