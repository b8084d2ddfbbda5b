#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
import NSAPI
import NetSockPOSIX
import NetSockStack
import NetSockWire
import Synchronization

/// Our stack on this thread, on a TAP device (kernel peer in the same namespace) or on a
/// veth end through AF_PACKET (kernel peer in the other namespace), serving discard,
/// echo and source the way the lwIP harness does, or connecting out to a kernel server.
final class StackTCPDriver {
    enum Kind { case tap, veth }

    let network: BenchNetwork
    let device: DescriptorLink
    let stack: Interface
    let kernelNamespace: String
    let kernelAddress: IPv4Address
    let stackAddress: IPv4Address
    private var nextPort: UInt16 = 6000

    /// What our side of the link offloads, and what the kernel agreed to hand over.
    var offloadDescription: String {
        func names(_ offloads: LinkOffloads) -> String {
            offloads.isEmpty ? "none" : [offloads.contains(.checksum) ? "checksum" : nil, offloads.contains(.tcpSegmentation) ? "TSO" : nil]
                .compactMap { $0 }.joined(separator: "+")
        }
        let sent = names(self.device.capabilities.offloads)
        guard let tap = self.device as? TAPLink else { return sent }
        return "send \(sent), receive \(names(tap.receiveOffloads))"
    }

    /// `offloads` apply to the TAP or the AF_PACKET socket; faults fall on wire frames, so a faulted run asks
    /// for none (the kernel would otherwise hand over 64 KB segments to drop whole).
    init(network: BenchNetwork, kind: Kind, faults: LinkFaults?, offloads: LinkOffloads = [.checksum, .tcpSegmentation]) throws {
        self.network = network
        try network.enter(network.a)
        switch kind {
        case .tap:
            self.device = try TAPLink(device: network.tap, hardwareAddress: BenchNetwork.stackMAC, mtu: nil, offloads: faults == nil ? offloads : [])
            self.kernelNamespace = network.a
            self.kernelAddress = IPv4Address(192, 0, 2, 1)
            self.stackAddress = IPv4Address(192, 0, 2, 2)
        case .veth:
            self.device = try PacketLink(device: network.packetDevice, hardwareAddress: nil, mtu: nil, offloads: faults == nil ? offloads : [])
            self.kernelNamespace = network.b
            self.kernelAddress = IPv4Address(203, 0, 113, 1)
            self.stackAddress = IPv4Address(203, 0, 113, 2)
        }
        let device = self.device
        let link: any Link = faults.map { FaultInjectingLink(wrapping: device, faults: $0, seed: 11) } ?? device
        let mac = kind == .tap ? BenchNetwork.stackMAC : (try DeviceInfo(device: network.packetDevice).hardwareAddress)
        self.stack = Interface(link: link, hardwareAddress: mac, seed: 7)
        self.stack.configure(IPv4Subnet(self.stackAddress, prefixLength: 24), at: Self.now)
    }

    static var now: Instant { Instant(microseconds: Int64(MonotonicClock.nanoseconds() / 1000)) }

    /// Polls the stack and runs `step` until `done` or `limit` seconds pass.
    func drive(limit: Double = 600, until done: () -> Bool, _ step: () -> Void) {
        let end = MonotonicClock.nanoseconds() + UInt64(limit * 1e9)
        while !done() && MonotonicClock.nanoseconds() < end {
            var now = Self.now
            var worked = false
            for _ in 0..<4 {
                guard self.stack.poll(at: now) else { break }
                worked = true
            }
            step()
            now = Self.now
            self.stack.flushTCPOutput(at: now)
            if !worked {
                let wait = self.stack.nextPoll.map { Swift.max(0, Swift.min(5, Int32(($0 - now).milliseconds))) } ?? 5
                var entry = pollfd(fd: self.device.fileDescriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, wait)
            }
        }
    }

    private func freshPort() -> UInt16 {
        self.nextPort += 1
        return self.nextPort
    }

    /// Reads everything from `socket`, hashing when verifying; true at the end of stream or on error.
    private func drain(_ socket: TCPSocket, into end: inout TransferEnd, hash: inout SHA256?, buffer: UnsafeMutableRawBufferPointer) -> Bool {
        while true {
            do throws(StackError) {
                let got = try socket.receive(into: buffer)
                if got == 0 { return true }
                hash?.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
                end.bytes += got
            } catch {
                if error == .wouldBlock { return false }
                end.error = "\(error)"
                return true
            }
        }
    }

    /// Writes the pattern into `socket` up to `limit`; true once everything is written (or it failed).
    private func fill(_ socket: TCPSocket, stream: inout PatternStream, limit: Int?, hash: inout SHA256?, end: inout TransferEnd) -> Bool {
        while limit.map({ stream.position < $0 }) ?? true {
            var failed = false
            let sent = stream.next(Swift.min(1 << 20, (limit ?? .max) - stream.position)) { chunk in
                do throws(StackError) {
                    let sent = try socket.send(chunk)
                    hash?.update(UnsafeRawBufferPointer(rebasing: chunk[0..<sent]))
                    return sent
                } catch {
                    if error != .wouldBlock {
                        failed = true
                        if limit != nil { end.error = "\(error)" }
                    }
                    return 0
                }
            }
            end.bytes = stream.position
            if failed { return true }
            if sent == 0 { return false }
        }
        return true
    }

    private func listen(_ port: UInt16) -> TCPSocket {
        let socket = self.stack.makeTCPSocket()
        try? socket.bind(IPv4Endpoint(.any, port))
        try? socket.listen(backlog: 4)
        return socket
    }

    struct Result {
        var sent: TransferEnd
        var received: TransferEnd
        var retransmitted: Int
    }

    // MARK: Our stack as server

    func kernelSendsToUs(bytes: Int? = nil, seconds: Double? = nil, verify: Bool = false) -> Result {
        let port = self.freshPort()
        let listener = self.listen(port)
        defer { listener.close(at: Self.now) }
        let peer = KernelTCPPeer(namespace: self.kernelNamespace, connectTo: self.stackAddress, port: port, job: .send(bytes: bytes, seconds: seconds), verify: verify)
        var connection: TCPSocket?
        var end = TransferEnd()
        var hash: SHA256? = verify ? SHA256() : nil
        var finished = false
        let start = MonotonicClock.nanoseconds()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        self.drive(until: { finished && peer.finished.isSet }) {
            if connection == nil { connection = try? listener.accept() }
            guard let socket = connection, !finished else { return }
            if self.drain(socket, into: &end, hash: &hash, buffer: buffer) {
                finished = true
                socket.close(at: Self.now)
            }
        }
        end.seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        end.digest = hash?.hexDigest() ?? ""
        let retransmitted = connection?.connection?.retransmittedSegments ?? 0
        return Result(sent: peer.join(), received: end, retransmitted: retransmitted)
    }

    func weSendToKernelClient(bytes: Int? = nil, seconds: Double? = nil, verify: Bool = false) -> Result {
        let port = self.freshPort()
        let listener = self.listen(port)
        defer { listener.close(at: Self.now) }
        let peer = KernelTCPPeer(namespace: self.kernelNamespace, connectTo: self.stackAddress, port: port, job: .receive(seconds: seconds), verify: verify)
        var connection: TCPSocket?
        var end = TransferEnd()
        var hash: SHA256? = verify ? SHA256() : nil
        var stream = PatternStream()
        var done = false
        var retransmitted = 0
        self.drive(until: { peer.finished.isSet }) {
            if connection == nil { connection = try? listener.accept() }
            guard let socket = connection else { return }
            if !done && self.fill(socket, stream: &stream, limit: bytes, hash: &hash, end: &end) {
                done = true
                try? socket.shutdown(.write)
            }
            retransmitted = socket.connection?.retransmittedSegments ?? retransmitted
        }
        connection?.close(at: Self.now)
        end.digest = hash?.hexDigest() ?? ""
        return Result(sent: end, received: peer.join(), retransmitted: retransmitted)
    }

    func roundTrips(seconds: Double) -> Double {
        let port = self.freshPort()
        let listener = self.listen(port)
        defer { listener.close(at: Self.now) }
        let peer = KernelTCPPeer(namespace: self.kernelNamespace, connectTo: self.stackAddress, port: port, job: .pingPong(seconds: seconds), verify: false)
        var connection: TCPSocket?
        var buffer = [UInt8](repeating: 0, count: 4096)
        self.drive(until: { peer.finished.isSet }) {
            if connection == nil {
                connection = try? listener.accept()
                connection?.updateSettings { $0.noDelay = true }
            }
            guard let socket = connection else { return }
            let got = buffer.withUnsafeMutableBytes { (try? socket.receive(into: $0)) ?? 0 }
            if got > 0 { _ = try? socket.send(Array(buffer[0..<got])) }
        }
        connection?.close(at: Self.now)
        let end = peer.join()
        return Double(end.roundTrips) / Swift.max(end.seconds, 1e-9)
    }

    // MARK: Our stack as client

    func weConnectAndSend(bytes: Int) -> Result {
        let port = self.freshPort()
        let listening = SharedFlag()
        let peer = KernelTCPPeer(namespace: self.kernelNamespace, listenAt: self.kernelAddress, port: port, job: .receive(seconds: nil), verify: true, listening: listening)
        while !listening.isSet { usleep(1000) }
        let socket = self.stack.makeTCPSocket()
        try? socket.connect(to: IPv4Endpoint(self.kernelAddress, port), at: Self.now)
        var end = TransferEnd()
        var hash: SHA256? = SHA256()
        var stream = PatternStream()
        var done = false
        let start = MonotonicClock.nanoseconds()
        self.drive(until: { peer.finished.isSet }) {
            guard socket.state != .synSent else { return }
            if !done && self.fill(socket, stream: &stream, limit: bytes, hash: &hash, end: &end) {
                done = true
                try? socket.shutdown(.write)
            }
        }
        end.seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        end.digest = hash?.hexDigest() ?? ""
        let retransmitted = socket.connection?.retransmittedSegments ?? 0
        socket.close(at: Self.now)
        return Result(sent: end, received: peer.join(), retransmitted: retransmitted)
    }

    func weConnectAndReceive(bytes: Int) -> Result {
        let port = self.freshPort()
        let listening = SharedFlag()
        let peer = KernelTCPPeer(namespace: self.kernelNamespace, listenAt: self.kernelAddress, port: port, job: .send(bytes: bytes, seconds: nil), verify: true, listening: listening)
        while !listening.isSet { usleep(1000) }
        let socket = self.stack.makeTCPSocket()
        try? socket.connect(to: IPv4Endpoint(self.kernelAddress, port), at: Self.now)
        var end = TransferEnd()
        var hash: SHA256? = SHA256()
        var finished = false
        let start = MonotonicClock.nanoseconds()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        self.drive(until: { finished && peer.finished.isSet }) {
            guard !finished, socket.state != .synSent else { return }
            if self.drain(socket, into: &end, hash: &hash, buffer: buffer) {
                finished = true
                socket.close(at: Self.now)
            }
        }
        end.seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        end.digest = hash?.hexDigest() ?? ""
        return Result(sent: peer.join(), received: end, retransmitted: 0)
    }

    // MARK: References

    /// The kernel talking to itself over the veth pair: a client in A, a server in B.
    func kernelVeth(job: KernelTCPPeer.Job) -> TransferEnd {
        let port = self.freshPort()
        let serverJob: KernelTCPPeer.Job
        switch job {
        case .send: serverJob = .receive(seconds: nil)
        case .receive(let seconds): serverJob = .send(bytes: nil, seconds: seconds)
        case .pingPong: serverJob = .echo
        case .echo: serverJob = .pingPong(seconds: 1)
        }
        let listening = SharedFlag()
        let server = KernelTCPPeer(namespace: self.network.b, listenAt: IPv4Address(198, 51, 100, 2), port: port, job: serverJob, verify: false, listening: listening)
        while !listening.isSet { usleep(1000) }
        let client = KernelTCPPeer(namespace: self.network.a, connectTo: IPv4Address(198, 51, 100, 2), port: port, job: job, verify: false)
        let result = client.join()
        _ = server.join()
        return result
    }

    /// Full-size UDP frames written straight to the TAP, counted by a kernel socket:
    /// the most the TAP carries toward the kernel, in payload Gbit/s.
    func rawTAPSendCeiling(seconds: Double) -> Double {
        let sink = (try? IPStackBench.udpSink(self.kernelAddress)) ?? -1
        guard sink >= 0 else { return 0 }
        defer { close(sink) }
        let tapMAC = (try? DeviceInfo(device: self.network.tap).hardwareAddress) ?? .broadcast
        let payload = 1472
        let frame = IPStackBench.rawUDPFrame(size: payload, from: self.stackAddress, to: self.kernelAddress, toMAC: tapMAC)
        let datagrams = IPStackBench.measure(seconds: seconds, sink: sink) {
            _ = self.device.transmit(at: .zero, length: frame.count) { $0.copyBytes(from: frame) }
        }
        return datagrams * Double(payload * 8) / 1e9
    }

    /// The kernel sends full-size UDP datagrams to our address; frames read off the TAP
    /// with no stack: the most the TAP carries toward us.
    func rawTAPReceiveCeiling(seconds: Double) -> Double {
        let payload = 1472
        let sender = KernelTCPPeer(namespace: self.network.a) {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(fd) }
            var sin = KernelTCPPeer.socketAddress(IPv4Address(192, 0, 2, 2), 9)
            _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            let data = [UInt8](repeating: 0x5A, count: payload)
            let start = MonotonicClock.nanoseconds()
            while Double(MonotonicClock.nanoseconds() - start) / 1e9 < seconds + 0.2 { _ = send(fd, data, data.count, 0) }
            return TransferEnd()
        }
        usleep(100_000)
        var frames = 0
        let start = MonotonicClock.nanoseconds()
        while Double(MonotonicClock.nanoseconds() - start) / 1e9 < seconds {
            if !self.device.receive(at: .zero, { frame, _ in if frame.count >= payload { frames += 1 } }) {
                var entry = pollfd(fd: self.device.fileDescriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, 5)
            }
        }
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        _ = sender.join()
        // Let the stack see the link again (ARP and the like).
        while self.device.receive(at: .zero, { _, _ in }) {}
        return Double(frames * payload * 8) / 1e9 / elapsed
    }
}

/// Debian's lwIP in `contrib/lwip-reference`'s harness, on its own TAP in namespace C,
/// serving discard (5001), echo (5002) and source (5003) at 192.0.2.2.
final class LWIPReference {
    let pid: pid_t
    let namespace: String

    init?(binary: String, network: BenchNetwork) {
        guard access(binary, X_OK) == 0 else { return nil }
        self.namespace = network.c
        let log = "/tmp/netsock-bench-lwip-\(getpid()).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let words = ["/sbin/ip", "netns", "exec", network.c, binary, "-q", network.lwipTap, "192.0.2.2"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/sbin/ip", &actions, nil, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        guard spawned == 0 else { return nil }
        self.pid = pid
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        while MonotonicClock.nanoseconds() < deadline {
            if let file = fopen(log, "r") {
                var line = [CChar](repeating: 0, count: 256)
                let ready = fgets(&line, 255, file) != nil && String(cString: line).hasPrefix("READY")
                fclose(file)
                if ready { return }
            }
            usleep(20_000)
        }
        kill(pid, SIGTERM)
        return nil
    }

    func kernelClient(_ job: KernelTCPPeer.Job, port: UInt16) -> TransferEnd {
        KernelTCPPeer(namespace: self.namespace, connectTo: IPv4Address(192, 0, 2, 2), port: port, job: job, verify: false).join()
    }

    deinit {
        kill(self.pid, SIGTERM)
        var status: Int32 = 0
        waitpid(self.pid, &status, 0)
    }
}
