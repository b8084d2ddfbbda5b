#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// A pseudo-terminal whose controller side we keep: the simulated modem's end of a
/// serial line, with the device side named by a symlink a program opens as its tty.
public final class PseudoTerminal {
    public let controller: Int32
    /// Our own hold on the device side, so the line does not hang up between the
    /// programs that open and close it.
    private let device: Int32
    /// The device side's path (`/dev/pts/N`).
    public let devicePath: String
    private let link: String?

    /// Opens a pty in raw mode, nonblocking on our side; with `link`, makes that path a
    /// symlink to the device (replacing a stale one).
    public init(link: String? = nil) throws(SystemError) {
        var name = [CChar](repeating: 0, count: 128)
        let fd = cnetsock_pty_open(&name, UInt(name.count))
        guard fd >= 0 else { throw SystemError("posix_openpt", errno: -fd) }
        self.controller = fd
        self.devicePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Raw on the device side: no echo, no line editing, no CR/LF translation.
        var settings = termios()
        if tcgetattr(fd, &settings) == 0 {
            cfmakeraw(&settings)
            tcsetattr(fd, TCSANOW, &settings)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.device = open(self.devicePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        if let link {
            unlink(link)
            guard symlink(self.devicePath, link) == 0 else {
                let error = SystemError.last("symlink \(link)")
                close(self.device)
                close(fd)
                throw error
            }
        }
        self.link = link
    }

    deinit {
        if let link { unlink(link) }
        close(self.device)
        close(self.controller)
    }

    /// Bytes the other side wrote; empty when none are waiting (or it hung up).
    public func read(maximum: Int = 4096) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { raw in retryingOnInterrupt { Glibc.read(self.controller, raw.baseAddress, raw.count) } }
        return count > 0 ? Array(buffer.prefix(count)) : []
    }

    /// Writes everything, waiting for room; false if the line broke.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in retryingOnInterrupt { Glibc.write(self.controller, raw.baseAddress, raw.count) } }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var entry = pollfd(fd: self.controller, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, 1000)
            } else {
                return false
            }
        }
        return true
    }

    /// Waits up to `milliseconds` for bytes from the other side.
    public func waitReadable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: self.controller, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0 && entry.revents & Int16(POLLIN) != 0
    }
}
