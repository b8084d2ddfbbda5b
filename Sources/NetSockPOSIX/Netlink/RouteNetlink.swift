#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
public import NSAPI

/// The kernel's routing socket: a monitor registered with the reactor for link,
/// address and route changes, and a request socket for dumps and changes, which the
/// kernel answers at once (so requests are synchronous, with a short receive timeout).
///
/// The kernel queues the notifications of a change on the monitor before it
/// acknowledges the change, so ``drainMonitor()`` after a request brings what we know
/// up to date, and nothing older can arrive after it. When the monitor's buffer
/// overflowed (`ENOBUFS`) some notifications are gone for good: `onOverrun` says so,
/// and the owner dumps the kernel's state again.
public final class RouteNetlink {
    private let monitorFD: Int32
    private let requestFD: Int32
    private var sequence: UInt32 = 1
    private let reactor: Reactor
    private let onMessages: ([Netlink.Message]) -> Void
    private let onOverrun: () -> Void
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    /// Opens both sockets and watches the monitor; the callbacks run on the reactor thread.
    public init(
        reactor: Reactor, onMessages: @escaping ([Netlink.Message]) -> Void, onOverrun: @escaping () -> Void
    ) throws(SystemError) {
        self.reactor = reactor
        let monitor = try Self.open(groups: Netlink.Group.link | Netlink.Group.ipv4Address | Netlink.Group.ipv6Address
            | Netlink.Group.ipv4Route | Netlink.Group.ipv6Route, nonblocking: true)
        let request: Int32
        do {
            request = try Self.open(groups: 0, nonblocking: false)
        } catch {
            close(monitor)
            throw error
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(request, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.monitorFD = monitor
        self.requestFD = request
        self.onMessages = onMessages
        self.onOverrun = onOverrun
        do {
            try reactor.register(monitor, interest: .readable) { [unowned self] _ in self.drainMonitor() }
        } catch {
            close(monitor)
            close(request)
            throw error
        }
    }

    /// Reads every notification queued on the monitor now and hands it on. After an
    /// overrun, the owner's re-dump comes once the queue is empty, so that nothing
    /// older than the dump is applied after it.
    public func drainMonitor() {
        var overrun = false
        while true {
            let count = recv(self.monitorFD, &self.buffer, self.buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                self.onMessages(Netlink.parse(Array(self.buffer[0..<count])))
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == ENOBUFS {
                overrun = true
                continue
            }
            break
        }
        if overrun { self.onOverrun() }
    }

    deinit {
        self.reactor.unregister(self.monitorFD)
        close(self.monitorFD)
        close(self.requestFD)
    }

    private static func open(groups: UInt32, nonblocking: Bool) throws(SystemError) -> Int32 {
        let fd = cnetsock_netlink_open(groups, nonblocking ? 1 : 0)
        guard fd >= 0 else { throw .last("netlink socket") }
        if groups != 0 {
            var size: Int32 = 1 << 20
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    private func nextSequence() -> UInt32 {
        defer { self.sequence &+= 1 }
        return self.sequence
    }

    /// Runs a dump and returns its messages.
    public func dump(_ type: UInt16) throws(SystemError) -> [Netlink.Message] {
        let sequence = self.nextSequence()
        try self.send(Netlink.dump(type, sequence: sequence))
        var messages: [Netlink.Message] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = recv(self.requestFD, &buffer, buffer.count, 0)
            guard count > 0 else { throw .last("recv(netlink dump)") }
            for message in Netlink.parse(Array(buffer[0..<count])) {
                switch message {
                case .done: return messages
                case .error(let code, _) where code != 0: throw SystemError("netlink dump", errno: -code)
                default: messages.append(message)
                }
            }
        }
    }

    /// Sends a change and waits for its acknowledgement; throws the kernel's errno.
    public func perform(_ build: (UInt32) -> [UInt8]) throws(SystemError) {
        let sequence = self.nextSequence()
        try self.send(build(sequence))
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = recv(self.requestFD, &buffer, buffer.count, 0)
            guard count > 0 else { throw .last("recv(netlink ack)") }
            for message in Netlink.parse(Array(buffer[0..<count])) {
                if case .error(let code, let replySequence) = message, replySequence == sequence {
                    if code == 0 { return }
                    throw SystemError("netlink", errno: -code)
                }
            }
        }
    }

    private func send(_ bytes: [UInt8]) throws(SystemError) {
        let sent = bytes.withUnsafeBytes { cnetsock_netlink_send(self.requestFD, $0.baseAddress, UInt($0.count)) }
        guard sent == bytes.count else { throw .last("send(netlink)") }
    }
}
