import NSAPI
import NetSockStack
import NetSockWire
import Testing

/// Two stacks over a damaged cable: what arrives is intact or not at all, bounds hold,
/// and a seed replays the same run frame for frame.
@Suite struct FaultInjectionTests {
    /// The payload of datagram `number`: its number, then bytes that follow from it,
    /// so any corruption that got through would show.
    static func payload(_ number: Int) -> [UInt8] {
        let size = [32, 600, 1472, 3000, 9000][number % 5]
        var bytes = withUnsafeBytes(of: UInt32(number).bigEndian, Array.init)
        bytes += (4..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ number) }
        return bytes
    }

    struct Run: Equatable {
        var received: [Int] = []
        var traceA: [String] = []
        var traceB: [String] = []
        var drops: [DropReason: Int] = [:]
    }

    /// A sends `count` numbered datagrams 2 ms apart to B's port 9; B echoes each back.
    func exchange(_ faults: LinkFaults, seed: UInt64, count: Int = 200) throws -> Run {
        let sim = Simulation(faults: faults, seed: seed)
        let server = sim.b.makeUDPSocket()
        try server.bind(IPv4Endpoint(.any, 9))
        let client = sim.a.makeUDPSocket()
        try client.bind(IPv4Endpoint(.any, 5000))
        var run = Run()
        for number in 0..<count {
            try client.send(Self.payload(number), to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now)
            sim.run(for: .milliseconds(2))
            while let request = server.receive() {
                #expect(request.source == IPv4Endpoint(ip("192.0.2.1"), 5000))
                try server.send(request.payload, to: request.source, at: sim.now)
            }
            while let reply = client.receive() {
                let number = Int(reply.payload.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                #expect(number < count && reply.payload == Self.payload(number), "datagram \(number) intact")
                run.received.append(number)
            }
        }
        // Long enough for every held fragment to time out and every ARP entry to settle.
        sim.run(for: .seconds(40))
        while let reply = client.receive() { run.received.append(Int(reply.payload.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })) }
        #expect(sim.a.reassembliesInProgress == 0 && sim.b.reassembliesInProgress == 0)
        run.traceA = sim.linkA.sent
        run.traceB = sim.linkB.sent
        for (reason, n) in sim.a.counters.drops { run.drops[reason, default: 0] += n }
        for (reason, n) in sim.b.counters.drops { run.drops[reason, default: 0] += n }
        return run
    }

    static var everything: LinkFaults {
        var faults = LinkFaults()
        faults.dropChance = 0.05
        faults.corruptChance = 0.05
        faults.duplicateChance = 0.05
        faults.reorderChance = 0.1
        faults.delay = .milliseconds(3)
        return faults
    }

    @Test func withoutFaultsEveryDatagramComesBackInOrder() throws {
        let run = try self.exchange(LinkFaults(), seed: 1)
        #expect(run.received == Array(0..<200))
        #expect(run.drops.isEmpty)
    }

    @Test func damagedTrafficArrivesIntactOrNotAtAll() throws {
        let run = try self.exchange(Self.everything, seed: 3)
        // Most survive; each one that does was checked byte for byte in `exchange`.
        #expect(run.received.count > 60 && run.received.count < 220)
        // Corruption is caught by the checksums (or the addresses it hits), and counted.
        let caught = run.drops[.badChecksum, default: 0] + run.drops[.malformed, default: 0] + run.drops[.notForUs, default: 0]
        #expect(caught > 0)
        #expect(run.drops[.reassemblyTimeout, default: 0] + run.drops[.reassemblyOverlap, default: 0] > 0, "lost pieces time out")
    }

    @Test func aSeedReplaysTheSameRunFrameForFrame() throws {
        let first = try self.exchange(Self.everything, seed: 11, count: 80)
        let second = try self.exchange(Self.everything, seed: 11, count: 80)
        #expect(first == second)
        let other = try self.exchange(Self.everything, seed: 12, count: 80)
        #expect(first.traceA != other.traceA)
    }

    @Test func aSmallerPathMTUDropsLargeFramesOnly() throws {
        var faults = LinkFaults()
        faults.maximumFrameLength = 1000
        let run = try self.exchange(faults, seed: 5, count: 50)
        // Only the 32-byte and 600-byte datagrams fit in one frame.
        #expect(run.received == (0..<50).filter { $0 % 5 < 2 })
    }

    @Test func aRateLimitedLinkRefusesFramesAndTheStackCountsThem() throws {
        var faults = LinkFaults()
        faults.framesPerInterval = 4
        faults.shapingInterval = .milliseconds(50)
        let sim = Simulation(faults: faults, seed: 2)
        let server = sim.b.makeUDPSocket()
        try server.bind(IPv4Endpoint(.any, 9))
        let client = sim.a.makeUDPSocket()
        // Resolve first, then a burst of 20 small datagrams in one instant.
        try client.send([0], to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now)
        sim.run(for: .seconds(1))
        _ = server.receive()
        for number in 0..<20 { try client.send([UInt8(number)], to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now) }
        sim.run(for: .seconds(1))
        var got = 0
        while server.receive() != nil { got += 1 }
        #expect(got == 4)
        #expect(sim.a.counters.drops[.linkBusy] == 16)
    }
}
