import NSAPI
import NetSockWire

/// Frames out: IPv4 (fragmented when larger than the MTU), held for ARP when the next
/// hop is unknown; ARP; rate-limited ICMP errors.
extension Interface {
    /// Sends one IPv4 packet whose payload `write` fills. On the common path the payload
    /// is written straight into the link's frame; it is copied only to be fragmented or
    /// held for ARP.
    ///
    /// `tcpOffload`: the payload is a TCP segment whose checksum is left partial, for the
    /// device to finish and (when not 0) to cut into segments of that many payload
    /// bytes. Whatever the device cannot be asked to do (a packet held for ARP) is done
    /// here instead.
    func sendIPv4(
        to destination: IPv4Address, protocol: IPProtocol, payloadLength: Int, source: IPv4Address? = nil,
        timeToLive: UInt8? = nil, typeOfService: UInt8 = 0, dontFragment: Bool = false, tcpOffload: Int? = nil, at now: Instant,
        write: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(StackError) {
        self.lastNow = Swift.max(self.lastNow, now)
        guard IPv4Repr.headerLength + payloadLength <= IPv4Packet.maximumLength else { throw .messageTooLong }
        // 127/8 never goes on a wire (RFC 1122 §3.2.1.3), and this stack has no `lo`.
        if destination.isLoopback { throw .noRoute }
        if let own = self.address?.address, destination == own {
            return try self.loopBack(
                to: destination, protocol: `protocol`, payloadLength: payloadLength, source: source ?? own,
                typeOfService: typeOfService, write: write)
        }
        var linkDestination: MACAddress?
        var nextHop: IPv4Address?
        if destination.isBroadcast || (self.address != nil && destination == self.address?.broadcast) {
            linkDestination = .broadcast
        } else if destination.isMulticast {
            linkDestination = MACAddress(multicast: destination)
        } else {
            guard self.address != nil else { throw .notConfigured }
            guard let hop = self.routes.nextHop(for: destination) else { throw .noRoute }
            nextHop = hop
            linkDestination = self.arp.lookup(hop, at: now)
        }
        let ttl = timeToLive ?? (destination.isMulticast ? 1 : self.settings.defaultTimeToLive)
        var header = IPv4Repr(
            source: source ?? self.address?.address ?? .any, destination: destination, protocol: `protocol`,
            payloadLength: payloadLength, timeToLive: ttl, typeOfService: typeOfService,
            identification: self.nextPacketIdentification(), dontFragment: dontFragment)
        let total = IPv4Repr.headerLength + payloadLength
        if let mac = linkDestination, total <= self.maximumTransmissionUnit || (tcpOffload ?? 0) > 0 {
            let offload = tcpOffload.map { TransmitOffload(transportStart: EthernetFrame.headerLength + IPv4Repr.headerLength, segmentSize: $0) }
            self.transmitFrame(to: mac, etherType: .ipv4, length: total, offload: offload) { buffer in
                header.emit(into: buffer)
                write(UnsafeMutableRawBufferPointer(rebasing: buffer[IPv4Repr.headerLength..<total]))
            }
            return
        }
        var payload = [UInt8](repeating: 0, count: payloadLength)
        payload.withUnsafeMutableBytes { write($0) }
        var packets: [[UInt8]] = []
        if let tcpOffload {
            packets = Self.finishTCP(header.bytes + payload, segmentSize: tcpOffload)
        } else {
            let piece = (self.maximumTransmissionUnit - IPv4Repr.headerLength) & ~7
            var offset = 0
            repeat {
                let length = min(piece, payloadLength - offset)
                header.fragmentOffset = offset
                header.payloadLength = length
                header.moreFragments = offset + length < payloadLength
                packets.append(header.bytes + payload[offset..<(offset + length)])
                offset += length
            } while offset < payloadLength
        }
        if let mac = linkDestination {
            for packet in packets { self.transmitIPv4(packet, to: mac, at: now) }
            return
        }
        guard let nextHop else { return }
        for packet in packets {
            switch self.arp.enqueue(packet, for: nextHop, at: now) {
            case .askNow: self.sendARPRequest(for: nextHop, at: now)
            case .waiting: break
            case .full: self.counters.drop(.arpQueueFull)
            }
        }
    }

    /// A packet to ourselves never reaches the link: it is held, within a byte bound,
    /// and received at the next poll, as lwIP's loopback interface and Linux's `lo` do.
    private func loopBack(
        to destination: IPv4Address, protocol: IPProtocol, payloadLength: Int, source: IPv4Address, typeOfService: UInt8,
        write: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(StackError) {
        let total = IPv4Repr.headerLength + payloadLength
        guard self.loopbackBytes + total <= self.settings.loopbackBytes else { throw .noBufferSpace }
        let header = IPv4Repr(
            source: source, destination: destination, protocol: `protocol`, payloadLength: payloadLength,
            timeToLive: self.settings.defaultTimeToLive, typeOfService: typeOfService, identification: self.nextPacketIdentification())
        var packet = [UInt8](repeating: 0, count: total)
        packet.withUnsafeMutableBytes { buffer in
            header.emit(into: buffer)
            write(UnsafeMutableRawBufferPointer(rebasing: buffer[IPv4Repr.headerLength...]))
        }
        self.loopback.append(packet)
        self.loopbackBytes += total
    }

    /// What the device would have done to a TCP packet left to it: checksums finished
    /// and, when `segmentSize` is not 0, the packet cut into segments.
    static func finishTCP(_ packet: [UInt8], segmentSize: Int) -> [[UInt8]] {
        let frame = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + packet
        var packets: [[UInt8]] = []
        frame.withUnsafeBytes { bytes in
            TCPSegmentation.split(bytes, transportStart: EthernetFrame.headerLength + IPv4Repr.headerLength, segmentSize: segmentSize) { segment in
                packets.append([UInt8](segment[EthernetFrame.headerLength...]))
            }
        }
        return packets
    }

    /// A whole IPv4 packet, already built (a fragment, or one that waited for ARP).
    func transmitIPv4(_ packet: [UInt8], to mac: MACAddress, at now: Instant) {
        self.transmitFrame(to: mac, etherType: .ipv4, length: packet.count) { $0.copyBytes(from: packet) }
    }

    func transmitFrame(
        to mac: MACAddress, etherType: EtherType, length: Int, offload: TransmitOffload? = nil, _ body: (UnsafeMutableRawBufferPointer) -> Void
    ) {
        let ethernet = EthernetRepr(source: self.hardwareAddress, destination: mac, etherType: etherType)
        let frameLength = EthernetFrame.headerLength + length
        let sent = self.link.transmit(at: self.lastNow, length: frameLength, offload: offload) { buffer in
            ethernet.emit(into: buffer)
            body(UnsafeMutableRawBufferPointer(rebasing: buffer[EthernetFrame.headerLength..<frameLength]))
        }
        if sent {
            self.counters.framesSent += 1
            self.counters.bytesSent += frameLength
        } else {
            self.counters.drop(.linkBusy)
        }
    }

    func sendARP(_ arp: ARPRepr, to mac: MACAddress, at now: Instant) {
        self.transmitFrame(to: mac, etherType: .arp, length: ARPRepr.length) { arp.emit(into: $0) }
    }

    func sendARPRequest(for address: IPv4Address, at now: Instant) {
        self.sendARP(.request(from: self.hardwareAddress, self.address?.address ?? .any, for: address), to: .broadcast, at: now)
    }

    /// Never to a source that is not one host (RFC 1122 §3.2.2), and at most at the
    /// configured rate.
    func sendICMPError(_ message: ICMPv4Repr, to source: IPv4Address, at now: Instant) {
        guard !source.isUnspecified, !source.isBroadcast, !source.isMulticast, source != self.address?.broadcast else { return }
        guard self.icmpErrors.take(at: now) else { return self.counters.drop(.icmpRateLimited) }
        var message = message
        switch message {
        case .destinationUnreachable(let code, let invoking):
            message = .destinationUnreachable(code, invoking: Array(invoking.prefix(ICMPv4Repr.maximumInvokingLength)))
        case .timeExceeded(let code, let invoking):
            message = .timeExceeded(code, invoking: Array(invoking.prefix(ICMPv4Repr.maximumInvokingLength)))
        default:
            break
        }
        let reply = message
        try? self.sendIPv4(to: source, protocol: .icmp, payloadLength: reply.length, at: now) { reply.emit(into: $0) }
    }
}
