import NSAPI
import NetSockStack
import NetSockWire
import Testing

/// TCP between A (192.0.2.1) and B (192.0.2.2) on a `Simulation`: a listener on B,
/// connections from A, and a driver that moves bytes and time until a transfer ends.
extension Simulation {
    static let serverPort: UInt16 = 7

    /// B listens; A connects; both ends returned once established.
    func establish(
        clientSettings: ((inout TCPConnection.Settings) -> Void)? = nil,
        serverSettings: ((inout TCPConnection.Settings) -> Void)? = nil,
        backlog: Int = 4
    ) throws -> (client: TCPSocket, server: TCPSocket, listener: TCPSocket) {
        let listener = self.b.makeTCPSocket()
        if let serverSettings { listener.updateSettings(serverSettings) }
        try listener.bind(IPv4Endpoint(.any, Self.serverPort))
        try listener.listen(backlog: backlog)
        let client = self.a.makeTCPSocket()
        if let clientSettings { client.updateSettings(clientSettings) }
        #expect(throws: StackError.inProgress) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), Self.serverPort), at: self.now) }
        var server: TCPSocket?
        for _ in 0..<200 {
            self.settle()
            if server == nil { server = try? listener.accept() }
            if server != nil && client.state == .established { break }
            self.advance()
        }
        #expect(throws: StackError.isConnected) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), Self.serverPort), at: self.now) }
        return (client, try #require(server), listener)
    }

    /// Moves the clock to the next deadline of either side (at least 1 ms on).
    func advance(limit: TimeSpan = .seconds(3600)) {
        let next = self.a.nextPoll.earliest(self.b.nextPoll) ?? (self.now + limit)
        self.now = Swift.max(self.now + TimeSpan(microseconds: 1), Swift.min(next, self.now + limit))
    }

    /// Sends `data` from `sender` to `receiver` through the simulated cable, reading as
    /// it arrives; ends when all of it arrived or `deadline` of simulated time passed.
    /// Returns what the receiver got.
    func transfer(_ data: [UInt8], from sender: TCPSocket, to receiver: TCPSocket, deadline: TimeSpan = .seconds(600), closeAfter: Bool = false) -> [UInt8] {
        var received: [UInt8] = []
        received.reserveCapacity(data.count)
        var offset = 0
        let end = self.now + deadline
        var closed = false
        while self.now < end {
            var progressed = false
            while offset < data.count {
                let written = data[offset...].withUnsafeBytes { bytes in (try? sender.send(bytes)) ?? 0 }
                guard written > 0 else { break }
                offset += written
                progressed = true
            }
            if closeAfter && offset == data.count && !closed {
                try? sender.shutdown(.write)
                closed = true
            }
            self.settle()
            while let chunk = try? receiver.receive(maximum: 1 << 20), !chunk.isEmpty {
                received += chunk
                progressed = true
            }
            if received.count >= data.count && (!closeAfter || (try? receiver.receive(maximum: 1)) == []) { break }
            if !progressed { self.advance() }
        }
        return received
    }
}

/// A recognisable pattern: a break anywhere shows as a mismatch.
func pattern(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
    var random = StackRandom(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    var index = 0
    while index < count {
        var word = random.next()
        for _ in 0..<8 where index < count {
            bytes[index] = UInt8(truncatingIfNeeded: word)
            word >>= 8
            index += 1
        }
    }
    return bytes
}

/// The TCP segments a recording link saw, decoded.
func tcpSegments(_ frames: [[UInt8]]) -> [(repr: TCPRepr, payload: Int)] {
    frames.compactMap { frame in
        frame.withUnsafeBytes { bytes -> (TCPRepr, Int)? in
            guard let ethernet = try? EthernetFrame(checking: bytes), ethernet.etherType == .ipv4,
                  let packet = try? IPv4Packet(checking: ethernet.payload), packet.protocol == .tcp,
                  let segment = try? TCPSegment(checking: packet.payload),
                  let repr = try? TCPRepr(segment, source: packet.source, destination: packet.destination)
            else { return nil }
            return (repr, segment.payload.count)
        }
    }
}

/// Where two byte strings first differ (a length difference counts), for messages
/// that stay short whatever the sizes.
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
    for index in 0..<Swift.min(a.count, b.count) where a[index] != b[index] { return index }
    return a.count == b.count ? nil : Swift.min(a.count, b.count)
}
