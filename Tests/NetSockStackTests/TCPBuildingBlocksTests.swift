import NSAPI
import NetSockStack
import Testing

/// The parts TCP is built from: sequence arithmetic, initial sequence numbers, the
/// out-of-order bookkeeping and the retransmission timer.
@Suite struct TCPBuildingBlocksTests {
    @Test func sequenceNumbersCompareAcrossTheWrap() {
        let near = SequenceNumber(0xFFFF_FFF0)
        let past = near + 0x20
        #expect(past.rawValue == 0x10)
        #expect(near < past && !(past < near) && past - near == 0x20 && near - past == -0x20)
        #expect(SequenceNumber(5).isWithin(SequenceNumber(0xFFFF_FFFE), length: 10))
        #expect(!SequenceNumber(8).isWithin(SequenceNumber(0xFFFF_FFFE), length: 10))
        #expect(!SequenceNumber(0xFFFF_FFFD).isWithin(SequenceNumber(0xFFFF_FFFE), length: 10))
        // Half the space away flips the order, as serial arithmetic says.
        #expect(SequenceNumber(0) < SequenceNumber(0x7FFF_FFFF) && SequenceNumber(0x8000_0001) < SequenceNumber(0))
    }

    @Test func sipHashMatchesTheReferenceVector() {
        // SipHash-2-4, key 00..0f, message 00..0e: the paper's 15-byte test vector.
        let hash = SipHash24.hash(Array(0..<15), key: (0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908))
        #expect(hash == 0xA129_CA61_49BE_45E5)
        #expect(SipHash24.hash([], key: (0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908)) == 0x726F_DB47_DD0E_0E31)
    }

    @Test func initialSequenceNumbersDifferPerConnectionAndClimbWithTime() {
        let isn = InitialSequenceNumbers(key0: 1, key1: 2)
        let local = IPv4Endpoint(IPv4Address(192, 0, 2, 1), 40000)
        let remote = IPv4Endpoint(IPv4Address(192, 0, 2, 2), 80)
        let first = isn.next(local: local, remote: remote, at: .seconds(10))
        #expect(isn.next(local: local, remote: remote, at: .seconds(10)) == first)
        #expect(isn.next(local: IPv4Endpoint(local.address, 40001), remote: remote, at: .seconds(10)) != first)
        // Four microseconds a tick: one second later the same connection is 250,000 ahead.
        #expect(isn.next(local: local, remote: remote, at: .seconds(11)) - first == 250_000)
        #expect(InitialSequenceNumbers(key0: 1, key1: 3).next(local: local, remote: remote, at: .seconds(10)) != first)
    }

    @Test func theAssemblerMergesAndHandsOverContiguousBytes() {
        var assembler = SegmentAssembler(maximumRanges: 4)
        var ok = assembler.add(offset: 10, length: 5)
        #expect(ok)
        ok = assembler.add(offset: 20, length: 5)
        #expect(ok)
        #expect(assembler.ranges == [10..<15, 20..<25])
        ok = assembler.add(offset: 13, length: 9)
        #expect(ok, "bridges both")
        #expect(assembler.ranges == [10..<25])
        var front = assembler.removeFront()
        #expect(front == 0, "a hole at the front")
        ok = assembler.add(offset: 0, length: 10)
        #expect(ok)
        front = assembler.removeFront()
        #expect(front == 25 && assembler.isEmpty)
        // In-order data moves the front under what is held.
        ok = assembler.add(offset: 4, length: 4)
        #expect(ok)
        assembler.advance(by: 6)
        #expect(assembler.ranges == [0..<2])
        assembler.advance(by: 2)
        #expect(assembler.isEmpty)
    }

    @Test func scatteredBytesCannotGrowTheBookkeeping() {
        var assembler = SegmentAssembler(maximumRanges: 4)
        for index in 0..<4 {
            let added = assembler.add(offset: 10 * index + 5, length: 1)
            #expect(added)
        }
        var added = assembler.add(offset: 100, length: 1)
        #expect(!added, "a fifth range is refused")
        #expect(assembler.ranges.count == 4)
        added = assembler.add(offset: 6, length: 9)
        #expect(added, "filling a hole needs no new range")
        var random = StackRandom(seed: 3)
        var big = SegmentAssembler(maximumRanges: 32)
        for _ in 0..<50_000 {
            _ = big.add(offset: random.below(1 << 20), length: 1 + random.below(1500))
            #expect(big.ranges.count <= 32)
            if random.chance(0.01) { big.advance(by: random.below(4000)) }
        }
        // Always sorted and apart.
        #expect(zip(big.ranges, big.ranges.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound })
    }

    @Test func theRetransmissionTimerFollowsRFC6298() {
        var timer = RetransmissionTimer()
        #expect(timer.timeout == .seconds(1))
        timer.sample(.milliseconds(100))
        // SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR = 300 ms.
        #expect(timer.smoothed == .milliseconds(100) && timer.variance == .milliseconds(50) && timer.timeout == .milliseconds(300))
        timer.sample(.milliseconds(200))
        // RTTVAR = 3/4·50 + 1/4·100 = 62.5 ms; SRTT = 7/8·100 + 1/8·200 = 112.5 ms; RTO = 362.5 ms.
        #expect(timer.variance == TimeSpan(microseconds: 62_500) && timer.smoothed == TimeSpan(microseconds: 112_500))
        #expect(timer.timeout == TimeSpan(microseconds: 362_500))
        for _ in 0..<20 { timer.sample(.milliseconds(1)) }
        #expect(timer.timeout == .milliseconds(200), "never below the minimum")
        for _ in 0..<20 { timer.backOff() }
        #expect(timer.timeout == .seconds(60) && timer.backoffs == 20, "doubling up to the maximum")
        timer.sample(.milliseconds(1))
        #expect(timer.backoffs == 0 && timer.timeout == .milliseconds(200))
    }
}

/// The TCP buffers: a ring that never grows, with room for data ahead of the front.
@Suite struct ByteRingTests {
    @Test func bytesGoAroundTheEndAndComeBackInOrder() {
        var ring = ByteRing(capacity: 10)
        #expect([UInt8](1...7).withUnsafeBytes { ring.append($0) } == 7)
        ring.consume(5)
        #expect([UInt8](8...15).withUnsafeBytes { ring.append($0) } == 8)
        #expect(ring.count == 10 && ring.freeSpace == 0)
        #expect([UInt8](16...20).withUnsafeBytes { ring.append($0) } == 0, "full: nothing is taken")
        #expect(ring.copy(maximum: 100) == Array(6...15))
        #expect(ring.copy(from: 3, maximum: 4) == Array(9...12))
        var slices = 0
        ring.peek(maximum: 10) { first, second in slices = (first.isEmpty ? 0 : 1) + (second.isEmpty ? 0 : 1) }
        #expect(slices == 2, "wrapped data comes in two slices")
    }

    @Test func dataAheadOfTheFrontWaitsUntilCommitted() {
        var ring = ByteRing(capacity: 16)
        #expect([UInt8](repeating: 9, count: 4).withUnsafeBytes { ring.write($0, at: 4) } == 4)
        #expect(ring.count == 0)
        #expect([UInt8](repeating: 1, count: 4).withUnsafeBytes { ring.append($0) } == 4)
        ring.commit(4)
        #expect(ring.copy(maximum: 16) == [1, 1, 1, 1, 9, 9, 9, 9])
        #expect([UInt8](repeating: 7, count: 40).withUnsafeBytes { ring.write($0, at: 10) } == 6, "cut to the capacity")
        #expect([UInt8](repeating: 7, count: 4).withUnsafeBytes { ring.write($0, at: 16) } == 0)
        var random = StackRandom(seed: 4)
        var model: [UInt8] = []
        var big = ByteRing(capacity: 1000)
        for _ in 0..<5000 {
            let bytes = (0..<random.below(300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let taken = bytes.withUnsafeBytes { big.append($0) }
            model += bytes.prefix(taken)
            let eaten = random.below(300)
            big.consume(eaten)
            model.removeFirst(Swift.min(eaten, model.count))
            #expect(big.count == model.count)
        }
        #expect(big.copy(maximum: 1000) == model)
    }
}

/// Congestion control: the window arithmetic of RFC 5681 and RFC 9438.
@Suite struct CongestionControlTests {
    let mss = 1000

    @Test func newRenoSlowStartsHalvesOnLossAndRestartsOnTimeout() {
        var reno = NewReno(segmentSize: self.mss)
        #expect(reno.window == 10_000, "IW10")
        // Slow start: each ACK of a full segment adds a segment.
        for _ in 0..<10 { reno.acknowledged(1000, rtt: nil, at: .zero) }
        #expect(reno.window == 20_000)
        reno.lost(inFlight: 20_000, at: .zero)
        #expect(reno.window == 10_000 && reno.slowStartThreshold == 10_000)
        // Congestion avoidance: a window's worth of ACKs adds one segment.
        for _ in 0..<10 { reno.acknowledged(1000, rtt: nil, at: .zero) }
        #expect(reno.window == 11_000)
        reno.timedOut(inFlight: 11_000, at: .zero)
        #expect(reno.window == 1000 && reno.slowStartThreshold == 5500)
        reno.lost(inFlight: 1000, at: .zero)
        #expect(reno.slowStartThreshold == 2000, "never under two segments")
    }

    /// Drives a controller with a full window acknowledged every RTT, as a bulk flow.
    func run(_ cubic: inout Cubic, from start: Instant, seconds: Double, rtt: TimeSpan) -> [(Double, Double)] {
        var now = start
        var trace: [(Double, Double)] = []
        while Double((now - start).microseconds) / 1e6 < seconds {
            let segments = cubic.window / self.mss
            for _ in 0..<Swift.max(1, segments) { cubic.acknowledged(self.mss, rtt: rtt, at: now) }
            now += rtt
            trace.append((Double((now - start).microseconds) / 1e6, Double(cubic.window) / Double(self.mss)))
        }
        return trace
    }

    @Test func cubicReturnsToTheLossWindowAtKThenProbesBeyond() {
        var cubic = Cubic(segmentSize: self.mss)
        // Grow to 100 segments, then lose.
        while cubic.window < 100 * self.mss { cubic.acknowledged(self.mss, rtt: .milliseconds(100), at: .zero) }
        cubic.lost(inFlight: cubic.window, at: .seconds(10))
        let start = Double(cubic.window) / Double(self.mss)
        #expect(abs(start - 0.7 * Double(100 + 1)) < 2, "β = 0.7: \(start)")
        // K = cbrt(W_max (1 − β) / C) ≈ 4.2 s for W_max ≈ 100.
        let trace = self.run(&cubic, from: .seconds(10), seconds: 8, rtt: .milliseconds(100))
        let atK = trace.first { $0.0 >= 4.2 }!.1
        #expect(abs(atK - 101) < 6, "back near W_max at K: \(atK)")
        // Concave before K (growth slowing), convex after (growth quickening).
        let w1 = trace.first { $0.0 >= 1 }!.1, w2 = trace.first { $0.0 >= 2 }!.1, w3 = trace.first { $0.0 >= 3 }!.1
        #expect(w2 - w1 > w3 - w2, "concave: \(w1) \(w2) \(w3)")
        let w6 = trace.first { $0.0 >= 6 }!.1, w7 = trace.first { $0.0 >= 7 }!.1, w8 = trace.last!.1
        #expect(w8 - w7 > w7 - w6 && w8 > 110, "convex past W_max: \(w6) \(w7) \(w8)")
    }

    @Test func cubicIsNeverSlowerThanRenoAndFastConvergenceYields() {
        // Small window, long RTT: Reno's estimate leads (the Reno-friendly region).
        var cubic = Cubic(segmentSize: self.mss)
        while cubic.window < 20 * self.mss { cubic.acknowledged(self.mss, rtt: .milliseconds(500), at: .zero) }
        cubic.lost(inFlight: cubic.window, at: .seconds(1))
        let before = cubic.window
        _ = self.run(&cubic, from: .seconds(1), seconds: 10, rtt: .milliseconds(500))
        // Reno-friendly growth is α ≈ 0.53 segments per RTT: 20 RTTs add at least 9.
        #expect(cubic.window - before >= 9 * self.mss, "\(before) → \(cubic.window)")
        // A second loss below the last maximum sets W_max lower (fast convergence).
        var yielding = Cubic(segmentSize: self.mss)
        while yielding.window < 100 * self.mss { yielding.acknowledged(self.mss, rtt: .milliseconds(10), at: .zero) }
        yielding.lost(inFlight: yielding.window, at: .seconds(1))
        yielding.lost(inFlight: yielding.window, at: .seconds(2))
        #expect(yielding.window < Int(0.7 * 0.7 * 101 * 1000) + 1000)
        yielding.timedOut(inFlight: yielding.window, at: .seconds(3))
        #expect(yielding.window == self.mss)
    }
}

/// RFC 9293 §3.10.7.4's acceptability table and RFC 5961's defences.
@Suite struct SegmentChecksTests {
    let next = SequenceNumber(0xFFFF_FFF0)  // the window wraps through zero

    @Test func theAcceptabilityTableHoldsAcrossTheWrap() {
        #expect(SegmentChecks.isAcceptable(sequence: self.next, length: 0, receiveNext: self.next, window: 0))
        #expect(!SegmentChecks.isAcceptable(sequence: self.next + 1, length: 0, receiveNext: self.next, window: 0))
        #expect(SegmentChecks.isAcceptable(sequence: self.next + 100, length: 0, receiveNext: self.next, window: 1000))
        #expect(!SegmentChecks.isAcceptable(sequence: self.next + 1000, length: 0, receiveNext: self.next, window: 1000))
        #expect(!SegmentChecks.isAcceptable(sequence: self.next, length: 10, receiveNext: self.next, window: 0), "data into a zero window")
        // A segment that starts before the window but ends inside it is acceptable.
        #expect(SegmentChecks.isAcceptable(sequence: self.next - 5, length: 10, receiveNext: self.next, window: 1000))
        #expect(!SegmentChecks.isAcceptable(sequence: self.next - 20, length: 10, receiveNext: self.next, window: 1000))
        #expect(SegmentChecks.isAcceptable(sequence: self.next + 990, length: 50, receiveNext: self.next, window: 1000))
    }

    @Test func blindResetsGetAChallengeOrNothing() {
        #expect(SegmentChecks.reset(sequence: self.next, receiveNext: self.next, window: 65535) == .reset)
        #expect(SegmentChecks.reset(sequence: self.next + 1, receiveNext: self.next, window: 65535) == .challenge)
        #expect(SegmentChecks.reset(sequence: self.next + 70_000, receiveNext: self.next, window: 65535) == .drop)
        #expect(SegmentChecks.reset(sequence: self.next - 1, receiveNext: self.next, window: 65535) == .drop)
    }

    @Test func acknowledgmentsOutsideTheSentRangeAreChallenged() {
        let una = SequenceNumber(1000), nxt = SequenceNumber(5000)
        func verdict(_ ack: UInt32) -> SegmentChecks.AcknowledgmentVerdict {
            SegmentChecks.acknowledgment(SequenceNumber(ack), sendUnacknowledged: una, sendNext: nxt, maximumWindowSeen: 500)
        }
        #expect(verdict(3000) == .advances && verdict(5000) == .advances)
        #expect(verdict(1000) == .duplicate)
        #expect(verdict(600) == .old && verdict(400) == .challenge)
        #expect(verdict(5001) == .challenge, "acknowledges what was never sent")
    }

    @Test func challengeACKsAreRateLimited() {
        var limiter = SegmentChecks.ChallengeLimiter(perSecond: 3)
        let allowed = (0..<10).filter { _ in limiter.allow(at: .seconds(5)) }.count
        #expect(allowed == 3)
        let later = limiter.allow(at: .seconds(6))
        #expect(later)
        #expect(TCPState.allCases.filter(\.isSynchronized).count == 8)
    }
}
