#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC
import NetSockTestSupport
import NetSockWire
import Testing

/// `socket.attach` end to end: a real daemon, its kernel stack on loopback, real TCP
/// and UDP peers in threads of the test, and the descriptor the client receives.
@Suite struct AttachTests {
    // MARK: Carrying data

    @Test func aTCPStreamCarries100MiBBothWaysIntact() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let input = daemon.directory.path + "/input"
        let output = daemon.directory.path + "/output"
        let size = 100 << 20
        try shell("head -c \(size) /dev/urandom > \(input)", in: daemon.directory.path)
        let peer = try TCPPeer { connection in echo(connection) }
        let (socket, fd) = try attachedTCP(client, port: peer.port)
        defer { close(fd) }

        let writer = Worker {
            let file = open(input, O_RDONLY)
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while case let count = chunk.withUnsafeMutableBytes({ read(file, $0.baseAddress, $0.count) }), count > 0 {
                guard writeAll(fd, chunk[0..<count]) else { break }
            }
            close(file)
            shutdown(fd, Int32(SHUT_WR))
        }
        let received = copyToFile(from: fd, path: output)
        writer.join()
        peer.join()
        #expect(received == size)
        #expect(try sha256(input, in: daemon.directory.path) == sha256(output, in: daemon.directory.path))
        let detached = try nextDetached(client)
        #expect(detached?.socket == socket)
        #expect(detached?.reason == "finished")
        #expect(try client.call(API.DaemonInfo()).sockets == 1, "the socket stays open until closed")
    }

    @Test func aUDPSocketCarries10000DatagramsIntact() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let peer = try UDPEchoPeer()
        let socket = try client.call(API.SocketOpen(protocol: .udp, interface: "lo")).socket
        let (type, fd) = try client.attach(socket: socket)
        defer { close(fd) }
        #expect(type == "seqpacket")
        let destination = SocketAddress(parsing: "127.0.0.1", port: UInt16(peer.port))!
        var sent: [UInt8] = []
        var received: [UInt8] = []
        var wrongSource = 0
        var outstanding = 0
        var frame = [UInt8](repeating: 0, count: 2048)
        func receiveOne() -> Bool {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 10_000) == 1 else { return false }
            let count = frame.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count >= DatagramFrame.headerLength else { return false }
            if (try? DatagramFrame.destination(frame[0..<count])) != destination { wrongSource += 1 }
            received += frame[DatagramFrame.headerLength..<count]
            outstanding -= 1
            return true
        }
        for index in 0..<10_000 {
            let payload = (0..<(1 + index * 7919 % 1400)).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) }
            sent += payload
            let message = DatagramFrame.header(destination) + payload
            #expect(message.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == message.count)
            outstanding += 1
            if outstanding >= 16 {
                guard receiveOne() else { break }
            }
        }
        while outstanding > 0, receiveOne() {}
        peer.stop()
        #expect(outstanding == 0, "every datagram came back")
        #expect(wrongSource == 0, "each frame names the peer it came from")
        let directory = daemon.directory.path
        try writeFile(directory + "/sent", sent)
        try writeFile(directory + "/received", received)
        #expect(try sha256(directory + "/sent", in: directory) == sha256(directory + "/received", in: directory))
    }

    /// contrib/examples/attach_stream.py, run as its docstring says, through an echo peer.
    @Test func thePythonExampleStreamsAFileThroughAnAttachedSocket() throws {
        let daemon = try DaemonLauncher()
        let directory = daemon.directory.path
        try shell("head -c \(8 << 20) /dev/urandom > \(directory)/input", in: directory)
        let peer = try TCPPeer { connection in echo(connection) }
        let example = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/")).withRoot + "/contrib/examples/attach_stream.py"
        let run = try Subprocess(
            "/usr/bin/python3", [example, "--interface", "lo", "127.0.0.1", String(peer.port), directory + "/input"],
            environment: ProcessEnvironment.current.merging(["NETSOCKD_SOCKET": daemon.socketPath]) { $1 }, directory: directory)
        #expect(run.wait(timeoutSeconds: 60) == 0, "\(run.stderr)")
        peer.join()
        let listing = try Subprocess.run("/bin/ls", ["-la", directory], directory: directory).stdout
        #expect(try sha256(run.stdoutPath, in: directory) == sha256(directory + "/input", in: directory), "\(listing)")
        #expect(run.stderr.contains(#""reason": "finished""#), "\(run.stderr)")
    }

    // MARK: Ends

    @Test func theClientsHalfCloseIsShutdownWriteAndTheReplyStillComes() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let peer = try TCPPeer { connection in
            let request = readToEnd(connection)
            _ = writeAll(connection, Array("got \(request.count) bytes".utf8)[...])
            close(connection)
        }
        let (_, fd) = try attachedTCP(client, port: peer.port)
        defer { close(fd) }
        #expect(writeAll(fd, Array("hello".utf8)[...]))
        shutdown(fd, Int32(SHUT_WR))
        #expect(String(decoding: readToEnd(fd), as: UTF8.self) == "got 5 bytes")
        peer.join()
        #expect(try nextDetached(client)?.reason == "finished")
    }

    @Test func thePeersHalfCloseIsEndOfInputAndTheClientCanStillSend() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let heard = Box<[UInt8]>([])
        let peer = try TCPPeer { connection in
            _ = writeAll(connection, Array("from the peer".utf8)[...])
            shutdown(connection, Int32(SHUT_WR))
            heard.value = readToEnd(connection)
            close(connection)
        }
        let (_, fd) = try attachedTCP(client, port: peer.port)
        defer { close(fd) }
        #expect(String(decoding: readToEnd(fd), as: UTF8.self) == "from the peer")
        #expect(writeAll(fd, Array("after your FIN".utf8)[...]))
        shutdown(fd, Int32(SHUT_WR))
        peer.join()
        #expect(String(decoding: heard.value, as: UTF8.self) == "after your FIN")
        #expect(try nextDetached(client)?.reason == "finished")
    }

    @Test func aResetByThePeerClosesTheDescriptorAndIsReportedWithItsError() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let attached = Gate()
        let peer = try TCPPeer { connection in
            attached.wait()
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close(connection)
        }
        let (socket, fd) = try attachedTCP(client, port: peer.port)
        defer { close(fd) }
        attached.open()
        peer.join()
        _ = readToEnd(fd)  // The descriptor ends (EOF or a reset of its own).
        let detached = try nextDetached(client)
        #expect(detached?.socket == socket)
        #expect(detached?.reason == "failed")
        #expect(detached?.error?.code == -3004, "NSAPI_ERROR_NO_CONNECTION")
        // Detached, the socket answers JSON again, with what its stack says: the end of
        // the stream, or no connection; no longer PARAMETER.
        do {
            #expect(try client.call(API.SocketRecv(socket: socket, size: 10)).size == 0)
        } catch ClientError.rpc(let error) {
            #expect(error.code == -3004)
        }
    }

    @Test func aClientThatClosesItsEndWithDataArrivingResetsThePeer() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let peerSaw = Box<Int32>(0)
        let start = Gate()
        let peer = try TCPPeer { connection in
            start.wait()
            // Keep sending until the reset comes back.
            let chunk = [UInt8](repeating: 0x42, count: 65536)
            while true {
                let sent = chunk.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0 {
                    peerSaw.value = errno
                    break
                }
            }
            close(connection)
        }
        let (socket, fd) = try attachedTCP(client, port: peer.port)
        start.open()
        var buffer = [UInt8](repeating: 0, count: 1000)
        #expect(buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } > 0)
        close(fd)  // Unread data waits: an abortive close.
        peer.join()
        #expect(peerSaw.value == ECONNRESET || peerSaw.value == EPIPE, "the peer learns that the data was not taken")
        #expect(try nextDetached(client)?.reason == "client_closed")
        #expect(expectRPCError { try client.call(API.SocketSend.name, ["socket": JSONValue(socket), "text": "x"]) }?.code == -3004)
    }

    @Test func aClientVanishingMidStreamLeavesNothingBehind() throws {
        let daemon = try DaemonLauncher()
        let bystander = try daemon.client()
        // The daemon accepts the bystander's connection, and closes the start-up probe's,
        // in its own time: the count is taken once the bystander is its only client.
        #expect(waitUntil { (try? bystander.call(API.DaemonInfo()))?.clients == 1 })
        let baseline = daemon.descriptorCount
        let before = daemon.descriptorTargets
        let peerSaw = Box<Int32>(0)
        let peer = try TCPPeer { connection in
            let chunk = [UInt8](repeating: 0x43, count: 65536)
            while chunk.withUnsafeBytes({ send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) >= 0 {}
            peerSaw.value = errno
            close(connection)
        }
        do {
            let client = try daemon.client()
            let (_, fd) = try attachedTCP(client, port: peer.port)
            var buffer = [UInt8](repeating: 0, count: 4096)
            #expect(buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } > 0)
            close(fd)
            client.close()
        }
        peer.join()
        #expect(peerSaw.value == ECONNRESET || peerSaw.value == EPIPE)
        #expect(waitUntil { (try? bystander.call(API.DaemonInfo()))?.clients == 1 })
        #expect(
            waitUntil { daemon.descriptorCount == baseline },
            "descriptors \(daemon.descriptorCount), before \(baseline); new: \(daemon.descriptorTargets.filter { before[$0.key] != $0.value })")
    }

    /// A client that never reads its descriptor: the payload waits in the kernel's
    /// buffers (the peer is held back by TCP), the daemon's memory stays put, and other
    /// clients are served all along.
    @Test func aClientThatNeverReadsHoldsThePeerBackNotTheDaemon() throws {
        let daemon = try DaemonLauncher()
        let bystander = try daemon.client()
        let stalled = Gate()
        let pushed = Box<Int>(0)
        let peer = try TCPPeer { connection in
            UnixSocket.setNonblocking(connection)
            let chunk = [UInt8](repeating: 0x44, count: 65536)
            while true {
                let sent = chunk.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent > 0 {
                    pushed.value += sent
                    continue
                }
                guard sent < 0, errno == EAGAIN else { break }
                // Blocked: is it for good? Nothing reads, so two seconds of no room is.
                var ready = pollfd(fd: connection, events: Int16(POLLOUT), revents: 0)
                if poll(&ready, 1, 2000) == 0 { break }
            }
            stalled.open()
            stalled.waitForClose()
            close(connection)
        }
        let client = try daemon.client()
        let (_, fd) = try attachedTCP(client, port: peer.port)
        defer { close(fd) }
        let before = daemon.residentBytes
        var served = 0
        while !stalled.isOpen {
            #expect(try bystander.call(API.DaemonInfo(), timeoutMilliseconds: 5000).apiVersion == 1)
            served += 1
        }
        #expect(served > 0)
        #expect(pushed.value < 64 << 20, "what the peer could push is bounded by buffers: \(pushed.value) bytes")
        #expect(daemon.residentBytes - before < 16 << 20, "the daemon holds none of it: \(daemon.residentBytes - before) bytes more")
        stalled.close()
        peer.join()
    }

    // MARK: Refusals

    @Test func jsonIOOnAnAttachedSocketAndASecondAttachAreParameter() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let peer = try TCPPeer { connection in _ = readToEnd(connection) }
        let socket = try client.call(API.SocketOpen(protocol: .tcp, interface: "lo")).socket
        #expect(expectRPCError { try client.call(API.SocketAttach.name, ["socket": JSONValue(socket)]) }?.code == -3004, "unconnected")
        _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: peer.port))
        let (_, fd) = try client.attach(socket: socket)
        #expect(expectRPCError { try client.call(API.SocketSend.name, ["socket": JSONValue(socket), "text": "x"]) }?.code == -3003)
        #expect(expectRPCError { try client.call(API.SocketRecv.name, ["socket": JSONValue(socket), "size": 1]) }?.code == -3003)
        #expect(expectRPCError { try client.call(API.SocketAttach.name, ["socket": JSONValue(socket)]) }?.code == -3003)
        #expect(client.takeDescriptor() == nil, "a refused attach passes nothing")
        _ = try client.call(API.SocketClose(socket: socket))
        #expect(readToEnd(fd).isEmpty, "closing the socket ends the descriptor")
        close(fd)
        peer.join()
    }

    @Test func httpClientsAreToldTheyCannotReceiveDescriptors() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        func post(_ body: String) -> String {
            "POST / HTTP/1.1\r\nHost: netsockd\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        }
        try client.sendRaw(Array((post(#"{"jsonrpc":"2.0","method":"socket.open","params":{"protocol":"udp","interface":"lo"},"id":1}"#)
            + post(#"{"jsonrpc":"2.0","method":"socket.attach","params":{"socket":1},"id":2}"#)).utf8))
        var text = ""
        while text.components(separatedBy: "HTTP/1.1 ").count < 3 || !text.hasSuffix("\n") {
            text += String(decoding: try client.readRaw(timeoutMilliseconds: 5000), as: UTF8.self)
        }
        let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().compactMap { try? JSONCodec.parse(String($0.prefix { $0 != "\n" })) }
        #expect(bodies.count == 2)
        #expect(bodies.last?["error"]?["code"] == -3002, "NSAPI_ERROR_UNSUPPORTED")
        #expect(JSONCodec.encodeString(bodies.last ?? .null).contains("HTTP"), "\(bodies)")
        #expect(client.takeDescriptor() == nil)
    }

    // MARK: Hygiene

    @Test func aThousandAttachAndVanishCyclesLeaveTheDescriptorCountAsItWas() throws {
        let daemon = try DaemonLauncher()
        let bystander = try daemon.client()
        let peer = try TCPPeer(connections: 50) { connection in _ = readToEnd(connection) }
        // The bystander alone, the start-up probe's connection closed, before the count.
        #expect(waitUntil { (try? bystander.call(API.DaemonInfo()))?.clients == 1 })
        let baseline = daemon.descriptorCount
        for cycle in 0..<1000 {
            let client = try daemon.client()
            let fd: Int32
            if cycle % 20 == 0 {
                fd = try attachedTCP(client, port: peer.port).fd
            } else {
                let socket = try client.call(API.SocketOpen(protocol: .udp, interface: "lo")).socket
                fd = try client.attach(socket: socket).descriptor
            }
            close(fd)
            client.close()
        }
        peer.join()
        #expect(waitUntil { (try? bystander.call(API.DaemonInfo()))?.clients == 1 })
        #expect(waitUntil { daemon.descriptorCount == baseline }, "descriptors \(daemon.descriptorCount), before \(baseline)")
    }
}

// MARK: Helpers

/// A connected TCP socket of `client` to 127.0.0.1:`port`, attached.
private func attachedTCP(_ client: RPCClient, port: Int) throws -> (socket: Int, fd: Int32) {
    let socket = try client.call(API.SocketOpen(protocol: .tcp, interface: "lo")).socket
    _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: port))
    let (type, fd) = try client.attach(socket: socket)
    #expect(type == "stream")
    setReceiveTimeout(fd, seconds: 30)
    return (socket, fd)
}

/// The next socket.detached notification, within ten seconds.
private func nextDetached(_ client: RPCClient) throws -> API.DetachedNotification? {
    let deadline = seconds() + 10
    while seconds() < deadline {
        guard let notification = try client.nextNotification(timeoutMilliseconds: 10_000) else { return nil }
        if let detached = API.DetachedNotification(notification) { return detached }
    }
    return nil
}

extension String {
    /// `#filePath` pieces joined back into an absolute path.
    fileprivate var withRoot: String { "/" + self }
}

private func seconds() -> Double { Double(MonotonicClock.nanoseconds()) / 1e9 }

/// Polls `condition` until it holds, for up to twenty seconds.
private func waitUntil(_ condition: () -> Bool) -> Bool {
    let deadline = seconds() + 20
    while seconds() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

private func shell(_ command: String, in directory: String) throws {
    let result = try Subprocess.run("/bin/sh", ["-c", command], directory: directory)
    #expect(result.status == 0, "\(command): \(result.stderr)")
}

private func sha256(_ path: String, in directory: String) throws -> String {
    String(try Subprocess.run("/usr/bin/sha256sum", [path], directory: directory).stdout.prefix(64))
}

private func setReceiveTimeout(_ fd: Int32, seconds: Int) {
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
}

private func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
    var offset = bytes.startIndex
    while offset < bytes.endIndex {
        let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if written <= 0 {
            if written < 0 && errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}

/// Everything until end of input (or an error, or the receive timeout).
private func readToEnd(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while case let count = chunk.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }), count > 0 {
        bytes += chunk[0..<count]
    }
    return bytes
}

/// Reads `fd` to its end into a file; the byte count.
private func copyToFile(from fd: Int32, path: String) -> Int {
    let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    defer { close(file) }
    var total = 0
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while case let count = chunk.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }), count > 0 {
        _ = chunk.withUnsafeBytes { write(file, $0.baseAddress, count) }
        total += count
    }
    return total
}

/// Echoes until end of input, then ends its own side.
private func echo(_ connection: Int32) {
    var chunk = [UInt8](repeating: 0, count: 65536)
    while case let count = chunk.withUnsafeMutableBytes({ read(connection, $0.baseAddress, $0.count) }), count > 0 {
        guard writeAll(connection, chunk[0..<count]) else { break }
    }
    shutdown(connection, Int32(SHUT_WR))
    close(connection)
}

/// A value shared with a peer thread.
private final class Box<Value>: @unchecked Sendable {
    private let lock = Lock()
    private var stored: Value
    init(_ value: Value) { self.stored = value }
    var value: Value {
        get { self.lock.locked { self.stored } }
        set { self.lock.locked { self.stored = newValue } }
    }
}

/// A one-way signal between threads: open once, waited for by the other side.
private final class Gate: @unchecked Sendable {
    private let opened = Box(false)
    private let closed = Box(false)
    var isOpen: Bool { self.opened.value }
    func open() { self.opened.value = true }
    func wait() { while !self.opened.value { usleep(1000) } }
    func close() { self.closed.value = true }
    func waitForClose() { while !self.closed.value { usleep(1000) } }
}

private final class Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&self.mutex, nil) }
    deinit { pthread_mutex_destroy(&self.mutex) }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&self.mutex)
        defer { pthread_mutex_unlock(&self.mutex) }
        return body()
    }
}

/// A thread running `body`.
private final class Worker: @unchecked Sendable {
    private var thread = pthread_t()
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    init(_ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        pthread_create(&self.thread, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, box)
    }

    func join() { pthread_join(self.thread, nil) }
}

/// A TCP listener on 127.0.0.1 that hands each of `connections` accepted connections to
/// `behaviour` in its own thread.
private final class TCPPeer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private var worker: Worker?

    init(connections: Int = 1, _ behaviour: @escaping (Int32) -> Void) throws {
        let (listener, port) = try listenLoopback(SOCK_STREAM)
        self.listener = listener
        self.port = port
        Glibc.listen(listener, 64)
        self.worker = Worker {
            var handlers: [Worker] = []
            for _ in 0..<connections {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { break }
                setReceiveTimeout(connection, seconds: 30)
                handlers.append(Worker { behaviour(connection) })
            }
            for handler in handlers { handler.join() }
        }
    }

    /// Waits for every connection's behaviour to finish.
    func join() {
        self.worker?.join()
        self.worker = nil
        close(self.listener)
    }
}

/// A UDP echo on 127.0.0.1 until stopped.
private final class UDPEchoPeer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let stopped = Box(false)
    private var worker: Worker?

    init() throws {
        (self.fd, self.port) = try listenLoopback(SOCK_DGRAM)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let fd = self.fd
        let stopped = self.stopped
        self.worker = Worker {
            var buffer = [UInt8](repeating: 0, count: 65536)
            var source = sockaddr_storage()
            while !stopped.value {
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &source) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
                    }
                }
                guard count >= 0 else { continue }
                _ = buffer.withUnsafeBytes { raw in
                    withUnsafePointer(to: &source) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, raw.baseAddress, count, 0, $0, length) }
                    }
                }
            }
        }
    }

    func stop() {
        self.stopped.value = true
        self.worker?.join()
        self.worker = nil
        close(self.fd)
    }
}

private func listenLoopback(_ type: __socket_type) throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(type.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard fd >= 0, bound else { throw SubprocessError(description: "cannot bind a loopback peer") }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
