#if canImport(Glibc)
import Glibc
#endif
import NetSockCellular

/// The simulated operator network: each modem socket is a kernel socket of this host.
/// The operator's DNS server, which the modem announces as 198.51.100.53, is forwarded to
/// `dnsForward` (a real resolver), so names resolve through the modem as on a real network.
final class KernelModemNetwork: ModemNetwork {
    struct Socket {
        let fd: Int32
        let tcp: Bool
        /// TCP bytes the modem took that the kernel has not yet.
        var pending: [UInt8] = []
        /// The operator DNS server this socket last asked, whose name the forwarded answers carry.
        var askedDNS: String?
    }

    /// The DNS servers the modem announces (`+CGCONTRDP`), both forwarded to `dnsForward`.
    static let operatorDNS = ["198.51.100.53", "198.51.100.54"]
    /// What one modem socket holds for the kernel (the modem's send buffer).
    static let sendBuffer = 65_536
    var sockets: [Int: Socket] = [:]
    private var next = 1
    let dnsForward: (host: String, port: Int)?

    init(dnsForward: (host: String, port: Int)?) { self.dnsForward = dnsForward }

    func open(tcp: Bool, localPort: Int?) -> Int? {
        let fd = socket(AF_INET, Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        if let localPort, localPort > 0 {
            var address = Self.address("0.0.0.0", localPort)!
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0 else {
                Glibc.close(fd)
                return nil
            }
        }
        defer { self.next += 1 }
        self.sockets[self.next] = Socket(fd: fd, tcp: tcp)
        return self.next
    }

    func connect(_ socket: Int, host: String, port: Int) -> Bool {
        guard let entry = self.sockets[socket], var address = Self.address(host, port) else { return false }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(entry.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var waiting = pollfd(fd: entry.fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&waiting, 1, 10_000) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(entry.fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0
    }

    func send(_ socket: Int, _ bytes: [UInt8], to remote: (host: String, port: Int)?) -> Int {
        guard var entry = self.sockets[socket] else { return -1 }
        guard entry.tcp else {
            guard let remote else { return -1 }
            var target = remote
            if Self.operatorDNS.contains(remote.host), remote.port == 53, let forward = self.dnsForward {
                target = forward
                entry.askedDNS = remote.host
                self.sockets[socket] = entry
            }
            guard var address = Self.address(target.host, target.port) else { return -1 }
            let sent = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(entry.fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            // A datagram the kernel would not take is lost, as on any network.
            return sent < 0 && errno != EAGAIN ? -1 : bytes.count
        }
        let taken = Swift.min(bytes.count, Self.sendBuffer - entry.pending.count)
        entry.pending += bytes.prefix(taken)
        self.sockets[socket] = entry
        return self.flush(socket) ? taken : -1
    }

    /// Hands what is held to the kernel; false when the connection broke.
    @discardableResult
    func flush(_ socket: Int) -> Bool {
        guard var entry = self.sockets[socket], !entry.pending.isEmpty else { return true }
        let written = entry.pending.withUnsafeBytes { Glibc.send(entry.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if written < 0 { return errno == EAGAIN }
        entry.pending.removeFirst(written)
        self.sockets[socket] = entry
        return true
    }

    func close(_ socket: Int) {
        guard let entry = self.sockets.removeValue(forKey: socket) else { return }
        Glibc.close(entry.fd)
    }

    /// Up to `maximum` bytes (TCP; empty at the end, nil when none now) or one datagram and its source.
    func receive(_ socket: Int, maximum: Int) -> (bytes: [UInt8], from: (host: String, port: Int)?)? {
        guard let entry = self.sockets[socket] else { return nil }
        // A datagram is read whole (its room is counted in datagrams, not bytes).
        var buffer = [UInt8](repeating: 0, count: entry.tcp ? Swift.max(1, Swift.min(maximum, 65_536)) : 65_536)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(entry.fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        if count < 0 { return errno == EAGAIN ? nil : ([], nil) }
        let bytes = Array(buffer.prefix(count))
        guard !entry.tcp else { return (bytes, nil) }
        var text = [CChar](repeating: 0, count: 32)
        var ip = address.sin_addr
        inet_ntop(AF_INET, &ip, &text, 32)
        var from = (host: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port: Int(UInt16(bigEndian: address.sin_port)))
        if let forward = self.dnsForward, from.host == forward.host, from.port == forward.port { from = (entry.askedDNS ?? Self.operatorDNS[0], 53) }
        return (bytes, from)
    }

    static func address(_ host: String, _ port: Int) -> sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(clamping: port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        return address
    }
}
