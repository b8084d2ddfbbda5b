public import NSAPI

/// Which congestion controller a connection runs.
public enum CongestionAlgorithm: String, Sendable, CaseIterable {
    case cubic
    case newReno = "newreno"

    func make(segmentSize: Int) -> any CongestionControl {
        switch self {
        case .cubic: Cubic(segmentSize: segmentSize)
        case .newReno: NewReno(segmentSize: segmentSize)
        }
    }
}

/// One TCP connection after RFC 9293: its sequence spaces, buffers and timers. Segments
/// come in through `process` (from the interface's demultiplexer); what to send is
/// decided by `output`, which the interface runs after each batch of frames and after
/// each application call, so acknowledgments coalesce over a batch.
///
/// The send buffer holds every byte from SND.UNA on (retransmissions read it again);
/// the receive buffer holds readable bytes and, past them, out-of-order bytes at their
/// offsets, with the `SegmentAssembler` recording which.
public final class TCPConnection {
    public struct Settings: Sendable, Equatable {
        public var sendBufferSize = 1 << 20
        /// The receive buffer starts here and grows with the application's reading
        /// speed (auto-tuning) up to `maximumReceiveBufferSize`.
        public var receiveBufferSize = 256 * 1024
        public var maximumReceiveBufferSize = 4 << 20
        public var congestionControl = CongestionAlgorithm.cubic
        /// TCP_NODELAY: send small segments at once instead of waiting (Nagle, RFC 896).
        public var noDelay = false
        public var delayedAcknowledgment = TimeSpan.milliseconds(40)
        /// 2·MSL; Linux waits 60 s.
        public var timeWait = TimeSpan.seconds(60)
        /// How long an orphaned connection waits in FIN-WAIT-2 (Linux's tcp_fin_timeout).
        public var finWait2Timeout = TimeSpan.seconds(60)
        /// Linux's tcp_syn_retries and tcp_retries2.
        public var synRetries = 6
        public var maximumRetransmissions = 15
        /// RFC 5482's user timeout: give up when data stays unacknowledged this long.
        public var userTimeout: TimeSpan?
        public var keepAlive = false
        public var keepIdle = TimeSpan.seconds(7200)
        public var keepInterval = TimeSpan.seconds(75)
        public var keepCount = 9
        public var timestamps = true
        public var selectiveAcknowledgments = true
        public var windowScaling = true
        public var retransmission = RetransmissionTimer.Settings()
        public var maximumOutOfOrderRanges = 32
        public var typeOfService: UInt8 = 0

        public init() {}
    }

    unowned let interface: Interface
    public let local: IPv4Endpoint
    public let remote: IPv4Endpoint
    public internal(set) var state: TCPState
    public var settings: Settings
    /// The socket told when something changes (a listener's until accepted).
    var eventID: Int
    /// Why the connection ended abnormally, reported to the application once.
    public internal(set) var error: StackError?
    /// No socket holds it any more (closed by the application, or never accepted): it
    /// finishes its close alone and is forgotten.
    var isOrphan = false
    /// Told of loss-recovery events (timeouts, fast recovery), for debugging a transfer.
    public var trace: ((String) -> Void)?
    /// The listener whose accept queue it joins once established.
    weak var listener: TCPListener?

    // MARK: Send side (RFC 9293 §3.3.1)
    let initialSendSequence: SequenceNumber
    var sendUnacknowledged: SequenceNumber
    var sendNext: SequenceNumber
    /// The highest sequence number sent; above SND.NXT after a timeout rewinds it.
    var sendMaximum: SequenceNumber
    var sendWindow = 0
    var sendWindowUpdateSequence = SequenceNumber(0)
    var sendWindowUpdateAcknowledgment = SequenceNumber(0)
    var maximumWindowSeen = 0
    var sendBuffer: ByteRing
    /// The sequence number of the first byte in `sendBuffer`.
    var sendBufferStart: SequenceNumber
    /// The application has no more to send (close or shutdown(write)); FIN follows the data.
    var finQueued = false
    var segmentSize = 536
    var sendWindowShift: UInt8 = 0

    // MARK: Receive side
    var initialReceiveSequence = SequenceNumber(0)
    var receiveNext = SequenceNumber(0)
    var receiveBuffer: ByteRing
    var outOfOrder: SegmentAssembler
    /// A byte of each out-of-order range in the order they last changed, newest first:
    /// SACK reports the newest, then repeats the ones reported before (RFC 2018 §4), so
    /// every range is told several times even when ACKs are lost.
    var sackHistory: [SequenceNumber] = []
    var receiveWindowShift: UInt8 = 0
    /// The right edge last advertised; never moved left (RFC 9293 §3.8.6.2.2).
    var advertisedEdge = SequenceNumber(0)
    /// A FIN that arrived ahead of a hole, taken when RCV.NXT reaches it.
    var pendingFin: SequenceNumber?
    public internal(set) var finReceived = false
    /// shutdown(read): further data is discarded.
    var readShut = false

    // MARK: Options agreed in the handshake
    var timestampsEnabled = false
    var timestampOffset: UInt32
    var recentTimestamp: UInt32 = 0
    var sackEnabled = false
    var peerMaximumSegmentSize = 536
    /// The peer's SYN was seen: options in our SYN-ACK echo what it offered.
    var optionsNegotiated = false

    // MARK: Loss recovery and congestion
    var retransmission: RetransmissionTimer
    var congestion: any CongestionControl
    var scoreboard = SACKScoreboard()
    var duplicateAcknowledgments = 0
    var inRecovery = false
    /// Recovery after a timeout: everything sent and not SACKed counts as lost, not just
    /// the holes below the highest SACK.
    var recoveringFromTimeout = false
    var recoveryPoint = SequenceNumber(0)
    /// RFC 6675's HighRxt, as an offset from SND.UNA.
    var retransmittedUpTo = 0
    /// SND.MAX when the segment at SND.UNA was last retransmitted: a SACK for data above
    /// it while SND.UNA stays shows that retransmission lost too (Linux's lost-retransmit
    /// detection), which otherwise only the timer would find.
    var retransmissionMark: SequenceNumber?
    /// NewReno without SACK: a partial ACK asks for the next hole to go out once.
    var retransmitFirstPending = false
    /// Without timestamps, one segment is timed at a time (never a retransmitted one).
    var timedSegment: (sequence: SequenceNumber, sentAt: Instant)?
    var retransmissions = 0
    var firstRetransmissionAt: Instant?
    public internal(set) var retransmittedSegments = 0
    public internal(set) var timeouts = 0
    /// Received bytes we already had (the peer's spurious retransmissions).
    public internal(set) var duplicateBytesReceived = 0
    /// Segments refused by PAWS or as outside the window.
    public internal(set) var segmentsRefused = 0
    public internal(set) var fastRecoveries = 0

    // MARK: Timers
    var retransmitDeadline: Instant?
    var delayedAckDeadline: Instant?
    var persistDeadline: Instant?
    var persistBackoff = 0
    var keepAliveDeadline: Instant?
    var keepAliveProbes = 0
    var closeDeadline: Instant?
    var lastReceivedAt: Instant

    // MARK: Acknowledgment scheduling
    var ackNow = false
    var bytesSinceAck = 0
    /// Segments still to be acknowledged one by one after a loss (Linux's quick-ACK mode).
    var quickAcknowledgments = 0
    static let quickAcknowledgmentCount = 16
    var challenges = SegmentChecks.ChallengeLimiter()
    /// Queued with the interface for `output` at the end of the batch.
    var isQueuedForOutput = false
    var holdsOrphanPort = false

    // MARK: Receive-buffer auto-tuning
    var tuningStart: Instant
    var tuningRead = 0

    init(
        interface: Interface, local: IPv4Endpoint, remote: IPv4Endpoint, state: TCPState, settings: Settings,
        initialSendSequence: SequenceNumber, eventID: Int, at now: Instant, timestampOffset: UInt32
    ) {
        self.interface = interface
        self.local = local
        self.remote = remote
        self.state = state
        self.settings = settings
        self.eventID = eventID
        self.initialSendSequence = initialSendSequence
        self.sendUnacknowledged = initialSendSequence
        self.sendNext = initialSendSequence
        self.sendMaximum = initialSendSequence
        self.sendBufferStart = initialSendSequence + 1
        self.sendBuffer = ByteRing(capacity: Swift.max(1, settings.sendBufferSize))
        self.receiveBuffer = ByteRing(capacity: Swift.max(1, settings.receiveBufferSize))
        self.outOfOrder = SegmentAssembler(maximumRanges: settings.maximumOutOfOrderRanges)
        self.retransmission = RetransmissionTimer(settings: settings.retransmission)
        self.congestion = settings.congestionControl.make(segmentSize: 536)
        self.timestampOffset = timestampOffset
        self.lastReceivedAt = now
        self.tuningStart = now
        if settings.windowScaling {
            var shift: UInt8 = 0
            while shift < 14 && (settings.maximumReceiveBufferSize >> Int(shift)) > 0xFFFF { shift += 1 }
            self.receiveWindowShift = shift
        }
    }

    /// The largest segment our side of the link carries: the MTU less both headers.
    var localMaximumSegmentSize: Int { self.interface.maximumTransmissionUnit - 40 }

    // MARK: The application's side

    /// Bytes the application can read now.
    public var readableBytes: Int { self.receiveBuffer.count }
    /// Room in the send buffer.
    public var writableBytes: Int { self.canSend ? self.sendBuffer.freeSpace : 0 }
    public var canSend: Bool {
        !self.finQueued && (self.state == .established || self.state == .closeWait || self.state == .synSent || self.state == .synReceived)
    }
    /// Whether a read would return end-of-stream.
    public var atEndOfStream: Bool { self.receiveBuffer.isEmpty && (self.finReceived || self.readShut) }
    /// SND.UNA, SND.NXT and RCV.NXT, for tests and status.
    public var sequenceSpace: (sendUnacknowledged: UInt32, sendNext: UInt32, receiveNext: UInt32) {
        (self.sendUnacknowledged.rawValue, self.sendNext.rawValue, self.receiveNext.rawValue)
    }
    public var receiveBufferCapacity: Int { self.receiveBuffer.capacity }
    public var congestionWindow: Int { self.congestion.window }
    public var maximumSegmentSize: Int { self.segmentSize }
    public var smoothedRoundTrip: TimeSpan? { self.retransmission.smoothed }
    /// Bytes sent and not yet acknowledged, and bytes not yet sent.
    public var unacknowledgedBytes: Int { self.sendBuffer.count }

    /// Copies what fits into the send buffer; returns how much did.
    func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        let written = self.sendBuffer.append(bytes)
        if written > 0 { self.interface.queueOutput(self) }
        return written
    }

    /// Takes up to `maximum` readable bytes.
    func read(maximum: Int) -> [UInt8] {
        let bytes = self.receiveBuffer.copy(maximum: maximum)
        self.consumeReceived(bytes.count)
        return bytes
    }

    /// Lends readable bytes to `body`, which returns how many it took.
    func read(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int) -> Int {
        var taken = 0
        self.receiveBuffer.peek(maximum: self.receiveBuffer.count) { first, second in taken = body(first, second) }
        self.consumeReceived(taken)
        return taken
    }

    private func consumeReceived(_ count: Int) {
        guard count > 0 else { return }
        let before = self.receiveBuffer.freeSpace
        self.receiveBuffer.consume(count)
        self.tuningRead += count
        self.autoTune(at: self.interface.lastNow)
        // Tell the peer when the window opened enough to matter (receiver SWS
        // avoidance, RFC 1122 §4.2.3.3): by two segments or half the buffer.
        let opened = self.receiveBuffer.freeSpace - before
        if self.state.isSynchronized && !self.finReceived && (opened >= Swift.min(2 * self.localMaximumSegmentSize, self.receiveBuffer.capacity / 2) || before == 0) {
            self.ackNow = true
            self.interface.queueOutput(self)
        }
    }

    /// Grows the receive buffer when the application read more than half of it in one
    /// round trip: the window, not the reader, would otherwise limit the flow (what
    /// Linux's dynamic right-sizing does).
    private func autoTune(at now: Instant) {
        let interval = Swift.max(self.retransmission.smoothed ?? .milliseconds(10), .milliseconds(1))
        guard now - self.tuningStart >= interval else { return }
        if self.tuningRead * 2 > self.receiveBuffer.capacity && self.receiveBuffer.capacity < self.settings.maximumReceiveBufferSize {
            self.receiveBuffer.grow(to: Swift.min(self.settings.maximumReceiveBufferSize, self.receiveBuffer.capacity * 2))
        }
        self.tuningStart = now
        self.tuningRead = 0
    }

    /// No more data from the application: a FIN follows what is buffered.
    func shutdownWrite() {
        guard !self.finQueued else { return }
        switch self.state {
        case .established: self.state = .finWait1
        case .closeWait: self.state = .lastAck
        // The FIN follows the handshake (`becomeEstablished`).
        case .synSent, .synReceived: break
        default: return
        }
        self.finQueued = true
        self.interface.queueOutput(self)
    }

    func shutdownRead() {
        self.readShut = true
        self.receiveBuffer.consume(self.receiveBuffer.count)
    }

    /// The application closed its socket. Unread data makes it an abort (RFC 2525
    /// §2.17, as Linux does); otherwise the close finishes on its own.
    func close(at now: Instant) {
        self.isOrphan = true
        if self.state == .synSent || self.state == .listen || self.state == .closed {
            return self.terminate(nil, at: now)
        }
        if !self.receiveBuffer.isEmpty {
            return self.abort(at: now)
        }
        self.shutdownWrite()
        if self.state == .finWait2 { self.closeDeadline = now + self.settings.finWait2Timeout }
        self.interface.holdOrphanPort(self)
    }

    /// Sends a reset and ends the connection.
    func abort(at now: Instant) {
        if self.state.isSynchronized && self.state != .timeWait {
            self.sendReset(sequence: self.sendNext, at: now)
        }
        self.terminate(nil, at: now)
    }

    /// Ends the connection: it leaves the interface's table now, or when the
    /// application lets go of it.
    func terminate(_ error: StackError?, at now: Instant) {
        if let error, self.error == nil { self.error = error }
        self.state = .closed
        self.retransmitDeadline = nil
        self.delayedAckDeadline = nil
        self.persistDeadline = nil
        self.keepAliveDeadline = nil
        self.closeDeadline = nil
        self.interface.tcpConnectionEnded(self)
        self.notify()
    }

    /// One line on the connection's state and loss recovery, for logs and test messages.
    public var debugSummary: String {
        "\(self.state) rcv=\(self.receiveNext) ooo=\(self.outOfOrder.ranges) una=\(self.sendUnacknowledged) nxt=\(self.sendNext) max=\(self.sendMaximum) wnd=\(self.sendWindow) "
            + "cwnd=\(self.congestion.window) ssthresh=\(self.congestion.slowStartThreshold) pipe=\(self.pipe) recovery=\(self.inRecovery)/\(self.recoveringFromTimeout) "
            + "rxt=\(self.retransmittedUpTo) sacked=\(self.scoreboard.blocks) retransmitted=\(self.retransmittedSegments) "
            + "timeouts=\(self.timeouts) fast=\(self.fastRecoveries) rto=\(self.retransmission.timeout) error=\(String(describing: self.error)) buffered=\(self.sendBuffer.count)"
    }

    func notify() { self.interface.onSocketEvent?(self.eventID) }
}
