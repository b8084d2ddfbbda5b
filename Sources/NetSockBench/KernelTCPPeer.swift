#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
import NSAPI
import NetSockPOSIX
import NetSockWire
import Synchronization

/// A deterministic byte stream: a block of 1,000,003 seeded random bytes, repeated. The
/// block's odd length makes a skipped or repeated region show in the digest.
struct PatternStream {
    static let block: [UInt8] = {
        var state: UInt64 = 0x5EED
        return (0..<1_000_003).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }()
    private(set) var position = 0

    /// The next `count` bytes (at most to the block's end) lent to `body`, which returns
    /// how many it used.
    mutating func next(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Int) -> Int {
        let offset = self.position % Self.block.count
        let take = Swift.min(count, Self.block.count - offset)
        let used = Self.block.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + take)])) }
        self.position += Swift.max(0, used)
        return used
    }
}

/// A flag one thread sets and another reads.
final class SharedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { self.value.store(true, ordering: .releasing) }
    var isSet: Bool { self.value.load(ordering: .acquiring) }
}

/// What one end of a transfer saw.
struct TransferEnd: Sendable {
    var bytes = 0
    var digest = ""
    var seconds = 0.0
    var roundTrips = 0
    var error: String?
}

/// A kernel TCP endpoint on its own thread, in a namespace of its own choosing: the
/// Linux peer of our stack (and of lwIP, and of another kernel over veth). Blocking
/// sockets; the thread's result is collected with `join`.
final class KernelTCPPeer: @unchecked Sendable {
    enum Job: Sendable {
        /// Connect and send `bytes` of the pattern (or for `seconds`), then close.
        case send(bytes: Int?, seconds: Double?)
        /// Connect and read to the end (or for `seconds`).
        case receive(seconds: Double?)
        /// Connect and trade one byte back and forth for `seconds`.
        case pingPong(seconds: Double)
        /// Send back what arrives, to the end.
        case echo
    }

    private var thread = pthread_t()
    private let box: Box
    let finished = SharedFlag()

    private final class Box: @unchecked Sendable {
        let body: () -> TransferEnd
        var result = TransferEnd()
        init(_ body: @escaping () -> TransferEnd) { self.body = body }
    }

    /// As a client: connects to `address:port` from `namespace` and runs `job`.
    convenience init(namespace: String, connectTo address: IPv4Address, port: UInt16, job: Job, verify: Bool) {
        self.init(namespace: namespace) {
            let fd = Self.connect(address, port)
            guard fd >= 0 else { return TransferEnd(error: "connect to \(address):\(port): errno \(-fd)") }
            defer { close(fd) }
            return Self.run(job, on: fd, verify: verify)
        }
    }

    /// As a server: listens at `address:port` in `namespace`, accepts one connection and
    /// runs `job` on it. `listening` is set once it listens.
    convenience init(namespace: String, listenAt address: IPv4Address, port: UInt16, job: Job, verify: Bool, listening: SharedFlag) {
        self.init(namespace: namespace) {
            let listener = Self.listen(address, port)
            listening.set()
            guard listener >= 0 else { return TransferEnd(error: "listen at \(address):\(port): errno \(-listener)") }
            defer { close(listener) }
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 30_000) == 1 else { return TransferEnd(error: "nobody connected to \(address):\(port)") }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return TransferEnd(error: "accept: errno \(errno)") }
            defer { close(fd) }
            return Self.run(job, on: fd, verify: verify)
        }
    }

    init(namespace: String, _ body: @escaping () -> TransferEnd) {
        self.box = Box {
            let entered = cnetsock_enter_network_namespace("/run/netns/\(namespace)")
            guard entered == 0 else { return TransferEnd(error: "cannot enter \(namespace): errno \(-entered)") }
            return body()
        }
        let raw = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&self.thread, nil, { raw in
            let peer = Unmanaged<KernelTCPPeer>.fromOpaque(raw!).takeRetainedValue()
            peer.box.result = peer.box.body()
            peer.finished.set()
            return nil
        }, raw)
    }

    func join() -> TransferEnd {
        pthread_join(self.thread, nil)
        return self.box.result
    }

    static func socketAddress(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = address.value.bigEndian
        return sin
    }

    /// Retries while the listener is not up yet (refused), for up to 10 s.
    static func connect(_ address: IPv4Address, _ port: UInt16) -> Int32 {
        let deadline = MonotonicClock.nanoseconds() + 10_000_000_000
        while true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var sin = Self.socketAddress(address, port)
            let result = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if result == 0 { return fd }
            let failure = errno
            close(fd)
            guard failure == ECONNREFUSED, MonotonicClock.nanoseconds() < deadline else { return -failure }
            usleep(20_000)
        }
    }

    static func listen(_ address: IPv4Address, _ port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = Self.socketAddress(address, port)
        let bound = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else {
            let failure = errno
            close(fd)
            return -failure
        }
        return fd
    }

    static func run(_ job: Job, on fd: Int32, verify: Bool) -> TransferEnd {
        var end = TransferEnd()
        var hash = SHA256()
        let start = MonotonicClock.nanoseconds()
        func elapsed() -> Double { Double(MonotonicClock.nanoseconds() - start) / 1e9 }
        switch job {
        case .send(let bytes, let seconds):
            var stream = PatternStream()
            while bytes.map({ stream.position < $0 }) ?? true {
                if let seconds, elapsed() >= seconds { break }
                let want = Swift.min(256 * 1024, (bytes ?? Int.max) - stream.position)
                let sent = stream.next(want) { chunk in
                    let sent = Glibc.send(fd, chunk.baseAddress, chunk.count, Int32(MSG_NOSIGNAL))
                    if sent > 0 && verify { hash.update(UnsafeRawBufferPointer(rebasing: chunk[0..<sent])) }
                    return sent
                }
                if sent < 0 {
                    end.error = "send: errno \(errno)"
                    break
                }
            }
            shutdown(fd, Int32(SHUT_WR))
            // Wait for the other end to finish reading, so the figure counts delivered bytes.
            var sink = [UInt8](repeating: 0, count: 4096)
            while recv(fd, &sink, sink.count, 0) > 0 {}
            end.bytes = stream.position
        case .receive(let seconds):
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            while true {
                if let seconds, elapsed() >= seconds { break }
                let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if got < 0 { end.error = "recv: errno \(errno)" }
                guard got > 0 else { break }
                if verify { buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<got])) } }
                end.bytes += got
            }
        case .pingPong(let seconds):
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var byte: UInt8 = 1
            while elapsed() < seconds {
                guard Glibc.send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1, recv(fd, &byte, 1, 0) == 1 else {
                    end.error = "ping-pong: errno \(errno)"
                    break
                }
                end.roundTrips += 1
            }
        case .echo:
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard got > 0 else { break }
                guard buffer.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, got, Int32(MSG_NOSIGNAL)) }) == got else { break }
                end.bytes += got
            }
        }
        end.seconds = elapsed()
        end.digest = verify ? hash.hexDigest() : ""
        return end
    }
}
