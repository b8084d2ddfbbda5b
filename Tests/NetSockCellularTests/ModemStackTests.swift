import NSAPI
import NetSockCellular
import NetSockStack
import Testing

/// An operator network in memory: TCP sockets echo, UDP sockets echo each datagram back
/// from where it went, and nothing else exists.
final class EchoNetwork: ModemNetwork {
    struct Socket {
        var tcp: Bool
        var connectedTo: (host: String, port: Int)?
        var echoed: [([UInt8], (host: String, port: Int)?)] = []
    }
    var sockets: [Int: Socket] = [:]
    var next = 1
    /// Hosts that refuse connections.
    var refusing: Set<String> = ["192.0.2.99"]

    func open(tcp: Bool, localPort: Int?) -> Int? {
        defer { self.next += 1 }
        self.sockets[self.next] = Socket(tcp: tcp)
        return self.next
    }

    func connect(_ socket: Int, host: String, port: Int) -> Bool {
        guard !self.refusing.contains(host) else { return false }
        self.sockets[socket]?.connectedTo = (host, port)
        return true
    }

    func send(_ socket: Int, _ bytes: [UInt8], to remote: (host: String, port: Int)?) -> Int {
        guard self.sockets[socket] != nil else { return -1 }
        self.sockets[socket]?.echoed.append((bytes, remote))
        return bytes.count
    }

    func close(_ socket: Int) { self.sockets[socket] = nil }

    /// What the echo sends back now, per socket.
    func takeEchoes() -> [(Int, [UInt8], (host: String, port: Int)?)] {
        var out: [(Int, [UInt8], (host: String, port: Int)?)] = []
        for key in self.sockets.keys.sorted() {
            for (bytes, remote) in self.sockets[key]!.echoed { out.append((key, bytes, remote)) }
            self.sockets[key]?.echoed.removeAll()
        }
        return out
    }
}

/// The `modem` stack against the simulated modem, wired byte for byte with a manual
/// clock: deterministic, every chunk boundary the test picks.
final class ModemBench {
    var clock = Instant.seconds(1)
    var toModem: [UInt8] = []
    var modem: SimulatedModem
    let network = EchoNetwork()
    var stack: ModemStack!
    var events: [SocketHandle] = []
    var notices: [CellularNotice] = []
    /// Bytes from the modem are handed over in pieces of this size.
    var chunk: Int

    init(dialect: ModemSocketModel.Dialect, chunk: Int = 4096, faults: SimulatedModem.Faults = SimulatedModem.Faults()) {
        self.chunk = chunk
        self.modem = SimulatedModem(dialect: dialect, core: ModemModel.Faults(), faults: faults)
        let socketDialect: any ModemSocketDialect = dialect == .ublox ? UbloxSockets() : QuectelSockets()
        self.stack = ModemStack(dialect: socketDialect, now: { [unowned self] in self.clock }, transmit: { [unowned self] in self.toModem += $0 })
        self.stack.eventHandler = { [unowned self] in self.events.append($0) }
        self.stack.onNotice = { [unowned self] in self.notices.append($0) }
        self.stack.onDeferredEvents = {}
    }

    /// Moves bytes both ways, and the network's echoes, until nothing moves.
    func run(rounds: Int = 10_000) {
        for _ in 0..<rounds {
            var moved = false
            if !self.toModem.isEmpty {
                let bytes = self.toModem
                self.toModem.removeAll()
                let reply = self.modem.input(bytes, now: self.clock.milliseconds, network: self.network)
                self.deliver(reply)
                moved = true
            }
            for (socket, bytes, remote) in self.network.takeEchoes() {
                let from = remote ?? self.network.sockets[socket]?.connectedTo
                self.deliver(self.modem.delivered(network: socket, bytes, from: from))
                moved = true
            }
            self.stack.deliverEvents()
            if !moved { return }
        }
    }

    func deliver(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + self.chunk)
            self.stack.received(bytes[offset..<end])
            offset = end
        }
    }

    /// Time passes in steps, running what falls due.
    func advance(_ span: TimeSpan, step: TimeSpan = .milliseconds(100)) {
        let end = self.clock + span
        while self.clock < end {
            self.clock += step
            self.stack.poll()
            self.run()
        }
    }

    func connect() {
        self.stack.connect(settings: CellularStateMachine.Settings(apn: "internet"))
        self.run()
    }
}

@Suite struct ModemStackTests {
    @Test("connects, and TCP bytes echo through the modem intact at every chunk size", arguments: [ModemSocketModel.Dialect.ublox, .quectel], [1, 7, 64, 4096])
    func tcpEcho(dialect: ModemSocketModel.Dialect, chunk: Int) throws {
        let bench = ModemBench(dialect: dialect, chunk: chunk)
        bench.connect()
        #expect(bench.stack.isConnected)
        let socket = try bench.stack.socketOpen(.tcp)
        #expect(throws: NSAPIError.inProgress) { try bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.7", port: 7)!) }
        bench.run()
        #expect(throws: NSAPIError.isConnected) { try bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.7", port: 7)!) }
        let payload = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var sent = 0
        var received: [UInt8] = []
        while received.count < payload.count {
            if sent < payload.count { sent += (try? bench.stack.socketSend(socket, payload[sent...])) ?? 0 }
            bench.run()
            while let bytes = try? bench.stack.socketReceive(socket, maxBytes: 100_000), !bytes.isEmpty { received += bytes }
        }
        #expect(received == payload)
    }

    @Test("a connect the network refuses is NO_CONNECTION once, then the socket may connect again")
    func refusedConnect() throws {
        let bench = ModemBench(dialect: .ublox)
        bench.connect()
        let socket = try bench.stack.socketOpen(.tcp)
        #expect(throws: NSAPIError.inProgress) { try bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.99", port: 7)!) }
        bench.run()
        #expect(throws: NSAPIError.noConnection) { try bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.99", port: 7)!) }
        #expect(throws: NSAPIError.inProgress) { try bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.7", port: 7)!) }
    }

    @Test("UDP datagrams go out and come back whole with their source; the modem's datagram limit is PARAMETER", arguments: [ModemSocketModel.Dialect.ublox, .quectel])
    func udpEcho(dialect: ModemSocketModel.Dialect) throws {
        let bench = ModemBench(dialect: dialect, chunk: 13)
        bench.connect()
        let socket = try bench.stack.socketOpen(.udp)
        let peer = SocketAddress(parsing: "192.0.2.7", port: 7)!
        for size in [1, 100, 1000] {
            let datagram = [UInt8](repeating: UInt8(size % 251), count: size)
            #expect(try bench.stack.socketSendTo(socket, peer, datagram[...]) == size)
            bench.run()
            let (source, bytes) = try bench.stack.socketReceiveFrom(socket, maxBytes: 2000)
            #expect(source == peer)
            #expect(bytes == datagram)
        }
        let limit = dialect == .ublox ? 1024 : 1460
        #expect(throws: NSAPIError.parameter) { try bench.stack.socketSendTo(socket, peer, [UInt8](repeating: 0, count: limit + 1)[...]) }
    }

    @Test("every lost data URC is made up for by the socket poll")
    func lostDataURCs() throws {
        var faults = SimulatedModem.Faults()
        faults.loseDataURCsEvery = 1
        let bench = ModemBench(dialect: .quectel, faults: faults)
        bench.connect()
        let socket = try bench.stack.socketOpen(.udp)
        let peer = SocketAddress(parsing: "192.0.2.7", port: 7)!
        _ = try bench.stack.socketSendTo(socket, peer, [1, 2, 3][...])
        bench.run()
        #expect(throws: NSAPIError.wouldBlock) { try bench.stack.socketReceiveFrom(socket, maxBytes: 10) }
        bench.advance(.seconds(2))
        #expect(try bench.stack.socketReceiveFrom(socket, maxBytes: 10).1 == [1, 2, 3])
        #expect(bench.modem.lostDataURCs >= 1)
    }

    @Test("a URC split across reads while the next command starts is kept whole (not cut into a response line)")
    func urcSplitAcrossACommand() throws {
        var channel = ATChannel(urcPrefixes: ["+UUSORD:"])
        _ = channel.send(ATCommand("AT+USORD=0,4", responsePrefix: "+USORD:", binary: .quoted(prefix: "+USORD:", lengthField: 1)), at: .zero)
        var events = channel.receive(Array("\r\n+USORD: 0,4,\"ab\r\n\"\r\n\r\nOK\r\n\r\n+UU".utf8), at: .zero)
        guard case .response(let first)? = events.first else { Issue.record("no response"); return }
        #expect(first.binary == Array("ab\r\n".utf8))
        // The next command goes out before the URC's tail has come.
        _ = channel.send(ATCommand("AT+USORD=0,4", responsePrefix: "+USORD:", binary: .quoted(prefix: "+USORD:", lengthField: 1)), at: .zero)
        events = channel.receive(Array("SORD: 0,9\r\n\r\n+USORD: 0,2,\"cd\"\r\n\r\nOK\r\n".utf8), at: .zero)
        #expect(events.first == .urc("+UUSORD: 0,9"))
        guard case .response(let second)? = events.last else { Issue.record("no second response"); return }
        #expect(second.lines == ["+USORD: 0,2,"])
        #expect(second.binary == Array("cd".utf8))
    }

    @Test("the context going away fails TCP sockets with NO_CONNECTION, not an orderly end")
    func contextLost() throws {
        let bench = ModemBench(dialect: .ublox)
        bench.connect()
        let socket = try bench.stack.socketOpen(.tcp)
        _ = try? bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.7", port: 7)!)
        bench.run()
        bench.deliver(bench.modem.deactivate(network: bench.network))
        bench.run()
        #expect(!bench.stack.isConnected)
        #expect(throws: NSAPIError.noConnection) { try bench.stack.socketReceive(socket, maxBytes: 10) }
        #expect(bench.notices.contains { if case .contextLost = $0 { true } else { false } })
    }

    @Test("sockets are limited as each modem limits them, and one Non-IP socket per system")
    func limits() throws {
        for (dialect, limit) in [(ModemSocketModel.Dialect.ublox, 7), (.quectel, 12)] {
            let bench = ModemBench(dialect: dialect)
            for _ in 0..<limit { _ = try bench.stack.socketOpen(.tcp) }
            #expect(throws: NSAPIError.noSocket) { try bench.stack.socketOpen(.udp) }
            _ = try bench.stack.socketOpen(.nonIP)
            #expect(throws: NSAPIError.noSocket) { try bench.stack.socketOpen(.nonIP) }
            #expect(throws: NSAPIError.unsupported) { try bench.stack.socketOpen(.icmp) }
        }
    }

    @Test("NIDD messages are sent as hex and echoed back whole, CR and LF included")
    func nidd() throws {
        let bench = ModemBench(dialect: .ublox, chunk: 5)
        bench.connect()
        let socket = try bench.stack.socketOpen(.nonIP)
        let message: [UInt8] = [0, 13, 10, 0x22, 0xFF, 0x41]
        #expect(try bench.stack.socketSend(socket, message[...]) == message.count)
        bench.run()
        #expect(try bench.stack.socketReceive(socket, maxBytes: 100) == message)
        #expect(throws: NSAPIError.parameter) { try bench.stack.socketSend(socket, [UInt8](repeating: 1, count: 1359)[...]) }
        #expect(throws: NSAPIError.unsupported) { try bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.7", port: 7)!) }
    }

    @Test("hostile modem bytes (seeded junk, endless lines, huge lengths) never crash the stack or grow it")
    func hostileBytes() throws {
        let bench = ModemBench(dialect: .ublox)
        bench.connect()
        let socket = try bench.stack.socketOpen(.tcp)
        _ = try? bench.stack.socketConnect(socket, SocketAddress(parsing: "192.0.2.7", port: 7)!)
        bench.run()
        var random = StackRandom(seed: 7)
        let pieces = ["+UUSORD: 0,99999999\r\n", "+USORD: 0,4096,\"", "+QIURC: \"recv\",0\r\n", "+CRTDCP: 1,5,\"zz\"\r\n", "\r\n", "OK\r\n", "\"", ","]
        for _ in 0..<2000 {
            if random.chance(0.3) {
                bench.stack.received(Array(pieces[random.below(pieces.count)].utf8))
            } else {
                bench.stack.received((0..<random.below(64)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            if random.chance(0.05) { bench.advance(.seconds(1)) }
        }
        bench.stack.received([UInt8](repeating: 0x41, count: 100_000))
        #expect(bench.toModem.count < 1 << 20)
    }
}
