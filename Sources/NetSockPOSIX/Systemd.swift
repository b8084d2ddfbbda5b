#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// The service manager's notification socket (`sd_notify(3)` without libsystemd).
public struct SystemdNotifier: Sendable {
    private let path: String?

    /// Reads `NOTIFY_SOCKET`; every call is a no-op when it is unset.
    public init(environment: [String: String]) {
        self.path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public var isEnabled: Bool { self.path != nil }

    /// Sends `state` (e.g. `READY=1\nSTATUS=serving`); returns whether it was delivered.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(state.utf8)
        let sent = (try? UnixSocket.withAddress(path) { address, length in
            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), address, length) }
        }) ?? -1
        return sent == bytes.count
    }

    /// The watchdog interval asked for by `WATCHDOG_USEC` (and `WATCHDOG_PID`, when set, must be us).
    public static func watchdogMicroseconds(environment: [String: String], pid: Int32) -> UInt64? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return usec
    }
}

/// Sockets passed by the service manager (`sd_listen_fds(3)`): fds 3... when
/// `LISTEN_PID` is this process and `LISTEN_FDS` counts them.
public enum SocketActivation {
    public static let firstDescriptor: Int32 = 3

    public static func listenDescriptors(environment: [String: String], pid: Int32) -> [Int32] {
        guard let pidText = environment["LISTEN_PID"], Int32(pidText) == pid,
            let countText = environment["LISTEN_FDS"], let count = Int32(countText), count > 0, count < 1024
        else { return [] }
        return (0..<count).map { self.firstDescriptor + $0 }
    }

    /// Removes the activation variables so children do not inherit them.
    public static func clearEnvironment() {
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
    }
}

/// An advisory lock held on a file for the life of the process (`flock(2)`).
public final class FileLock {
    public let path: String
    private let fd: Int32

    /// Takes the lock without waiting; `nil` when another process holds it.
    public init?(path: String) throws(SystemError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .last("open(\(path))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.path = path
        self.fd = fd
    }

    /// Releases the lock and removes the file.
    public func release() {
        unlink(self.path)
        close(self.fd)
    }
}
