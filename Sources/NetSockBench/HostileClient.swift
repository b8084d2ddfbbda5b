#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// Where the soak's clients aim: the daemon's socket and the loopback peers its sockets reach.
struct SoakTarget: Sendable {
    var socketPath: String
    var udpEcho: Int
    var tcpEcho: Int
    var tcpSource: Int
}

/// One round a soak client plays on connections of its own before it vanishes: an
/// attack from the hardening review (or a variant of one), or a round of valid traffic.
/// Errors are the point of most rounds, so a round reports only whether valid traffic
/// got what it should.
enum HostileClient: String, CaseIterable, Sendable {
    /// Item 1: a chunked HTTP body of tens of thousands of one-byte chunks.
    case chunkedFlood
    /// Item 2: tens of thousands of param keys in one request.
    case manyKeys
    /// Item 3: thousands of pipelined recvfrom on one socket, then datagrams for them.
    case recvQueueFlood
    /// Item 4: pipelined 1 MiB receives from a fast source by a client that never reads.
    case nonReader
    /// Item 5: megabytes of whitespace before a request.
    case whitespace
    /// Item 5, HTTP: a request followed by blank lines.
    case httpBlankLines
    /// Deep nesting (the JSON parser must not recurse on it).
    case deepNesting
    /// A message past the size limit, then a valid one (the framer resynchronises).
    case oversized
    /// Item 7: async DNS past its limit, cancels of ids that are not ours, blocking queries.
    case dnsFlood
    /// Items 3 and 7: events.wait past the pending-request cap.
    case waitFlood
    /// Item 8: notifications, then an immediate hang-up.
    case notifyThenClose
    /// A request cut off mid-way, then the hang-up.
    case halfRequest
    /// Random bytes.
    case garbage
    /// Batches of the largest reply (rpc.discover), never read.
    case heavyBatch
    /// More sockets than a client may open.
    case socketLimit
    /// A socket flooded with datagrams with sigio on, never read.
    case sigioStorm
    /// A subscriber that never reads while thousands of events are published.
    case slowSubscriber
    /// Several idle connections with half a request each.
    case connectionHog
    /// UDP and TCP echo, DNS and listings, checked.
    case validTraffic

    /// Plays one round; for valid traffic, what went wrong (nil when all was right).
    func play(_ target: SoakTarget, _ random: inout SplitMix64) -> String? {
        do {
            return try self.round(target, &random) ? nil : "\(self.rawValue): a wrong answer"
        } catch {
            return self == .validTraffic ? "\(error)" : nil
        }
    }

    private func round(_ target: SoakTarget, _ random: inout SplitMix64) throws -> Bool {
        let client = try RPCClient(path: target.socketPath)
        defer { client.close() }
        switch self {
        case .chunkedFlood:
            let body = Array(#"{"jsonrpc":"2.0","method":"daemon.info","id":1}"#.utf8)
                + [UInt8](repeating: 0x20, count: Int.random(in: 5_000...30_000, using: &random))
            var request = Array("POST / HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            request.reserveCapacity(body.count * 6 + 8)
            for byte in body { request += [0x31, 0x0D, 0x0A, byte, 0x0D, 0x0A] }
            try client.sendRaw(request + Array("0\r\n\r\n".utf8))
            if Bool.random(using: &random) { _ = try client.readRaw(timeoutMilliseconds: 2000) }
        case .manyKeys:
            let keys = Int.random(in: 10_000...80_000, using: &random)
            let params = (0..<keys).map { "\"k\($0)\":0" }.joined(separator: ",")
            try client.sendRaw(Array((#"{"jsonrpc":"2.0","method":"daemon.info","id":1,"params":{"# + params + "}}\n").utf8))
            if Bool.random(using: &random) { _ = try client.readMessage(deadline: Self.deadline(2000)) }
        case .recvQueueFlood:
            let socket = try Self.boundUDPSocket(client)
            let port = try client.call(API.SocketLocalName(socket: socket)).port
            let calls = Int.random(in: 300...3000, using: &random)
            try client.sendRaw((1...calls).flatMap { Self.line(API.SocketRecvFrom(socket: socket, size: 512), id: $0) })
            Self.sendDatagrams(count: Int.random(in: 1...300, using: &random), to: port)
        case .nonReader:
            let socket = try client.call(API.SocketOpen(protocol: .tcp, interface: "lo")).socket
            _ = try client.call(API.SocketConnect(socket: socket, address: "127.0.0.1", port: target.tcpSource))
            try client.sendRaw((1...150).flatMap { Self.line(API.SocketRecv(socket: socket, size: 1_048_576), id: $0) })
            usleep(UInt32.random(in: 200_000...1_500_000, using: &random))
        case .whitespace:
            let filler: [UInt8] = [0x20, 0x0A, 0x09, 0x0D]
            let chunk = [UInt8](repeating: filler[Int.random(in: 0..<4, using: &random)], count: 1 << 20)
            for _ in 0..<Int.random(in: 1...16, using: &random) { try client.sendRaw(chunk) }
            _ = try client.call(API.DaemonInfo(), timeoutMilliseconds: 5000)
        case .httpBlankLines:
            let body = #"{"jsonrpc":"2.0","method":"daemon.info","id":1}"#
            let request = "POST / HTTP/1.1\r\nHost: soak\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            try client.sendRaw(Array(request.utf8) + [UInt8](repeating: 0x0A, count: Int.random(in: 1...(128 << 10), using: &random)))
            _ = try client.readRaw(timeoutMilliseconds: 2000)
        case .deepNesting:
            let depth = Int.random(in: 1_000...300_000, using: &random)
            let opening: [UInt8] = Bool.random(using: &random) ? [0x5B] : Array(#"{"a":"#.utf8)
            try client.sendRaw(Array([[UInt8]](repeating: opening, count: depth).joined()) + [0x0A])
            _ = try client.call(API.DaemonInfo(), timeoutMilliseconds: 5000)
        case .oversized:
            let size = Int.random(in: (1 << 20)...(3 << 20), using: &random)
            try client.sendRaw(Array(#"{"jsonrpc":"2.0","method":"daemon.info","id":1,"params":{"x":""#.utf8)
                + [UInt8](repeating: 0x61, count: size) + Array("\"}}\n".utf8))
            _ = try client.call(API.DaemonInfo(), timeoutMilliseconds: 5000)
        case .dnsFlood:
            for index in 0..<6 { _ = try? client.call(API.DNSGetHostByNameAsync(name: "silent\(index).soak.test")) }
            for _ in 0..<20 { _ = try? client.call(API.DNSCancel(request: Int.random(in: 1...40, using: &random))) }
            try client.sendRaw((1...24).flatMap { Self.line(API.DNSGetHostByName(name: "silent-b\($0).soak.test"), id: 100 + $0) })
            usleep(UInt32.random(in: 0...300_000, using: &random))
        case .waitFlood:
            let calls = Int.random(in: 100...2000, using: &random)
            let waitsForever = Bool.random(using: &random)
            let wait = API.EventsWait(topics: [.daemon], timeoutMs: waitsForever ? nil : 0)
            try client.sendRaw((1...calls).flatMap { Self.line(wait, id: $0) })
            if waitsForever { usleep(100_000) } else { for _ in 0..<calls { _ = try client.readMessage(deadline: Self.deadline(5000)) } }
        case .notifyThenClose:
            try client.sendRaw((0..<50).flatMap { Self.line(API.EventsPublish(topic: .daemon, event: "soak\($0)"), id: nil) })
        case .halfRequest:
            let request = Self.line(API.SocketOpen(protocol: .udp), id: 1)
            try client.sendRaw(Array(request.prefix(Int.random(in: 1..<request.count, using: &random))))
        case .garbage:
            try client.sendRaw((0..<Int.random(in: 1...65536, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            _ = try client.readRaw(timeoutMilliseconds: 200)
        case .heavyBatch:
            let batch = "[" + (1...100).map { #"{"jsonrpc":"2.0","method":"rpc.discover","id":\#($0)}"# }.joined(separator: ",") + "]\n"
            for _ in 0..<Int.random(in: 1...20, using: &random) { try client.sendRaw(Array(batch.utf8)) }
            usleep(UInt32.random(in: 0...500_000, using: &random))
        case .socketLimit:
            try client.sendRaw((1...70).flatMap { Self.line(API.SocketOpen(protocol: .udp, interface: "lo"), id: $0) })
            for _ in 1...70 { _ = try client.readMessage(deadline: Self.deadline(5000)) }
        case .sigioStorm:
            let socket = try Self.boundUDPSocket(client)
            _ = try client.call(API.SocketSigio(socket: socket, enabled: true))
            let port = try client.call(API.SocketLocalName(socket: socket)).port
            Self.sendDatagrams(count: Int.random(in: 100...2000, using: &random), to: port)
        case .slowSubscriber:
            _ = try client.call(API.EventsSubscribe(topics: [.daemon, .interface]))
            let publisher = try RPCClient(path: target.socketPath)
            let count = Int.random(in: 500...5000, using: &random)
            try publisher.sendRaw((0..<count).flatMap { Self.line(API.EventsPublish(topic: .daemon, event: "flood\($0)"), id: nil) })
            _ = try publisher.call(API.DaemonInfo(), timeoutMilliseconds: 10_000)
        case .connectionHog:
            let idle = try (0..<8).map { _ in try RPCClient(path: target.socketPath) }
            for connection in idle { try connection.sendRaw(Array(#"{"jsonrpc":"2.0","meth"#.utf8)) }
            usleep(UInt32.random(in: 50_000...300_000, using: &random))
        case .validTraffic:
            return try Self.validRound(client, target, &random)
        }
        return true
    }

    /// Echo over UDP and TCP, a DNS answer and a socket listing, each checked.
    private static func validRound(_ client: RPCClient, _ target: SoakTarget, _ random: inout SplitMix64) throws -> Bool {
        let payload = ByteEncoding.base64((0..<Int.random(in: 1...1200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        let udp = try client.call(API.SocketOpen(protocol: .udp, interface: "lo")).socket
        _ = try client.call(API.SocketSetTimeout(socket: udp, timeoutMs: 5000))
        _ = try client.call(API.SocketSendTo(socket: udp, address: "127.0.0.1", port: target.udpEcho, data: payload))
        let datagram = try client.call(API.SocketRecvFrom(socket: udp, size: 2000))
        let tcp = try client.call(API.SocketOpen(protocol: .tcp, interface: "lo")).socket
        _ = try client.call(API.SocketConnect(socket: tcp, address: "127.0.0.1", port: target.tcpEcho))
        _ = try client.call(API.SocketSend(socket: tcp, text: "soak"))
        let stream = try client.call(API.SocketRecv(socket: tcp, size: 4))
        let listing = try client.call(API.SocketList()).count
        let answer = try client.call(API.DNSGetHostByName(name: "valid\(Int.random(in: 0...9999, using: &random)).soak.test", version: .ipv4))
        _ = try client.call(API.SocketClose(socket: udp))
        _ = try client.call(API.SocketClose(socket: tcp))
        var wrong: [String] = []
        if datagram.data != payload { wrong.append("UDP echo") }
        if stream.data != ByteEncoding.base64(Array("soak".utf8)) { wrong.append("TCP echo \(stream.data)") }
        if listing != 2 { wrong.append("socket.list counted \(listing)") }
        if answer.address != "192.0.2.7" { wrong.append("DNS answered \(answer.address)") }
        if !wrong.isEmpty { throw BenchError("valid traffic got a wrong answer: " + wrong.joined(separator: ", ")) }
        return true
    }

    static func line<Method: APIMethod>(_ method: Method, id: Int?) -> [UInt8] {
        JSONCodec.encode(method.request(id: id.map { Int64($0) }).json) + [0x0A]
    }

    /// A UDP socket of the daemon bound to 127.0.0.1 on a port the kernel picks.
    static func boundUDPSocket(_ client: RPCClient) throws(ClientError) -> Int {
        let socket = try client.call(API.SocketOpen(protocol: .udp, interface: "lo")).socket
        _ = try client.call(API.SocketBind(socket: socket, address: "127.0.0.1", port: 0))
        return socket
    }

    static func deadline(_ milliseconds: UInt64) -> UInt64 { MonotonicClock.nanoseconds() + milliseconds * 1_000_000 }

    /// Small datagrams from a socket of the soak's own to 127.0.0.1:`port`.
    static func sendDatagrams(count: Int, to port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = UInt16(port).bigEndian
        let payload = [UInt8](repeating: 0x64, count: 64)
        for _ in 0..<count {
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }
}

/// A small seeded generator (SplitMix64), so a soak can be replayed with `--seed`.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var value = self.state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
