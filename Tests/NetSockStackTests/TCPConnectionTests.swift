import Glibc
import NSAPI
import NetSockStack
import NetSockWire
import Testing

@Suite("TCP connections in simulation")
struct TCPConnectionTests {
    @Test("handshake negotiates MSS, window scaling, SACK and timestamps; data flows both ways; close is orderly")
    func handshakeDataAndClose() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish()
        let syn = try #require(tcpSegments(sim.linkA.sentFrames).first { $0.repr.flags.contains(.syn) }?.repr)
        #expect(syn.maximumSegmentSize == 1460)
        #expect(syn.windowScale != nil && syn.sackPermitted && syn.timestamps != nil)
        let synAck = try #require(tcpSegments(sim.linkB.sentFrames).first { $0.repr.flags.contains(.syn) }?.repr)
        #expect(synAck.acknowledgmentNumber == syn.sequenceNumber &+ 1)
        #expect(synAck.windowScale != nil && synAck.sackPermitted && synAck.timestamps?.echo == syn.timestamps?.value)

        #expect(try client.send(Array("hello".utf8)) == 5)
        sim.settle()
        #expect(try server.receive(maximum: 100) == Array("hello".utf8))
        #expect(throws: StackError.wouldBlock) { try server.receive(maximum: 100) }
        #expect(try server.send(Array("world".utf8)) == 5)
        sim.settle()
        #expect(try client.receive(maximum: 100) == Array("world".utf8))

        client.close(at: sim.now)
        sim.settle()
        #expect(try server.receive(maximum: 100) == [])  // End of stream.
        #expect(server.state == .closeWait)
        server.close(at: sim.now)
        sim.settle()
        #expect(sim.b.tcpConnectionCount == 0)  // LAST-ACK ended with the ACK.
        #expect(sim.a.tcpConnectionCount == 1)  // TIME-WAIT.
        sim.run(for: .seconds(59))
        #expect(sim.a.tcpConnectionCount == 1)
        sim.run(for: .seconds(2))
        #expect(sim.a.tcpConnectionCount == 0)
    }

    @Test("a connect to a port nobody listens on is refused with a reset")
    func refused() throws {
        let sim = Simulation()
        let client = sim.a.makeTCPSocket()
        #expect(throws: StackError.inProgress) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now) }
        #expect(throws: StackError.already) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now) }
        sim.run(for: .seconds(1))
        #expect(throws: StackError.connectionRefused) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now) }
        // The error is reported once; the socket may try again.
        #expect(throws: StackError.inProgress) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now) }
    }

    @Test("SYNs to a silent host are retried with backoff, then the connect times out")
    func connectTimesOut() throws {
        var faults = LinkFaults()
        faults.dropChance = 1
        let sim = Simulation(faults: faults)
        let client = sim.a.makeTCPSocket()
        client.updateSettings { $0.synRetries = 3 }
        #expect(throws: StackError.inProgress) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now) }
        let start = sim.now
        sim.run(for: .seconds(30))
        #expect(throws: StackError.timedOut) { try client.connect(to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now) }
        // ARP never resolves here, so count the SYNs the stack tried: 1 + 3 retries at 1, 2, 4, 8 s.
        _ = start
        #expect(sim.a.tcpConnectionCount == 0)
    }

    @Test("simultaneous open: both SYN, both SYN-ACK, both established")
    func simultaneousOpen() throws {
        let sim = Simulation()
        let left = sim.a.makeTCPSocket()
        let right = sim.b.makeTCPSocket()
        try left.bind(IPv4Endpoint(.any, 4000))
        try right.bind(IPv4Endpoint(.any, 5000))
        // Resolve ARP first so both SYNs cross on the wire.
        _ = try? sim.a.makeUDPSocket().send([1], to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now)
        sim.settle()
        #expect(throws: StackError.inProgress) { try left.connect(to: IPv4Endpoint(ip("192.0.2.2"), 5000), at: sim.now) }
        #expect(throws: StackError.inProgress) { try right.connect(to: IPv4Endpoint(ip("192.0.2.1"), 4000), at: sim.now) }
        sim.run(for: .seconds(5))
        #expect(left.state == .established)
        #expect(right.state == .established)
        #expect(try left.send([1, 2, 3]) == 3)
        sim.settle()
        #expect(try right.receive(maximum: 10) == [1, 2, 3])
    }

    @Test("simultaneous close passes through CLOSING to TIME-WAIT on both sides")
    func simultaneousClose() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish()
        try client.shutdown(.write)
        try server.shutdown(.write)
        #expect(client.state == .finWait1 && server.state == .finWait1)
        sim.settle()
        #expect(client.state == .timeWait)
        #expect(server.state == .timeWait)
    }

    @Test("half-close: the side that shut its writing still receives")
    func halfClose() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish()
        try client.shutdown(.write)
        sim.settle()
        #expect(try server.receive(maximum: 10) == [])
        #expect(client.state == .finWait2)
        let data = pattern(300_000)
        let got = sim.transfer(data, from: server, to: client, closeAfter: true)
        #expect(got.count == data.count)
        #expect(firstDifference(got, data) == nil)
        sim.settle()
        #expect(client.state == .timeWait)
    }

    @Test("bulk transfer on a clean cable sends nothing twice")
    func bulkClean() throws {
        let sim = Simulation()
        let (client, server, _) = try sim.establish()
        let data = pattern(4_000_000)
        let got = sim.transfer(data, from: client, to: server)
        #expect(got.count == data.count)
        #expect(firstDifference(got, data) == nil)
        let connection = try #require(client.connection)
        #expect(connection.retransmittedSegments == 0)
    }

    @Test("bulk transfers under seeded loss, reordering, duplication and delay arrive intact", arguments: [
        (0.01, 0.0, 0.0, 0), (0.05, 0.02, 0.01, 1), (0.10, 0.05, 0.02, 5), (0.02, 0.10, 0.0, 10),
    ])
    func bulkUnderFaults(_ drop: Double, _ reorder: Double, _ duplicate: Double, _ delayMilliseconds: Int) throws {
        var faults = LinkFaults()
        // Both ends of the cable damage what passes them, so a frame meets the drop
        // chance twice: this makes the loss per direction `drop`.
        faults.dropChance = 1 - (1 - drop).squareRoot()
        faults.reorderChance = reorder
        faults.duplicateChance = duplicate
        faults.delay = .milliseconds(Int64(delayMilliseconds))
        for algorithm in CongestionAlgorithm.allCases {
            let sim = Simulation(faults: faults, seed: 42)
            let (client, server, _) = try sim.establish(clientSettings: { $0.congestionControl = algorithm })
            if let _ = getenv("TCP_TRACE") { client.connection?.trace = { print($0) } }
            let data = pattern(1_000_000, seed: 9)
            let got = sim.transfer(data, from: client, to: server, deadline: .seconds(1200))
            let connection = try #require(client.connection)
            #expect(got.count == data.count, "\(algorithm) \(drop): \(connection.debugSummary)")
            #expect(firstDifference(got, data) == nil, "\(algorithm) \(drop)")
            let segments = data.count / 1448
            let spurious = (server.connection?.duplicateBytesReceived ?? 0) / 1448
            print("TCP loss \(algorithm) drop \(drop): \(connection.retransmittedSegments) retransmitted for \(segments) segments, \(spurious) spurious, \(connection.timeouts) timeouts, \(server.connection?.segmentsRefused ?? 0) refused")
            // Each lost segment (or lost retransmission) costs one retransmission; what
            // the receiver already had stays a small share.
            #expect(connection.retransmittedSegments <= Int(Double(segments) * drop * 2) + 12, "\(algorithm) \(drop): \(connection.debugSummary)")
            #expect(spurious <= connection.retransmittedSegments / 4 + 3, "\(algorithm) \(drop): \(spurious) spurious")
        }
    }
}
