import NSAPI
import NetSockWire

/// Frames in: Ethernet, ARP, IPv4 (with reassembly), ICMP, UDP.
extension Interface {
    func process(_ bytes: UnsafeRawBufferPointer, checksum: ReceivedChecksum = .unchecked, at now: Instant) {
        self.counters.framesReceived += 1
        self.counters.bytesReceived += bytes.count
        guard let frame = try? EthernetFrame(checking: bytes) else { return self.counters.drop(.malformed) }
        let destination = frame.destination
        guard destination == self.hardwareAddress || destination.isGroup else { return self.counters.drop(.notForUs) }
        switch frame.etherType {
        case .arp: self.processARP(frame.payload, at: now)
        case .ipv4: self.processIPv4(frame.payload, linkBroadcast: destination.isGroup, checksum: checksum, at: now)
        default: self.counters.drop(.unknownProtocol)
        }
    }

    func processARP(_ bytes: UnsafeRawBufferPointer, at now: Instant) {
        guard let packet = try? ARPPacket(checking: bytes), let arp = try? ARPRepr(packet) else { return self.counters.drop(.malformed) }
        if let probing, arp.senderProtocolAddress == probing, arp.senderHardwareAddress != self.hardwareAddress {
            self.events.append(.probeConflict(probing, arp.senderHardwareAddress))
            self.probing = nil
            return
        }
        let ours = self.address?.address
        if let ours, arp.senderProtocolAddress == ours, arp.senderHardwareAddress != self.hardwareAddress {
            self.conflict(on: ours, with: arp.senderHardwareAddress, at: now)
            return
        }
        let sender = arp.senderProtocolAddress
        let aimedAtUs = ours != nil && arp.targetProtocolAddress == ours
        if !sender.isUnspecified, aimedAtUs || self.arp.isKnownOrAwaited(sender) {
            for packet in self.arp.learn(sender, is: arp.senderHardwareAddress, at: now) {
                self.transmitIPv4(packet, to: arp.senderHardwareAddress, at: now)
            }
        }
        if arp.operation == .request, aimedAtUs {
            self.sendARP(arp.reply(from: self.hardwareAddress), to: arp.senderHardwareAddress, at: now)
        }
    }

    /// RFC 5227 §2.4(b): the first conflict is answered with an announcement (one forged
    /// frame cannot take the address away); another within ten seconds means the address
    /// is contested, which is reported, at most once per ten seconds.
    func conflict(on address: IPv4Address, with other: MACAddress, at now: Instant) {
        self.counters.arpConflicts += 1
        guard let defended = self.lastDefense, now - defended < Self.defendInterval else {
            self.lastDefense = now
            self.sendARP(.request(from: self.hardwareAddress, address, for: address), to: .broadcast, at: now)
            return
        }
        if let reported = self.lastConflictReport, now - reported < Self.defendInterval { return }
        self.lastConflictReport = now
        self.events.append(.addressConflict(address, other))
    }

    static let defendInterval = TimeSpan.seconds(10)

    /// Whether an IPv4 destination is ours to receive.
    func accepts(_ destination: IPv4Address, protocol: IPProtocol) -> Bool {
        if destination.isBroadcast { return true }
        guard let address = self.address else {
            // Before DHCP completes, a server may unicast its OFFER to the address it offers.
            return `protocol` == .udp
        }
        if destination == address.address || destination == address.broadcast { return true }
        return destination.isMulticast && self.isMember(of: destination)
    }

    /// `looped`: sent by ourselves to our own address (the only way our address may be a source).
    func processIPv4(
        _ bytes: UnsafeRawBufferPointer, linkBroadcast: Bool, looped: Bool = false, checksum: ReceivedChecksum = .unchecked, at now: Instant
    ) {
        let packet: IPv4Packet
        do throws(WireError) { packet = try IPv4Packet(checking: bytes) } catch { return self.counters.drop(.malformed) }
        let repr: IPv4Repr
        do throws(WireError) { repr = try IPv4Repr(packet) } catch { return self.counters.drop(.badChecksum) }
        guard self.accepts(repr.destination, protocol: repr.protocol) else { return self.counters.drop(.notForUs) }
        // A source that is not one host cannot be answered, and our own address from the
        // wire is forged (RFC 1122 §3.2.1.3): nothing reflects off this stack.
        let source = repr.source
        if source.isBroadcast || source.isMulticast || source.isLoopback || (self.address.map { source == $0.broadcast } ?? false)
            || (!looped && source == self.address?.address)
        {
            return self.counters.drop(.malformed)
        }
        if packet.isFragment {
            switch self.reassembler.add(packet, repr, at: now) {
            case .incomplete: return
            case .dropped(let reason): return self.counters.drop(reason)
            case .complete(let whole, let payload):
                // The quoted header for any ICMP error is the first fragment's; rebuild one.
                var header = whole
                header.fragmentOffset = 0
                payload.withUnsafeBytes { buffer in
                    self.dispatch(whole, buffer, invoking: header.bytes + buffer.prefix(8), linkBroadcast: linkBroadcast, checksum: .unchecked, at: now)
                }
            }
            return
        }
        self.dispatch(
            repr, packet.payload, invoking: [UInt8](packet.header) + packet.payload.prefix(8), linkBroadcast: linkBroadcast, checksum: checksum,
            at: now)
    }

    func dispatch(
        _ ip: IPv4Repr, _ payload: UnsafeRawBufferPointer, invoking: @autoclosure () -> [UInt8], linkBroadcast: Bool, checksum: ReceivedChecksum,
        at now: Instant
    ) {
        let unicastToUs = !linkBroadcast && self.address?.address == ip.destination
        switch ip.protocol {
        case .icmp:
            self.processICMP(ip, payload, unicastToUs: unicastToUs, at: now)
        case .udp:
            self.processUDP(ip, payload, unicastToUs: unicastToUs, checksum: checksum, invoking: invoking, at: now)
        case .igmp:
            self.processIGMP(ip, payload, at: now)
        case .tcp:
            self.processTCP(ip, payload, unicastToUs: unicastToUs, checksum: checksum, at: now)
        default:
            self.counters.drop(.unknownProtocol)
            if unicastToUs { self.sendICMPError(.destinationUnreachable(.protocol, invoking: invoking()), to: ip.source, at: now) }
        }
    }

    func processICMP(_ ip: IPv4Repr, _ payload: UnsafeRawBufferPointer, unicastToUs: Bool, at now: Instant) {
        let packet: ICMPv4Packet
        do throws(WireError) { packet = try ICMPv4Packet(checking: payload) } catch { return self.counters.drop(.malformed) }
        let icmp: ICMPv4Repr
        do throws(WireError) { icmp = try ICMPv4Repr(packet) } catch { return self.counters.drop(.badChecksum) }
        switch icmp {
        case .echoRequest(let identifier, let sequence, let data):
            // Broadcast pings go unanswered, as Linux's icmp_echo_ignore_broadcasts does.
            guard unicastToUs else { return }
            let reply = ICMPv4Repr.echoReply(identifier: identifier, sequenceNumber: sequence, data: data)
            _ = try? self.sendIPv4(to: ip.source, protocol: .icmp, payloadLength: reply.length, typeOfService: ip.typeOfService, at: now) { buffer in
                reply.emit(into: buffer)
            }
        case .echoReply(let identifier, _, _):
            self.deliverEchoReply(identifier: identifier, from: ip.source, payload)
            self.onEchoReply?(ip.source, icmp)
        default:
            break
        }
    }

    func processUDP(
        _ ip: IPv4Repr, _ payload: UnsafeRawBufferPointer, unicastToUs: Bool, checksum: ReceivedChecksum, invoking: () -> [UInt8], at now: Instant
    ) {
        let datagram: UDPDatagram
        do throws(WireError) { datagram = try UDPDatagram(checking: payload) } catch { return self.counters.drop(.malformed) }
        guard checksum == .verified || datagram.checksumIsValid(source: ip.source, destination: ip.destination) else {
            return self.counters.drop(.badChecksum)
        }
        let source = IPv4Endpoint(ip.source, datagram.sourcePort)
        var delivered = false
        for socket in self.udpPorts[datagram.destinationPort] ?? [] {
            guard let local = socket.localEndpoint, local.address.isUnspecified || local.address == ip.destination || !unicastToUs else { continue }
            guard socket.accepts(from: source) else { continue }
            if socket.enqueue(source, ip.destination, datagram.payload) {
                self.onSocketEvent?(socket.id)
            } else {
                self.counters.drop(.socketQueueFull)
            }
            delivered = true
            // A unicast datagram goes to one socket; broadcast and multicast to each.
            if unicastToUs { break }
        }
        guard !delivered else { return }
        self.counters.drop(.noSocket)
        if unicastToUs { self.sendICMPError(.destinationUnreachable(.port, invoking: invoking()), to: ip.source, at: now) }
    }
}
