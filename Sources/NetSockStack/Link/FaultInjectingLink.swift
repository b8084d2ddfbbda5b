import NetSockWire

/// What a `FaultInjectingLink` does to frames, each chance between 0 and 1.
public struct LinkFaults: Sendable, Equatable {
    public var dropChance = 0.0
    /// One random byte of the frame replaced.
    public var corruptChance = 0.0
    public var duplicateChance = 0.0
    /// The frame held back until the next one has passed it.
    public var reorderChance = 0.0
    /// Every received frame held back this long.
    public var delay = TimeSpan.zero
    /// Frames over this length are dropped (a smaller path MTU somewhere).
    public var maximumFrameLength: Int?
    /// A token bucket: at most this many frames per `shapingInterval`, each direction.
    public var framesPerInterval: Int?
    public var shapingInterval = TimeSpan.milliseconds(50)

    public init() {}
}

/// Wraps a link and damages its traffic by seeded chance, in the manner of smoltcp's
/// fault injector, so loss, corruption, duplication, reordering, delay and rate limits
/// are reproducible in simulation. Faults apply to both directions; delay and
/// reordering to received frames, where the stack's polling sees them.
///
/// Faults fall on wire frames. Offloads it is built with it performs itself before
/// the faults, as a NIC does before its cable; the inner link is asked for none.
public final class FaultInjectingLink: Link {
    public let inner: any Link
    public var faults: LinkFaults
    private let offloads: LinkOffloads
    private var random: StackRandom
    private var held: [(due: Instant, frame: [UInt8])] = []
    private var reordered: [UInt8]?
    private var receiveTokens: Int
    private var transmitTokens: Int
    private var refilledAt: Instant?

    public private(set) var dropped = 0
    public private(set) var corrupted = 0
    public private(set) var duplicated = 0

    public init(wrapping inner: any Link, faults: LinkFaults, seed: UInt64, offloads: LinkOffloads = []) {
        self.inner = inner
        self.faults = faults
        self.offloads = offloads
        self.random = StackRandom(seed: seed)
        self.receiveTokens = faults.framesPerInterval ?? 0
        self.transmitTokens = faults.framesPerInterval ?? 0
    }

    public var capabilities: LinkCapabilities {
        LinkCapabilities(maximumTransmissionUnit: self.inner.capabilities.maximumTransmissionUnit, offloads: self.offloads)
    }

    public var nextArrival: Instant? {
        var mine = self.held.first?.due
        // Out of tokens, a frame that is due waits for the refill, not for now.
        if let due = mine, self.faults.framesPerInterval != nil, self.receiveTokens == 0, let refilledAt {
            mine = Swift.max(due, refilledAt + self.faults.shapingInterval)
        }
        return mine.earliest(self.inner.nextArrival)
    }

    private func refill(_ now: Instant) {
        guard let rate = self.faults.framesPerInterval else { return }
        if let refilledAt, now - refilledAt < self.faults.shapingInterval { return }
        self.refilledAt = now
        self.receiveTokens = rate
        self.transmitTokens = rate
    }

    /// Applies drop, size, corruption; nil when the frame is lost.
    private func damaged(_ frame: [UInt8]) -> [UInt8]? {
        if let limit = self.faults.maximumFrameLength, frame.count > limit {
            self.dropped += 1
            return nil
        }
        if self.random.chance(self.faults.dropChance) {
            self.dropped += 1
            return nil
        }
        var frame = frame
        if !frame.isEmpty && self.random.chance(self.faults.corruptChance) {
            let index = self.random.below(frame.count)
            frame[index] ^= UInt8(truncatingIfNeeded: self.random.next() | 1)
            self.corrupted += 1
        }
        return frame
    }

    /// A frame the inner link vouched for is checked like any other once held, since a
    /// fault may have spoilt it: a device whose kernel hands over large segments
    /// or partial checksums (a TAP with receive offloads) belongs under no fault link.
    public func receive(at now: Instant, _ body: (UnsafeRawBufferPointer, ReceivedChecksum) -> Void) -> Bool {
        self.refill(now)
        // Pull what the inner link has into the holding line, faults applied.
        while self.inner.receive(at: now, { bytes, _ in
            guard let frame = self.damaged([UInt8](bytes)) else { return }
            let copies = self.random.chance(self.faults.duplicateChance) ? 2 : 1
            if copies == 2 { self.duplicated += 1 }
            for _ in 0..<copies {
                if self.reordered == nil && self.random.chance(self.faults.reorderChance) {
                    self.reordered = frame
                } else {
                    self.held.append((now + self.faults.delay, frame))
                    if let late = self.reordered {
                        self.reordered = nil
                        self.held.append((now + self.faults.delay, late))
                    }
                }
            }
        }) {}
        guard let first = self.held.first, first.due <= now else {
            // A frame held for reordering with nothing behind it goes out eventually.
            if self.held.isEmpty, let late = self.reordered {
                self.reordered = nil
                self.held.append((now + self.faults.delay, late))
            }
            return false
        }
        if self.faults.framesPerInterval != nil {
            guard self.receiveTokens > 0 else { return false }
            self.receiveTokens -= 1
        }
        self.held.removeFirst()
        first.frame.withUnsafeBytes { body($0, .unchecked) }
        return true
    }

    public func transmit(at now: Instant, length: Int, offload: TransmitOffload?, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        self.refill(now)
        if self.faults.framesPerInterval != nil {
            guard self.transmitTokens > 0 else {
                self.dropped += 1
                return false
            }
            self.transmitTokens -= 1
        }
        var frame = [UInt8](repeating: 0, count: length)
        frame.withUnsafeMutableBytes { body($0) }
        guard let offload else {
            self.send(frame, at: now)
            return true
        }
        var segments: [[UInt8]] = []
        frame.withUnsafeBytes { whole in
            TCPSegmentation.split(whole, transportStart: offload.transportStart, segmentSize: offload.segmentSize) { segments.append([UInt8]($0)) }
        }
        for segment in segments { self.send(segment, at: now) }
        return true
    }

    /// A frame lost on the wire was still sent, as far as the stack can tell.
    private func send(_ frame: [UInt8], at now: Instant) {
        guard let sent = self.damaged(frame) else { return }
        let copies = self.random.chance(self.faults.duplicateChance) ? 2 : 1
        if copies == 2 { self.duplicated += 1 }
        for _ in 0..<copies {
            _ = self.inner.transmit(at: now, length: sent.count) { $0.copyBytes(from: sent) }
        }
    }
}
