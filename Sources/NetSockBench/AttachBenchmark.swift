#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NSAPI
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC
import NetSockWire
import Synchronization

/// `netsock-bench attach`: payload through a descriptor from `socket.attach` (kernel
/// stack, interface lo) beside the same traffic on a plain kernel socket, in one run.
struct AttachBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "TCP MB/s and UDP datagrams/s through attached descriptors, beside direct kernel sockets on loopback.")

    @Option(help: "Seconds per measurement.")
    var duration: Double = 1

    @Option(help: "Measurements of each side per scenario, taken in turn; the medians are reported (loopback figures on a small machine swing with where the scheduler puts each thread).")
    var rounds: Int = 5

    @Option(help: "The netsockd binary (default: beside this one).")
    var netsockd: String?

    @Option(help: "Only the scenarios whose name contains this text.")
    var only: String?

    @Flag(help: "Print the results as JSON as well.")
    var json = false

    func run() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        let path = directory + "/netsockd.sock"
        let daemon = try DaemonProcess(binary: self.netsockd ?? siblingExecutable("netsockd"), socket: path)
        defer { daemon.stop() }
        let discard = try LoopbackPeers(.discard)
        let source = try LoopbackPeers(.source)
        defer { [discard, source].forEach { $0.stop() } }
        print("netsock-bench attach: kernel stack, interface lo, median of \(self.rounds) measurements of \(self.duration) s per side")
        var rows: [[String]] = []
        var results: [JSONValue] = []
        func row(_ name: String, unit: String, attached: () throws -> Double, direct: () throws -> Double) throws {
            if let only = self.only, !name.contains(only) { return }
            var ours: [Double] = []
            var theirs: [Double] = []
            for _ in 0..<self.rounds {
                ours.append(try attached())
                theirs.append(try direct())
            }
            let (median, reference) = (Self.median(ours), Self.median(theirs))
            let text = { (value: Double) in unit == "MB/s" ? format1(value) : format(value) }
            rows.append([name, text(median), text(reference), format1(median / reference * 100) + " %"])
            results.append(["scenario": .string(name), "attached": .double(median), "direct": .double(reference)])
        }
        let client = try RPCClient(path: path)
        try row("TCP send, MB/s", unit: "MB/s", attached: { try self.tcpSend(client, port: discard.port) }, direct: { try self.tcpSendDirect(port: discard.port) })
        try row("TCP receive, MB/s", unit: "MB/s", attached: { try self.tcpReceive(client, port: source.port) }, direct: { try self.tcpReceiveDirect(port: source.port) })
        for size in [64, 1400] {
            try row("UDP send \(size) B, datagrams/s", unit: "/s", attached: { try self.udpSend(client, size: size) }, direct: { try self.udpSendDirect(size: size) })
            try row("UDP receive \(size) B, datagrams/s", unit: "/s", attached: { try self.udpReceive(client, size: size) }, direct: { try self.udpReceiveDirect(size: size) })
        }
        printTable(["scenario", "attached descriptor", "direct kernel socket", "of direct"], rows)
        if self.json { print(JSONCodec.encodeString(.array(results), style: .pretty)) }
    }

    private var seconds: UInt64 { UInt64(self.duration * 1e9) }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    // MARK: TCP

    private func attachedTCP(_ client: RPCClient, port: Int) throws -> Int32 {
        let socket = try client.call(API.SocketOpen(protocol: .tcp, interface: "lo")).socket
        _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: port))
        return try client.attach(socket: socket).descriptor
    }

    private func tcpSend(_ client: RPCClient, port: Int) throws -> Double {
        let fd = try self.attachedTCP(client, port: port)
        defer { close(fd) }
        return Self.writeFor(fd, self.seconds)
    }

    private func tcpSendDirect(port: Int) throws -> Double {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        return Self.writeFor(fd, self.seconds)
    }

    private func tcpReceive(_ client: RPCClient, port: Int) throws -> Double {
        let fd = try self.attachedTCP(client, port: port)
        defer { close(fd) }
        return Self.readFor(fd, self.seconds)
    }

    private func tcpReceiveDirect(port: Int) throws -> Double {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        return Self.readFor(fd, self.seconds)
    }

    /// Writes 256 KiB chunks for `nanoseconds`; MB/s.
    static func writeFor(_ fd: Int32, _ nanoseconds: UInt64) -> Double {
        let chunk = [UInt8](repeating: 0x61, count: 256 << 10)
        let start = MonotonicClock.nanoseconds()
        var total = 0
        while MonotonicClock.nanoseconds() - start < nanoseconds {
            let written = chunk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { break }
            total += written
        }
        return Double(total) / 1e6 / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    /// Reads for `nanoseconds`; MB/s.
    static func readFor(_ fd: Int32, _ nanoseconds: UInt64) -> Double {
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        let start = MonotonicClock.nanoseconds()
        var total = 0
        while MonotonicClock.nanoseconds() - start < nanoseconds {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            total += count
        }
        return Double(total) / 1e6 / (Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }

    // MARK: UDP

    /// A UDP socket on 127.0.0.1 that counts what arrives, in its own thread.
    final class UDPSink {
        let fd: Int32
        let port: Int
        let received = Atomic<Int>(0)
        private let running = Atomic<Bool>(true)

        init() throws {
            (self.fd, self.port) = try boundUDP()
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var size: Int32 = 8 << 20
            setsockopt(self.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            _ = spawn { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while self.running.load(ordering: .relaxed) {
                    if buffer.withUnsafeMutableBytes({ recv(self.fd, $0.baseAddress, $0.count, 0) }) >= 0 {
                        self.received.add(1, ordering: .relaxed)
                    }
                }
            }
        }

        func stop() {
            self.running.store(false, ordering: .relaxed)
            usleep(200_000)  // The counting thread sees the flag within its 100 ms receive timeout.
            close(self.fd)
        }
    }

    private func udpSend(_ client: RPCClient, size: Int) throws -> Double {
        let sink = try UDPSink()
        defer { sink.stop() }
        let socket = try client.call(API.SocketOpen(protocol: .udp, interface: "lo")).socket
        let fd = try client.attach(socket: socket).descriptor
        defer { close(fd) }
        var frame = DatagramFrame.header(SocketAddress(IPAddress(parsing: "127.0.0.1"), port: UInt16(sink.port)))
        frame += [UInt8](repeating: 0x75, count: size)
        return Self.sendFor(fd, frame, self.seconds, sink)
    }

    private func udpSendDirect(size: Int) throws -> Double {
        let sink = try UDPSink()
        defer { sink.stop() }
        let (fd, _) = try boundUDP()
        defer { close(fd) }
        var address = loopbackAddress(port: sink.port)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return Self.sendFor(fd, [UInt8](repeating: 0x75, count: size), self.seconds, sink)
    }

    /// Sends `datagram` for `nanoseconds`; datagrams/s as the sink counted them.
    static func sendFor(_ fd: Int32, _ datagram: [UInt8], _ nanoseconds: UInt64, _ sink: UDPSink) -> Double {
        let start = MonotonicClock.nanoseconds()
        let before = sink.received.load(ordering: .relaxed)
        while MonotonicClock.nanoseconds() - start < nanoseconds {
            for _ in 0..<64 { _ = datagram.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        usleep(100_000)  // Let what is in flight arrive.
        return Double(sink.received.load(ordering: .relaxed) - before) / elapsed
    }

    private func udpReceive(_ client: RPCClient, size: Int) throws -> Double {
        let socket = try client.call(API.SocketOpen(protocol: .udp, interface: "lo")).socket
        _ = try client.call(API.SocketBind(socket: socket, address: "127.0.0.1", port: 0))
        // The same receive buffer the direct socket gets.
        _ = try client.call(API.SocketSetOption(socket: socket, option: .rcvbuf, value: .integer(8 << 20)))
        let port = try client.call(API.SocketLocalName(socket: socket)).port
        let fd = try client.attach(socket: socket).descriptor
        defer { close(fd) }
        return try Self.receiveFor(fd, port: port, size: size, self.seconds)
    }

    private func udpReceiveDirect(size: Int) throws -> Double {
        let (fd, port) = try boundUDP()
        defer { close(fd) }
        var bigger: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bigger, socklen_t(MemoryLayout<Int32>.size))
        return try Self.receiveFor(fd, port: port, size: size, self.seconds)
    }

    /// A sender thread floods `port` while this thread reads `fd`; datagrams/s read.
    static func receiveFor(_ fd: Int32, port: Int, size: Int, _ nanoseconds: UInt64) throws -> Double {
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let (sender, _) = try boundUDP()
        defer { close(sender) }
        var address = loopbackAddress(port: port)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(sender, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let running = Atomic<Bool>(true)
        let payload = [UInt8](repeating: 0x64, count: size)
        let thread = spawn {
            while running.load(ordering: .relaxed) {
                for _ in 0..<64 { _ = payload.withUnsafeBytes { send(sender, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) } }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var count = 0
        let start = MonotonicClock.nanoseconds()
        while MonotonicClock.nanoseconds() - start < nanoseconds {
            if buffer.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, 0) }) > 0 { count += 1 }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        running.store(false, ordering: .relaxed)
        pthread_join(thread, nil)
        return Double(count) / elapsed
    }
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    address.sin_port = UInt16(port).bigEndian
    return address
}

/// A TCP connection to 127.0.0.1:`port`.
func connectLoopback(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = loopbackAddress(port: port)
    let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard result == 0 else {
        close(fd)
        throw BenchError("cannot connect to 127.0.0.1:\(port)")
    }
    return fd
}

/// A UDP socket bound to 127.0.0.1 on a port the kernel picks.
func boundUDP() throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { throw BenchError("cannot bind UDP on loopback") }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
