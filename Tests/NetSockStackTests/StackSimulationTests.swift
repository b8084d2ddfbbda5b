import NSAPI
import NetSockStack
import NetSockWire
import Testing

/// Two stacks on an in-memory cable: ARP, UDP, ICMP, fragmentation, with and without
/// faults. Deterministic: a manual clock and seeded randomness, no sleeping.
@Suite struct StackSimulationTests {
    @Test func udpResolvesTheNeighbourOnceAndCarriesDatagramsBothWays() throws {
        let sim = Simulation()
        let server = sim.b.makeUDPSocket()
        try server.bind(IPv4Endpoint(.any, 7))
        let client = sim.a.makeUDPSocket()
        try client.send(Array("hello".utf8), to: IPv4Endpoint(ip("192.0.2.2"), 7), at: sim.now)
        sim.settle()
        let request = try #require(server.receive())
        #expect(request.payload == Array("hello".utf8))
        #expect(request.source.address == ip("192.0.2.1") && Interface.ephemeralPorts.contains(request.source.port))
        #expect(request.destination == ip("192.0.2.2"))
        try server.send(request.payload.reversed(), to: request.source, at: sim.now)
        sim.settle()
        #expect(client.receive()?.payload == Array("olleh".utf8))
        // A asked once; B learnt A from the request and needed no question of its own.
        #expect(sim.linkA.sent.filter { $0.contains("ARP who-has 192.0.2.2") }.count == 1)
        #expect(sim.linkB.sent.filter { $0.contains("ARP who-has 192.0.2.1") }.isEmpty)
        #expect(sim.a.hardwareAddress(for: ip("192.0.2.2"), at: sim.now) == macB)
        #expect(sim.b.hardwareAddress(for: ip("192.0.2.1"), at: sim.now) == macA)
        #expect(sim.a.counters.totalDrops == 0 && sim.b.counters.totalDrops == 0)
        // The first announcement (the second is due 2 s later), the ARP request, the datagram.
        #expect(sim.a.counters.framesSent == 3)
    }

    @Test func echoRequestsAreAnsweredWithTheirData() throws {
        let sim = Simulation()
        var replies: [ICMPv4Repr] = []
        sim.a.onEchoReply = { source, reply in
            #expect(source == ip("192.0.2.2"))
            replies.append(reply)
        }
        let data = (0..<56).map { UInt8($0) }
        try sim.a.sendEchoRequest(to: ip("192.0.2.2"), identifier: 77, sequenceNumber: 1, data: data, at: sim.now)
        sim.settle()
        #expect(replies == [.echoReply(identifier: 77, sequenceNumber: 1, data: data)])
    }

    @Test func largeDatagramsAndPingsAreFragmentedAndReassembled() throws {
        let sim = Simulation()
        let server = sim.b.makeUDPSocket()
        try server.bind(IPv4Endpoint(ip("192.0.2.2"), 9000))
        let client = sim.a.makeUDPSocket()
        for size in [1472, 1473, 4000, 8192, Interface.maximumUDPPayload] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ size) }
            try client.send(payload, to: IPv4Endpoint(ip("192.0.2.2"), 9000), at: sim.now)
            sim.settle()
            #expect(server.receive()?.payload == payload, "size \(size)")
        }
        // 4000 bytes of UDP payload: 4008 of IP payload in 1480-byte pieces, so three fragments.
        let fragments = sim.linkA.sent.filter { $0.contains("fragment") }
        #expect(fragments.count == 0 + 2 + 3 + 6 + 45)
        var replies: [ICMPv4Repr] = []
        sim.a.onEchoReply = { _, reply in replies.append(reply) }
        let data = [UInt8](repeating: 0xA5, count: 4000)
        try sim.a.sendEchoRequest(to: ip("192.0.2.2"), identifier: 1, sequenceNumber: 9, data: data, at: sim.now)
        sim.settle()
        #expect(replies == [.echoReply(identifier: 1, sequenceNumber: 9, data: data)])
        #expect(sim.b.reassembliesInProgress == 0 && sim.a.reassembliesInProgress == 0)
        #expect(sim.a.counters.totalDrops == 0 && sim.b.counters.totalDrops == 0)
    }

    @Test func anUnansweredNeighbourIsAskedThreeTimesThenItsPacketsAreDropped() throws {
        let sim = Simulation()
        let client = sim.a.makeUDPSocket()
        for index in 0..<3 {
            try client.send([UInt8(index)], to: IPv4Endpoint(ip("192.0.2.99"), 7), at: sim.now)
        }
        sim.run(for: .seconds(10))
        #expect(sim.linkA.sent.filter { $0.contains("ARP who-has 192.0.2.99") }.count == 3)
        #expect(sim.a.counters.drops[.arpFailed] == 3)
        #expect(sim.a.nextPoll == nil)
    }

    @Test func packetsWaitingForARPAreBoundedInBytes() throws {
        var settings = Interface.Settings()
        settings.arp.bytesInTotal = 10_000
        let sim = Simulation(settings: settings)
        let client = sim.a.makeUDPSocket()
        for _ in 0..<100 {
            try client.send([UInt8](repeating: 1, count: 972), to: IPv4Endpoint(ip("192.0.2.99"), 7), at: sim.now)
        }
        // 1000-byte packets: ten fit.
        #expect(sim.a.counters.drops[.arpQueueFull] == 90)
    }

    @Test func theGatewayIsTheNextHopOffLink() throws {
        let sim = Simulation()
        let client = sim.a.makeUDPSocket()
        try client.send([1], to: IPv4Endpoint(ip("198.51.100.7"), 7), at: sim.now)
        sim.settle()
        #expect(sim.linkA.sent.contains("02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff ARP who-has 192.0.2.254 tell 192.0.2.1"))
        #expect(!sim.linkA.sent.contains { $0.contains("who-has 198.51.100.7") })
        // B has no gateway: off-link is unreachable.
        #expect(throws: StackError.noRoute) { try sim.b.makeUDPSocket().send([1], to: IPv4Endpoint(ip("198.51.100.7"), 7), at: sim.now) }
    }

    @Test func closedPortsAnswerPortUnreachableAtALimitedRate() throws {
        var settings = Interface.Settings()
        settings.icmpErrorBurst = 5
        settings.icmpErrorRate = 10
        let sim = Simulation(settings: settings)
        let client = sim.a.makeUDPSocket()
        for _ in 0..<20 {
            try client.send([1, 2, 3], to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now)
        }
        sim.settle()
        let unreachables = sim.linkB.sent.filter { $0.contains("ICMP unreachable code 3") }
        #expect(unreachables.count == 5)
        #expect(sim.b.counters.drops[.noSocket] == 20)
        #expect(sim.b.counters.drops[.icmpRateLimited] == 15)
        // A second later the bucket holds ten again (rate 10, burst 5: five).
        sim.run(for: .seconds(1))
        for _ in 0..<20 {
            try client.send([1, 2, 3], to: IPv4Endpoint(ip("192.0.2.2"), 9), at: sim.now)
        }
        sim.settle()
        #expect(sim.linkB.sent.filter { $0.contains("ICMP unreachable code 3") }.count == 10)
    }

    @Test func broadcastsReachSocketsBoundToAnyAndPingsToThemGoUnanswered() throws {
        let sim = Simulation()
        let listener = sim.b.makeUDPSocket()
        try listener.bind(IPv4Endpoint(.any, 5353))
        let sender = sim.a.makeUDPSocket()
        try sender.send([1], to: IPv4Endpoint(ip("192.0.2.255"), 5353), at: sim.now)
        try sender.send([2], to: IPv4Endpoint(.broadcast, 5353), at: sim.now)
        try sender.send([3], to: IPv4Endpoint(.broadcast, 5354), at: sim.now)
        var replies = 0
        sim.a.onEchoReply = { _, _ in replies += 1 }
        try sim.a.sendEchoRequest(to: ip("192.0.2.255"), identifier: 1, sequenceNumber: 1, data: [], at: sim.now)
        sim.settle()
        #expect(listener.receive()?.destination == ip("192.0.2.255"))
        #expect(listener.receive()?.destination == .broadcast)
        #expect(listener.receive() == nil)
        #expect(replies == 0)
        // No ARP for broadcasts, and no unreachable for the unbound broadcast port.
        #expect(sim.linkA.sent.filter { $0.contains("who-has 192.0.2.2") }.isEmpty)
        #expect(sim.linkB.sent.filter { $0.contains("unreachable") }.isEmpty)
    }

    @Test func bindingFollowsThePortRules() throws {
        let sim = Simulation()
        let first = sim.b.makeUDPSocket()
        try first.bind(IPv4Endpoint(.any, 5000))
        #expect(throws: StackError.addressInUse) { try sim.b.makeUDPSocket().bind(IPv4Endpoint(ip("192.0.2.2"), 5000)) }
        #expect(throws: StackError.addressNotAvailable) { try sim.b.makeUDPSocket().bind(IPv4Endpoint(ip("192.0.2.3"), 5001)) }
        #expect(throws: StackError.invalidArgument) { try first.bind(IPv4Endpoint(.any, 5002)) }
        first.close()
        try sim.b.makeUDPSocket().bind(IPv4Endpoint(ip("192.0.2.2"), 5000))
        #expect(throws: StackError.closed) { try first.send([1], to: IPv4Endpoint(ip("192.0.2.1"), 1), at: sim.now) }
        var ports = Set<UInt16>()
        for _ in 0..<200 {
            let socket = sim.b.makeUDPSocket()
            try socket.bind(IPv4Endpoint(.any, 0))
            ports.insert(socket.localEndpoint!.port)
        }
        #expect(ports.count == 200 && ports.allSatisfy { Interface.ephemeralPorts.contains($0) })
    }

    @Test func aConnectedSocketHearsOnlyItsPeer() throws {
        let sim = Simulation()
        let server = sim.b.makeUDPSocket()
        try server.bind(IPv4Endpoint(.any, 7000))
        try server.connect(IPv4Endpoint(ip("192.0.2.1"), 6000))
        let right = sim.a.makeUDPSocket()
        try right.bind(IPv4Endpoint(.any, 6000))
        let wrong = sim.a.makeUDPSocket()
        try wrong.bind(IPv4Endpoint(.any, 6001))
        try wrong.send([0], to: IPv4Endpoint(ip("192.0.2.2"), 7000), at: sim.now)
        try right.send([1], to: IPv4Endpoint(ip("192.0.2.2"), 7000), at: sim.now)
        sim.settle()
        #expect(server.receive()?.payload == [1])
        #expect(server.receive() == nil)
        try server.send([2], at: sim.now)
        sim.settle()
        #expect(right.receive()?.payload == [2])
    }

    @Test func aFullReceiveQueueDropsAndCounts() throws {
        var settings = Interface.Settings()
        settings.udp.maximumQueuedDatagrams = 10
        let sim = Simulation(settings: settings)
        let server = sim.b.makeUDPSocket()
        try server.bind(IPv4Endpoint(.any, 7))
        let client = sim.a.makeUDPSocket()
        for index in 0..<25 {
            try client.send([UInt8(index)], to: IPv4Endpoint(ip("192.0.2.2"), 7), at: sim.now)
            sim.settle()
        }
        #expect(server.queuedDatagrams == 10)
        #expect(sim.b.counters.drops[.socketQueueFull] == 15)
        #expect((0..<10).map { _ in server.receive()!.payload[0] } == Array(0..<10))
    }

    @Test func gratuitousARPRevealsAnAddressConflict() throws {
        let sim = Simulation(configure: false)
        sim.a.configure(subnet("192.0.2.1/24"), at: sim.now)
        sim.b.configure(subnet("192.0.2.1/24"), at: sim.now)
        sim.run(for: .seconds(3))
        // Each defends once, then reports the second conflict, once.
        #expect(sim.a.takeEvents() == [.addressConflict(ip("192.0.2.1"), macB)])
        #expect(sim.b.takeEvents() == [.addressConflict(ip("192.0.2.1"), macA)])
        #expect(sim.linkA.sent.filter { $0.contains("who-has 192.0.2.1 tell 192.0.2.1") }.count == 3, "two announcements and a defence")
        #expect(sim.a.counters.arpConflicts >= 2)
    }

    @Test func oneForgedClaimIsDefendedNotReported() throws {
        let sim = Simulation()
        sim.run(for: .seconds(5))
        _ = sim.a.takeEvents()
        let forged = ARPRepr.request(from: MACAddress(2, 0, 0, 0, 0, 0x66), ip("192.0.2.1"), for: ip("192.0.2.1")).bytes
        let frame = EthernetRepr(source: MACAddress(2, 0, 0, 0, 0, 0x66), destination: .broadcast, etherType: .arp).bytes + forged
        sim.inject(frame, to: sim.a)
        sim.settle()
        #expect(sim.a.takeEvents().isEmpty)
        #expect(sim.a.address == subnet("192.0.2.1/24"))
        #expect(sim.linkA.sent.last?.contains("who-has 192.0.2.1 tell 192.0.2.1") == true, "defended with an announcement")
        // Again 20 s later: defended again, still not reported.
        sim.run(for: .seconds(20))
        sim.inject(frame, to: sim.a)
        sim.settle()
        #expect(sim.a.takeEvents().isEmpty)
        // Twice within 10 s: contested.
        sim.inject(frame, to: sim.a)
        sim.settle()
        #expect(sim.a.takeEvents() == [.addressConflict(ip("192.0.2.1"), MACAddress(2, 0, 0, 0, 0, 0x66))])
    }

    @Test func framesForOtherStationsAndGarbageAreCountedNotProcessed() throws {
        let sim = Simulation()
        let (endA, _) = (sim.linkA.inner as! QueueLink, 0)
        let other = EthernetRepr(source: macB, destination: MACAddress(parsing: "02:00:00:00:00:99")!, etherType: .ipv4).bytes + [UInt8](repeating: 0, count: 46)
        endA.incoming.push(other)
        endA.incoming.push([1, 2, 3])
        endA.incoming.push(EthernetRepr(source: macB, destination: macA, etherType: .ipv6).bytes + [0])
        endA.incoming.push(EthernetRepr(source: macB, destination: macA, etherType: .ipv4).bytes + [0x45, 0])
        sim.settle()
        #expect(sim.a.counters.drops == [.notForUs: 1, .malformed: 2, .unknownProtocol: 1])
    }
}

/// Packets to our own address stay inside the stack.
@Suite struct LoopbackTests {
    @Test func datagramsAndPingsToOurOwnAddressNeverReachTheLink() throws {
        let sim = Simulation()
        let server = sim.a.makeUDPSocket()
        try server.bind(IPv4Endpoint(ip("192.0.2.1"), 7))
        let client = sim.a.makeUDPSocket()
        try client.send(Array("self".utf8), to: IPv4Endpoint(ip("192.0.2.1"), 7), at: sim.now)
        #expect(sim.a.nextPoll == sim.now, "the looped packet is due at once")
        sim.settle()
        let received = try #require(server.receive())
        #expect(received.payload == Array("self".utf8) && received.source.address == ip("192.0.2.1"))
        var replies: [ICMPv4Repr] = []
        sim.a.onEchoReply = { _, reply in replies.append(reply) }
        try sim.a.sendEchoRequest(to: ip("192.0.2.1"), identifier: 3, sequenceNumber: 1, data: [1, 2, 3], at: sim.now)
        sim.settle()
        #expect(replies == [.echoReply(identifier: 3, sequenceNumber: 1, data: [1, 2, 3])])
        // Nothing but the address announcement went out.
        #expect(sim.linkA.sent.allSatisfy { $0.contains("ARP") })
        // 127/8 has no route here; a flood to ourselves is bounded.
        #expect(throws: StackError.noRoute) { try client.send([1], to: IPv4Endpoint(ip("127.0.0.1"), 7), at: sim.now) }
        let big = [UInt8](repeating: 0, count: 60_000)
        var refused = false
        for _ in 0..<10 {
            do { try client.send(big, to: IPv4Endpoint(ip("192.0.2.1"), 9), at: sim.now) } catch { refused = error == .noBufferSpace }
        }
        #expect(refused)
        sim.settle()
    }
}

/// ICMP echo sockets: identifiers, demultiplexing, and what they refuse.
@Suite struct ICMPSocketTests {
    @Test func eachSocketGetsTheRepliesToItsOwnIdentifier() throws {
        let sim = Simulation()
        let first = sim.a.makeICMPSocket()
        let second = sim.a.makeICMPSocket()
        try second.bind(identifier: 4242)
        #expect(throws: StackError.addressInUse) { try sim.a.makeICMPSocket().bind(identifier: 4242) }
        // The checksum and identifier the program wrote are replaced.
        let request: [UInt8] = [8, 0, 0xDE, 0xAD, 0xBE, 0xEF, 0, 7] + Array("ping".utf8)
        for socket in [first, second] {
            _ = try request.withUnsafeBytes { try socket.send($0, to: ip("192.0.2.2"), at: sim.now) }
        }
        sim.settle()
        let one = try #require(first.receive())
        let two = try #require(second.receive())
        #expect(first.receive() == nil && second.receive() == nil)
        #expect(one.source == ip("192.0.2.2") && two.source == ip("192.0.2.2"))
        #expect(two.message[0] == 0 && two.message[4...5] == [0x10, 0x92] && two.message[6...7] == [0, 7])
        #expect(Array(two.message[8...]) == Array("ping".utf8))
        let firstID = try #require(first.identifier)
        #expect(one.message[4...5] == [UInt8(firstID >> 8), UInt8(truncatingIfNeeded: firstID)] && firstID != 4242)
        #expect(two.message.withUnsafeBytes { InternetChecksum.of($0) } == 0, "the reply checks out")
        // Only echo requests, with a whole header.
        for bad: [UInt8] in [[0, 0, 0, 0, 0, 0, 0, 1], [8, 1, 0, 0, 0, 0, 0, 1], [8, 0, 0]] {
            #expect(throws: StackError.invalidArgument) { _ = try bad.withUnsafeBytes { try first.send($0, to: ip("192.0.2.2"), at: sim.now) } }
        }
        // A closed socket's identifier is free again, and replies to it are dropped.
        second.close()
        try sim.a.makeICMPSocket().bind(identifier: 4242)
    }
}

/// Multicast membership as an IGMPv2 host.
@Suite struct MulticastTests {
    let group = ip("239.1.2.3")

    func igmp(_ frames: [[UInt8]]) -> [(IPv4Repr, IGMPRepr)] {
        frames.compactMap { frame in
            frame.withUnsafeBytes { bytes -> (IPv4Repr, IGMPRepr)? in
                guard let ethernet = try? EthernetFrame(checking: bytes), ethernet.etherType == .ipv4,
                    let packet = try? IPv4Packet(checking: ethernet.payload), let ip = try? IPv4Repr(packet), ip.protocol == .igmp,
                    let message = try? IGMPRepr(IGMPPacket(checking: packet.payload))
                else { return nil }
                return (ip, message)
            }
        }
    }

    @Test func joiningReportsTwiceAndBringsTheGroupsDatagrams() throws {
        let sim = Simulation()
        let start = sim.now
        try sim.a.joinGroup(self.group, at: sim.now)
        let listener = sim.a.makeUDPSocket()
        try listener.bind(IPv4Endpoint(.any, 5000))
        sim.run(for: .seconds(11))
        let reports = self.igmp(sim.linkA.sentFrames)
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.0.destination == self.group && $0.0.timeToLive == 1 && $0.1 == .membershipReport(group: self.group, version: .v2) })
        // The frames went to the group's MAC address.
        #expect(sim.linkA.sentFrames.filter { Array($0.prefix(6)) == MACAddress(multicast: self.group).bytes }.count == 2)
        _ = start
        try sim.b.makeUDPSocket().send(Array("to the group".utf8), to: IPv4Endpoint(self.group, 5000), at: sim.now)
        try sim.b.makeUDPSocket().send(Array("elsewhere".utf8), to: IPv4Endpoint(ip("239.9.9.9"), 5000), at: sim.now)
        sim.settle()
        #expect(listener.receive()?.payload == Array("to the group".utf8))
        #expect(listener.receive() == nil && sim.a.counters.drops[.notForUs] == 1)
        #expect(sim.a.joinedGroups == [self.group])
    }

    @Test func queriesAreAnsweredWithinTheirTimeUnlessAnotherMemberAnswersFirst() throws {
        let sim = Simulation()
        try sim.a.joinGroup(self.group, at: sim.now)
        sim.run(for: .seconds(11))  // Past the unsolicited repeat.
        let before = self.igmp(sim.linkA.sentFrames).count
        // B, as a router, asks everyone with 2 s to answer.
        let query = IGMPRepr.membershipQuery(maximumResponseTime: 20, group: .any)
        try self.sendIGMP(query, from: sim, to: ip("224.0.0.1"))
        let asked = sim.now
        sim.run(for: .seconds(3))
        let answers = self.igmp(sim.linkA.sentFrames).dropFirst(before)
        #expect(answers.count == 1 && answers.first?.1 == .membershipReport(group: self.group, version: .v2))
        let answeredAt = try #require(sim.linkA.sentTimes.last)
        #expect(answeredAt - asked <= .seconds(2))

        // Asked again, but another member reports first: A stays quiet, and when it
        // leaves it sends no Leave (its report was not the last).
        try self.sendIGMP(query, from: sim, to: ip("224.0.0.1"))
        try self.sendIGMP(.membershipReport(group: self.group, version: .v2), from: sim, to: self.group)
        sim.run(for: .seconds(3))
        #expect(self.igmp(sim.linkA.sentFrames).count == before + 1)
        sim.a.leaveGroup(self.group, at: sim.now)
        sim.settle()
        #expect(self.igmp(sim.linkA.sentFrames).count == before + 1)
    }

    @Test func theLastLocalMemberLeavingSendsALeave() throws {
        let sim = Simulation()
        try sim.a.joinGroup(self.group, at: sim.now)
        try sim.a.joinGroup(self.group, at: sim.now)
        sim.a.leaveGroup(self.group, at: sim.now)
        sim.settle()
        #expect(!self.igmp(sim.linkA.sentFrames).contains { $0.1 == .leaveGroup(group: self.group) })
        sim.a.leaveGroup(self.group, at: sim.now)
        sim.settle()
        let leave = try #require(self.igmp(sim.linkA.sentFrames).last)
        #expect(leave.1 == .leaveGroup(group: self.group) && leave.0.destination == ip("224.0.0.2"))
        #expect(sim.a.joinedGroups.isEmpty)
        #expect(throws: StackError.invalidArgument) { try sim.a.joinGroup(ip("192.0.2.9"), at: sim.now) }
    }

    @Test func aVersionOneRouterGetsVersionOneReportsAndNoLeaves() throws {
        let sim = Simulation()
        try sim.a.joinGroup(self.group, at: sim.now)
        sim.run(for: .seconds(11))
        let before = self.igmp(sim.linkA.sentFrames).count
        try self.sendIGMP(.membershipQuery(maximumResponseTime: 0, group: .any), from: sim, to: ip("224.0.0.1"))
        sim.run(for: .seconds(11))
        #expect(self.igmp(sim.linkA.sentFrames).dropFirst(before).map(\.1) == [.membershipReport(group: self.group, version: .v1)])
        sim.a.leaveGroup(self.group, at: sim.now)
        sim.settle()
        #expect(self.igmp(sim.linkA.sentFrames).count == before + 1, "no Leave while a v1 router is present")
        // 400 s later the v1 router is forgotten: a join reports in version 2 again.
        sim.run(for: .seconds(400))
        try sim.a.joinGroup(self.group, at: sim.now)
        sim.settle()
        #expect(self.igmp(sim.linkA.sentFrames).last?.1 == .membershipReport(group: self.group, version: .v2))
    }

    /// An IGMP message from B as a raw frame on A's side of the cable.
    func sendIGMP(_ message: IGMPRepr, from sim: Simulation, to destination: IPv4Address) throws {
        let payload = message.bytes
        let ip = IPv4Repr(source: ip("192.0.2.2"), destination: destination, protocol: .igmp, payloadLength: payload.count, timeToLive: 1)
        let ethernet = EthernetRepr(source: macB, destination: MACAddress(multicast: destination), etherType: .ipv4)
        sim.inject(ethernet.bytes + ip.bytes + payload, to: sim.a)
    }
}

/// Sources that are not one host are never answered (RFC 1122 §3.2.1.3).
@Suite struct SourceValidationTests {
    @Test func pingsFromBroadcastMulticastOrOurOwnAddressGoUnanswered() throws {
        let sim = Simulation()
        sim.run(for: .seconds(5))
        let sentBefore = sim.linkA.sent.count
        for source in ["255.255.255.255", "192.0.2.255", "224.0.0.9", "192.0.2.1", "127.0.0.1"] {
            let echo = ICMPv4Repr.echoRequest(identifier: 1, sequenceNumber: 1, data: [1, 2, 3])
            let header = IPv4Repr(source: ip(source), destination: ip("192.0.2.1"), protocol: .icmp, payloadLength: echo.length)
            let frame = EthernetRepr(source: macB, destination: macA, etherType: .ipv4).bytes + header.bytes + echo.bytes
            sim.inject(frame, to: sim.a)
            sim.settle()
        }
        #expect(sim.linkA.sent.count == sentBefore, "\(sim.linkA.sent.suffix(3))")
        #expect(sim.a.counters.drops[.malformed] == 5)
    }
}
