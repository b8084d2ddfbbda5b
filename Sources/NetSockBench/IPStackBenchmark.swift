#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CNetSockLinux
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockStack
import NetSockWire

/// `netsock-bench ip`: our IPv4 stack on a TAP device against two references measured
/// in the same run: the raw TAP frame ceiling (the same frames written with no stack
/// in between) and the kernel's own UDP and ping over a veth pair. Everything lives in
/// two network namespaces the benchmark builds and removes; it needs root.
struct IPStackBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ip",
        abstract: "UDP datagrams/s and ping RTT through our ip stack over TAP, beside the raw TAP ceiling and the kernel over veth (root).")

    @Option(help: "Seconds per UDP measurement.") var seconds = 2.0
    @Option(help: "Measurements per figure; the median is shown.") var rounds = 3
    @Option(help: "Pings per RTT measurement.") var pings = 2000
    @Flag(help: "Also print the figures as JSON.") var json = false

    func run() throws {
        guard geteuid() == 0 else { throw BenchError("netsock-bench ip needs root: it builds network namespaces and a TAP device") }
        let network = try BenchNetwork()
        defer { network.remove() }
        let bench = try IPStackBench(network: network)
        print("netsock-bench ip: one thread, \(self.seconds) s per UDP measurement, \(self.pings) pings of 56 bytes; median of \(self.rounds)")
        var rows: [[String]] = []
        var results: [JSONValue] = []
        for size in [64, 1400] {
            let ours = AttachBenchmark.median((0..<self.rounds).map { _ in bench.udpThroughStack(size: size, seconds: self.seconds) })
            let raw = AttachBenchmark.median((0..<self.rounds).map { _ in bench.udpRawTAP(size: size, seconds: self.seconds) })
            let kernel = AttachBenchmark.median((0..<self.rounds).map { _ in bench.udpKernelVeth(size: size, seconds: self.seconds) })
            rows.append([
                "UDP \(size) B, datagrams/s", Self.rate(ours), Self.rate(raw), Self.rate(kernel), format2(ours / raw),
            ])
            results.append(["measure": .string("udp_\(size)"), "ip_stack": .double(ours), "raw_tap": .double(raw), "kernel_veth": .double(kernel)])
        }
        let ours = bench.pingThroughStack(count: self.pings)
        let raw = bench.pingRawTAP(count: self.pings)
        let kernel = try bench.pingKernelVeth(count: self.pings)
        rows.append(["ping RTT median, µs", format1(ours.median), format1(raw.median), format1(kernel.median), format2(ours.median / raw.median)])
        rows.append(["ping RTT p99, µs", format1(ours.p99), format1(raw.p99), format1(kernel.p99), format2(ours.p99 / raw.p99)])
        results.append(["measure": "ping_us", "ip_stack": .double(ours.median), "raw_tap": .double(raw.median), "kernel_veth": .double(kernel.median)])
        printTable(["measure", "ip stack over TAP", "raw TAP ceiling", "kernel over veth", "ip / raw TAP"], rows)
        if self.json { print(JSONCodec.encodeString(.array(results), style: .pretty)) }
    }

    static func rate(_ value: Double) -> String { String(Int(value.rounded())) }
}

/// Two namespaces: A holds a persistent TAP (the kernel at 192.0.2.1 on it, our stack
/// at 192.0.2.2 on the other end) and a veth end at 198.51.100.1; B holds the veth's
/// other end at 198.51.100.2.
final class BenchNetwork {
    let a = "nsd-bench-\(getpid())-a"
    let b = "nsd-bench-\(getpid())-b"
    /// lwIP's namespace: its own TAP, the kernel at 192.0.2.1 on it.
    let c = "nsd-bench-\(getpid())-c"
    let tap = "nsbtap\(getpid() % 10_000)"
    let lwipTap = "nsblw\(getpid() % 10_000)"
    /// Our stack over AF_PACKET on this veth end in A (no kernel address), the kernel at
    /// 203.0.113.1 on its peer in B.
    let packetDevice = "nsbpa"
    static let stackMAC = MACAddress(0x02_00_5E_00_53_02)

    init() throws {
        for name in [self.a, self.b, self.c] {
            try Self.ip(["netns", "add", name])
            try Self.ip(["-n", name, "link", "set", "lo", "up"])
        }
        do {
            try Self.ip(["-n", self.a, "tuntap", "add", "dev", self.tap, "mode", "tap"])
            try Self.ip(["-n", self.a, "addr", "add", "192.0.2.1/24", "dev", self.tap])
            try Self.ip(["-n", self.a, "link", "set", self.tap, "up"])
            // The kernel knows our stack's address already, so the raw runs need no ARP.
            try Self.ip(["-n", self.a, "neigh", "replace", "192.0.2.2", "lladdr", Self.stackMAC.description, "dev", self.tap, "nud", "permanent"])
            try Self.ip(["-n", self.a, "link", "add", "nsbva", "type", "veth", "peer", "name", "nsbvb", "netns", self.b])
            try Self.ip(["-n", self.a, "addr", "add", "198.51.100.1/24", "dev", "nsbva"])
            try Self.ip(["-n", self.a, "link", "set", "nsbva", "up"])
            try Self.ip(["-n", self.b, "addr", "add", "198.51.100.2/24", "dev", "nsbvb"])
            try Self.ip(["-n", self.b, "link", "set", "nsbvb", "up"])
            try Self.ip(["netns", "exec", self.a, "/sbin/sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
            try Self.ip(["-n", self.a, "link", "add", self.packetDevice, "type", "veth", "peer", "name", "nsbpb", "netns", self.b])
            try Self.ip(["netns", "exec", self.a, "/sbin/sysctl", "-qw", "net.ipv6.conf.\(self.packetDevice).disable_ipv6=1"])
            try Self.ip(["-n", self.a, "link", "set", self.packetDevice, "up"])
            try Self.ip(["-n", self.b, "addr", "add", "203.0.113.1/24", "dev", "nsbpb"])
            try Self.ip(["-n", self.b, "link", "set", "nsbpb", "up"])
            try Self.ip(["-n", self.c, "tuntap", "add", "dev", self.lwipTap, "mode", "tap"])
            try Self.ip(["-n", self.c, "addr", "add", "192.0.2.1/24", "dev", self.lwipTap])
            try Self.ip(["-n", self.c, "link", "set", self.lwipTap, "up"])
        } catch {
            self.remove()
            throw error
        }
    }

    func enter(_ name: String) throws {
        let result = cnetsock_enter_network_namespace("/run/netns/\(name)")
        guard result == 0 else { throw BenchError("cannot enter namespace \(name): errno \(-result)") }
    }

    func remove() {
        for name in [self.a, self.b, self.c] { try? Self.ip(["netns", "del", name]) }
    }

    static func ip(_ arguments: [String]) throws {
        var pid: pid_t = 0
        let words = ["/sbin/ip"] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/sbin/ip", nil, nil, argv, environ) == 0 else { throw BenchError("cannot run ip") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw BenchError("ip \(arguments.joined(separator: " ")) failed") }
    }
}

/// The measurements, all on this one thread, each sink drained as it goes.
final class IPStackBench {
    let network: BenchNetwork
    let link: TAPLink
    let stack: Interface
    let tapMAC: MACAddress
    let tapSink: Int32
    let vethSink: Int32
    let stackAddress = IPv4Address(192, 0, 2, 2)
    let kernelAddress = IPv4Address(192, 0, 2, 1)

    init(network: BenchNetwork) throws {
        self.network = network
        try network.enter(network.b)
        self.vethSink = try Self.udpSink(IPv4Address(198, 51, 100, 2))
        try network.enter(network.a)
        self.tapSink = try Self.udpSink(self.kernelAddress)
        self.link = try TAPLink(device: network.tap, hardwareAddress: BenchNetwork.stackMAC, mtu: nil, offloads: [])
        self.tapMAC = try DeviceInfo(device: network.tap).hardwareAddress
        self.stack = Interface(link: self.link, hardwareAddress: BenchNetwork.stackMAC, seed: 7)
        self.stack.configure(IPv4Subnet(self.stackAddress, prefixLength: 24), at: Self.now)
        // Resolve the kernel's address once, so every measurement starts resolved.
        let socket = self.stack.makeUDPSocket()
        try socket.send([0], to: IPv4Endpoint(self.kernelAddress, 9), at: Self.now)
        let deadline = MonotonicClock.nanoseconds() + 2_000_000_000
        while self.stack.hardwareAddress(for: self.kernelAddress, at: Self.now) == nil, MonotonicClock.nanoseconds() < deadline {
            self.waitReadable(self.link.fileDescriptor, milliseconds: 10)
            self.stack.poll(at: Self.now)
        }
        socket.close()
        _ = cnetsock_drain_datagrams(self.tapSink)
    }

    static var now: Instant { Instant(microseconds: Int64(MonotonicClock.nanoseconds() / 1000)) }

    static func udpSink(_ address: IPv4Address) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        var buffer: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var sin = KernelTCPPeer.socketAddress(address, 9)
        let bound = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard fd >= 0, bound == 0 else { throw BenchError("cannot bind a UDP sink at \(address)") }
        return fd
    }

    func waitReadable(_ fd: Int32, milliseconds: Int32) {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, milliseconds)
    }

    /// Sends bursts of 32 with `send`, draining the sink between bursts; datagrams/s the sink got.
    static func measure(seconds: Double, sink: Int32, _ send: () -> Void) -> Double {
        _ = cnetsock_drain_datagrams(sink)
        let start = MonotonicClock.nanoseconds()
        let end = start + UInt64(seconds * 1e9)
        var received = 0
        while MonotonicClock.nanoseconds() < end {
            for _ in 0..<32 { send() }
            received += max(0, cnetsock_drain_datagrams(sink))
        }
        received += max(0, cnetsock_drain_datagrams(sink))
        return Double(received) / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    func udpThroughStack(size: Int, seconds: Double) -> Double {
        let socket = self.stack.makeUDPSocket()
        defer { socket.close() }
        let payload = [UInt8](repeating: 0x5A, count: size)
        let destination = IPv4Endpoint(self.kernelAddress, 9)
        return payload.withUnsafeBytes { bytes in
            var sends = 0
            return Self.measure(seconds: seconds, sink: self.tapSink) {
                _ = try? socket.send(bytes, to: destination, at: Self.now)
                sends += 1
                // The stack also hears the link (ARP refreshes) now and then.
                if sends & 1023 == 0 { self.stack.poll(at: Self.now) }
            }
        }
    }

    /// A whole Ethernet frame carrying a UDP datagram of `size` bytes to port 9, prebuilt
    /// for the raw ceilings.
    static func rawUDPFrame(size: Int, from source: IPv4Address, to destination: IPv4Address, toMAC: MACAddress) -> [UInt8] {
        let udp = UDPRepr(sourcePort: 40000, destinationPort: 9).bytes(
            payload: [UInt8](repeating: 0x5A, count: size), source: source, destination: destination)
        let ip = IPv4Repr(source: source, destination: destination, protocol: .udp, payloadLength: udp.count, identification: 1)
        return EthernetRepr(source: BenchNetwork.stackMAC, destination: toMAC, etherType: .ipv4).bytes + ip.bytes + udp
    }

    func udpRawTAP(size: Int, seconds: Double) -> Double {
        let frame = Self.rawUDPFrame(size: size, from: self.stackAddress, to: self.kernelAddress, toMAC: self.tapMAC)
        return Self.measure(seconds: seconds, sink: self.tapSink) {
            _ = self.link.transmit(at: .zero, length: frame.count) { $0.copyBytes(from: frame) }
        }
    }

    func udpKernelVeth(size: Int, seconds: Double) -> Double {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var sin = KernelTCPPeer.socketAddress(IPv4Address(198, 51, 100, 2), 9)
        _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let payload = [UInt8](repeating: 0x5A, count: size)
        return payload.withUnsafeBytes { bytes in
            Self.measure(seconds: seconds, sink: self.vethSink) { _ = send(fd, bytes.baseAddress, bytes.count, 0) }
        }
    }

    struct RoundTrips {
        var median: Double
        var p99: Double
        init(_ microseconds: [Double]) {
            let sorted = microseconds.sorted()
            self.median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
            self.p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        }
    }

    func pingThroughStack(count: Int) -> RoundTrips {
        var times: [Double] = []
        var answered = false
        self.stack.onEchoReply = { _, reply in
            if case .echoReply(77, _, _) = reply { answered = true }
        }
        defer { self.stack.onEchoReply = nil }
        let data = [UInt8](repeating: 0xA5, count: 56)
        for sequence in 0..<count {
            answered = false
            let start = MonotonicClock.nanoseconds()
            try? self.stack.sendEchoRequest(to: self.kernelAddress, identifier: 77, sequenceNumber: UInt16(truncatingIfNeeded: sequence), data: data, at: Self.now)
            while !answered, MonotonicClock.nanoseconds() - start < 1_000_000_000 {
                self.waitReadable(self.link.fileDescriptor, milliseconds: 100)
                self.stack.poll(at: Self.now)
            }
            if answered { times.append(Double(MonotonicClock.nanoseconds() - start) / 1000) }
        }
        return RoundTrips(times)
    }

    func pingRawTAP(count: Int) -> RoundTrips {
        var times: [Double] = []
        for sequence in 0..<count {
            let icmp = ICMPv4Repr.echoRequest(identifier: 78, sequenceNumber: UInt16(truncatingIfNeeded: sequence), data: [UInt8](repeating: 0xA5, count: 56))
            let ip = IPv4Repr(source: self.stackAddress, destination: self.kernelAddress, protocol: .icmp, payloadLength: icmp.length, identification: UInt16(truncatingIfNeeded: sequence))
            let frame = EthernetRepr(source: BenchNetwork.stackMAC, destination: self.tapMAC, etherType: .ipv4).bytes + ip.bytes + icmp.bytes
            let start = MonotonicClock.nanoseconds()
            _ = self.link.transmit(at: .zero, length: frame.count) { $0.copyBytes(from: frame) }
            var answered = false
            while !answered, MonotonicClock.nanoseconds() - start < 1_000_000_000 {
                self.waitReadable(self.link.fileDescriptor, milliseconds: 100)
                while self.link.receive(at: .zero, { bytes, _ in
                    // An echo reply: IPv4, protocol ICMP, type 0, our identifier.
                    if bytes.count >= 14 + 20 + 8, bytes[12] == 0x08, bytes[13] == 0x00, bytes[14 + 9] == 1,
                        bytes[14 + 20] == 0, bytes[14 + 24] == 0, bytes[14 + 25] == 78
                    {
                        answered = true
                    }
                }) {}
            }
            if answered { times.append(Double(MonotonicClock.nanoseconds() - start) / 1000) }
        }
        return RoundTrips(times)
    }

    func pingKernelVeth(count: Int) throws -> RoundTrips {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), Int32(IPPROTO_ICMP))
        guard fd >= 0 else { throw BenchError("no ping socket in the benchmark namespace") }
        defer { close(fd) }
        var sin = KernelTCPPeer.socketAddress(IPv4Address(198, 51, 100, 2), 0)
        _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var times: [Double] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        for sequence in 0..<count {
            let request = ICMPv4Repr.echoRequest(identifier: 0, sequenceNumber: UInt16(truncatingIfNeeded: sequence), data: [UInt8](repeating: 0xA5, count: 56)).bytes
            let start = MonotonicClock.nanoseconds()
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            self.waitReadable(fd, milliseconds: 1000)
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if got > 0 { times.append(Double(MonotonicClock.nanoseconds() - start) / 1000) }
        }
        return RoundTrips(times)
    }
}
