#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
public import NSAPI

/// NSAPI sockets on the host's own kernel sockets, driven by the daemon's reactor.
///
/// Every socket is nonblocking and watched edge-triggered: the kernel's readiness
/// changes become Mbed stack events, and the socket layer retries its calls. TCP and
/// UDP sockets are dual-stack IPv6 (IPv4 as mapped addresses), or plain IPv4 on
/// hosts without IPv6. Handles are the file descriptors.
public final class KernelStack: NetworkStack {
    public let name = "kernel"
    public var eventHandler: ((SocketHandle) -> Void)?
    private let reactor: Reactor
    private var protocols: [Int32: SocketProtocol] = [:]
    private var families: [Int32: Int32] = [:]
    /// Whether the host has IPv6 sockets at all.
    public let family: Int32

    public init(reactor: Reactor) {
        self.reactor = reactor
        let probe = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.family = probe >= 0 ? AF_INET6 : AF_INET
        if probe >= 0 { close(probe) }
    }

    /// Open kernel sockets (for `daemon.info` and leak checks).
    public var openCount: Int { self.protocols.count }

    public func socketOpen(_ proto: SocketProtocol) throws(NSAPIError) -> SocketHandle {
        let type: Int32
        switch proto {
        case .tcp: type = Int32(SOCK_STREAM.rawValue)
        case .udp: type = Int32(SOCK_DGRAM.rawValue)
        case .icmp: return try self.openPingSocket()
        default: throw .unsupported
        }
        let fd = socket(self.family, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw KernelErrno.last }
        if self.family == AF_INET6 {
            var off: Int32 = 0
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
        }
        try self.adopt(fd, proto: proto, family: self.family)
        return Int(fd)
    }

    /// An unprivileged ICMP echo ("ping") socket, IPv4: the kernel sets the identifier
    /// and checksum of what is sent and hands back only replies to it. Hosts allow them
    /// to the groups in `net.ipv4.ping_group_range`; elsewhere this is UNSUPPORTED.
    private func openPingSocket() throws(NSAPIError) -> SocketHandle {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_ICMP))
        guard fd >= 0 else {
            if errno == EACCES || errno == EPERM || errno == EPROTONOSUPPORT { throw .unsupported }
            throw KernelErrno.last
        }
        try self.adopt(fd, proto: .icmp, family: AF_INET)
        return Int(fd)
    }

    private func adopt(_ fd: Int32, proto: SocketProtocol, family: Int32) throws(NSAPIError) {
        do {
            try self.reactor.register(fd, interest: [.readable, .writable, .edgeTriggered]) { [weak self] _ in
                self?.eventHandler?(Int(fd))
            }
        } catch {
            close(fd)
            throw .noSocket
        }
        self.protocols[fd] = proto
        self.families[fd] = family
    }

    public func socketClose(_ handle: SocketHandle) {
        let fd = Int32(handle)
        guard self.protocols.removeValue(forKey: fd) != nil else { return }
        self.families.removeValue(forKey: fd)
        self.reactor.unregister(fd)
        close(fd)
    }

    /// The kernel socket behind a handle and its address family, for payload that moves
    /// between it and another descriptor directly (splice, batched datagrams).
    public func kernelSocket(_ handle: SocketHandle) -> (fd: Int32, family: Int32)? {
        let fd = Int32(truncatingIfNeeded: handle)
        guard self.protocols[fd] != nil, let family = self.families[fd] else { return nil }
        return (fd, family)
    }

    func protocolOf(_ fd: Int32) -> SocketProtocol? { self.protocols[fd] }
    func familyOf(_ fd: Int32) -> Int32? { self.families[fd] }

    private func known(_ handle: SocketHandle) throws(NSAPIError) -> (fd: Int32, proto: SocketProtocol, family: Int32) {
        let fd = Int32(truncatingIfNeeded: handle)
        guard let proto = self.protocols[fd], let family = self.families[fd] else { throw .noSocket }
        return (fd, proto, family)
    }

    private func withAddress<T>(_ address: SocketAddress, family: Int32, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T)
        throws(NSAPIError) -> T
    {
        guard var (storage, length) = KernelAddress.storage(address, family: family) else { throw .parameter }
        return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }

    public func socketBind(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        let socket = try self.known(handle)
        let result = try self.withAddress(address, family: socket.family) { bind(socket.fd, $0, $1) }
        guard result == 0 else { throw KernelErrno.last }
    }

    public func socketListen(_ handle: SocketHandle, backlog: Int) throws(NSAPIError) {
        let socket = try self.known(handle)
        guard listen(socket.fd, Int32(clamping: backlog)) == 0 else { throw KernelErrno.last }
    }

    public func socketConnect(_ handle: SocketHandle, _ address: SocketAddress) throws(NSAPIError) {
        let socket = try self.known(handle)
        guard address.isTruthy else { throw .parameter }
        let result = try self.withAddress(address, family: socket.family) { connect(socket.fd, $0, $1) }
        guard result == 0 else { throw KernelErrno.connectError(errno) }
    }

    public func socketAccept(_ handle: SocketHandle) throws(NSAPIError) -> (SocketHandle, SocketAddress) {
        let socket = try self.known(handle)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                cnetsock_accept4_address(socket.fd, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            }
        }
        guard fd >= 0 else { throw KernelErrno.last }
        try self.adopt(fd, proto: .tcp, family: socket.family)
        return (Int(fd), KernelAddress.socketAddress(storage))
    }

    public func socketSend(_ handle: SocketHandle, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        let socket = try self.known(handle)
        let sent = data.withUnsafeBytes { send(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        guard sent >= 0 else { throw KernelErrno.last }
        return sent
    }

    public func socketReceive(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> [UInt8] {
        try self.receive(self.known(handle).fd, maxBytes: maxBytes, source: nil)
    }

    /// One `recvfrom(2)` into a new array of at most `maxBytes`, optionally with the source address.
    private func receive(_ fd: Int32, maxBytes: Int, source: UnsafeMutablePointer<sockaddr_storage>?) throws(NSAPIError) -> [UInt8] {
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var error: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: max(1, maxBytes)) { buffer, count in
            let received = source.map { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, buffer.baseAddress, maxBytes, Int32(MSG_DONTWAIT), $0, &length)
                }
            } ?? recv(fd, buffer.baseAddress, maxBytes, Int32(MSG_DONTWAIT))
            if received < 0 {
                error = errno
                count = 0
            } else {
                count = received
            }
        }
        guard error == 0 else { throw KernelErrno.nsapiError(error) }
        return bytes
    }

    public func socketSendTo(_ handle: SocketHandle, _ address: SocketAddress, _ data: ArraySlice<UInt8>) throws(NSAPIError) -> Int {
        let socket = try self.known(handle)
        guard address.address != nil else { throw .parameter }
        let sent = try self.withAddress(address, family: socket.family) { pointer, length in
            data.withUnsafeBytes { sendto(socket.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), pointer, length) }
        }
        guard sent >= 0 else { throw KernelErrno.last }
        return sent
    }

    public func socketReceiveFrom(_ handle: SocketHandle, maxBytes: Int) throws(NSAPIError) -> (SocketAddress, [UInt8]) {
        let socket = try self.known(handle)
        var storage = sockaddr_storage()
        let bytes = try self.receive(socket.fd, maxBytes: maxBytes, source: &storage)
        return (KernelAddress.socketAddress(storage), bytes)
    }

    public func socketShutdown(_ handle: SocketHandle, _ direction: ShutdownDirection) throws(NSAPIError) {
        let socket = try self.known(handle)
        let how: Int32
        switch direction {
        case .read: how = Int32(SHUT_RD)
        case .write: how = Int32(SHUT_WR)
        case .both: how = Int32(SHUT_RDWR)
        }
        guard shutdown(socket.fd, how) == 0 else { throw KernelErrno.last }
    }

    /// connect(2) to AF_UNSPEC disconnects a TCP socket, with a reset for one that was
    /// established, and keeps the descriptor (Linux `tcp_disconnect`).
    public func socketAbort(_ handle: SocketHandle) {
        guard let socket = try? self.known(handle) else { return }
        var unspecified = sockaddr()
        unspecified.sa_family = sa_family_t(AF_UNSPEC)
        _ = connect(socket.fd, &unspecified, socklen_t(MemoryLayout<sockaddr>.size))
    }

    public func localAddress(_ handle: SocketHandle) throws(NSAPIError) -> SocketAddress {
        let socket = try self.known(handle)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.fd, $0, &length) }
        }
        guard result == 0 else { throw KernelErrno.last }
        return KernelAddress.socketAddress(storage)
    }
}
