import NSAPI
public import NetSockWire

/// Segment arrival (RFC 9293 §3.10.7): the checks in the RFC's order, RFC 5961's
/// defences, RFC 7323's PAWS, then acknowledgment, window, data and FIN.
extension TCPConnection {
    public func process(_ segment: TCPRepr, _ payload: UnsafeRawBufferPointer, at now: Instant) {
        switch self.state {
        case .closed, .listen: return
        case .synSent: return self.processInSynSent(segment, at: now)
        default: break
        }
        let sequence = SequenceNumber(segment.sequenceNumber)
        let flags = segment.flags
        let isReset = flags.contains(.rst)
        let length = payload.count + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0)

        if self.state == .synReceived && flags.contains(.syn) && !isReset {
            // Simultaneous open: the peer's SYN-ACK acknowledges ours (RFC 9293 figure 8).
            if sequence + 1 == self.receiveNext, let ackNumber = segment.acknowledgmentNumber,
               SequenceNumber(ackNumber) - self.sendUnacknowledged > 0, SequenceNumber(ackNumber) - self.sendMaximum <= 0
            {
                self.sendUnacknowledged = SequenceNumber(ackNumber)
                self.sendNext = self.sendUnacknowledged
                self.retransmitDeadline = nil
                self.retransmissions = 0
                self.sendWindow = Int(segment.window)
                self.becomeEstablished(at: now)
                self.scheduleImmediateAck()
                return
            }
            // The peer's SYN again (our SYN-ACK was lost): answer it again.
            if sequence + 1 == self.receiveNext {
                self.sendNext = self.initialSendSequence
                self.interface.queueOutput(self)
                return
            }
        }
        // PAWS (RFC 7323 §5.3): an older timestamp than the last one is a stale duplicate.
        if self.timestampsEnabled, !isReset, let stamp = segment.timestamps,
           Int32(bitPattern: stamp.value &- self.recentTimestamp) < 0
        {
            self.segmentsRefused += 1
            self.scheduleImmediateAck()
            return
        }
        let window = self.acceptanceWindow
        var payload = payload
        var finFlag = flags.contains(.fin)
        if !SegmentChecks.isAcceptable(sequence: sequence, length: length, receiveNext: self.receiveNext, window: window) {
            // A zero window still takes ACKs and RSTs at RCV.NXT (RFC 9293 §3.10.7.4).
            guard window == 0, sequence == self.receiveNext else {
                self.segmentsRefused += 1
                if !isReset { self.scheduleImmediateAck() }
                return
            }
            payload = UnsafeRawBufferPointer(rebasing: payload[0..<0])
            finFlag = false
        }
        self.lastReceivedAt = now
        self.keepAliveProbes = 0
        if self.timestampsEnabled, let stamp = segment.timestamps, self.receiveNext - sequence >= 0 {
            self.recentTimestamp = stamp.value
        }

        if isReset {
            // TIME-WAIT ignores resets, so a stray one cannot cut it short (RFC 1337).
            if self.state == .timeWait { return }
            switch SegmentChecks.reset(sequence: sequence, receiveNext: self.receiveNext, window: Swift.max(window, 1)) {
            case .reset: self.terminate(self.state == .synReceived && self.listener == nil ? .connectionRefused : .connectionReset, at: now)
            case .challenge: self.sendChallengeAck(at: now)
            case .drop: break
            }
            return
        }
        if flags.contains(.syn) {
            self.sendChallengeAck(at: now)  // RFC 5961 §4.
            return
        }
        guard let ackNumber = segment.acknowledgmentNumber else { return }
        let ack = SequenceNumber(ackNumber)
        if self.state == .synReceived {
            guard ack - self.sendUnacknowledged > 0, ack - self.sendMaximum <= 0 else {
                self.sendReset(sequence: ack, at: now)
                return
            }
            self.becomeEstablished(at: now)
        }
        guard self.handleAcknowledgment(ack, segment, sequence: sequence, payloadLength: payload.count, at: now) else { return }
        if self.state == .closed || self.state == .timeWait && length == 0 { return }

        switch self.state {
        case .established, .finWait1, .finWait2:
            self.receiveData(payload, at: sequence, fin: finFlag, at: now)
        case .timeWait:
            // The peer's FIN again: our last ACK was lost. Answer and wait anew.
            if finFlag {
                self.scheduleImmediateAck()
                self.closeDeadline = now + self.settings.timeWait
            }
        default:
            // CLOSE-WAIT, CLOSING, LAST-ACK: the peer's stream ended; retransmissions get an ACK.
            if length > 0 { self.scheduleImmediateAck() }
        }
    }

    /// What a segment may fill: the window advertised, or the buffer's free space when
    /// that is larger (reading made room the peer has not heard of yet).
    var acceptanceWindow: Int {
        Swift.max(0, Swift.max(self.advertisedEdge - self.receiveNext, self.receiveBuffer.freeSpace))
    }

    // MARK: SYN-SENT (RFC 9293 §3.10.7.3)

    private func processInSynSent(_ segment: TCPRepr, at now: Instant) {
        let flags = segment.flags
        let ack = segment.acknowledgmentNumber.map(SequenceNumber.init)
        if let ack, !(ack - self.initialSendSequence > 0 && ack - self.sendMaximum <= 0) {
            if !flags.contains(.rst) { self.sendReset(sequence: ack, at: now) }
            return
        }
        if flags.contains(.rst) {
            if ack != nil { self.terminate(.connectionRefused, at: now) }
            return
        }
        guard flags.contains(.syn) else { return }
        let sequence = SequenceNumber(segment.sequenceNumber)
        self.initialReceiveSequence = sequence
        self.receiveNext = sequence + 1
        self.advertisedEdge = self.receiveNext
        self.negotiate(segment, sequence: sequence)
        self.lastReceivedAt = now
        if let ack {
            if let timed = self.timedSegment, self.retransmissions == 0, ack - timed.sequence > 0 {
                self.retransmission.sample(now - timed.sentAt)
            }
            self.timedSegment = nil
            self.sendUnacknowledged = ack
            self.sendWindowUpdateAcknowledgment = ack
            self.retransmitDeadline = nil
            self.retransmissions = 0
            self.becomeEstablished(at: now)
            self.scheduleImmediateAck()
            self.notify()
        } else {
            // Simultaneous open: our SYN goes again, now with an ACK.
            self.state = .synReceived
            self.sendNext = self.initialSendSequence
            self.interface.queueOutput(self)
        }
    }

    /// The options of the peer's SYN decide what both sides use (RFC 7323, RFC 2018).
    func negotiate(_ syn: TCPRepr, sequence: SequenceNumber) {
        self.peerMaximumSegmentSize = Swift.max(88, Int(syn.maximumSegmentSize ?? 536))
        if self.settings.windowScaling, let shift = syn.windowScale {
            self.sendWindowShift = Swift.min(shift, 14)
        } else {
            self.sendWindowShift = 0
            self.receiveWindowShift = 0
        }
        self.sackEnabled = self.settings.selectiveAcknowledgments && syn.sackPermitted
        self.timestampsEnabled = self.settings.timestamps && syn.timestamps != nil
        if let stamp = syn.timestamps { self.recentTimestamp = stamp.value }
        self.segmentSize = Swift.min(self.peerMaximumSegmentSize, self.localMaximumSegmentSize) - (self.timestampsEnabled ? 12 : 0)
        self.congestion = self.settings.congestionControl.make(segmentSize: self.segmentSize)
        // The window in a SYN is never scaled.
        self.sendWindow = Int(syn.window)
        self.maximumWindowSeen = self.sendWindow
        self.sendWindowUpdateSequence = sequence
        self.optionsNegotiated = true
    }

    func becomeEstablished(at now: Instant) {
        self.state = .established
        self.lastReceivedAt = now
        if self.finQueued { self.state = .finWait1 }
        self.armKeepAlive(at: now)
        if let listener = self.listener {
            listener.established(self)
        }
        self.notify()
    }

    // MARK: Acknowledgments

    /// False when the segment is to be dropped (a challenge ACK went out instead).
    private func handleAcknowledgment(
        _ ack: SequenceNumber, _ segment: TCPRepr, sequence: SequenceNumber, payloadLength: Int, at now: Instant
    ) -> Bool {
        let verdict = SegmentChecks.acknowledgment(
            ack, sendUnacknowledged: self.sendUnacknowledged, sendNext: self.sendMaximum, maximumWindowSeen: self.maximumWindowSeen)
        if verdict == .challenge {
            self.sendChallengeAck(at: now)
            return false
        }
        if self.sackEnabled {
            for block in segment.sackBlocks {
                self.scoreboard.add(
                    left: SequenceNumber(block.left), right: SequenceNumber(block.right),
                    sendUnacknowledged: self.sendUnacknowledged, sendMaximum: self.sendMaximum)
            }
        }
        if self.inRecovery, ack == self.sendUnacknowledged, let mark = self.retransmissionMark, self.retransmittedUpTo > 0,
           !self.scoreboard.contains(0), (self.sendUnacknowledged + self.scoreboard.highestSACKed) - mark > 0
        {
            // Data sent after our retransmission of the first hole was SACKed, and the hole
            // is still there: the retransmission was lost. Send the holes again, with one
            // more reduction, as for a new loss (RFC 6675 §5 leaves this to the timer).
            self.retransmissionMark = nil
            self.retransmittedUpTo = 0
            self.retransmitFirstPending = true
            self.congestion.lost(inFlight: self.pipe, at: now)
            self.trace?("\(now) lost retransmission: \(self.debugSummary)")
        }
        let previousWindow = self.sendWindow
        if verdict != .old,
           self.sendWindowUpdateSequence - sequence < 0 || (self.sendWindowUpdateSequence == sequence && self.sendWindowUpdateAcknowledgment - ack <= 0)
        {
            self.sendWindow = Int(segment.window) << Int(self.sendWindowShift)
            self.sendWindowUpdateSequence = sequence
            self.sendWindowUpdateAcknowledgment = ack
            self.maximumWindowSeen = Swift.max(self.maximumWindowSeen, self.sendWindow)
            if self.sendWindow > previousWindow {
                self.interface.queueOutput(self)
                if self.sendWindow > 0 { self.persistDeadline = nil; self.persistBackoff = 0 }
            }
        }
        switch verdict {
        case .advances:
            self.acknowledged(up: ack, segment, at: now)
            // SACKs can show a loss on an ACK that also moved SND.UNA (RFC 6675 §5 step 4).
            if !self.inRecovery && self.sackEnabled && self.lossDetected && self.state.isSynchronized && self.state != .closed {
                self.enterRecovery(at: now)
            }
        case .duplicate:
            let outstanding = self.sendMaximum - self.sendUnacknowledged
            if payloadLength == 0, !segment.flags.contains(.fin), self.sendWindow == previousWindow, outstanding > 0 {
                self.duplicateAcknowledgments += 1
                if !self.inRecovery && self.lossDetected {
                    self.enterRecovery(at: now)
                }
                self.interface.queueOutput(self)
            }
        case .old, .challenge:
            break
        }
        return true
    }

    /// RFC 6675's trigger: three duplicate ACKs, or more than two segments' worth SACKed
    /// above SND.UNA.
    private var lossDetected: Bool {
        self.duplicateAcknowledgments >= 3 || (self.sackEnabled && self.scoreboard.sackedBytes > 2 * self.segmentSize)
    }

    private func enterRecovery(at now: Instant) {
        self.fastRecoveries += 1
        self.trace?("\(now) fast recovery: \(self.debugSummary)")
        self.inRecovery = true
        self.recoveryPoint = self.sendMaximum
        self.congestion.lost(inFlight: self.pipe, at: now)
        self.retransmittedUpTo = 0
        // The first hole goes out at once, whatever the window (RFC 6675 §5 step 4.3).
        self.retransmitFirstPending = true
        self.timedSegment = nil
    }

    private func acknowledged(up ack: SequenceNumber, _ segment: TCPRepr, at now: Instant) {
        let acknowledged = ack - self.sendUnacknowledged
        let dataEnd = self.sendBufferStart + self.sendBuffer.count
        let dataAcknowledged = Swift.max(0, Swift.min(ack - self.sendBufferStart, dataEnd - self.sendBufferStart))
        if dataAcknowledged > 0 {
            self.sendBuffer.consume(dataAcknowledged)
            self.sendBufferStart += dataAcknowledged
        }
        self.sendUnacknowledged = ack
        if self.sendNext - ack < 0 { self.sendNext = ack }
        self.scoreboard.acknowledged(acknowledged)
        self.retransmissionMark = nil
        self.retransmittedUpTo = Swift.max(0, self.retransmittedUpTo - acknowledged)
        self.duplicateAcknowledgments = 0

        // Round-trip time: from the echoed timestamp, else from the one timed segment.
        var sample: TimeSpan?
        if self.timestampsEnabled, let stamp = segment.timestamps, stamp.echo != 0 {
            let elapsed = Int64(Int32(bitPattern: self.timestampClock(now) &- stamp.echo))
            if elapsed >= 0 { sample = .milliseconds(elapsed) }
        } else if let timed = self.timedSegment, ack - timed.sequence > 0 {
            sample = now - timed.sentAt
            self.timedSegment = nil
        }
        if let sample { self.retransmission.sample(sample) }
        self.retransmissions = 0
        self.firstRetransmissionAt = nil

        if self.inRecovery {
            if ack - self.recoveryPoint >= 0 {
                self.inRecovery = false
                self.recoveringFromTimeout = false
                self.retransmitFirstPending = false
            } else if self.recoveringFromTimeout {
                // Slow start goes on through the rest of what the timeout declared lost.
                self.congestion.acknowledged(dataAcknowledged, rtt: self.retransmission.smoothed, at: now)
            } else if !self.sackEnabled {
                // NewReno's partial ACK (RFC 6582): the next hole is lost too.
                self.retransmitFirstPending = true
                self.retransmittedUpTo = 0
            }
        } else if dataAcknowledged > 0 {
            self.congestion.acknowledged(dataAcknowledged, rtt: self.retransmission.smoothed, at: now)
        }
        self.retransmitDeadline = self.sendMaximum == self.sendUnacknowledged ? nil : now + self.retransmission.timeout
        self.persistBackoff = 0

        if self.finQueued && ack - dataEnd > 0 {
            // Our FIN is acknowledged.
            switch self.state {
            case .finWait1:
                self.state = .finWait2
                if self.isOrphan { self.closeDeadline = now + self.settings.finWait2Timeout }
            case .closing:
                self.enterTimeWait(at: now)
            case .lastAck:
                self.terminate(nil, at: now)
                return
            default:
                break
            }
        }
        if dataAcknowledged > 0 || self.state != .established { self.notify() }
        self.interface.queueOutput(self)
    }

    // MARK: Data and FIN

    private func receiveData(_ payload: UnsafeRawBufferPointer, at sequence: SequenceNumber, fin: Bool, at now: Instant) {
        var start = sequence
        var bytes = payload
        let finSequence = sequence + payload.count
        // Already received: cut the front.
        let old = self.receiveNext - start
        if old > 0 {
            self.duplicateBytesReceived += Swift.min(old, bytes.count)
            bytes = UnsafeRawBufferPointer(rebasing: bytes[Swift.min(old, bytes.count)...])
            start = self.receiveNext
        }
        let offset = start - self.receiveNext
        var fin = fin
        let room = self.receiveBuffer.freeSpace - offset
        if bytes.count > room {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[0..<Swift.max(0, room)])
            fin = false
        }
        if !bytes.isEmpty {
            if offset == 0 {
                self.receiveBuffer.write(bytes, at: self.receiveBuffer.count)
                self.receiveBuffer.commit(bytes.count)
                self.outOfOrder.advance(by: bytes.count)
                let joined = self.outOfOrder.removeFront()
                self.receiveBuffer.commit(joined)
                self.receiveNext += bytes.count + joined
                if joined > 0 || !self.outOfOrder.isEmpty {
                    // Filling a hole: acknowledge at once (RFC 5681 §4.2).
                    self.scheduleImmediateAck()
                    self.quickAcknowledgments = Self.quickAcknowledgmentCount
                } else if self.quickAcknowledgments > 0 {
                    // Just after a loss the sender's window is small: every ACK counts.
                    self.quickAcknowledgments -= 1
                    self.scheduleImmediateAck()
                } else {
                    self.bytesSinceAck += bytes.count
                    if self.bytesSinceAck >= 2 * self.segmentSize {
                        self.scheduleImmediateAck()
                    } else if self.delayedAckDeadline == nil {
                        self.delayedAckDeadline = now + self.settings.delayedAcknowledgment
                    }
                }
                if self.readShut { self.receiveBuffer.consume(self.receiveBuffer.count) }
                self.notify()
            } else {
                if self.outOfOrder.ranges.contains(where: { $0.lowerBound <= offset && $0.upperBound >= offset + bytes.count }) {
                    self.duplicateBytesReceived += bytes.count
                }
                if self.outOfOrder.add(offset: offset, length: bytes.count) {
                    self.receiveBuffer.write(bytes, at: self.receiveBuffer.count + offset)
                    self.sackHistory.insert(start, at: 0)
                    if self.sackHistory.count > 8 { self.sackHistory.removeLast() }
                } else {
                    fin = false
                }
                // Out of order: a duplicate ACK with SACK at once (RFC 5681 §4.2).
                self.scheduleImmediateAck()
            }
        } else if payload.count > 0 {
            self.scheduleImmediateAck()  // All old: the peer missed our ACK.
        }
        if fin {
            if finSequence == self.receiveNext {
                self.takeFin(at: now)
            } else if finSequence - self.receiveNext > 0 {
                self.pendingFin = finSequence
            }
        }
        if let pending = self.pendingFin, pending == self.receiveNext {
            self.takeFin(at: now)
        }
    }

    private func takeFin(at now: Instant) {
        guard !self.finReceived else { return }
        self.receiveNext += 1
        self.finReceived = true
        self.pendingFin = nil
        self.scheduleImmediateAck()
        switch self.state {
        case .established, .synReceived:
            self.state = .closeWait
        case .finWait1:
            self.state = .closing
        case .finWait2:
            self.enterTimeWait(at: now)
        default:
            break
        }
        self.notify()
    }

    func enterTimeWait(at now: Instant) {
        self.state = .timeWait
        self.retransmitDeadline = nil
        self.persistDeadline = nil
        self.keepAliveDeadline = nil
        self.closeDeadline = now + self.settings.timeWait
        self.notify()
    }

    func scheduleImmediateAck() {
        self.ackNow = true
        self.interface.queueOutput(self)
    }

    func sendChallengeAck(at now: Instant) {
        guard self.challenges.allow(at: now) else { return }
        self.scheduleImmediateAck()
    }
}
