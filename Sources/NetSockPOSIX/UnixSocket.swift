#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// Unix-domain stream sockets: the control endpoint's listener, its accepted
/// connections, and the client side.
public enum UnixSocket {
    /// The longest path `sockaddr_un` holds, less its terminating NUL.
    public static let maxPathBytes = 107

    /// Fills a `sockaddr_un` for `path`; a leading `@` names an abstract socket. A path
    /// too long for it is ENAMETOOLONG, never cut short.
    public static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws(SystemError) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxPathBytes else { throw SystemError("socket path", errno: ENAMETOOLONG) }
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Creates a nonblocking, close-on-exec stream socket.
    static func makeStreamSocket() throws(SystemError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .last("socket") }
        return fd
    }

    /// Binds and listens on `path` with the file created under umask 0177 (owner-only),
    /// then given `mode` and `group`: the socket is never more open than asked, even briefly.
    public static func listen(path: String, mode: mode_t, group: gid_t?, backlog: Int32 = 128) throws(SystemError) -> Int32 {
        let fd = try self.makeStreamSocket()
        let previous = umask(0o177)
        let bound = try self.withAddress(path) { bind(fd, $0, $1) }
        umask(previous)
        guard bound == 0 else {
            let error = SystemError.last("bind(\(path))")
            close(fd)
            throw error
        }
        if let group, chown(path, uid_t.max, group) != 0 {
            let error = SystemError.last("chown(\(path))")
            close(fd)
            throw error
        }
        guard chmod(path, mode) == 0 else {
            let error = SystemError.last("chmod(\(path))")
            close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SystemError.last("listen")
            close(fd)
            throw error
        }
        return fd
    }

    /// What is at a socket path before we bind it.
    public enum PathState: Equatable, Sendable {
        case absent
        /// A socket file nobody accepts on: safe to replace.
        case stale
        /// A live server accepts on it.
        case live
        /// Something that is not a socket: never removed.
        case notASocket
    }

    /// Probes `path` the way wpa_supplicant does: a connect that succeeds means a live server.
    public static func probe(path: String) -> PathState {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .notASocket }
        guard let fd = try? self.connect(path: path, timeoutMilliseconds: 1000) else { return .stale }
        close(fd)
        return .live
    }

    /// Connects to `path`, blocking up to `timeoutMilliseconds`; returns a blocking socket.
    public static func connect(path: String, timeoutMilliseconds: Int32 = 5000) throws(SystemError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .last("socket") }
        let result = try self.withAddress(path) { address, length in
            retryingOnInterrupt { Glibc.connect(fd, address, length) }
        }
        guard result == 0 else {
            let error = SystemError.last("connect(\(path))")
            close(fd)
            throw error
        }
        return fd
    }

    /// Accepts one connection as a nonblocking, close-on-exec socket; `nil` when none is waiting.
    public static func accept(_ listener: Int32) throws(SystemError) -> Int32? {
        let fd = cnetsock_accept4(listener, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        if fd >= 0 { return fd }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO: return nil
        default: throw .last("accept4")
        }
    }

    /// Whether `fd` is a listening Unix stream socket (for adopted, socket-activated fds).
    public static func isListeningUnixStream(_ fd: Int32) -> Bool {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue) else {
            return false
        }
        var accepting: Int32 = 0
        length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 else { return false }
        var domain: Int32 = 0
        length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 else { return false }
        return accepting != 0 && domain == AF_UNIX
    }

    /// Makes `fd` nonblocking and close-on-exec.
    public static func setNonblocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
}

/// The peer of a Unix-domain connection as the kernel reports it: `SO_PEERCRED` for
/// its ids, `SO_PEERGROUPS` for the supplementary groups it held when it connected.
///
/// The groups come from the process itself, not the group database: a user added to a
/// group gains it with a new login, one who dropped it (`setpriv --clear-groups`) has
/// lost it, as for file permissions. And no NSS look-up is needed.
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [UInt32]

    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32] = []) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    public init(socket fd: Int32) throws(SystemError) {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        guard cnetsock_peer_credentials(fd, &pid, &uid, &gid) == 0 else { throw .last("SO_PEERCRED") }
        var groups = [UInt32](repeating: 0, count: 64)
        var count = Int32(groups.count)
        var status = cnetsock_peer_groups(fd, &groups, &count)
        if status != 0 && errno == ERANGE && count > 64 && count <= 65536 {
            groups = [UInt32](repeating: 0, count: Int(count))
            status = cnetsock_peer_groups(fd, &groups, &count)
        }
        // Before Linux 4.13 there is no SO_PEERGROUPS: the primary group alone counts.
        self.init(pid: pid, uid: uid, gid: gid, groups: status == 0 ? Array(groups.prefix(Int(count))) : [])
    }

    /// The primary group or one of the supplementary ones.
    public func isMember(of group: UInt32) -> Bool { self.gid == group || self.groups.contains(group) }
}
