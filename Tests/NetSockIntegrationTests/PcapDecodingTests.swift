#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockStack
import NetSockTestSupport
import NetSockWire
import Testing

/// What our stack puts on the wire, judged by an independent decoder: two stacks talk
/// over an in-memory cable through a `PcapLink`, and tshark reads the capture with
/// checksum validation on.
@Suite struct PcapDecodingTests {
    static let tshark = "/usr/bin/tshark"

    /// tshark is a test peer that `make test` installs: missing in CI is a failure,
    /// elsewhere a skip with a message.
    static var tsharkAvailable: Bool {
        if access(Self.tshark, X_OK) == 0 { return true }
        if Privilege.inCI { return true }  // Run anyway, so the failure shows.
        print("skipping pcap decoding: \(Self.tshark) is missing (make test installs it)")
        return false
    }

    @Test(.enabled(if: Self.tsharkAvailable)) func tsharkDecodesEveryFrameWithoutComplaint() throws {
        let directory = try TemporaryDirectory()
        var capture: [UInt8] = []  // PcapLink writes the file header first.
        var now = Instant.seconds(1_700_000_000)
        let (endA, endB) = QueueLink.pair(capabilities: LinkCapabilities())
        let linkA = PcapLink(wrapping: endA) { capture += $0 }
        let a = Interface(link: linkA, hardwareAddress: MACAddress(parsing: "02:00:00:00:00:0a")!, seed: 1)
        let b = Interface(link: endB, hardwareAddress: MACAddress(parsing: "02:00:00:00:00:0b")!, seed: 2)
        let address = { (text: String) in IPv4Address(parsing: text)! }
        a.configure(IPv4Subnet(address("192.0.2.1"), prefixLength: 24), at: now)
        b.configure(IPv4Subnet(address("192.0.2.2"), prefixLength: 24), at: now)
        func settle() {
            now += .milliseconds(1)
            while a.poll(at: now) || b.poll(at: now) {}
        }
        let server = b.makeUDPSocket()
        try server.bind(IPv4Endpoint(.any, 53))
        let client = a.makeUDPSocket()
        // ARP, then a DNS query (decoded as DNS by its port) and its echo back.
        try client.send(try DNS.query(id: 0x1234, name: "echo.example", type: DNS.RecordType.a), to: IPv4Endpoint(address("192.0.2.2"), 53), at: now)
        settle()
        let query = try #require(server.receive())
        try server.send(query.payload, to: query.source, at: now)
        settle()
        // A datagram that needs three fragments, a ping, a fragmented ping.
        try client.send([UInt8](repeating: 0x42, count: 4000), to: IPv4Endpoint(address("192.0.2.2"), 9999), at: now)
        try a.sendEchoRequest(to: address("192.0.2.2"), identifier: 7, sequenceNumber: 1, data: Array(0..<56), at: now)
        try a.sendEchoRequest(to: address("192.0.2.2"), identifier: 7, sequenceNumber: 2, data: [UInt8](repeating: 1, count: 4000), at: now)
        settle()
        // A closed port: B answers port unreachable, quoting our datagram.
        try client.send(Array("anyone?".utf8), to: IPv4Endpoint(address("192.0.2.2"), 9999), at: now)
        settle()
        // A DHCP DISCOVER, broadcast, with the options a client sends.
        var discover = DHCPv4Repr(messageType: .discover, transactionID: 0xCAFE_F00D, clientHardwareAddress: a.hardwareAddress)
        discover.parameterRequestList = [1, 3, 6, 26, 51]
        discover.hostName = "netsock"
        discover.maximumMessageSize = 1500
        let dhcp = a.makeUDPSocket()
        try dhcp.bind(IPv4Endpoint(.any, 68))
        try dhcp.send(discover.bytes, to: IPv4Endpoint(.broadcast, 67), at: now)
        settle()
        // Long enough for the second gratuitous announcement.
        now += .seconds(3)
        settle()

        let file = directory.path + "/stack.pcap"
        try writeFile(file, capture)
        let result = try Subprocess.run(
            Self.tshark,
            ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
             "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info", "-e", "_ws.expert.message"],
            environment: ["HOME": directory.path, "PATH": "/usr/bin:/bin"], directory: directory.path)
        #expect(result.status == 0, "tshark: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let everything = lines.joined(separator: "\n")
        // Every frame was captured and decoded.
        #expect(lines.count >= 14, "\(everything)")
        for bad in ["Malformed", "malformed", "Bad checksum", "incorrect", "Checksum: 0x0000 [incorrect", "Unknown"] {
            #expect(!everything.contains(bad), "tshark says \(bad):\n\(everything)")
        }
        for protocolName in ["ARP", "DNS", "ICMP", "DHCP"] {
            #expect(lines.contains { $0.split(separator: "\t").dropFirst().first.map(String.init) == protocolName }, "no \(protocolName) frame:\n\(everything)")
        }
        #expect(everything.contains("Echo (ping) request") && everything.contains("Echo (ping) reply"))
        #expect(everything.contains("Destination unreachable (Port unreachable)"))
        #expect(everything.contains("DHCP Discover"))
        #expect(everything.contains("Fragmented IP protocol"))
        #expect(everything.contains("Gratuitous ARP") || everything.contains("ARP Announcement"))
    }

    /// TCP through a device with segmentation and checksum offload: the capture holds
    /// what the cable carries, segments of the MTU with finished checksums.
    @Test(.enabled(if: Self.tsharkAvailable)) func offloadedTCPIsCapturedAsTheWireCarriesIt() throws {
        let directory = try TemporaryDirectory()
        var capture: [UInt8] = []
        var now = Instant.seconds(1_700_000_000)
        let (endA, endB) = QueueLink.pair(capabilities: LinkCapabilities(offloads: [.checksum, .tcpSegmentation]), capacity: 4096)
        let linkA = PcapLink(wrapping: endA) { capture += $0 }
        let a = Interface(link: linkA, hardwareAddress: MACAddress(parsing: "02:00:00:00:00:0a")!, seed: 1)
        let b = Interface(link: endB, hardwareAddress: MACAddress(parsing: "02:00:00:00:00:0b")!, seed: 2)
        a.configure(IPv4Subnet(IPv4Address(192, 0, 2, 1), prefixLength: 24), at: now)
        b.configure(IPv4Subnet(IPv4Address(192, 0, 2, 2), prefixLength: 24), at: now)
        func settle() {
            now += .milliseconds(1)
            while a.poll(at: now) || b.poll(at: now) {}
        }
        let listener = b.makeTCPSocket()
        try listener.bind(IPv4Endpoint(.any, 80))
        try listener.listen(backlog: 1)
        let client = a.makeTCPSocket()
        #expect(throws: StackError.inProgress) { try client.connect(to: IPv4Endpoint(IPv4Address(192, 0, 2, 2), 80), at: now) }
        settle()
        let server = try listener.accept()
        let data = [UInt8](repeating: 0x61, count: 300_000)
        var sent = 0
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        for _ in 0..<10_000 where received < data.count {
            sent += data[sent...].withUnsafeBytes { (try? client.send($0)) ?? 0 }
            settle()
            received += buffer.withUnsafeMutableBytes { (try? server.receive(into: $0)) ?? 0 }
        }
        #expect(received == data.count)

        let file = directory.path + "/tcp.pcap"
        try writeFile(file, capture)
        let result = try Subprocess.run(
            Self.tshark,
            ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
             "-T", "fields", "-e", "frame.len", "-e", "_ws.col.Info", "-e", "_ws.expert.message"],
            environment: ["HOME": directory.path, "PATH": "/usr/bin:/bin"], directory: directory.path)
        #expect(result.status == 0, "tshark: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let everything = lines.joined(separator: "\n")
        #expect(lines.count > 200, "\(lines.count) frames")
        for bad in ["Malformed", "incorrect", "Bad checksum", "Previous segment not captured"] {
            #expect(!everything.contains(bad), "tshark says \(bad):\n\(everything.prefix(4000))")
        }
        let lengths = lines.compactMap { Int($0.split(separator: "\t").first ?? "") }
        #expect(lengths.count == lines.count && lengths.allSatisfy { $0 <= 1514 })
        #expect(lengths.filter { $0 == 1514 }.count > 150)
    }
}

