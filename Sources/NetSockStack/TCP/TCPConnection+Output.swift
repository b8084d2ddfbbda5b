import NSAPI
import NetSockWire

/// What to send: the SYN, lost segments first in recovery (RFC 6675's NextSeg), new
/// data within the congestion and peer windows with Nagle's and the sender's silly
/// window rules, the FIN, and an ACK when one is owed and nothing else carried it.
extension TCPConnection {
    /// Bytes in the network by RFC 6675's reckoning: sent and neither acknowledged,
    /// SACKed nor counted lost (holes below the highest SACK not yet retransmitted).
    var pipe: Int {
        let outstanding = self.sendNext - self.sendUnacknowledged
        guard self.recoveringFromTimeout || (self.sackEnabled && !self.scoreboard.isEmpty) else { return outstanding }
        var pipe = outstanding - self.scoreboard.sackedBytes(below: outstanding)
        if self.inRecovery { pipe -= self.scoreboard.holeBytes(from: self.retransmittedUpTo, below: self.lossLimit) }
        return Swift.max(0, pipe)
    }

    /// Where lost data ends, as an offset from SND.UNA: after a timeout everything sent before it;
    /// in SACK recovery the highest SACKed byte; without SACK, only the first segment.
    var lossLimit: Int {
        // New data sent since is in flight, not lost.
        if self.recoveringFromTimeout { return Swift.max(0, self.recoveryPoint - self.sendUnacknowledged) }
        if self.sackEnabled && !self.scoreboard.isEmpty {
            // The first hole always (it caused the recovery), the rest once SACKs above prove them lost.
            return Swift.max(self.scoreboard.lossBoundary(threshold: 2 * self.segmentSize), self.scoreboard.nextHole(from: 0, below: .max)?.upperBound ?? 0)
        }
        return Swift.min(self.segmentSize, self.sendMaximum - self.sendUnacknowledged)
    }

    /// The sequence number of the FIN, once the application has ended its stream.
    var finSequence: SequenceNumber { self.sendBufferStart + self.sendBuffer.count }

    func output(at now: Instant) {
        switch self.state {
        case .closed, .listen:
            return
        case .synSent, .synReceived:
            if self.sendNext == self.initialSendSequence {
                self.sendSynchronize(at: now)
            } else if self.ackNow && self.state == .synReceived {
                self.ackNow = false
            }
            return
        default:
            break
        }
        var sentAny = false
        if self.state != .timeWait {
            sentAny = self.sendRetransmissions(at: now)
            if self.sendNewData(at: now) { sentAny = true }
            if self.sendFinIfDue(at: now) { sentAny = true }
        }
        if !sentAny && self.ackNow {
            self.sendSegment(sequence: self.acceptableSequence, flags: [], length: 0, at: now)
        }
        // Data waits on a closed window and nothing is in flight: probe it.
        if self.sendNext == self.sendMaximum, self.sendBufferStart + self.sendBuffer.count - self.sendNext > 0,
           self.retransmitDeadline == nil, self.persistDeadline == nil
        {
            self.persistDeadline = now + self.persistInterval
        }
    }

    /// The sequence number of a pure ACK: SND.NXT, unless that lies past the right edge
    /// of the peer's window (a window that shrank, or data the peer dropped for want of
    /// memory), where a receiver finds the segment unacceptable and ignores the ACK in it
    /// (RFC 9293 §3.10.7.4; Linux checks exactly that). Then the window's edge, as Linux's
    /// own `tcp_acceptable_seq` does: otherwise two stacks that each wait for the other's
    /// ACK deadlock with both windows shut.
    var acceptableSequence: SequenceNumber {
        let windowEnd = self.sendUnacknowledged + self.sendWindow
        return self.sendNext - windowEnd > 0 ? windowEnd : self.sendNext
    }

    var persistInterval: TimeSpan {
        let base = self.retransmission.timeout.microseconds
        return TimeSpan(microseconds: Swift.min(base << Swift.min(self.persistBackoff, 16), self.settings.retransmission.maximum.microseconds))
    }

    private func sendSynchronize(at now: Instant) {
        if self.retransmissions == 0 && self.timedSegment == nil { self.timedSegment = (self.initialSendSequence, now) }
        self.sendSegment(sequence: self.initialSendSequence, flags: .syn, length: 0, at: now)
        self.sendNext = self.initialSendSequence + 1
        if self.sendMaximum - self.sendNext < 0 { self.sendMaximum = self.sendNext }
        if self.retransmitDeadline == nil { self.retransmitDeadline = now + self.retransmission.timeout }
    }

    /// Holes first, in recovery: the first at once, the rest while the pipe has room.
    private func sendRetransmissions(at now: Instant) -> Bool {
        guard self.inRecovery || self.retransmitFirstPending else { return false }
        var sent = false
        while true {
            let first = self.retransmitFirstPending
            guard first || self.pipe < self.congestion.window else { break }
            // Without SACK, fast recovery (RFC 6582) resends one segment per partial ACK.
            if !first && !self.recoveringFromTimeout && !(self.sackEnabled && !self.scoreboard.isEmpty) { break }
            guard var hole = self.scoreboard.nextHole(from: self.retransmittedUpTo, below: self.lossLimit) else { break }
            // Only data (and the FIN after it) is ever lost here.
            let dataEnd = self.sendBufferStart + self.sendBuffer.count - self.sendUnacknowledged
            hole = hole.lowerBound..<Swift.min(hole.upperBound, Swift.max(dataEnd, hole.lowerBound + 1))
            guard !hole.isEmpty else { break }
            let sequence = self.sendUnacknowledged + hole.lowerBound
            let length = Swift.min(self.segmentSize, hole.count, Swift.max(0, dataEnd - hole.lowerBound))
            let carriesFin = self.finQueued && sequence + length == self.finSequence && self.sendMaximum - self.finSequence > 0
            guard length > 0 || carriesFin else { break }
            if hole.lowerBound == 0 { self.retransmissionMark = self.sendMaximum }
            let done = self.sendSegment(sequence: sequence, flags: carriesFin ? .fin : [], length: length, at: now)
            self.retransmittedUpTo = hole.lowerBound + Swift.max(done, 1)
            self.retransmitFirstPending = false
            sent = true
            if self.sendNext - (sequence + done) < 0 { self.sendNext = sequence + done }
        }
        return sent
    }

    /// New data (or, after a timeout rewound SND.NXT, data again) from SND.NXT: with
    /// segmentation offload, as many whole segments as the windows allow in one packet.
    private func sendNewData(at now: Instant) -> Bool {
        var sent = false
        let burst = self.interface.offloadsTCPSegmentation ? Interface.largestOffloadedPayload(headerLength: 60) : self.segmentSize
        while true {
            let offset = self.sendNext - self.sendBufferStart
            let available = self.sendBuffer.count - offset
            guard available > 0 else { break }
            let windowRoom = (self.sendUnacknowledged + self.sendWindow) - self.sendNext
            let congestionRoom = self.congestion.window - self.pipe
            var length = Swift.min(burst, available, windowRoom, congestionRoom)
            guard length > 0 else { break }
            // Short segments only at the end of what there is, as without offload.
            if length > self.segmentSize && length < available { length -= length % self.segmentSize }
            if length < self.segmentSize {
                // Nagle (RFC 896) and the sender's SWS avoidance (RFC 9293 §3.8.6.2.1):
                // a short segment goes only when it is all there is and nothing is in
                // flight (or TCP_NODELAY), or when it fills half the largest window seen.
                let everything = length == available
                let nagle = self.settings.noDelay || self.sendNext == self.sendUnacknowledged || self.finQueued
                let halfWindow = self.maximumWindowSeen > 0 && length >= self.maximumWindowSeen / 2
                guard (everything && nagle) || halfWindow else { break }
            }
            let end = offset + length == self.sendBuffer.count
            let fin = end && self.finQueued && windowRoom > length
            let done = self.sendSegment(sequence: self.sendNext, flags: end ? (fin ? [.psh, .fin] : .psh) : [], length: length, at: now)
            guard done > 0 else { break }
            sent = true
        }
        return sent
    }

    private func sendFinIfDue(at now: Instant) -> Bool {
        guard self.finQueued, self.sendNext == self.finSequence else { return false }
        guard self.state == .finWait1 || self.state == .lastAck || self.state == .closing else { return false }
        self.sendSegment(sequence: self.sendNext, flags: .fin, length: 0, at: now)
        return true
    }

    /// Builds and sends one segment of `length` data bytes from `sequence` (fewer when
    /// SACK blocks take room); returns the data bytes sent.
    @discardableResult
    func sendSegment(sequence: SequenceNumber, flags: TCPFlags, length: Int, at now: Instant) -> Int {
        let synchronized = self.state != .synSent
        var repr = TCPRepr(
            sourcePort: self.local.port, destinationPort: self.remote.port, sequenceNumber: sequence.rawValue,
            acknowledgmentNumber: synchronized ? self.receiveNext.rawValue : nil, flags: flags,
            window: self.windowField(synchronizing: flags.contains(.syn)))
        if flags.contains(.syn) {
            repr.maximumSegmentSize = UInt16(clamping: self.localMaximumSegmentSize)
            let offerAll = !self.optionsNegotiated
            if self.settings.windowScaling && (offerAll || self.sendWindowShift > 0 || self.receiveWindowShift > 0) {
                repr.windowScale = self.receiveWindowShift
            }
            repr.sackPermitted = self.settings.selectiveAcknowledgments && (offerAll || self.sackEnabled)
            if self.settings.timestamps && (offerAll || self.timestampsEnabled) {
                repr.timestamps = TCPTimestamps(value: self.timestampClock(now), echo: offerAll ? 0 : self.recentTimestamp)
            }
        } else if self.timestampsEnabled {
            repr.timestamps = TCPTimestamps(value: self.timestampClock(now), echo: self.recentTimestamp)
        }
        if self.sackEnabled && synchronized && !self.outOfOrder.isEmpty {
            repr.sackBlocks = self.sackBlocksToReport()
        }
        var length = length
        // Payload per wire segment: SACK blocks take room from the data.
        let wireSegment = self.segmentSize - (repr.headerLength - TCPSegment.minimumHeaderLength - (self.timestampsEnabled ? 12 : 0))
        if length > wireSegment {
            length = self.interface.offloadsTCPSegmentation
                ? Swift.min(length, Interface.largestOffloadedPayload(headerLength: repr.headerLength)) : wireSegment
        }
        var flags = repr.flags
        if length > 0 && flags.contains(.fin) && sequence + length != self.finSequence { flags.remove(.fin) }
        repr.flags = flags
        let offset = sequence - self.sendBufferStart
        let sent = self.interface.transmitTCP(
            repr, from: self.local, to: self.remote, typeOfService: self.settings.typeOfService, payloadLength: length, segmentSize: wireSegment,
            at: now
        ) { buffer in
            guard length > 0 else { return }
            var at = 0
            self.sendBuffer.peek(from: offset, maximum: length) { first, second in
                UnsafeMutableRawBufferPointer(rebasing: buffer[0..<first.count]).copyMemory(from: first)
                at = first.count
                if !second.isEmpty {
                    UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + second.count)]).copyMemory(from: second)
                }
            }
        }
        if synchronized {
            self.ackNow = false
            self.delayedAckDeadline = nil
            self.bytesSinceAck = 0
        }
        guard sent else { return 0 }
        let consumed = length + (flags.contains(.fin) ? 1 : 0) + (flags.contains(.syn) ? 1 : 0)
        guard consumed > 0 else { return 0 }
        let end = sequence + consumed
        if sequence - self.sendMaximum < 0 {
            self.retransmittedSegments += 1
            if let timed = self.timedSegment, timed.sequence - sequence >= 0, timed.sequence - end < 0 { self.timedSegment = nil }
        } else if !self.timestampsEnabled && self.timedSegment == nil && !flags.contains(.syn) {
            self.timedSegment = (sequence, now)
        }
        if self.sendNext - end < 0 { self.sendNext = end }
        if self.sendMaximum - end < 0 { self.sendMaximum = end }
        if self.retransmitDeadline == nil { self.retransmitDeadline = now + self.retransmission.timeout }
        self.persistDeadline = nil
        return length
    }

    /// The window field: free buffer space from RCV.NXT, never pulling the right edge
    /// back, and moved forward only by a useful amount (receiver SWS avoidance).
    func windowField(synchronizing: Bool) -> UInt16 {
        var edge = self.receiveNext + self.receiveBuffer.freeSpace
        let threshold = Swift.min(self.localMaximumSegmentSize, self.receiveBuffer.capacity / 2)
        if edge - self.advertisedEdge < threshold && self.advertisedEdge - self.receiveNext >= 0 {
            edge = self.advertisedEdge
        }
        if self.advertisedEdge - edge > 0 { edge = self.advertisedEdge }
        let window = Swift.max(0, edge - self.receiveNext)
        if synchronizing {
            let field = Swift.min(window, 0xFFFF)
            self.advertisedEdge = self.receiveNext + field
            return UInt16(field)
        }
        let shift = Int(self.receiveWindowShift)
        let field = Swift.min(0xFFFF, (window + (1 << shift) - 1) >> shift)
        self.advertisedEdge = self.receiveNext + Swift.max(window, field << shift)
        return UInt16(field)
    }

    /// Our out-of-order ranges as SACK blocks: the one that changed last first, then
    /// those that changed before it, then any never reported (RFC 2018 §4).
    func sackBlocksToReport() -> [SACKBlock] {
        let ranges = self.outOfOrder.ranges
        var chosen: [Range<Int>] = []
        var kept: [SequenceNumber] = []
        for sequence in self.sackHistory {
            let offset = sequence - self.receiveNext
            guard let range = ranges.first(where: { $0.contains(offset) }) else { continue }
            kept.append(sequence)
            if !chosen.contains(range) { chosen.append(range) }
        }
        self.sackHistory = kept
        for range in ranges where chosen.count < 4 && !chosen.contains(range) { chosen.append(range) }
        return chosen.prefix(4).map { range in
            SACKBlock(left: (self.receiveNext + range.lowerBound).rawValue, right: (self.receiveNext + range.upperBound).rawValue)
        }
    }

    /// RFC 7323's clock: milliseconds, from a random start per connection.
    func timestampClock(_ now: Instant) -> UInt32 {
        UInt32(truncatingIfNeeded: now.milliseconds) &+ self.timestampOffset
    }

    func sendReset(sequence: SequenceNumber, at now: Instant) {
        let repr = TCPRepr(
            sourcePort: self.local.port, destinationPort: self.remote.port, sequenceNumber: sequence.rawValue, flags: .rst, window: 0)
        _ = self.interface.transmitTCP(repr, from: self.local, to: self.remote, typeOfService: 0, payloadLength: 0, at: now) { _ in }
    }

    /// A keep-alive or zero-window probe: an empty segment one below SND.UNA, which
    /// the peer must answer with an ACK carrying its window.
    func sendProbe(at now: Instant) {
        var repr = TCPRepr(
            sourcePort: self.local.port, destinationPort: self.remote.port, sequenceNumber: (self.sendUnacknowledged - 1).rawValue,
            acknowledgmentNumber: self.receiveNext.rawValue, window: self.windowField(synchronizing: false))
        if self.timestampsEnabled { repr.timestamps = TCPTimestamps(value: self.timestampClock(now), echo: self.recentTimestamp) }
        _ = self.interface.transmitTCP(repr, from: self.local, to: self.remote, typeOfService: 0, payloadLength: 0, at: now) { _ in }
    }
}
