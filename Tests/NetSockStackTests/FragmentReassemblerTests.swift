import NSAPI
import NetSockStack
import NetSockWire
import Testing

/// The reassembler on its own, fed hand-made fragments: order, duplicates, overlaps,
/// time and every bound a sender controls.
@Suite struct FragmentReassemblerTests {
    static let source = ip("198.51.100.7")
    static let destination = ip("192.0.2.1")
    let whole: [UInt8] = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }

    /// One fragment of `whole` (or of `data` when given) at `offset`, as bytes on the wire.
    func fragment(_ range: Range<Int>, of data: [UInt8]? = nil, more: Bool? = nil, id: UInt16 = 42, from source: IPv4Address = source) -> [UInt8] {
        let data = data ?? self.whole
        let repr = IPv4Repr(
            source: source, destination: Self.destination, protocol: .udp, payloadLength: range.count,
            identification: id, moreFragments: more ?? (range.upperBound < data.count), fragmentOffset: range.lowerBound)
        return repr.bytes + data[range]
    }

    func add(_ bytes: [UInt8], to reassembler: inout FragmentReassembler, at now: Instant = .seconds(1)) throws -> FragmentReassembler.Outcome {
        try bytes.withUnsafeBytes { buffer in
            let packet = try IPv4Packet(checking: buffer)
            return reassembler.add(packet, try IPv4Repr(packet), at: now)
        }
    }

    func completed(_ outcome: FragmentReassembler.Outcome) -> [UInt8]? {
        if case .complete(let repr, let payload) = outcome {
            #expect(repr.fragmentOffset == 0 && !repr.moreFragments && repr.payloadLength == payload.count)
            return payload
        }
        return nil
    }

    func dropReason(_ outcome: FragmentReassembler.Outcome) -> DropReason? {
        if case .dropped(let reason) = outcome { return reason }
        return nil
    }

    @Test func piecesInAnyOrderMakeTheWholeAndFreeTheirMemory() throws {
        let pieces = [0..<1000, 1000..<2000, 2000..<3000]
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            var reassembler = FragmentReassembler()
            var result: [UInt8]?
            for (step, index) in order.enumerated() {
                let outcome = try self.add(self.fragment(pieces[index]), to: &reassembler)
                if step < 2 { #expect(self.completed(outcome) == nil) } else { result = self.completed(outcome) }
            }
            #expect(result == self.whole, "order \(order)")
            #expect(reassembler.inProgress == 0 && reassembler.bytesHeld == 0 && reassembler.nextDeadline == nil)
        }
    }

    @Test func anExactDuplicateIsIgnoredAndAnOverlapDiscardsTheDatagram() throws {
        var reassembler = FragmentReassembler()
        _ = try self.add(self.fragment(0..<1000), to: &reassembler)
        #expect(self.dropReason(try self.add(self.fragment(0..<1000), to: &reassembler)) == nil)
        #expect(self.dropReason(try self.add(self.fragment(8..<504), to: &reassembler)) == nil, "inside, same bytes")
        #expect(reassembler.inProgress == 1)
        // Same place, other bytes: the FragmentSmack/teardrop shape. The datagram goes.
        var forged = self.whole
        forged[500] ^= 0xFF
        #expect(self.dropReason(try self.add(self.fragment(496..<1000, of: forged), to: &reassembler)) == .reassemblyOverlap)
        #expect(reassembler.inProgress == 0 && reassembler.bytesHeld == 0)
        // A partial overlap of a later piece also discards.
        _ = try self.add(self.fragment(0..<1000), to: &reassembler)
        #expect(self.dropReason(try self.add(self.fragment(992..<2000), to: &reassembler)) == .reassemblyOverlap)
        #expect(reassembler.inProgress == 0)
    }

    @Test func lastFragmentsThatDisagreeOnTheLengthDiscard() throws {
        var reassembler = FragmentReassembler()
        _ = try self.add(self.fragment(2000..<3000), to: &reassembler)
        #expect(self.dropReason(try self.add(self.fragment(1000..<2000, more: false), to: &reassembler)) == .reassemblyOverlap)
        // A piece past the end the last fragment set.
        _ = try self.add(self.fragment(1000..<2000, more: false, id: 44), to: &reassembler)
        #expect(self.dropReason(try self.add(self.fragment(2000..<3000, more: true, id: 44), to: &reassembler)) == .reassemblyOverlap)
        // A middle piece whose length is not a multiple of 8.
        #expect(self.dropReason(try self.add(self.fragment(0..<1001, more: true), to: &reassembler)) == .malformed)
    }

    @Test func aDatagramLargerThanOnePacketIsRefusedNotBuilt() throws {
        // The "ping of death": pieces that would reassemble past 65,535 bytes with a header.
        var reassembler = FragmentReassembler()
        let big = [UInt8](repeating: 7, count: 65_535)
        _ = try self.add(self.fragment(0..<1480, of: big), to: &reassembler)
        #expect(self.dropReason(try self.add(self.fragment(65_512..<65_520, of: big, more: false), to: &reassembler)) == .malformed)
        #expect(reassembler.inProgress == 0 && reassembler.bytesHeld == 0)
        // Exactly the largest: 65,515 bytes of payload.
        let largest = [UInt8](repeating: 9, count: 65_515)
        var outcome = FragmentReassembler.Outcome.incomplete
        for start in stride(from: 0, to: largest.count, by: 1480) {
            outcome = try self.add(self.fragment(start..<min(start + 1480, largest.count), of: largest, id: 5), to: &reassembler)
        }
        #expect(self.completed(outcome) == largest)
    }

    @Test func aLastFragmentEndingBeforeHeldBytesIsRefused() throws {
        var reassembler = FragmentReassembler()
        _ = try self.add(self.fragment(1000..<2000), to: &reassembler)
        #expect(self.dropReason(try self.add(self.fragment(0..<504, more: false), to: &reassembler)) == .reassemblyOverlap)
        #expect(reassembler.inProgress == 0)
    }

    @Test func anUnfinishedDatagramExpiresWithWhatTheTimeExceededMessageQuotes() throws {
        var reassembler = FragmentReassembler()
        let first = self.fragment(0..<1000)
        _ = try self.add(first, to: &reassembler, at: .seconds(1))
        _ = try self.add(self.fragment(2000..<3000, id: 43), to: &reassembler, at: .seconds(5))
        #expect(reassembler.nextDeadline == .seconds(31))
        #expect(reassembler.expire(at: .seconds(30)).isEmpty)
        let expired = reassembler.expire(at: .seconds(31))
        #expect(expired.count == 1 && expired[0].source == Self.source)
        #expect(expired[0].invoking == Array(first.prefix(20 + 8)))
        // The one without its first fragment has nothing to quote.
        let later = reassembler.expire(at: .seconds(35))
        #expect(later.count == 1 && later[0].invoking == nil)
        #expect(reassembler.inProgress == 0 && reassembler.bytesHeld == 0)
    }

    @Test func datagramsBytesAndPiecesAreBounded() throws {
        var settings = FragmentReassembler.Settings()
        settings.maximumDatagrams = 4
        settings.maximumBytes = 8000
        settings.maximumPieces = 5
        var reassembler = FragmentReassembler(settings: settings)
        for id in 0..<4 { _ = try self.add(self.fragment(0..<8, id: UInt16(id)), to: &reassembler, at: .seconds(Int64(1 + id))) }
        // Full: the oldest makes way, so stray fragments cannot starve reassembly.
        #expect(self.dropReason(try self.add(self.fragment(0..<8, id: 99), to: &reassembler, at: .seconds(9))) == nil)
        #expect(reassembler.inProgress == 4 && reassembler.evicted == 1)
        #expect(reassembler.nextDeadline == .seconds(32), "the one from second 1 went")

        var roomy = settings
        roomy.maximumPieces = 64
        reassembler = FragmentReassembler(settings: roomy)
        // A fragment far out costs its own bytes, not its offset.
        let far = [UInt8](repeating: 1, count: 60_000)
        _ = try self.add(self.fragment(0..<8, of: far), to: &reassembler)
        _ = try self.add(self.fragment(59_000..<60_000, of: far), to: &reassembler)
        #expect(reassembler.inProgress == 1 && reassembler.bytesHeld == 1008)
        // Past 8000 bytes held in all, the datagram that would grow goes.
        var refused: DropReason?
        for start in stride(from: 10_000, to: 50_000, by: 2000) where refused == nil {
            refused = self.dropReason(try self.add(self.fragment(start..<start + 1000, of: far, id: 3), to: &reassembler))
        }
        #expect(refused == .reassemblyMemory)
        #expect(reassembler.bytesHeld == 1008, "the growing datagram went whole; the first stays")

        reassembler = FragmentReassembler(settings: settings)
        // Separated 8-byte pieces: the sixth hole-making piece is one too many.
        var outcome = FragmentReassembler.Outcome.incomplete
        for piece in 0..<6 { outcome = try self.add(self.fragment(piece * 16..<piece * 16 + 8), to: &reassembler) }
        #expect(self.dropReason(outcome) == .reassemblyMemory)
        // Everything the discarded datagram held is given back (its last piece included).
        #expect(reassembler.inProgress == 0 && reassembler.bytesHeld == 0)
    }

    @Test func aFloodOfRandomFragmentsNeverHoldsMoreThanTheBounds() throws {
        let settings = FragmentReassembler.Settings()
        var reassembler = FragmentReassembler(settings: settings)
        var random = StackRandom(seed: 7)
        let data = [UInt8](repeating: 0x5A, count: 65_000)
        for step in 0..<20_000 {
            let start = random.below(8000) * 8
            let length = min(random.below(200) * 8 + 8, data.count - start)
            let id = UInt16(random.below(64))
            let source = IPv4Address(0xC633_6400 | UInt32(random.below(4)))
            _ = try self.add(
                self.fragment(start..<start + length, of: data, more: random.below(8) != 0, id: id, from: source),
                to: &reassembler, at: .milliseconds(Int64(step)))
            #expect(reassembler.inProgress <= settings.maximumDatagrams)
            #expect(reassembler.bytesHeld <= settings.maximumBytes)
        }
        _ = reassembler.expire(at: .seconds(100))
        #expect(reassembler.inProgress == 0 && reassembler.bytesHeld == 0)
    }
}
