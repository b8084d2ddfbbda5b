import NSAPI

/// One line saying what an Ethernet frame carries, as far as the parsers get: for trace
/// logs and the `wire` fuzz target, which runs every parser through this one path.
/// Anything a parser refuses ends the line with its reason.
public enum FrameDescription {
    public static func describe(_ frame: UnsafeRawBufferPointer) -> String {
        let ethernet: EthernetFrame
        do throws(WireError) { ethernet = try EthernetFrame(checking: frame) } catch { return "Ethernet \(error)" }
        let prefix = "\(ethernet.source) > \(ethernet.destination)"
        switch ethernet.etherType {
        case .arp: return prefix + " " + self.arp(ethernet.payload)
        case .ipv4: return prefix + " " + self.ipv4(ethernet.payload)
        default: return prefix + " ethertype \(ethernet.etherType), \(ethernet.payload.count) bytes"
        }
    }

    public static func describe(_ frame: [UInt8]) -> String {
        frame.withUnsafeBytes { self.describe($0) }
    }

    static func arp(_ bytes: UnsafeRawBufferPointer) -> String {
        do throws(WireError) {
            let repr = try ARPRepr(ARPPacket(checking: bytes))
            switch repr.operation {
            case .request: return "ARP who-has \(repr.targetProtocolAddress) tell \(repr.senderProtocolAddress)"
            case .reply: return "ARP \(repr.senderProtocolAddress) is-at \(repr.senderHardwareAddress)"
            }
        } catch {
            return "ARP \(error)"
        }
    }

    static func ipv4(_ bytes: UnsafeRawBufferPointer) -> String {
        let packet: IPv4Packet
        let repr: IPv4Repr
        do throws(WireError) {
            packet = try IPv4Packet(checking: bytes)
            repr = try IPv4Repr(packet)
        } catch {
            return "IPv4 \(error)"
        }
        var line = "IPv4 \(repr.source) > \(repr.destination) ttl \(repr.timeToLive) id \(repr.identification)"
        if packet.isFragment {
            line += " fragment offset \(repr.fragmentOffset)\(repr.moreFragments ? "+" : ""), \(repr.payloadLength) bytes"
            if repr.fragmentOffset != 0 { return line }
        }
        switch repr.protocol {
        case .icmp: return line + " " + self.icmp(packet.payload)
        case .udp where !packet.isFragment: return line + " " + self.udp(packet.payload, repr)
        case .tcp where !packet.isFragment: return line + " " + self.tcp(packet.payload, repr)
        case .igmp: return line + " " + self.igmp(packet.payload)
        default: return line + " \(repr.protocol), \(repr.payloadLength) bytes"
        }
    }

    static func icmp(_ bytes: UnsafeRawBufferPointer) -> String {
        do throws(WireError) {
            switch try ICMPv4Repr(ICMPv4Packet(checking: bytes)) {
            case .echoRequest(let identifier, let sequence, let data):
                return "ICMP echo request id \(identifier) seq \(sequence), \(data.count) bytes"
            case .echoReply(let identifier, let sequence, let data):
                return "ICMP echo reply id \(identifier) seq \(sequence), \(data.count) bytes"
            case .destinationUnreachable(let code, let invoking):
                return "ICMP unreachable code \(code.rawValue), \(invoking.count) bytes of the invoking packet"
            case .timeExceeded(let code, let invoking):
                return "ICMP time exceeded code \(code.rawValue), \(invoking.count) bytes of the invoking packet"
            case .other(let type, let code):
                return "ICMP type \(type) code \(code)"
            }
        } catch {
            return "ICMP \(error)"
        }
    }

    /// tcpdump's shape: ports, flags, seq, ack, window, options, length.
    static func tcp(_ bytes: UnsafeRawBufferPointer, _ ip: IPv4Repr) -> String {
        let segment: TCPSegment
        let repr: TCPRepr
        do throws(WireError) {
            segment = try TCPSegment(checking: bytes)
            repr = try TCPRepr(segment, source: ip.source, destination: ip.destination)
        } catch {
            return "TCP \(error)"
        }
        let flags = repr.acknowledgmentNumber != nil ? repr.flags.union(.ack) : repr.flags
        var line = "TCP \(repr.sourcePort) > \(repr.destinationPort) [\(flags)] seq \(repr.sequenceNumber)"
        if let ack = repr.acknowledgmentNumber { line += " ack \(ack)" }
        line += " win \(repr.window)"
        var options: [String] = []
        if let size = repr.maximumSegmentSize { options.append("mss \(size)") }
        if repr.sackPermitted { options.append("sackOK") }
        if let stamps = repr.timestamps { options.append("TS val \(stamps.value) ecr \(stamps.echo)") }
        if let shift = repr.windowScale { options.append("wscale \(shift)") }
        if !repr.sackBlocks.isEmpty { options.append("sack " + repr.sackBlocks.map { "\($0.left)-\($0.right)" }.joined(separator: " ")) }
        if !options.isEmpty { line += " [" + options.joined(separator: ", ") + "]" }
        return line + ", \(segment.payload.count) bytes"
    }

    static func igmp(_ bytes: UnsafeRawBufferPointer) -> String {
        do throws(WireError) {
            switch try IGMPRepr(IGMPPacket(checking: bytes)) {
            case .membershipQuery(let time, let group):
                return "IGMP query \(group.isUnspecified ? "general" : "group \(group)"), max response \(time)"
            case .membershipReport(let group, let version): return "IGMP \(version) report \(group)"
            case .leaveGroup(let group): return "IGMP leave \(group)"
            }
        } catch {
            return "IGMP \(error)"
        }
    }

    static func udp(_ bytes: UnsafeRawBufferPointer, _ ip: IPv4Repr) -> String {
        let datagram: UDPDatagram
        let repr: UDPRepr
        do throws(WireError) {
            datagram = try UDPDatagram(checking: bytes)
            repr = try UDPRepr(datagram, source: ip.source, destination: ip.destination)
        } catch {
            return "UDP \(error)"
        }
        let line = "UDP \(repr.sourcePort) > \(repr.destinationPort), \(datagram.payload.count) bytes"
        switch (repr.sourcePort, repr.destinationPort) {
        case (67, 68), (68, 67): return line + " " + self.dhcp(datagram.payload)
        case (53, _), (_, 53): return line + " " + self.dns(datagram.payload)
        default: return line
        }
    }

    static func dhcp(_ bytes: UnsafeRawBufferPointer) -> String {
        do throws(WireError) {
            let repr = try DHCPv4Repr(DHCPv4Packet(checking: bytes))
            var line = "DHCP \(repr.messageType) xid 0x\(String(repr.transactionID, radix: 16)) chaddr \(repr.clientHardwareAddress)"
            if !repr.yourAddress.isUnspecified { line += " yiaddr \(repr.yourAddress)" }
            if let lease = repr.leaseTime { line += " lease \(lease)" }
            return line
        } catch {
            return "DHCP \(error)"
        }
    }

    static func dns(_ bytes: UnsafeRawBufferPointer) -> String {
        do throws(WireError) {
            let message = try DNSRepr(DNSPacket(checking: bytes))
            let names = message.questions.map(\.name).joined(separator: ",")
            return "DNS \(message.isResponse ? "response" : "query") id \(message.id) \(names), \(message.answers.count) answers"
        } catch {
            return "DNS \(error)"
        }
    }
}
