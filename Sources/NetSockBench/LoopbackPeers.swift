#if canImport(Glibc)
import Glibc
#endif

/// Kernel TCP servers on 127.0.0.1 for the socket benchmarks: echo, discard, and a
/// source that writes as fast as the reader takes. One blocking thread per connection.
final class LoopbackPeers {
    enum Kind {
        case echo
        case discard
        case source
    }

    let port: Int
    private let listener: Int32

    init(_ kind: Kind) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw BenchError("cannot listen on loopback") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = fd
        _ = spawn {
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return
                }
                _ = spawn { Self.serve(connection, kind) }
            }
        }
    }

    private static func serve(_ fd: Int32, _ kind: Kind) {
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0x61, count: 1 << 16)
        while true {
            switch kind {
            case .source:
                if !writeAll(fd, buffer) { return }
            case .echo, .discard:
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count <= 0 { return }
                if kind == .echo && !writeAll(fd, Array(buffer[0..<count])) { return }
            }
        }
    }

    func stop() {
        shutdown(self.listener, Int32(SHUT_RDWR))
        close(self.listener)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A blocking kernel TCP connection to 127.0.0.1, for the direct reference figures.
func connectLoopback(_ port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard result == 0 else { throw BenchError("cannot connect to 127.0.0.1:\(port)") }
    return fd
}

func readExactly(_ fd: Int32, _ count: Int, into buffer: inout [UInt8]) -> Bool {
    var received = 0
    while received < count {
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + received, count - received) }
        if got <= 0 { return false }
        received += got
    }
    return true
}
