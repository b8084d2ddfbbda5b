import NSAPI
import NetSockStack
import NetSockWire
import Testing

/// TCP over links that offload segmentation and checksums: what the stack hands such a
/// device, what the wire then carries, and that nothing is lost or trusted wrongly.
@Suite struct TCPOffloadTests {
    let tso: LinkOffloads = [.checksum, .tcpSegmentation]

    @Test("with segmentation offload bulk data leaves in packets of many segments, which the device cuts to the MTU")
    func segmentedByTheDevice() throws {
        let sim = Simulation(offloads: self.tso)
        let (client, server, _) = try sim.establish()
        let data = pattern(4_000_000, seed: 3)
        let got = sim.transfer(data, from: client, to: server)
        #expect(got.count == data.count)
        #expect(firstDifference(got, data) == nil)
        let large = sim.linkA.sentFrames.filter { $0.count > 1514 }
        #expect(!large.isEmpty)
        #expect(sim.linkA.sentFrames.allSatisfy { $0.count <= 14 + 65_535 })
        // The cable carries only frames of the MTU, each with its checksum finished
        // (B verifies every one: the link does not vouch for them).
        #expect(sim.linkB.receivedLengths.allSatisfy { $0 <= 1514 })
        #expect(sim.linkB.receivedChecksums.allSatisfy { $0 == .unchecked })
        #expect(sim.b.counters.drops[.badChecksum, default: 0] == 0)
        // Large packets carry whole segments: every one but the last of a burst is a
        // multiple of the segment size.
        let segment = try #require(client.connection).maximumSegmentSize
        for frame in large.dropLast() {
            let payload = frame.count - 14 - 20 - Int(frame[14 + 20 + 12] >> 4) * 4
            #expect(payload % segment == 0, "payload \(payload), segment \(segment)")
        }
        #expect(try #require(client.connection).retransmittedSegments == 0)
    }

    @Test("passed whole, 64 KB segments with partial checksums are taken on the link's word")
    func largeSegmentsReceived() throws {
        let sim = Simulation(offloads: self.tso, passesLargeSegments: true)
        let (client, server, _) = try sim.establish()
        let data = pattern(4_000_000, seed: 4)
        let got = sim.transfer(data, from: client, to: server)
        #expect(got.count == data.count)
        #expect(firstDifference(got, data) == nil)
        #expect(sim.linkB.receivedLengths.contains { $0 > 60_000 })
        #expect(sim.b.counters.drops[.badChecksum, default: 0] == 0)
        // And the reverse direction, through the same kind of cable.
        let back = pattern(1_000_000, seed: 5)
        let returned = sim.transfer(back, from: server, to: client)
        #expect(firstDifference(returned, back) == nil)
    }

    @Test("a partial checksum from a link that does not vouch for it is refused")
    func partialChecksumNotTrusted() throws {
        // A sends through a cable that passes its packets whole; B's end of a second,
        // plain cable gets them as they are.
        let sender = Simulation(offloads: self.tso, passesLargeSegments: true)
        let (client, server, _) = try sender.establish()
        let data = pattern(200_000, seed: 6)
        _ = sender.transfer(data, from: client, to: server)
        let partial = sender.linkA.sentFrames.filter { $0.count > 1514 }
        let frame = try #require(partial.first)
        let plain = Simulation()
        plain.inject(frame, to: plain.b)
        plain.settle()
        #expect(plain.b.counters.drops[.badChecksum, default: 0] == 1)
    }

    @Test("segmentation offload under seeded loss, reordering and duplication: intact, retransmissions bounded", arguments: [0.01, 0.05, 0.10])
    func offloadUnderFaults(_ drop: Double) throws {
        var faults = LinkFaults()
        faults.dropChance = 1 - (1 - drop).squareRoot()
        faults.reorderChance = 0.02
        faults.duplicateChance = 0.01
        faults.delay = .milliseconds(1)
        let sim = Simulation(faults: faults, seed: 77, offloads: self.tso)
        let (client, server, _) = try sim.establish()
        let data = pattern(1_000_000, seed: 8)
        let got = sim.transfer(data, from: client, to: server, deadline: .seconds(1200))
        let connection = try #require(client.connection)
        #expect(got.count == data.count, "\(drop): \(connection.debugSummary)")
        #expect(firstDifference(got, data) == nil)
        #expect(sim.linkA.sentFrames.contains { $0.count > 1514 })
        let segments = data.count / 1448
        print("TCP offload loss \(drop): \(connection.retransmittedSegments) retransmitted for \(segments) segments, \(connection.timeouts) timeouts")
        #expect(connection.retransmittedSegments <= Int(Double(segments) * drop * 2) + 12, "\(drop): \(connection.debugSummary)")
    }
}
