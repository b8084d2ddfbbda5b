/// The states of a TCP connection (RFC 9293 §3.3.2).
public enum TCPState: String, Sendable, CaseIterable {
    case closed = "CLOSED", listen = "LISTEN", synSent = "SYN-SENT", synReceived = "SYN-RECEIVED"
    case established = "ESTABLISHED", finWait1 = "FIN-WAIT-1", finWait2 = "FIN-WAIT-2", closeWait = "CLOSE-WAIT"
    case closing = "CLOSING", lastAck = "LAST-ACK", timeWait = "TIME-WAIT"

    /// After the handshake: where RFC 5961's checks apply.
    public var isSynchronized: Bool {
        switch self {
        case .closed, .listen, .synSent: false
        default: true
        }
    }
}

/// The receive-side tests a synchronized connection applies to every segment, in the
/// order RFC 9293 §3.10.7.4 gives them, with RFC 5961's defences against blind
/// resets, SYNs and data injection. Pure: the connection applies the verdict.
public enum SegmentChecks {
    /// Whether any of a segment lies in the receive window (the four cases of the table
    /// in §3.10.7.4). `length` counts SYN and FIN as one each.
    public static func isAcceptable(sequence: SequenceNumber, length: Int, receiveNext: SequenceNumber, window: Int) -> Bool {
        switch (length, window) {
        case (0, 0): return sequence == receiveNext
        case (0, _): return sequence.isWithin(receiveNext, length: window)
        case (_, 0): return false
        default:
            return sequence.isWithin(receiveNext, length: window) || (sequence + (length - 1)).isWithin(receiveNext, length: window)
        }
    }

    public enum ResetVerdict: Equatable, Sendable {
        /// Exactly at RCV.NXT: the connection is reset.
        case reset
        /// In the window but not exact: answered with a challenge ACK, nothing else.
        case challenge
        /// Outside the window: dropped silently.
        case drop
    }

    /// RFC 5961 §3.2.
    public static func reset(sequence: SequenceNumber, receiveNext: SequenceNumber, window: Int) -> ResetVerdict {
        if sequence == receiveNext { return .reset }
        return sequence.isWithin(receiveNext, length: Swift.max(window, 1)) ? .challenge : .drop
    }

    public enum AcknowledgmentVerdict: Equatable, Sendable {
        /// New data acknowledged (SND.UNA < SEG.ACK ≤ SND.NXT).
        case advances
        /// A duplicate (SEG.ACK = SND.UNA), which counts toward fast retransmit.
        case duplicate
        /// Old but within the peer's maximum window: ignored.
        case old
        /// Too old, or acknowledging what was never sent: a challenge ACK, then drop
        /// (RFC 5961 §5.2, RFC 9293's "ACK of something not yet sent").
        case challenge
    }

    /// RFC 5961 §5.2: acceptable ACKs lie in [SND.UNA − MAX.SND.WND, SND.NXT].
    public static func acknowledgment(
        _ ack: SequenceNumber, sendUnacknowledged: SequenceNumber, sendNext: SequenceNumber, maximumWindowSeen: Int
    ) -> AcknowledgmentVerdict {
        if ack - sendNext > 0 { return .challenge }
        if ack - sendUnacknowledged > 0 { return .advances }
        if ack == sendUnacknowledged { return .duplicate }
        return sendUnacknowledged - ack <= maximumWindowSeen ? .old : .challenge
    }

    /// Challenge ACKs are limited per second (RFC 5961 §7; Linux allows 1000 with some
    /// randomness, this stack a fixed budget per connection), so they cannot be made an
    /// amplifier.
    public struct ChallengeLimiter: Sendable, Equatable {
        public let perSecond: Int
        private var windowStart: Instant?
        private var sent = 0

        public init(perSecond: Int = 10) { self.perSecond = perSecond }

        public mutating func allow(at now: Instant) -> Bool {
            if let start = self.windowStart, now - start < .seconds(1) {
                guard self.sent < self.perSecond else { return false }
                self.sent += 1
                return true
            }
            self.windowStart = now
            self.sent = 1
            return true
        }
    }
}
