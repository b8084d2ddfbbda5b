import NSAPI
import NetSockStack
import NetSockWire
import Testing

/// A TCP segment from B (192.0.2.2) to A (192.0.2.1) as a whole frame, for forging.
func frameFromB(_ tcp: TCPRepr, payload: [UInt8] = []) -> [UInt8] {
    let source = ip("192.0.2.2")
    let destination = ip("192.0.2.1")
    let segment = tcp.bytes(payload: payload, source: source, destination: destination)
    let packet = IPv4Repr(source: source, destination: destination, protocol: .tcp, payloadLength: segment.count, identification: 7)
    return EthernetRepr(source: macB, destination: macA, etherType: .ipv4).bytes + packet.bytes + segment
}

@Suite("TCP behaviours in simulation")
struct TCPBehaviourTests {
    /// A's segments sent from index `start` on.
    func segmentsFromA(_ sim: Simulation, since start: Int) -> [(repr: TCPRepr, payload: Int)] {
        tcpSegments(Array(sim.linkA.sentFrames[start...]))
    }

    @Test("a closed window is probed with backoff, and the transfer resumes when the reader reads")
    func zeroWindowProbes() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish(serverSettings: {
            $0.receiveBufferSize = 64 * 1024
            $0.maximumReceiveBufferSize = 64 * 1024
        })
        let data = pattern(300_000)
        var offset = 0
        for _ in 0..<50 {
            offset += data[offset...].withUnsafeBytes { (try? client.send($0)) ?? 0 }
            sim.settle()
        }
        // All but what the sender's silly-window rule holds back (less than a segment).
        #expect(server.readableBytes > 64 * 1024 - 1448 && server.readableBytes <= 64 * 1024)
        let before = sim.linkA.sentFrames.count
        sim.run(for: .seconds(30))
        let probes = self.segmentsFromA(sim, since: before).filter { $0.payload == 0 }
        let una = try #require(client.connection?.sequenceSpace.sendUnacknowledged)
        #expect(probes.count >= 3 && probes.count <= 8, "\(probes.count) probes in 30 s")
        #expect(probes.allSatisfy { $0.repr.sequenceNumber == una &- 1 })
        var got = [UInt8]()
        while got.count < data.count {
            while let chunk = try? server.receive(maximum: 1 << 20), !chunk.isEmpty { got += chunk }
            offset += offset < data.count ? data[offset...].withUnsafeBytes { (try? client.send($0)) ?? 0 } : 0
            sim.run(for: .milliseconds(100))
        }
        #expect(firstDifference(got, data) == nil)
    }

    @Test("keep-alive probes an idle peer and gives up after the configured count")
    func keepAliveTimesOut() throws {
        var faults = LinkFaults()
        faults.dropChance = 0
        let sim = Simulation(faults: faults)
        let (client, _, _) = try sim.establish(clientSettings: {
            $0.keepAlive = true
            $0.keepIdle = .seconds(10)
            $0.keepInterval = .seconds(2)
            $0.keepCount = 3
        })
        // While the peer answers, probes keep the connection.
        let start = sim.linkA.sentFrames.count
        sim.run(for: .seconds(25))
        #expect(client.state == .established)
        #expect(self.segmentsFromA(sim, since: start).count >= 2)
        // The peer vanishes: three unanswered probes, then the connection ends.
        (sim.linkA.inner as! FaultInjectingLink).faults.dropChance = 1
        sim.run(for: .seconds(30))
        #expect(client.state == .closed)
        #expect(throws: StackError.timedOut) { try client.receive(maximum: 1) }
    }

    @Test("unacknowledged data is retransmitted with backoff until the limit, then the connection times out")
    func retransmissionLimit() throws {
        let sim = Simulation(faults: LinkFaults())
        let (client, _, _) = try sim.establish(clientSettings: { $0.maximumRetransmissions = 4 })
        (sim.linkA.inner as! FaultInjectingLink).faults.dropChance = 1
        let start = sim.linkA.sentFrames.count
        #expect(try client.send([1, 2, 3]) == 3)
        sim.run(for: .seconds(60))
        #expect(client.state == .closed)
        let sent = self.segmentsFromA(sim, since: start)
        #expect(sent.filter { $0.payload == 3 }.count == 5)  // The first and four retransmissions.
        #expect(sent.last?.repr.flags.contains(.rst) == true)
        #expect(throws: StackError.timedOut) { try client.send([1]) }
    }

    @Test("the user timeout ends a connection whose data stays unacknowledged that long")
    func userTimeout() throws {
        let sim = Simulation(faults: LinkFaults())
        let (client, _, _) = try sim.establish(clientSettings: { $0.userTimeout = .seconds(3) })
        (sim.linkA.inner as! FaultInjectingLink).faults.dropChance = 1
        #expect(try client.send([1]) == 1)
        sim.run(for: .seconds(2))
        #expect(client.state == .established)
        sim.run(for: .seconds(5))
        #expect(client.state == .closed)
    }

    @Test("RFC 5961: a reset in the window but not at RCV.NXT earns a challenge ACK; exact, it resets; outside, nothing")
    func blindResets() throws {
        let sim = Simulation()
        let (client, _, _) = try sim.establish()
        let space = try #require(client.connection?.sequenceSpace)
        func reset(_ sequence: UInt32) -> [UInt8] {
            frameFromB(TCPRepr(sourcePort: Simulation.serverPort, destinationPort: client.localEndpoint!.port, sequenceNumber: sequence, flags: .rst, window: 0))
        }
        var start = sim.linkA.sentFrames.count
        sim.inject(reset(space.receiveNext &+ 1000), to: sim.a)
        sim.settle()
        #expect(client.state == .established)
        let challenge = self.segmentsFromA(sim, since: start)
        #expect(challenge.count == 1 && challenge.first?.repr.acknowledgmentNumber == space.receiveNext)
        start = sim.linkA.sentFrames.count
        sim.inject(reset(space.receiveNext &+ 10_000_000), to: sim.a)
        sim.settle()
        #expect(client.state == .established)
        #expect(self.segmentsFromA(sim, since: start).isEmpty)
        sim.inject(reset(space.receiveNext), to: sim.a)
        sim.settle()
        #expect(client.state == .closed)
        #expect(throws: StackError.connectionReset) { try client.receive(maximum: 1) }
        #expect(try client.receive(maximum: 1) == [])  // Reported once, then end of stream.
    }

    @Test("RFC 5961: a SYN on an established connection and an ACK of unsent data get a challenge ACK and change nothing; challenges are rate-limited")
    func blindSynsAndAcks() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish()
        let space = try #require(client.connection?.sequenceSpace)
        let port = client.localEndpoint!.port
        var start = sim.linkA.sentFrames.count
        sim.inject(frameFromB(TCPRepr(sourcePort: Simulation.serverPort, destinationPort: port, sequenceNumber: 12345, flags: .syn, window: 1000)), to: sim.a)
        sim.settle()
        #expect(client.state == .established)
        #expect(self.segmentsFromA(sim, since: start).count == 1)
        start = sim.linkA.sentFrames.count
        var bogus = TCPRepr(sourcePort: Simulation.serverPort, destinationPort: port, sequenceNumber: space.receiveNext,
                            acknowledgmentNumber: space.sendNext &+ 100_000, window: 1000)
        bogus.flags = []
        sim.inject(frameFromB(bogus, payload: [9, 9, 9]), to: sim.a)
        sim.settle()
        #expect(client.readableBytes == 0)  // The data with a bad ACK is dropped.
        #expect(self.segmentsFromA(sim, since: start).count == 1)
        // A flood of in-window resets: at most the per-second budget of challenges.
        start = sim.linkA.sentFrames.count
        for offset in 1...100 {
            sim.inject(frameFromB(TCPRepr(sourcePort: Simulation.serverPort, destinationPort: port, sequenceNumber: space.receiveNext &+ UInt32(offset), flags: .rst, window: 0)), to: sim.a)
        }
        sim.settle()
        #expect(self.segmentsFromA(sim, since: start).count <= 10)
        #expect(client.state == .established)
        #expect(try server.send([1]) == 1)
        sim.settle()
        #expect(try client.receive(maximum: 4) == [1])
    }

    @Test("a pure ACK never lies past the peer's window: when the window shrank below SND.NXT, its sequence is the window's edge")
    func acknowledgmentsStayAcceptable() throws {
        // What stalled a TLS echo over the kernel: the kernel dropped data it had no memory
        // for, its window edge fell behind our SND.NXT, and it ignored every ACK we sent
        // with SND.NXT as unacceptable (RFC 9293 §3.10.7.4), so neither side moved again.
        let sim = Simulation()
        let (client, _, _) = try sim.establish()
        #expect(try client.send(pattern(20_000)) == 20_000)
        // Only our side runs: the data goes out and nothing answers it.
        while sim.a.poll(at: sim.now) {}
        let space = try #require(client.connection?.sequenceSpace)
        #expect(space.sendNext &- space.sendUnacknowledged > 10_000)
        let start = sim.linkA.sentFrames.count
        // The peer shuts its window at SND.UNA and sends data out of order, which we must ACK at once.
        var shut = TCPRepr(
            sourcePort: Simulation.serverPort, destinationPort: client.localEndpoint!.port, sequenceNumber: space.receiveNext &+ 100,
            acknowledgmentNumber: space.sendUnacknowledged, window: 0)
        shut.flags = []
        sim.inject(frameFromB(shut, payload: [1, 2, 3]), to: sim.a)
        while sim.a.poll(at: sim.now) {}
        let acks = self.segmentsFromA(sim, since: start).filter { $0.payload == 0 }
        #expect(!acks.isEmpty)
        #expect(acks.allSatisfy { $0.repr.sequenceNumber == space.sendUnacknowledged }, "\(acks.map(\.repr.sequenceNumber)) vs SND.UNA \(space.sendUnacknowledged)")
    }

    @Test("PAWS: a segment with an older timestamp is dropped and answered with an ACK")
    func paws() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish()
        #expect(try server.send([1]) == 1)
        sim.settle()
        #expect(try client.receive(maximum: 4) == [1])
        let last = try #require(tcpSegments(sim.linkB.sentFrames).last?.repr)
        let space = try #require(client.connection?.sequenceSpace)
        var stale = TCPRepr(sourcePort: Simulation.serverPort, destinationPort: client.localEndpoint!.port, sequenceNumber: space.receiveNext,
                            acknowledgmentNumber: space.sendNext, window: 1000)
        stale.timestamps = TCPTimestamps(value: last.timestamps!.value &- 1000, echo: 0)
        sim.inject(frameFromB(stale, payload: [7, 7]), to: sim.a)
        sim.settle()
        #expect(client.readableBytes == 0)
        #expect(client.connection?.segmentsRefused == 1)
    }

    @Test("the SYN queue is bounded and the backlog is too: handshakes past it are dropped, connections past it reset")
    func synQueueAndBacklog() throws {
        var settings = Interface.Settings()
        settings.tcpSynQueueLimit = 4
        let sim = Simulation(settings: settings)
        let listener = sim.a.makeTCPSocket()
        try listener.bind(IPv4Endpoint(.any, 80))
        try listener.listen(backlog: 2)
        // A SYN flood from B's address that never completes.
        let start = sim.linkA.sentFrames.count
        _ = try? sim.b.makeUDPSocket().send([0], to: IPv4Endpoint(ip("192.0.2.1"), 9), at: sim.now)  // ARP first.
        sim.settle()
        for port in 1000..<1020 {
            sim.inject(frameFromB(TCPRepr(sourcePort: UInt16(port), destinationPort: 80, sequenceNumber: UInt32(port), flags: .syn, window: 1000)), to: sim.a)
        }
        sim.settle()
        let synAcks = self.segmentsFromA(sim, since: start).filter { $0.repr.flags.contains(.syn) }
        #expect(synAcks.count == 4)
        // Their handshakes time out and free the queue.
        sim.run(for: .seconds(200))
        #expect(sim.a.tcpConnectionCount == 0)
        // Three real clients against a backlog of two, none accepted yet.
        var clients: [TCPSocket] = []
        for _ in 0..<3 {
            let client = sim.b.makeTCPSocket()
            #expect(throws: StackError.inProgress) { try client.connect(to: IPv4Endpoint(ip("192.0.2.1"), 80), at: sim.now) }
            clients.append(client)
            sim.settle()
        }
        sim.run(for: .seconds(1))
        #expect(clients.filter { $0.state == .established }.count == 2)
        #expect(clients.filter { $0.state == .closed }.count == 1)
        #expect(listener.listener?.overflowed == 1)
        #expect((try? listener.accept()) != nil)
        #expect((try? listener.accept()) != nil)
        #expect(throws: StackError.wouldBlock) { try listener.accept() }
    }

    @Test("Nagle coalesces small writes while data is in flight; TCP_NODELAY sends each at once")
    func nagle() throws {
        for noDelay in [false, true] {
            let sim = Simulation(faults: { var f = LinkFaults(); f.delay = .milliseconds(10); return f }())
            let (client, server, _) = try sim.establish(clientSettings: { $0.noDelay = noDelay })
            let start = sim.linkA.sentFrames.count
            for byte in 0..<20 {
                #expect(try client.send([UInt8(byte)]) == 1)
                sim.settle()
            }
            sim.run(for: .seconds(1))
            let dataSegments = self.segmentsFromA(sim, since: start).filter { $0.payload > 0 }
            if noDelay {
                #expect(dataSegments.count == 20)
            } else {
                #expect(dataSegments.count == 2, "\(dataSegments.map(\.payload))")
            }
            #expect(try server.receive(maximum: 100) == (0..<20).map(UInt8.init))
        }
    }

    @Test("one small segment is acknowledged after the delayed-ACK time; two full segments at once")
    func delayedAcknowledgments() throws {
        let sim = Simulation()
        let (client, _, _) = try sim.establish()
        var start = sim.linkB.sentFrames.count
        #expect(try client.send([1]) == 1)
        sim.settle()
        #expect(tcpSegments(Array(sim.linkB.sentFrames[start...])).isEmpty)
        let sentAt = sim.now
        sim.run(for: .milliseconds(100))
        let ackTimes = sim.linkB.sentTimes[start...]
        #expect(ackTimes.count == 1 && ackTimes.first! - sentAt == .milliseconds(40))
        start = sim.linkB.sentFrames.count
        #expect(try client.send(pattern(2 * 1448)) == 2 * 1448)
        sim.settle()
        #expect(tcpSegments(Array(sim.linkB.sentFrames[start...])).count == 1)
    }

    @Test("the MSS follows the link MTU, and no segment exceeds it")
    func segmentSizeFollowsMTU() throws {
        let sim = Simulation(mtu: 1000)
        let (client, server, _) = try sim.establish()
        let syn = try #require(tcpSegments(sim.linkA.sentFrames).first?.repr)
        #expect(syn.maximumSegmentSize == 960)
        #expect(client.connection?.maximumSegmentSize == 948)  // Less the timestamps.
        let data = pattern(100_000)
        #expect(firstDifference(sim.transfer(data, from: client, to: server), data) == nil)
        #expect(sim.linkA.sentFrames.allSatisfy { $0.count <= 1014 })
    }

    @Test("window scaling lets one connection keep more than 64 KiB in flight; auto-tuning grows the buffer of a fast reader")
    func windowScalingAndAutoTuning() throws {
        let sim = Simulation(faults: { var f = LinkFaults(); f.delay = .milliseconds(20); return f }(), settings: {
            var settings = Interface.Settings()
            settings.tcp.receiveBufferSize = 128 * 1024
            return settings
        }())
        let (client, server, _) = try sim.establish()
        let data = pattern(8_000_000)
        #expect(firstDifference(sim.transfer(data, from: client, to: server), data) == nil)
        let windows = tcpSegments(sim.linkB.sentFrames).filter { !$0.repr.flags.contains(.syn) }.map { Int($0.repr.window) << 7 }
        #expect(windows.max()! > 65535)
        #expect(server.connection!.receiveBufferCapacity > 128 * 1024)
        // 8 MB over a 40 ms round trip in well under the 3.2 s a 64 KiB window allows.
        _ = client
    }

    @Test("TIME-WAIT lasts the configured time")
    func timeWaitDuration() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish(clientSettings: { $0.timeWait = .seconds(5) })
        client.close(at: sim.now)
        sim.settle()
        server.close(at: sim.now)
        sim.settle()
        #expect(sim.a.tcpConnectionCount == 1)
        sim.run(for: .milliseconds(4900))
        #expect(sim.a.tcpConnectionCount == 1)
        sim.run(for: .milliseconds(200))
        #expect(sim.a.tcpConnectionCount == 0)
    }

    @Test("abort resets the peer; closing with unread data resets it too; closing a listener resets what it queued")
    func resets() throws {
        let sim = Simulation()
        var (client, server, listener) = try sim.establish()
        client.abort(at: sim.now)
        sim.settle()
        #expect(throws: StackError.connectionReset) { try server.receive(maximum: 1) }
        #expect(throws: StackError.notConnected) { try client.send([1]) }

        listener.close(at: sim.now)
        (client, server, listener) = try sim.establish()
        #expect(try client.send([1, 2, 3]) == 3)
        sim.settle()
        server.close(at: sim.now)  // Three bytes never read.
        sim.settle()
        #expect(throws: StackError.connectionReset) { try client.receive(maximum: 1) }

        let queued = sim.a.makeTCPSocket()
        let listener2 = sim.b.makeTCPSocket()
        try listener2.bind(IPv4Endpoint(.any, 99))
        try listener2.listen(backlog: 4)
        #expect(throws: StackError.inProgress) { try queued.connect(to: IPv4Endpoint(ip("192.0.2.2"), 99), at: sim.now) }
        sim.settle()
        #expect(queued.state == .established)
        listener2.close(at: sim.now)
        sim.settle()
        #expect(throws: StackError.connectionReset) { try queued.receive(maximum: 1) }
        _ = listener
    }

    @Test("scattered out-of-order segments past the assembler's bound are dropped, not stored")
    func outOfOrderBound() throws {
        let sim = Simulation()
        let (client, _, _) = try sim.establish(clientSettings: { $0.maximumOutOfOrderRanges = 4 })
        let space = try #require(client.connection?.sequenceSpace)
        let start = sim.linkA.sentFrames.count
        for index in 1...20 {
            var repr = TCPRepr(sourcePort: Simulation.serverPort, destinationPort: client.localEndpoint!.port,
                               sequenceNumber: space.receiveNext &+ UInt32(index * 100), acknowledgmentNumber: space.sendNext, window: 1000)
            repr.flags = []
            sim.inject(frameFromB(repr, payload: [UInt8](repeating: 1, count: 10)), to: sim.a)
        }
        sim.settle()
        let acks = self.segmentsFromA(sim, since: start)
        #expect(!acks.isEmpty)
        #expect(acks.allSatisfy { $0.repr.acknowledgmentNumber == space.receiveNext })
        #expect(acks.map(\.repr.sackBlocks.count).max()! <= 4)
        #expect(client.readableBytes == 0)
    }
}
