#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// What one attempt to move payload did.
public enum MoveResult: Equatable, Sendable {
    case moved(Int)
    /// The source reached its end (an orderly close).
    case endOfInput
    /// Nothing could move now; readiness will say when to try again.
    case wouldBlock
    /// The descriptor failed with this errno (a reset, a closed peer).
    case failed(Int32)
}

/// A pipe that payload is spliced through: socket → pipe → socket, without passing
/// through user space (splice(2) needs a pipe on one side). Grown towards 1 MiB, or
/// what `/proc/sys/fs/pipe-max-size` and the user's pipe budget allow.
public final class SplicePipe {
    private let readEnd: Int32
    private let writeEnd: Int32
    public let capacity: Int
    /// Bytes in the pipe now.
    public private(set) var buffered = 0

    public init(size: Int = 1 << 20) throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        var actual: Int32 = 0
        guard cnetsock_pipe(&fds, Int32(size), &actual) == 0 else { throw .last("pipe2") }
        self.readEnd = fds[0]
        self.writeEnd = fds[1]
        self.capacity = Int(actual)
    }

    deinit {
        close(self.readEnd)
        close(self.writeEnd)
    }

    public var isFull: Bool { self.buffered >= self.capacity }

    /// Moves what `source` has into the pipe, up to its free space.
    public func fill(from source: Int32) -> MoveResult {
        let room = self.capacity - self.buffered
        guard room > 0 else { return .wouldBlock }
        let result = Self.result(cnetsock_splice(source, self.writeEnd, UInt(room), 1))
        if case .moved(let count) = result { self.buffered += count }
        return result
    }

    /// Moves what the pipe holds into `destination`.
    public func drain(into destination: Int32) -> MoveResult {
        guard self.buffered > 0 else { return .wouldBlock }
        let result = Self.result(cnetsock_splice(self.readEnd, destination, UInt(self.buffered), 0))
        if case .moved(let count) = result { self.buffered -= count }
        return result
    }

    private static func result(_ count: Int) -> MoveResult {
        if count > 0 { return .moved(count) }
        if count == 0 { return .endOfInput }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR: return .wouldBlock
        default: return .failed(errno)
        }
    }
}

/// Nonblocking reads and writes on a local descriptor as ``MoveResult``s.
public enum LocalIO {
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> MoveResult {
        let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if count > 0 { return .moved(count) }
        if count == 0 { return .endOfInput }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed(errno)
    }

    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> MoveResult {
        let count = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        if count >= 0 { return .moved(count) }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .wouldBlock : .failed(errno)
    }

    /// A connected pair of `AF_UNIX` sockets of `type` (`SOCK_STREAM`, `SOCK_SEQPACKET`),
    /// close-on-exec; the first end nonblocking (the daemon's), the second as the
    /// client will want it (blocking).
    public static func socketPair(type: Int32) throws(SystemError) -> (local: Int32, remote: Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { throw .last("socketpair") }
        UnixSocket.setNonblocking(fds[0])
        return (fds[0], fds[1])
    }
}
