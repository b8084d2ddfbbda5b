#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC
import NetSockTestSupport
import Testing

/// A network namespace holding netsockd's `ip` interface on one side and the Linux
/// kernel on the other, over a TAP device or a veth pair: the kernel is the real peer
/// that pings our stack, is pinged by it and trades UDP with it. Nothing leaves the
/// namespaces; the addresses are from 192.0.2.0/24 (RFC 5737).
final class KernelPeerNetwork {
    enum Kind: Sendable { case tap, veth }

    let namespace: String
    /// The kernel's side, where the peer addresses live (the same namespace for a TAP).
    let peerNamespace: String
    /// What the daemon's link names: the TAP device, or its veth end.
    let linkDevice: String
    let kind: Kind
    let directory: TemporaryDirectory
    static let kernelAddress = "192.0.2.1"
    static let stackAddress = "192.0.2.2"

    init(_ kind: Kind) throws {
        self.kind = kind
        let tag = String(UInt32.random(in: 0...0xFFFFF), radix: 16)
        self.namespace = "nsd-test-ip-\(tag)"
        self.peerNamespace = kind == .tap ? self.namespace : "nsd-test-ipp-\(tag)"
        self.linkDevice = kind == .tap ? "nstap\(tag)" : "nsva\(tag)"
        self.directory = try TemporaryDirectory("netsock-ip")
        for name in Set([self.namespace, self.peerNamespace]) {
            try self.ip(["netns", "add", name])
            TestResources.created(namespace: name)
            try self.ip(["-n", name, "link", "set", "lo", "up"])
        }
        let peerDevice: String
        switch kind {
        case .tap:
            // Persistent, so the kernel side is addressed before the daemon attaches.
            try self.ip(["-n", self.namespace, "tuntap", "add", "dev", self.linkDevice, "mode", "tap"])
            peerDevice = self.linkDevice
        case .veth:
            peerDevice = "nsvb\(tag)"
            try self.ip(["-n", self.namespace, "link", "add", self.linkDevice, "type", "veth", "peer", "name", peerDevice, "netns", self.peerNamespace])
            // The daemon's end carries no address of the kernel's, and no IPv6 chatter.
            _ = try? self.run(self.namespace, ["/sbin/sysctl", "-qw", "net.ipv6.conf.\(self.linkDevice).disable_ipv6=1"])
            try self.ip(["-n", self.namespace, "link", "set", self.linkDevice, "up"])
        }
        try self.ip(["-n", self.peerNamespace, "addr", "add", "\(Self.kernelAddress)/24", "dev", peerDevice])
        try self.ip(["-n", self.peerNamespace, "link", "set", peerDevice, "up"])
    }

    @discardableResult
    func ip(_ arguments: [String]) throws -> String {
        let result = try Subprocess.run("/sbin/ip", arguments, directory: self.directory.path)
        guard result.status == 0 else { throw SubprocessError(description: "ip \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }

    /// Runs a command inside a namespace: (status, stdout, stderr).
    func run(_ namespace: String, _ command: [String], timeoutSeconds: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
        try Subprocess.run("/sbin/ip", ["netns", "exec", namespace] + command, directory: self.directory.path, timeoutSeconds: timeoutSeconds)
    }

    /// The device the kernel's addresses are on.
    var peerDevice: String { self.kind == .tap ? self.linkDevice : "nsvb" + self.linkDevice.dropFirst(4) }

    /// The daemon, inside `namespace`, with the link as interface `ip0`.
    func startDaemon(pcap: String? = nil, dhcp: Bool = false) throws -> DaemonLauncher {
        var link: JSONObject = self.kind == .tap ? ["tap": .string(self.linkDevice)] : ["packet": .string(self.linkDevice)]
        if let pcap { link["pcap"] = .string(pcap) }
        return try DaemonLauncher(
            config: [
                "control": ["admin_group": nil],
                "dns": ["use_resolv_conf": false, "servers": [.string(Self.kernelAddress + ":53")], "timeout_ms": 1000, "attempts": 2],
                "interfaces": ["ip0": ["type": "ethernet", "stack": "ip", "link": .object(link), "dhcp": .bool(dhcp)]],
            ],
            launcher: ["/sbin/ip", "netns", "exec", self.namespace])
    }

    deinit {
        TestResources.killProcesses(inNamespace: self.namespace)
        TestResources.killProcesses(inNamespace: self.peerNamespace)
        for name in Set([self.namespace, self.peerNamespace]) {
            _ = try? self.ip(["netns", "del", name])
            TestResources.released(namespace: name)
        }
    }
}

/// The `ip` stack against the Linux kernel as its peer, over TAP and over a veth pair.
@Suite(.serialized) struct IPStackPeerTests {
    /// A UDP echo in the kernel's namespace: prints its port, then echoes `count` datagrams.
    static let udpEcho = """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((sys.argv[1], 0))
        print(s.getsockname()[1], flush=True)
        for _ in range(int(sys.argv[2])):
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
        """

    func connect(_ client: NSAPIClient) throws {
        #expect(client.code(API.InterfaceSetNetwork(interface: "ip0", address: KernelPeerNetwork.stackAddress, netmask: "255.255.255.0", gateway: "")) == 0)
        let connected = try client.rpc.call(API.InterfaceConnect(interface: "ip0"))
        #expect(connected.status == .globalUp)
    }

    func exchange(over kind: KernelPeerNetwork.Kind) throws {
        let network = try KernelPeerNetwork(kind)
        let pcap = network.directory.path + "/ip0.pcap"
        let daemon = try network.startDaemon(pcap: pcap)
        let client = NSAPIClient(try daemon.client(), interface: "ip0")
        try self.connect(client)

        // The kernel pings us, small and fragmented (4000 bytes: three fragments each way).
        let ping = try network.run(network.peerNamespace, ["/usr/bin/ping", "-c", "3", "-i", "0.2", "-W", "5", KernelPeerNetwork.stackAddress])
        #expect(ping.status == 0, "ping: \(ping.stdout) \(ping.stderr)")
        let bigPing = try network.run(network.peerNamespace, ["/usr/bin/ping", "-c", "2", "-i", "0.2", "-W", "5", "-s", "4000", KernelPeerNetwork.stackAddress])
        #expect(bigPing.status == 0, "ping -s 4000: \(bigPing.stdout) \(bigPing.stderr)")

        // We ping the kernel: netsockctl ping through an ICMP socket, small and fragmented.
        for size in ["56", "4000"] {
            let ours = try daemon.ctl(["ping", "-c", "2", "-i", "0.2", "--size", size, "-I", "ip0", KernelPeerNetwork.kernelAddress])
            #expect(ours.status == 0, "\(ours.stdout) \(ours.stderr)")
            #expect(ours.stdout.contains("PING \(KernelPeerNetwork.kernelAddress) (\(KernelPeerNetwork.kernelAddress)) \(size)("))
            #expect(ours.stdout.contains("\(Int(size)! + 8) bytes from \(KernelPeerNetwork.kernelAddress): icmp_seq=2 time="))
            #expect(ours.stdout.contains("2 packets transmitted, 2 received, 0% packet loss"))
        }
        // An ICMP socket sends echo requests only.
        let icmp = try client.open(.icmp)
        #expect(client.sendto(icmp, KernelPeerNetwork.kernelAddress, 0, [13, 0, 0, 0, 0, 0, 0, 1]) == -3003, "a timestamp request is PARAMETER")
        #expect(client.sendto(icmp, KernelPeerNetwork.kernelAddress, 0, [8, 0, 0]) == -3003, "a truncated header is PARAMETER")

        // Our UDP to the kernel's echo and back, small and fragmented.
        let echo = try Subprocess(
            "/sbin/ip", ["netns", "exec", network.peerNamespace, "/usr/bin/python3", "-c", Self.udpEcho, KernelPeerNetwork.kernelAddress, "2"],
            directory: network.directory.path)
        defer { echo.terminate() }
        #expect(try waitUntil { !echo.stdout.isEmpty })
        let echoPort = try #require(Int(echo.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let socket = try client.open(.udp)
        _ = client.call(API.SocketSetTimeout(socket: socket, timeoutMs: 5000))
        for size in [100, 4000] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ size) }
            #expect(client.sendto(socket, KernelPeerNetwork.kernelAddress, echoPort, payload) == size)
            let reply = client.recvfrom(socket, 65536)
            #expect((try? reply.get().2) == payload, "echo of \(size) bytes")
            #expect((try? reply.get().0) == KernelPeerNetwork.kernelAddress)
        }

        // The kernel sends to our bound port.
        let listener = try client.open(.udp)
        #expect(client.code(API.SocketBind(socket: listener, port: 9000)) == 0)
        _ = client.call(API.SocketSetTimeout(socket: listener, timeoutMs: 5000))
        let send = try network.run(network.peerNamespace, [
            "/usr/bin/python3", "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('\(KernelPeerNetwork.kernelAddress)', 4321)); s.sendto(b'from the kernel', ('\(KernelPeerNetwork.stackAddress)', 9000))",
        ])
        #expect(send.status == 0, "\(send.stderr)")
        let received = client.recvfrom(listener, 100)
        #expect((try? received.get().2) == Array("from the kernel".utf8))
        #expect((try? received.get().1) == 4321)

        // Multicast: our socket joins 239.1.2.3 (IGMPv2 report), the kernel sends to it.
        let member = try client.open(.udp)
        #expect(client.code(API.SocketBind(socket: member, port: 5000)) == 0)
        let join: JSONObject = ["socket": JSONValue(member), "option": "add_membership", "value": ["group": "239.1.2.3"]]
        #expect(client.code(API.SocketSetOption.name, join) == 0)
        #expect(client.code(API.SocketSetOption.name, join) == -3018, "joined twice: ADDRESS_IN_USE")
        _ = client.call(API.SocketSetTimeout(socket: member, timeoutMs: 5000))
        let multicast = try network.run(network.peerNamespace, [
            "/usr/bin/python3", "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('\(KernelPeerNetwork.kernelAddress)')); s.sendto(b'to the group', ('239.1.2.3', 5000))",
        ])
        #expect(multicast.status == 0, "\(multicast.stderr)")
        #expect((try? client.recvfrom(member, 100).get().2) == Array("to the group".utf8))
        let leave: JSONObject = ["socket": JSONValue(member), "option": "drop_membership", "value": ["group": "239.1.2.3"]]
        #expect(client.code(API.SocketSetOption.name, leave) == 0)
        #expect(client.code(API.SocketSetOption.name, leave) == -3006, "not joined: NO_ADDRESS")

        // A closed port answers port unreachable, which the kernel reports as refused.
        let refused = try network.run(network.peerNamespace, [
            "/usr/bin/python3", "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5); s.connect(('\(KernelPeerNetwork.stackAddress)', 9999)); s.send(b'x')\ntry:\n    s.recv(10)\nexcept ConnectionRefusedError:\n    print('refused')",
        ])
        #expect(refused.stdout.contains("refused"), "\(refused.stdout) \(refused.stderr)")

        // The status shows the link and its counters.
        let status = try client.rpc.call(API.InterfaceStatus.name, ["interface": "ip0"])
        #expect(status["stack"] == "ip" && status["status"] == "global_up")
        #expect(status["ipv4"]?["address"] == .string(KernelPeerNetwork.stackAddress))
        #expect(status["link"]?["attached"] == true && status["link"]?["device"] == .string(network.linkDevice))
        let framesReceived = status["link"]?["counters"]?["frames_received"]?.intValue ?? 0
        #expect(framesReceived >= 10, "\(status)")

        // Disconnect unplugs: the kernel's pings go unanswered, the status says so.
        #expect(try client.rpc.call(API.InterfaceDisconnect(interface: "ip0")).status == .disconnected)
        let unanswered = try network.run(network.peerNamespace, ["/usr/bin/ping", "-c", "1", "-W", "1", KernelPeerNetwork.stackAddress])
        #expect(unanswered.status != 0)
        #expect(client.sendto(socket, KernelPeerNetwork.kernelAddress, echoPort, [1]) == -3004, "NO_CONNECTION while down")

        // What the stack sent and received decodes cleanly in tshark.
        if access("/usr/bin/tshark", X_OK) == 0 {
            let decoded = try Subprocess.run(
                "/usr/bin/tshark", ["-r", pcap, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T", "fields", "-e", "_ws.col.Info", "-e", "_ws.expert.message"],
                environment: ["HOME": network.directory.path, "PATH": "/usr/bin:/bin"], directory: network.directory.path)
            #expect(decoded.status == 0)
            #expect(!decoded.stdout.contains("Malformed") && !decoded.stdout.contains("incorrect") && !decoded.stdout.contains("Bad checksum"), "\(decoded.stdout)")
            #expect(decoded.stdout.contains("Echo (ping) reply"))
            #expect(decoded.stdout.contains("Membership Report group 239.1.2.3"), "\(decoded.stdout)")
            #expect(decoded.stdout.contains("Leave Group 239.1.2.3"), "\(decoded.stdout)")
        }
    }

    /// dnsmasq on the kernel's side: DHCP with a 2-minute lease whose renewal time (T1)
    /// is 8 s, so a renewal comes within the test, and DNS for one name.
    func startDnsmasq(_ network: KernelPeerNetwork) throws -> (Subprocess, log: String) {
        let log = network.directory.path + "/dnsmasq.log"
        let dnsmasq = try Subprocess(
            "/sbin/ip",
            ["netns", "exec", network.peerNamespace, "/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
             "--interface=\(network.peerDevice)", "--except-interface=lo", "--bind-interfaces", "--port=53", "--no-resolv", "--no-hosts",
             "--address=/echo.netsock.test/\(KernelPeerNetwork.kernelAddress)",
             "--dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,2m", "--dhcp-option=option:router,\(KernelPeerNetwork.kernelAddress)",
             "--dhcp-option=option:T1,8", "--dhcp-leasefile=\(network.directory.path)/leases", "--pid-file=", "--user=root",
             "--log-facility=\(log)", "--log-dhcp"],
            directory: network.directory.path)
        let listening = try waitUntil {
            try network.run(network.peerNamespace, ["/usr/bin/ss", "-Hlun", "sport = :67"]).stdout.contains(":67")
        }
        if !listening { throw SubprocessError(description: "dnsmasq did not start: \(dnsmasq.stderr)") }
        return (dnsmasq, log)
    }

    @Test func dnsmasqLeasesUsAnAddressRenewsItAnswersOurQueriesAndHearsTheRelease() throws {
        guard Privilege.rootTestsEnabled("IPStackPeerTests") else { return }
        let network = try KernelPeerNetwork(.veth)
        let (dnsmasq, log) = try self.startDnsmasq(network)
        defer { dnsmasq.terminate() }
        let daemon = try network.startDaemon(dhcp: true)
        let client = NSAPIClient(try daemon.client(), interface: "ip0")
        _ = try client.rpc.call(API.EventsSubscribe(topics: [.interface]))

        let connected = try client.rpc.call(API.InterfaceConnect(interface: "ip0"))
        #expect(connected.status == .globalUp)
        let status = try client.rpc.call(API.InterfaceStatus(interface: "ip0"))
        let address = try #require(status.ipv4?.address)
        let host = try #require(UInt8(address.split(separator: ".").last ?? ""))
        #expect(address.hasPrefix("192.0.2.") && (100...150).contains(host), "\(address)")
        #expect(status.ipv4?.netmask == "255.255.255.0" && status.ipv4?.gateway == KernelPeerNetwork.kernelAddress)
        #expect(status.dns.first == KernelPeerNetwork.kernelAddress)
        var seen: [String] = []
        while seen.last != "global_up", let note = try? client.rpc.nextNotification(timeoutMilliseconds: 5000) {
            if note.params["event"] == "status_changed", let value = note.params["data"]?["status"]?.stringValue { seen.append(value) }
        }
        #expect(seen == ["connecting", "global_up"])

        // dnsmasq answers our stack's DNS query, over our UDP.
        let answer = try client.rpc.call(API.DNSGetHostByName(name: "echo.netsock.test", version: .ipv4, interface: "ip0"))
        #expect(answer.address == KernelPeerNetwork.kernelAddress)

        // The kernel reaches us at the leased address.
        let ping = try network.run(network.peerNamespace, ["/usr/bin/ping", "-c", "1", "-W", "5", address])
        #expect(ping.status == 0)

        // At T1 (8 s) the lease is renewed: a second DHCPACK, and no status change.
        let renewed = try waitUntil(timeoutSeconds: 30) {
            ((try? readText(log)) ?? "").components(separatedBy: "DHCPACK(").count - 1 >= 2
        }
        #expect(renewed, "no renewal in dnsmasq's log:\n\((try? readText(log)) ?? "")")
        #expect(try client.rpc.call(API.InterfaceStatus(interface: "ip0")).status == .globalUp)

        // Disconnect releases the lease.
        #expect(try client.rpc.call(API.InterfaceDisconnect(interface: "ip0")).status == .disconnected)
        #expect(try waitUntil { ((try? readText(log)) ?? "").contains("DHCPRELEASE(") })
    }

    @Test func theKernelTalksToOurStackOverATAPDevice() throws {
        guard Privilege.rootTestsEnabled("IPStackPeerTests") else { return }
        try self.exchange(over: .tap)
    }

    @Test func theKernelTalksToOurStackOverAVethPair() throws {
        guard Privilege.rootTestsEnabled("IPStackPeerTests") else { return }
        try self.exchange(over: .veth)
    }
}

extension IPStackPeerTests {
    /// A persistent TAP deleted under the daemon: the interface goes `disconnected`
    /// instead of the descriptor keeping the daemon busy, and a connect brings it back.
    /// A TCP echo in the kernel's namespace: prints its port, then echoes each of
    /// `count` connections until the peer ends its half.
    static let tcpEcho = """
        import socket, sys, threading
        s = socket.socket()
        s.bind((sys.argv[1], 0))
        s.listen(4)
        print(s.getsockname()[1], flush=True)
        def serve(c):
            while True:
                data = c.recv(262144)
                if not data:
                    break
                c.sendall(data)
            c.close()
        threads = []
        for _ in range(int(sys.argv[2])):
            c, _ = s.accept()
            t = threading.Thread(target=serve, args=(c,))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        """

    /// Every byte of our TCP reaches the client once, in order, by both ways a client
    /// reads a socket: JSON-RPC calls and an attached descriptor (the daemon's pump
    /// between the two). The kernel echoes what we send. Over a TAP and over AF_PACKET
    /// on a veth pair, each with its offloads.
    @Test(arguments: [KernelPeerNetwork.Kind.tap, .veth])
    func ourTCPCarriesEveryByteThroughJSONRPCAndThroughAnAttachedDescriptor(_ kind: KernelPeerNetwork.Kind) throws {
        guard Privilege.rootTestsEnabled("IPStackPeerTests") else { return }
        let network = try KernelPeerNetwork(kind)
        let daemon = try network.startDaemon()
        let client = NSAPIClient(try daemon.client(), interface: "ip0")
        try self.connect(client)
        let echo = try Subprocess(
            "/sbin/ip", ["netns", "exec", network.peerNamespace, "/usr/bin/python3", "-c", Self.tcpEcho, KernelPeerNetwork.kernelAddress, "2"],
            directory: network.directory.path)
        defer { echo.terminate() }
        #expect(try waitUntil { !echo.stdout.isEmpty })
        let port = try #require(Int(echo.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        func pattern(_ count: Int, _ seed: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13 &+ seed) } }

        // JSON-RPC: 2 MB in calls of up to 64 KiB, read back in calls of any size.
        let socket = try client.open(.tcp)
        _ = client.call(API.SocketSetTimeout(socket: socket, timeoutMs: 10_000))
        #expect(client.code(API.SocketConnect(socket: socket, address: KernelPeerNetwork.kernelAddress, port: port)) == 0)
        let data = pattern(2_000_000, 1)
        var echoed: [UInt8] = []
        var offset = 0
        while offset < data.count || echoed.count < data.count {
            if offset < data.count {
                let sent = client.send(socket, Array(data[offset..<Swift.min(data.count, offset + 65_536)]))
                guard sent > 0 else {
                    Issue.record("send: \(sent)")
                    break
                }
                offset += sent
            }
            if offset == data.count || offset - echoed.count > 512_000 {
                guard case .success(let bytes) = client.recv(socket, 50_000 + echoed.count % 7_777), !bytes.isEmpty else {
                    Issue.record("recv ended at \(echoed.count)")
                    break
                }
                echoed += bytes
            }
        }
        #expect(echoed.count == data.count)
        #expect(echoed == data, "the JSON-RPC path lost, duplicated or reordered bytes")
        #expect(client.code(API.SocketClose(socket: socket)) == 0)

        // An attached descriptor: 64 MB through the daemon's pump each way.
        let attached = try client.open(.tcp)
        #expect(client.code(API.SocketConnect(socket: attached, address: KernelPeerNetwork.kernelAddress, port: port)) == 0)
        let (type, fd) = try client.rpc.attach(socket: attached)
        defer { close(fd) }
        #expect(type == "stream")
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let total = 64 << 20
        let chunk = pattern(1 << 20, 2)
        var written = 0
        var read = 0
        var mismatch: Int?
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        let deadline = MonotonicClock.nanoseconds() + 120_000_000_000
        var ended = false
        while !ended, MonotonicClock.nanoseconds() < deadline {
            var entry = pollfd(fd: fd, events: Int16(POLLIN) | (written < total ? Int16(POLLOUT) : 0), revents: 0)
            guard poll(&entry, 1, 10_000) > 0 else { break }
            if written < total, entry.revents & Int16(POLLOUT) != 0 {
                let start = written % chunk.count
                let count = Swift.min(chunk.count - start, total - written)
                let sent = chunk[start..<(start + count)].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent > 0 { written += sent }
                if written == total { shutdown(fd, Int32(SHUT_WR)) }
            }
            if entry.revents & Int16(POLLIN | POLLHUP) != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count == 0 { ended = true }
                for index in 0..<Swift.max(0, count) where mismatch == nil && buffer[index] != chunk[(read + index) % chunk.count] {
                    mismatch = read + index
                }
                read += Swift.max(0, count)
            }
        }
        #expect(written == total)
        #expect(read == total, "read \(read) of \(total)")
        #expect(mismatch == nil, "first wrong byte at \(mismatch ?? -1)")
        // The status shows the link's offloads and counts the segments: a 64 KB packet
        // the kernel cuts counts once, so far fewer than the 64 MB's MSS-sized segments.
        let status = try client.rpc.call(API.InterfaceStatus.name, ["interface": "ip0"])
        #expect(status["link"]?["offloads"] == ["checksum", "tcp_segmentation"], "\(status)")
        #expect((status["link"]?["counters"]?["tcp_segments_received"]?.intValue ?? 0) > 1000, "\(status)")
        #expect((status["link"]?["counters"]?["tcp_segments_sent"]?.intValue ?? 0) > 1000, "\(status)")
        // 64 MB in 1448-byte segments would be 46,000 and more.
        #expect((status["link"]?["counters"]?["tcp_segments_sent"]?.intValue ?? .max) < 20_000, "\(status)")
    }

    /// The kernel's side of the reset cases: `reset` accepts, reads 5 bytes and resets
    /// (SO_LINGER 0); `report` accepts and says how the connection ended; `connect`
    /// connects to us, sends 1000 bytes and says how it ended.
    static let tcpEnds = """
        import socket, struct, sys
        mode, address = sys.argv[1], sys.argv[2]
        def report(c):
            try:
                while c.recv(65536):
                    pass
                print('eof', flush=True)
            except ConnectionResetError:
                print('reset', flush=True)
        if mode == 'connect':
            c = socket.create_connection((sys.argv[3], int(sys.argv[4])), timeout=20)
            c.sendall(b'x' * 1000)
            report(c)
        else:
            s = socket.socket()
            s.bind((address, 0))
            s.listen(1)
            print(s.getsockname()[1], flush=True)
            c, _ = s.accept()
            if mode == 'reset':
                c.recv(5)
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                c.close()
            else:
                report(c)
        """

    /// Resets and aborts with the kernel as the peer, each way, with Mbed's codes.
    @Test func resetsAndAbortsWithTheKernelAsPeer() throws {
        guard Privilege.rootTestsEnabled("IPStackPeerTests") else { return }
        let network = try KernelPeerNetwork(.tap)
        let daemon = try network.startDaemon()
        let client = NSAPIClient(try daemon.client(), interface: "ip0")
        try self.connect(client)
        func kernel(_ arguments: [String]) throws -> Subprocess {
            try Subprocess(
                "/sbin/ip", ["netns", "exec", network.peerNamespace, "/usr/bin/python3", "-c", Self.tcpEnds] + arguments,
                directory: network.directory.path)
        }
        func port(of peer: Subprocess) throws -> Int {
            #expect(try waitUntil { !peer.stdout.isEmpty })
            return try #require(Int(peer.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        func ending(of peer: Subprocess, after skipping: Int) throws -> String {
            #expect(try waitUntil { peer.stdout.split(separator: "\n").count > skipping })
            return peer.stdout.split(separator: "\n").dropFirst(skipping).first.map(String.init) ?? ""
        }
        func connected() throws -> Int {
            let socket = try client.open(.tcp)
            _ = client.call(API.SocketSetTimeout(socket: socket, timeoutMs: 10_000))
            return socket
        }

        // A port nobody listens on: the kernel's reset refuses the connect.
        let refused = try connected()
        #expect(client.code(API.SocketConnect(socket: refused, address: KernelPeerNetwork.kernelAddress, port: 1)) == -3004, "refused: NO_CONNECTION")
        _ = client.code(API.SocketClose(socket: refused))

        // The kernel resets an established connection: the next recv is NO_CONNECTION,
        // once; then the stream has ended.
        let resetter = try kernel(["reset", KernelPeerNetwork.kernelAddress])
        defer { resetter.terminate() }
        let victim = try connected()
        #expect(client.code(API.SocketConnect(socket: victim, address: KernelPeerNetwork.kernelAddress, port: try port(of: resetter))) == 0)
        #expect(client.send(victim, Array("hello".utf8)) == 5)
        let first = client.recv(victim, 100)
        #expect(first.failureCode == -3004, "reset: NO_CONNECTION, got \(first)")
        let second = client.recv(victim, 100)
        #expect(second.successValue == [] || second.failureCode == -3004, "after the reset: \(second)")
        _ = client.code(API.SocketClose(socket: victim))

        // Our close is a FIN; with linger 0 it is a reset.
        for (linger, expected) in [(false, "eof"), (true, "reset")] {
            let reporter = try kernel(["report", KernelPeerNetwork.kernelAddress])
            defer { reporter.terminate() }
            let socket = try connected()
            #expect(client.code(API.SocketConnect(socket: socket, address: KernelPeerNetwork.kernelAddress, port: try port(of: reporter))) == 0)
            #expect(client.send(socket, [UInt8](repeating: 7, count: 3000)) == 3000)
            if linger {
                #expect(client.code(API.SocketSetOption.name, ["socket": JSONValue(socket), "option": "linger", "value": 0]) == 0)
            }
            #expect(client.code(API.SocketClose(socket: socket)) == 0)
            #expect(try ending(of: reporter, after: 1) == expected, "linger 0: \(linger)")
        }

        // We accept the kernel's connection and close it with its data unread: a reset.
        let listener = try connected()
        #expect(client.code(API.SocketBind(socket: listener, port: 7070)) == 0)
        #expect(client.code(API.SocketListen(socket: listener, backlog: 1)) == 0)
        let connector = try kernel(["connect", KernelPeerNetwork.kernelAddress, KernelPeerNetwork.stackAddress, "7070"])
        defer { connector.terminate() }
        let accepted = try client.rpc.call(API.SocketAccept(socket: listener)).socket
        _ = client.call(API.SocketSetTimeout(socket: accepted, timeoutMs: 10_000))
        #expect(client.recv(accepted, 1).successValue == [UInt8(ascii: "x")], "one byte read, 999 left unread")
        #expect(client.code(API.SocketClose(socket: accepted)) == 0)
        #expect(try ending(of: connector, after: 0) == "reset")
    }

    @Test func aTAPDeletedUnderTheDaemonDisconnectsTheInterface() throws {
        guard Privilege.rootTestsEnabled("IPStackPeerTests") else { return }
        let network = try KernelPeerNetwork(.tap)
        let daemon = try network.startDaemon()
        let client = NSAPIClient(try daemon.client(), interface: "ip0")
        try self.connect(client)
        try network.ip(["-n", network.namespace, "link", "del", network.linkDevice])
        // Anything on the descriptor wakes the stack; a ping from us writes and reads.
        _ = try daemon.ctl(["ping", "-c", "1", "-W", "0.5", "-I", "ip0", KernelPeerNetwork.kernelAddress])
        #expect(try waitUntil { (try? client.rpc.call(API.InterfaceStatus(interface: "ip0")).status) == .disconnected })
        #expect(try client.rpc.call(API.InterfaceStatus(interface: "ip0")).link?.attached == false)
        // A new connect makes the (non-persistent) TAP again.
        #expect(try client.rpc.call(API.InterfaceConnect(interface: "ip0")).status == .globalUp)
    }

    /// `netsock-bench ip` runs briefly in every test run so that it cannot rot: every
    /// figure must come from traffic that flowed (nothing about speed is asserted).
    @Test func theIPStackBenchmarkRuns() throws {
        guard Privilege.rootTestsEnabled("IPStackPeerTests") else { return }
        let bench = try Subprocess.run(
            BuiltProducts.directory + "/netsock-bench", ["ip", "--seconds", "0.2", "--rounds", "1", "--pings", "20"],
            directory: "/tmp", timeoutSeconds: 120)
        #expect(bench.status == 0, "\(bench.stdout)\(bench.stderr)")
        let rows = bench.stdout.split(separator: "\n").filter { $0.hasPrefix("| UDP") || $0.hasPrefix("| ping") }
        #expect(rows.count == 4, "\(bench.stdout)")
        for row in rows {
            let figures = row.split(separator: "|").dropFirst().prefix(3).compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            #expect(figures.count == 3 && figures.allSatisfy { $0 > 0 }, "\(row)")
        }
    }
}

/// Our TCP with the Linux kernel as client and server (`netsock-bench ip-tcp
/// --verify-bytes`): exact transfers each way, compared by SHA-256 at both ends.
@Suite(.serialized) struct IPStackTCPPeerTests {
    func verify(_ arguments: [String], timeoutSeconds: Double = 400) throws {
        guard Privilege.rootTestsEnabled("IPStackTCPPeerTests") else { return }
        let run = try Subprocess.run(BuiltProducts.directory + "/netsock-bench", ["ip-tcp"] + arguments, directory: "/tmp", timeoutSeconds: timeoutSeconds)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").filter { $0.hasPrefix("OK") || $0.hasPrefix("FAIL") }
        #expect(lines.count == 4 && lines.allSatisfy { $0.hasPrefix("OK") }, "\(run.stdout)")
    }

    @Test func oneGigabyteEachWayOverATAPDeviceOursAsServerAndAsClient() throws {
        try self.verify(["--verify-bytes", "1000000000", "--link", "tap"])
    }

    @Test func oneGigabyteEachWayOverAVethPair() throws {
        try self.verify(["--verify-bytes", "1000000000", "--link", "veth"])
    }

    /// Loss, reordering, duplication and delay on our side, both directions: 1 GB each
    /// way, ours as server and as client.
    @Test func transfersThroughInjectedFaultsArriveIntact() throws {
        try self.verify(
            ["--verify-bytes", "1000000000", "--drop", "0.01", "--reorder", "0.01", "--duplicate", "0.01", "--delay-ms", "1"], timeoutSeconds: 900)
    }
}

/// Mbed's ICMPSocket on the kernel stack: Linux ping sockets, which a host grants by
/// group (net.ipv4.ping_group_range, per namespace).
@Suite(.serialized) struct KernelICMPSocketTests {
    @Test func pingSocketsWhereTheHostAllowsThemAndAClearErrorWhereItDoesNot() throws {
        guard Privilege.rootTestsEnabled("KernelICMPSocketTests") else { return }
        let network = try KernelPeerNetwork(.veth)
        _ = try network.run(network.namespace, ["/sbin/sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
        let daemon = try DaemonLauncher(
            config: [
                "control": ["admin_group": nil], "dns": ["use_resolv_conf": false],
                "interfaces": ["lo": ["type": "loopback", "stack": "kernel", "device": "lo"]],
            ],
            launcher: ["/sbin/ip", "netns", "exec", network.namespace])
        let ping = try daemon.ctl(["ping", "-c", "2", "-i", "0.2", "-I", "lo", "127.0.0.1"])
        #expect(ping.status == 0, "\(ping.stdout) \(ping.stderr)")
        #expect(ping.stdout.contains("64 bytes from 127.0.0.1: icmp_seq=1 time="))
        #expect(ping.stdout.contains("2 packets transmitted, 2 received"))

        _ = try network.run(network.namespace, ["/sbin/sysctl", "-qw", "net.ipv4.ping_group_range=1 0"])
        let refused = try daemon.ctl(["ping", "-c", "1", "-I", "lo", "127.0.0.1"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("NSAPI_ERROR_UNSUPPORTED") && refused.stderr.contains("ping_group_range"), "\(refused.stderr)")
    }
}

extension Result where Success == [UInt8], Failure == Code {
    fileprivate var failureCode: Int? { if case .failure(let code) = self { code.value } else { nil } }
    fileprivate var successValue: [UInt8]? { try? self.get() }
}
