#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockWire

/// A UDP server on 127.0.0.1, port 0, answering each datagram from one blocking thread.
/// The soak's peers: an echo, and a DNS server for the daemon's resolver so that no
/// query leaves the machine.
final class DatagramPeer {
    let port: Int
    private let fd: Int32

    /// `answer` turns a datagram into the reply to send back, or nil to stay silent.
    init(answer: @escaping ([UInt8]) -> [UInt8]?) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw BenchError("cannot bind a UDP peer on loopback") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
        _ = spawn {
            var buffer = [UInt8](repeating: 0, count: 65536)
            var from = sockaddr_storage()
            while true {
                var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = buffer.withUnsafeMutableBytes { bytes in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &fromLength) }
                    }
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    return
                }
                guard let reply = answer(Array(buffer[0..<count])) else { continue }
                _ = reply.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes.baseAddress, bytes.count, 0, $0, fromLength) }
                    }
                }
            }
        }
    }

    static func echo() throws -> DatagramPeer { try DatagramPeer { $0 } }

    /// Answers A and AAAA queries from the documentation ranges; names starting with
    /// `silent` get no answer, so queries for them wait out the resolver's timeout.
    static func dns() throws -> DatagramPeer {
        try DatagramPeer { datagram in
            guard let query = try? DNS.parse(datagram), !query.isResponse, let question = query.questions.first,
                !question.name.hasPrefix("silent")
            else { return nil }
            let address: IPAddress? =
                switch question.type {
                case DNS.RecordType.a: IPAddress(parsing: "192.0.2.7")
                case DNS.RecordType.aaaa: IPAddress(parsing: "2001:db8::7")
                default: nil
                }
            let answers = address.map { [DNS.Record(name: question.name, type: question.type, recordClass: 1, ttl: 5, data: .address($0))] } ?? []
            let reply = DNS.Message(
                id: query.id, isResponse: true, isTruncated: false, recursionDesired: query.recursionDesired,
                responseCode: DNS.ResponseCode.noError, questions: [question], answers: answers)
            return try? DNS.encode(reply)
        }
    }

    func stop() {
        shutdown(self.fd, Int32(SHUT_RDWR))
        close(self.fd)
    }
}
