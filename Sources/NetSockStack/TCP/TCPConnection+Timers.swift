import NSAPI

/// The connection's timers: retransmission (RFC 6298, with the retry limits and user
/// timeout that end a dead connection), delayed ACK, zero-window persist, keep-alive,
/// and the FIN-WAIT-2 and TIME-WAIT ends.
extension TCPConnection {
    var nextDeadline: Instant? {
        var next = self.retransmitDeadline.earliest(self.delayedAckDeadline)
        next = next.earliest(self.persistDeadline).earliest(self.closeDeadline)
        return next.earliest(self.keepAliveDeadline)
    }

    /// Runs what is due; true when anything was.
    func runTimers(at now: Instant) -> Bool {
        var didWork = false
        if let due = self.closeDeadline, due <= now {
            self.closeDeadline = nil
            self.terminate(self.state == .timeWait ? nil : .timedOut, at: now)
            return true
        }
        if let due = self.retransmitDeadline, due <= now {
            self.retransmitDeadline = nil
            self.retransmissionTimedOut(at: now)
            didWork = true
        }
        guard self.state != .closed else { return true }
        if let due = self.delayedAckDeadline, due <= now {
            self.delayedAckDeadline = nil
            self.scheduleImmediateAck()
            didWork = true
        }
        if let due = self.persistDeadline, due <= now {
            self.persistDeadline = nil
            self.persistTimedOut(at: now)
            didWork = true
        }
        if let due = self.keepAliveDeadline, due <= now {
            self.keepAliveDeadline = nil
            self.keepAliveTimedOut(at: now)
            didWork = true
        }
        return didWork
    }

    private func retransmissionTimedOut(at now: Instant) {
        guard self.state != .closed && self.state != .timeWait else { return }
        self.retransmissions += 1
        if self.firstRetransmissionAt == nil { self.firstRetransmissionAt = now }
        let handshake = self.state == .synSent || self.state == .synReceived
        let limit = handshake ? self.settings.synRetries : self.settings.maximumRetransmissions
        let overTime = self.settings.userTimeout.map { limit in self.firstRetransmissionAt.map { now - $0 >= limit } ?? false } ?? false
        if self.retransmissions > limit || overTime {
            if !handshake { self.sendReset(sequence: self.sendNext, at: now) }
            return self.terminate(.timedOut, at: now)
        }
        self.retransmission.backOff()
        self.timedSegment = nil
        if handshake {
            self.sendNext = self.initialSendSequence
        } else {
            // Everything unacknowledged and not SACKed is resent from SND.UNA, one
            // segment first (RFC 5681 §3.1, RFC 6675 §5.1), SACKed data skipped as Linux
            // does. A SACK for the byte at SND.UNA means the receiver reneged; then the
            // scoreboard is forgotten (RFC 2018 §8).
            self.timeouts += 1
            self.trace?("\(now) timeout: \(self.debugSummary)")
            self.congestion.timedOut(inFlight: self.pipe, at: now)
            if self.scoreboard.contains(0) { self.scoreboard.removeAll() }
            self.retransmissionMark = nil
            self.inRecovery = true
            self.recoveringFromTimeout = true
            self.recoveryPoint = self.sendMaximum
            self.retransmitFirstPending = true
            self.retransmittedUpTo = 0
            self.duplicateAcknowledgments = 0
        }
        // Armed again whatever output sends, so a stall cannot outlive the next expiry.
        self.retransmitDeadline = now + self.retransmission.timeout
        self.interface.queueOutput(self)
    }

    private func persistTimedOut(at now: Instant) {
        guard self.state.isSynchronized else { return }
        self.persistBackoff += 1
        let windowRoom = (self.sendUnacknowledged + self.sendWindow) - self.sendNext
        let waiting = self.finSequence - self.sendNext
        if windowRoom > 0 && waiting > 0 {
            // A window too small for the SWS rules: send what fits after all.
            self.sendSegment(sequence: self.sendNext, flags: [], length: Swift.min(windowRoom, waiting, self.segmentSize), at: now)
        } else {
            self.sendProbe(at: now)
        }
        if self.finSequence - self.sendNext > 0 && self.retransmitDeadline == nil {
            self.persistDeadline = now + self.persistInterval
        }
    }

    func armKeepAlive(at now: Instant) {
        guard self.settings.keepAlive, self.state == .established || self.state == .closeWait else {
            self.keepAliveDeadline = nil
            return
        }
        let wait = self.keepAliveProbes == 0 ? self.settings.keepIdle : self.settings.keepInterval
        self.keepAliveDeadline = Swift.max(self.lastReceivedAt, now - self.settings.keepInterval) + wait
    }

    private func keepAliveTimedOut(at now: Instant) {
        guard self.settings.keepAlive, self.state == .established || self.state == .closeWait else { return }
        let idleSince = self.lastReceivedAt
        // Traffic since the timer was set: wait the rest of the idle time.
        if self.keepAliveProbes == 0 && now - idleSince < self.settings.keepIdle {
            self.keepAliveDeadline = idleSince + self.settings.keepIdle
            return
        }
        // Unacknowledged data has the retransmission timer watching it instead.
        if self.sendMaximum != self.sendUnacknowledged {
            self.keepAliveDeadline = now + self.settings.keepInterval
            return
        }
        if self.keepAliveProbes >= self.settings.keepCount {
            self.sendReset(sequence: self.sendNext, at: now)
            return self.terminate(.timedOut, at: now)
        }
        self.keepAliveProbes += 1
        self.sendProbe(at: now)
        self.keepAliveDeadline = now + self.settings.keepInterval
    }
}
