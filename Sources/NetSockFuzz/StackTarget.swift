import NSAPI
import NetSockStack
import NetSockWire

/// The whole stack against hostile frames: an interface with a UDP socket, an ICMP
/// socket, a TCP listener (whose accepted connections echo), a multicast group and a
/// DHCP client takes a fuzzed sequence of frames, each
/// after a fuzzed pause, and must neither trap nor hold more than its bounds. Input:
/// records of [length (2 bytes), pause in tenths of a second (1 byte), frame].
enum StackFramesTarget {
    static let target = FuzzTarget(name: "stack") { input in
        let (ours, theirs) = QueueLink.pair(capabilities: LinkCapabilities(maximumTransmissionUnit: 1500), capacity: 4096)
        let interface = Interface(link: ours, hardwareAddress: MACAddress(0x02_00_00_00_00_01), seed: 1)
        var now = Instant.seconds(100)
        interface.configure(IPv4Subnet(IPv4Address(192, 0, 2, 1), prefixLength: 24), gateway: IPv4Address(192, 0, 2, 254), at: now)
        let udp = interface.makeUDPSocket()
        try? udp.bind(IPv4Endpoint(.any, 7))
        let icmp = interface.makeICMPSocket()
        try? icmp.bind(identifier: 1)
        try? interface.joinGroup(IPv4Address(239, 1, 2, 3), at: now)
        let listener = interface.makeTCPSocket()
        try? listener.bind(IPv4Endpoint(.any, 80))
        try? listener.listen(backlog: 4)
        var accepted: [TCPSocket] = []
        let dhcp = DHCPClient(interface: interface, seed: 1)
        dhcp.start(at: now)
        var bytes = Array(input)[...]
        while bytes.count >= 3 {
            let length = min(Int(bytes[bytes.startIndex]) << 8 | Int(bytes[bytes.startIndex + 1]), 1514)
            let pause = bytes[bytes.startIndex + 2]
            bytes = bytes.dropFirst(3)
            let frame = Array(bytes.prefix(length))
            bytes = bytes.dropFirst(length)
            _ = theirs.transmit(at: now, length: frame.count) { $0.copyBytes(from: frame) }
            now += .milliseconds(Int64(pause) * 100)
            interface.poll(at: now)
            for event in interface.takeEvents() { dhcp.handle(event, at: now) }
            dhcp.poll(at: now)
            _ = dhcp.takeEvents()
            // Echo what the UDP socket got, as a server would, so replies leave too.
            while let datagram = udp.receive() { _ = try? udp.send(datagram.payload, to: datagram.source, at: now) }
            while icmp.receive() != nil {}
            while let socket = try? listener.accept() { accepted.append(socket) }
            for socket in accepted {
                if let data = try? socket.receive(maximum: 4096), !data.isEmpty { _ = try? socket.send(data) }
            }
            require(interface.tcpConnectionCount <= 4 + 128 + accepted.count, "TCP connections past the queues' bounds")
            _ = theirs.incoming.drain()
            require(interface.reassembliesInProgress <= 16, "reassembly past its bound")
            require(icmp.storedMessages <= 512, "ICMP queue past its bound")
            require(interface.joinedGroups.count <= 1, "a group joined from the wire")
        }
        // Time passes: every timer runs out without trapping.
        now += .seconds(600)
        interface.poll(at: now)
        dhcp.poll(at: now)
        require(interface.reassembliesInProgress == 0, "reassembly outlived its timeout")
    }
}
