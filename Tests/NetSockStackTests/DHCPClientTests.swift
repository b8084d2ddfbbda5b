import NSAPI
import NetSockStack
import NetSockWire
import Testing

/// A DHCP server in a script: B's port 67, answering as `policy` says, and keeping
/// every message it got with the time it came.
final class ScriptedDHCPServer {
    struct Received {
        var at: Instant
        var message: DHCPv4Repr
        var source: IPv4Endpoint
        var destination: IPv4Address
    }

    enum Answer {
        case offer, ack, nak, silence
    }

    let socket: UDPSocket
    var received: [Received] = []
    var policy: (DHCPv4Repr) -> Answer = { message in message.messageType == .discover ? .offer : .ack }
    var offered = IPv4Address(192, 0, 2, 50)
    var leaseSeconds: UInt32 = 120
    var renewalSeconds: UInt32?
    let server = IPv4Address(192, 0, 2, 2)

    init(on interface: Interface) throws {
        self.socket = interface.makeUDPSocket()
        try self.socket.bind(IPv4Endpoint(.any, 67))
    }

    func serve(at now: Instant) -> Bool {
        var worked = false
        while let datagram = self.socket.receive() {
            worked = true
            guard let message = datagram.payload.withUnsafeBytes({ try? DHCPv4Repr(DHCPv4Packet(checking: $0)) }) else { continue }
            self.received.append(Received(at: now, message: message, source: datagram.source, destination: datagram.destination))
            let type: DHCPv4Repr.MessageType
            switch self.policy(message) {
            case .offer: type = .offer
            case .ack: type = .ack
            case .nak: type = .nak
            case .silence: continue
            }
            var reply = DHCPv4Repr(messageType: type, transactionID: message.transactionID, clientHardwareAddress: message.clientHardwareAddress)
            reply.serverIdentifier = self.server
            if type != .nak {
                reply.yourAddress = self.offered
                reply.subnetMask = IPv4Address(255, 255, 255, 0)
                reply.routers = [self.server]
                reply.dnsServers = [self.server, IPv4Address(198, 51, 100, 53)]
                reply.interfaceMTU = 1400
                reply.leaseTime = self.leaseSeconds
                reply.renewalTime = self.renewalSeconds
            }
            _ = try? self.socket.send(reply.bytes, to: IPv4Endpoint(.broadcast, 68), at: now)
        }
        return worked
    }

    func messages(_ type: DHCPv4Repr.MessageType) -> [Received] { self.received.filter { $0.message.messageType == type } }
}

/// The DHCP client against a scripted server over the in-memory cable: every state of
/// RFC 2131 and its timers, on a manual clock.
@Suite struct DHCPClientTests {
    struct Setup {
        let sim: Simulation
        let client: DHCPClient
        let server: ScriptedDHCPServer
        var events: () -> [DHCPClient.Event]
    }

    func setUp(seed: UInt64 = 1) throws -> Setup {
        let sim = Simulation(seed: seed, configure: false)
        sim.b.configure(subnet("192.0.2.2/24"), at: sim.now)
        let server = try ScriptedDHCPServer(on: sim.b)
        var settings = DHCPClient.Settings()
        settings.hostName = "netsock-test"
        let client = DHCPClient(interface: sim.a, settings: settings, seed: seed)
        var events: [DHCPClient.Event] = []
        sim.participants.append((poll: { now in server.serve(at: now) }, next: { nil }))
        sim.participants.append((
            poll: { now in
                for event in sim.a.takeEvents() { client.handle(event, at: now) }
                let worked = client.poll(at: now)
                events += client.takeEvents()
                return worked
            }, next: { client.nextPoll }))
        return Setup(sim: sim, client: client, server: server, events: { defer { events.removeAll() }; return events })
    }

    @Test func aFullExchangeBindsAndAppliesWhatTheServerGave() throws {
        let setup = try self.setUp()
        let start = setup.sim.now
        setup.client.start(at: start)
        setup.sim.run(for: .milliseconds(500))
        #expect(setup.client.state == .probing, "waits for answers to its ARP probe")
        #expect(setup.sim.linkA.sent.contains { $0.contains("ARP who-has 192.0.2.50 tell 0.0.0.0") })
        setup.sim.run(for: .seconds(1))
        #expect(setup.client.state == .bound)
        let lease = try #require(setup.client.lease)
        #expect(lease.address == subnet("192.0.2.50/24") && lease.router == ip("192.0.2.2"))
        #expect(lease.dnsServers == [ip("192.0.2.2"), ip("198.51.100.53")] && lease.mtu == 1400)
        #expect(lease.renewAt == lease.acquired + .seconds(60) && lease.rebindAt == lease.acquired + .seconds(105))
        #expect(setup.events() == [.bound(lease)])
        #expect(setup.sim.a.address == subnet("192.0.2.50/24") && setup.sim.a.routes.defaultGateway == ip("192.0.2.2"))
        #expect(setup.sim.a.maximumTransmissionUnit == 1400)

        let discover = try #require(setup.server.messages(.discover).first)
        #expect(discover.source == IPv4Endpoint(.any, 68) && discover.destination == .broadcast)
        #expect(discover.message.clientIdentifier == [1] + macA.bytes && discover.message.hostName == "netsock-test")
        #expect(discover.message.parameterRequestList?.contains(3) == true)
        let request = try #require(setup.server.messages(.request).first)
        #expect(request.destination == .broadcast && request.message.clientAddress == .any)
        #expect(request.message.requestedAddress == ip("192.0.2.50") && request.message.serverIdentifier == ip("192.0.2.2"))
        #expect(request.message.transactionID == discover.message.transactionID)

        // The address works: B hears A from it.
        let peer = setup.sim.b.makeUDPSocket()
        try peer.bind(IPv4Endpoint(.any, 7))
        try setup.sim.a.makeUDPSocket().send([1], to: IPv4Endpoint(ip("192.0.2.2"), 7), at: setup.sim.now)
        setup.sim.settle()
        #expect(peer.receive()?.source.address == ip("192.0.2.50"))
    }

    @Test func renewalIsUnicastAtT1AndRebindingBroadcastAtT2UntilTheLeaseIsLost() throws {
        let setup = try self.setUp()
        setup.client.start(at: setup.sim.now)
        setup.sim.run(for: .seconds(2))
        let lease = try #require(setup.client.lease)
        _ = setup.events()
        // From now on the server is gone.
        setup.server.policy = { _ in .silence }
        setup.sim.run(for: .seconds(121))
        let requests = setup.server.messages(.request).dropFirst()
        let renewals = requests.filter { $0.destination == ip("192.0.2.2") }
        let rebinds = requests.filter { $0.destination == .broadcast }
        #expect(renewals.first?.at == lease.renewAt, "the first renewal at T1")
        #expect(renewals.allSatisfy { $0.message.clientAddress == ip("192.0.2.50") && $0.message.requestedAddress == nil })
        #expect(rebinds.first?.at == lease.rebindAt, "the first rebind at T2")
        #expect(rebinds.allSatisfy { $0.message.clientAddress == ip("192.0.2.50") })
        // Lost at expiry, then back to DISCOVER, asking for the old address.
        #expect(setup.events() == [.lost(lease)])
        #expect(setup.sim.a.address == nil && setup.client.state == .selecting)
        let last = try #require(setup.server.messages(.discover).last)
        #expect(last.at == lease.expiresAt)
    }

    @Test func aSuccessfulRenewalKeepsTheAddressAndMovesTheTimers() throws {
        let setup = try self.setUp()
        setup.server.renewalSeconds = 30
        setup.client.start(at: setup.sim.now)
        setup.sim.run(for: .seconds(2))
        let first = try #require(setup.client.lease)
        #expect(first.renewAt == first.acquired + .seconds(30))
        _ = setup.events()
        setup.sim.run(for: .seconds(30))
        let renewed = try #require(setup.client.lease)
        #expect(renewed.acquired == first.renewAt && renewed.address == first.address)
        #expect(setup.events() == [.renewed(renewed)])
        #expect(setup.client.state == .bound && setup.sim.a.address == first.address)
    }

    @Test func aNAKStartsAgainAfterAPause() throws {
        let setup = try self.setUp()
        var refusals = 2
        setup.server.policy = { message in
            if message.messageType == .discover { return .offer }
            if refusals > 0 {
                refusals -= 1
                return .nak
            }
            return .ack
        }
        setup.client.start(at: setup.sim.now)
        setup.sim.run(for: .seconds(6))
        #expect(setup.client.state == .bound)
        let discovers = setup.server.messages(.discover).map(\.at)
        #expect(discovers.count == 3)
        // Paused 1 s after the first NAK, 2 s after the second.
        #expect(discovers[1] - discovers[0] == .seconds(1) && discovers[2] - discovers[1] == .seconds(2))
    }

    @Test func anAddressSomeoneHoldsIsDeclined() throws {
        let setup = try self.setUp()
        // B itself holds the address offered: it answers the probe.
        setup.server.offered = ip("192.0.2.2")
        setup.client.start(at: setup.sim.now)
        setup.sim.run(for: .seconds(2))
        #expect(setup.events() == [.declined(ip("192.0.2.2"))])
        let decline = try #require(setup.server.messages(.decline).first)
        #expect(decline.message.requestedAddress == ip("192.0.2.2") && decline.message.serverIdentifier == ip("192.0.2.2"))
        #expect(decline.destination == .broadcast)
        #expect(setup.sim.a.address == nil && setup.client.state == .waiting)
        // Ten seconds later it asks again (RFC 2131 §3.1.5).
        setup.server.offered = ip("192.0.2.51")
        setup.sim.run(for: .seconds(10))
        #expect(setup.server.messages(.discover).last?.at == decline.at + .seconds(10))
        setup.sim.run(for: .seconds(2))
        #expect(setup.client.lease?.address.address == ip("192.0.2.51"))
    }

    @Test func withoutAServerDiscoversBackOffExponentiallyWithJitter() throws {
        let setup = try self.setUp(seed: 9)
        setup.server.policy = { _ in .silence }
        setup.client.start(at: setup.sim.now)
        setup.sim.run(for: .seconds(300))
        let times = setup.server.messages(.discover).map(\.at)
        #expect(times.count >= 7)
        let gaps = zip(times.dropFirst(), times).map { ($0 - $1).microseconds }
        for (gap, base) in zip(gaps, [4, 8, 16, 32, 64, 64] as [Int64]) {
            #expect((base - 1) * 1_000_000 <= gap && gap <= (base + 1) * 1_000_000, "gap \(gap) for \(base) s")
        }
        // The jitter is there: not every gap is the round number.
        #expect(gaps.contains { $0 % 1_000_000 != 0 })
        #expect(setup.server.messages(.discover).allSatisfy { $0.message.transactionID == setup.server.received[0].message.transactionID })
    }

    @Test func aLinkThatComesBackEndsTheBackOffWithAFreshDiscover() throws {
        let setup = try self.setUp(seed: 9)
        setup.server.policy = { _ in .silence }
        setup.client.start(at: setup.sim.now)
        setup.sim.run(for: .seconds(40))
        let before = setup.server.messages(.discover)
        #expect(before.count == 4)  // at 0, ~4, ~12, ~28 s: the next is ~32 s away
        setup.server.policy = { message in message.messageType == .discover ? .offer : .ack }
        setup.client.linkReturned(at: setup.sim.now)
        setup.sim.settle()
        let after = setup.server.messages(.discover)
        #expect(after.count == 5 && after.last?.at == setup.sim.now)
        #expect(after.last?.message.transactionID != before.last?.message.transactionID)
        setup.sim.run(for: .seconds(3))
        #expect(setup.client.state == .bound)
        // Bound, a link that comes back keeps the lease and sends nothing.
        let count = setup.server.received.count
        setup.client.linkReturned(at: setup.sim.now)
        setup.sim.settle()
        #expect(setup.client.state == .bound && setup.server.received.count == count)
    }

    @Test func stoppingReleasesTheLease() throws {
        let setup = try self.setUp()
        setup.client.start(at: setup.sim.now)
        setup.sim.run(for: .seconds(2))
        setup.client.stop(at: setup.sim.now)
        setup.sim.settle()
        let release = try #require(setup.server.messages(.release).first)
        #expect(release.destination == ip("192.0.2.2") && release.message.clientAddress == ip("192.0.2.50"))
        #expect(release.message.serverIdentifier == ip("192.0.2.2"))
        #expect(setup.sim.a.address == nil && setup.client.state == .stopped && setup.client.nextPoll == nil)
    }

    @Test func repliesForSomeoneElseOrAnotherExchangeAreIgnored() throws {
        let setup = try self.setUp()
        setup.server.policy = { _ in .silence }
        setup.client.start(at: setup.sim.now)
        setup.sim.settle()
        let xid = try #require(setup.server.received.first?.message.transactionID)
        for (id, mac) in [(xid &+ 1, macA), (xid, macB)] {
            var offer = DHCPv4Repr(messageType: .offer, transactionID: id, clientHardwareAddress: mac)
            offer.yourAddress = ip("192.0.2.60")
            offer.serverIdentifier = ip("192.0.2.2")
            try setup.server.socket.send(offer.bytes, to: IPv4Endpoint(.broadcast, 68), at: setup.sim.now)
        }
        // An ACK while selecting is not an answer to anything.
        var ack = DHCPv4Repr(messageType: .ack, transactionID: xid, clientHardwareAddress: macA)
        ack.yourAddress = ip("192.0.2.60")
        ack.serverIdentifier = ip("192.0.2.2")
        ack.leaseTime = 60
        try setup.server.socket.send(ack.bytes, to: IPv4Endpoint(.broadcast, 68), at: setup.sim.now)
        // Garbage on port 68.
        try setup.server.socket.send([1, 2, 3], to: IPv4Endpoint(.broadcast, 68), at: setup.sim.now)
        setup.sim.settle()
        #expect(setup.client.state == .selecting && setup.sim.a.address == nil)
    }
}

/// DHCP over a damaged cable: retransmission carries it through loss and reordering.
@Suite struct DHCPUnderFaultsTests {
    @Test func aLossyCableStillEndsInALease() throws {
        var faults = LinkFaults()
        faults.dropChance = 0.2
        faults.duplicateChance = 0.1
        faults.reorderChance = 0.2
        faults.delay = .milliseconds(5)
        for seed: UInt64 in [1, 2, 3, 4, 5] {
            let sim = Simulation(faults: faults, seed: seed, configure: false)
            sim.b.configure(subnet("192.0.2.2/24"), at: sim.now)
            let server = try ScriptedDHCPServer(on: sim.b)
            let client = DHCPClient(interface: sim.a, seed: seed)
            var events: [DHCPClient.Event] = []
            sim.participants.append((poll: { now in server.serve(at: now) }, next: { nil }))
            sim.participants.append((
                poll: { now in
                    for event in sim.a.takeEvents() { client.handle(event, at: now) }
                    let worked = client.poll(at: now)
                    events += client.takeEvents()
                    return worked
                }, next: { client.nextPoll }))
            client.start(at: sim.now)
            sim.run(for: .seconds(300))
            guard case .bound? = events.first else {
                Issue.record("seed \(seed): no lease in 300 s: \(events)")
                continue
            }
            // Renewal retries every sixteenth of the 2-minute lease keep it through the loss.
            sim.run(for: .seconds(600))
            #expect(!events.contains { if case .lost = $0 { true } else { false } }, "seed \(seed): \(events)")
            #expect(events.filter { if case .renewed = $0 { true } else { false } }.count >= 8, "seed \(seed): renewed")
            #expect(client.lease?.address == subnet("192.0.2.50/24"), "seed \(seed): \(client.state) \(server.received.map { "\($0.at.microseconds / 1000) \($0.message.messageType)" }) \(sim.linkA.sent.suffix(6))")
            #expect(sim.a.address == subnet("192.0.2.50/24"), "seed \(seed)")
        }
    }
}
