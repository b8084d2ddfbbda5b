#if canImport(Glibc)
import Glibc
#endif
import NetSockPOSIX

/// The ceiling: a raw Unix-socket server that answers every request line with a
/// canned reply of the daemon's size, one blocking thread per connection, no
/// parsing. No JSON-RPC server on this socket type can beat it.
final class LineReplyServer {
    let path: String
    private let listener: Int32
    private let reply: [UInt8]

    init(path: String, reply: [UInt8]) throws {
        self.path = path
        self.reply = reply
        self.listener = try UnixSocket.listen(path: path, mode: 0o600, group: nil)
        let flags = fcntl(self.listener, F_GETFL)
        _ = fcntl(self.listener, F_SETFL, flags & ~O_NONBLOCK)
        let listener = self.listener
        let reply = self.reply
        _ = spawn {
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 {
                    if errno == EINTR { continue }
                    return
                }
                _ = spawn { Self.serve(fd, reply) }
            }
        }
    }

    private static func serve(_ fd: Int32, _ reply: [UInt8]) {
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var out: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            out.removeAll(keepingCapacity: true)
            for index in 0..<count where buffer[index] == 0x0A { out += reply }
            if !out.isEmpty && !writeAll(fd, out) { return }
        }
    }

    func stop() {
        shutdown(self.listener, Int32(SHUT_RDWR))
        close(self.listener)
        unlink(self.path)
    }
}
