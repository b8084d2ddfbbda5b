#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux

/// One socket on wpa_supplicant's control interface (a Unix datagram socket in its
/// `ctrl_interface` directory), as `wpa_cli` opens them: bound to a path of our own so
/// the daemon can answer, connected to the interface's. One command per datagram, one
/// reply per command; a socket that sent `ATTACH` also receives `<N>CTRL-EVENT-...`
/// datagrams, which is why commands and events use two sockets.
public final class WPAControlSocket {
    public let fileDescriptor: Int32
    public let path: String
    private let localPath: String
    /// A reply or event datagram is at most this long (`SCAN_RESULTS` of a busy air).
    public static let maximumDatagram = 65_536
    /// Every datagram is read into this one buffer, then copied out at its length.
    private var buffer = [UInt8](repeating: 0, count: WPAControlSocket.maximumDatagram)

    public init(path: String, localDirectory: String = "/tmp") throws(SystemError) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket") }
        let local = "\(localDirectory)/netsockd-wpa-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(SystemError) {
            let bound = try UnixSocket.withAddress(local) { address, length in bind(fd, address, length) }
            guard bound == 0 else { throw SystemError.last("bind \(local)") }
            let connected = try UnixSocket.withAddress(path) { address, length in Glibc.connect(fd, address, length) }
            guard connected == 0 else { throw SystemError.last("connect \(path)") }
        } catch {
            close(fd)
            unlink(local)
            throw error
        }
        self.fileDescriptor = fd
        self.path = path
        self.localPath = local
    }

    deinit {
        close(self.fileDescriptor)
        unlink(self.localPath)
    }

    public func send(_ command: String) throws(SystemError) {
        let bytes = Array(command.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(self.fileDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw SystemError.last("send to \(self.path)") }
    }

    /// The next datagram, or nil when none came within the time (0: only one already there,
    /// as the reactor's readable callback asks, without a poll first).
    public func receive(timeoutMilliseconds: Int32) -> [UInt8]? {
        if timeoutMilliseconds > 0 {
            var entry = pollfd(fd: self.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, timeoutMilliseconds) == 1 else { return nil }
        }
        let fd = self.fileDescriptor
        let count = self.buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return count >= 0 ? Array(self.buffer.prefix(count)) : nil
    }

    /// Sends a command and waits for its reply, passing over any event datagrams (`<N>...`)
    /// an attached socket receives meanwhile (they go to `events`).
    public func request(_ command: String, timeoutMilliseconds: Int32 = 5000, events: ([UInt8]) -> Void = { _ in }) throws(SystemError) -> [UInt8]? {
        try self.send(command)
        let deadline = MonotonicClock.milliseconds() + Int(timeoutMilliseconds)
        while case let left = deadline - MonotonicClock.milliseconds(), left > 0 {
            guard let datagram = self.receive(timeoutMilliseconds: Int32(left)) else { return nil }
            if datagram.first == UInt8(ascii: "<") {
                events(datagram)
                continue
            }
            return datagram
        }
        return nil
    }
}
