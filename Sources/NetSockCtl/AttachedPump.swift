#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockClient
import NetSockRPC
import NetSockPOSIX
import NetSockWire
import Synchronization

/// Netcat over an attached descriptor (`socket.attach`): standard input to the
/// socket and the socket to standard output, with no JSON in between. One thread per
/// direction, blocking I/O, as netcat itself does.
enum AttachedPump {
    /// TCP: stdin → `fd` (end of stdin is shutdown(write)), `fd` → stdout until the peer's
    /// FIN. With `readInput` false, stdin is left alone (later `listen --keep` connections).
    static func stream(_ fd: Int32, readInput: Bool) throws(ClientError) {
        var writer: pthread_t?
        let inputDone = Atomic<Bool>(!readInput)
        if readInput {
            writer = spawnThread {
                defer { inputDone.store(true, ordering: .releasing) }
                var buffer = [UInt8](repeating: 0, count: 256 << 10)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0, FileDescriptorIO.writeAll(fd, buffer[0..<count]) else { break }
                }
                shutdown(fd, Int32(SHUT_WR))
            }
        } else {
            shutdown(fd, Int32(SHUT_WR))
        }
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var failure: ClientError?
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                // A reset closes the descriptor's other end: the connection failed.
                failure = .rpc(RPCErrorForReset.error)
                break
            }
            if count == 0 { break }
            guard FileDescriptorIO.writeAll(1, buffer[0..<count]) else {
                failure = .system("cannot write to stdout")
                break
            }
        }
        if let writer {
            // The peer has closed: what stdin still holds has nowhere to go (netcat stops
            // too). A finished writer is joined; one still reading a terminal is left to
            // end with the process.
            if inputDone.load(ordering: .acquiring) { pthread_join(writer, nil) } else { pthread_detach(writer) }
        }
        if let failure { throw failure }
    }

    /// UDP: each `size`-byte piece of stdin (or `text`) as one framed datagram to `destination`.
    static func sendDatagrams(_ fd: Int32, to destination: SocketAddress, size: Int, text: String?) -> (datagrams: Int, bytes: Int) {
        let header = DatagramFrame.header(destination)
        if let text {
            let frame = header + Array(text.utf8)
            return FileDescriptorIO.writeAll(fd, frame) ? (1, frame.count - header.count) : (0, 0)
        }
        var buffer = [UInt8](repeating: 0, count: size)
        var frame = header + buffer
        var datagrams = 0
        var bytes = 0
        while true {
            let count = readFull(0, &buffer)
            if count <= 0 { break }
            frame.replaceSubrange(header.count..., with: buffer[0..<count])
            let sent = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == frame.count else { break }
            datagrams += 1
            bytes += count
        }
        return (datagrams, bytes)
    }

    /// One framed datagram from `fd`, waiting at most `idleMilliseconds` (< 0: forever);
    /// nil on end of input or when the wait runs out.
    static func receiveDatagram(_ fd: Int32, idleMilliseconds: Int) -> (source: SocketAddress, payload: ArraySlice<UInt8>)? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, Int32(clamping: idleMilliseconds)) < 0 {
            guard errno == EINTR else { return nil }
        }
        guard descriptor.revents != 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536 + DatagramFrame.headerLength)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= DatagramFrame.headerLength, let source = try? DatagramFrame.destination(buffer[0..<count]) else { return nil }
        return (source, buffer[DatagramFrame.headerLength..<count])
    }
}

/// What a reset looks like to netsockctl: the daemon's NO_CONNECTION.
enum RPCErrorForReset {
    static var error: RPCError { NSAPIError.noConnection.rpcError("the connection was reset") }
}

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// A joinable thread.
func spawnThread(_ body: @escaping () -> Void) -> pthread_t {
    var thread = pthread_t()
    pthread_create(&thread, nil, { raw in
        Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, Unmanaged.passRetained(ThreadBody(body)).toOpaque())
    return thread
}
