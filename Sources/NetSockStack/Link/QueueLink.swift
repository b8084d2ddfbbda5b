import NetSockWire

/// A bounded queue of frames: one direction of an in-memory link. Past its capacity,
/// frames are dropped and counted, as a full device queue does.
public final class FrameQueue {
    public let capacity: Int
    private var frames: [[UInt8]] = []
    private var head = 0
    public private(set) var dropped = 0

    public init(capacity: Int = 1024) { self.capacity = capacity }

    public var count: Int { self.frames.count - self.head }
    public var isEmpty: Bool { self.count == 0 }

    @discardableResult
    public func push(_ frame: [UInt8]) -> Bool {
        guard self.count < self.capacity else {
            self.dropped += 1
            return false
        }
        self.frames.append(frame)
        return true
    }

    public func pop() -> [UInt8]? {
        guard self.head < self.frames.count else { return nil }
        let frame = self.frames[self.head]
        self.head += 1
        // Compact once the consumed prefix dominates: amortised O(1) per frame.
        if self.head > 64 && self.head * 2 > self.frames.count {
            self.frames.removeFirst(self.head)
            self.head = 0
        }
        return frame
    }

    /// Everything queued, oldest first, leaving the queue empty.
    public func drain() -> [[UInt8]] {
        var all: [[UInt8]] = []
        while let frame = self.pop() { all.append(frame) }
        return all
    }
}

/// An in-memory link: receives from one queue, transmits into another. Two of them
/// sharing queues crosswise are a cable between two stacks; one alone is a link a
/// test scripts by pushing frames in and reading frames out.
///
/// With offloads in its capabilities it stands in for a device that has them: it cuts
/// large TCP frames and finishes checksums as a NIC would, or, with
/// `passesLargeSegments`, hands them to the other end whole with the checksum vouched
/// for, as virtio-net does between two guests of one host.
public final class QueueLink: Link {
    public let capabilities: LinkCapabilities
    public let incoming: FrameQueue
    public let outgoing: FrameQueue
    public let passesLargeSegments: Bool

    public init(
        capabilities: LinkCapabilities = LinkCapabilities(), incoming: FrameQueue = FrameQueue(), outgoing: FrameQueue = FrameQueue(),
        passesLargeSegments: Bool = false
    ) {
        self.capabilities = capabilities
        self.incoming = incoming
        self.outgoing = outgoing
        self.passesLargeSegments = passesLargeSegments
    }

    /// Two ends of one cable.
    public static func pair(
        capabilities: LinkCapabilities = LinkCapabilities(), capacity: Int = 1024, passesLargeSegments: Bool = false
    ) -> (QueueLink, QueueLink) {
        let forward = FrameQueue(capacity: capacity)
        let backward = FrameQueue(capacity: capacity)
        return (
            QueueLink(capabilities: capabilities, incoming: backward, outgoing: forward, passesLargeSegments: passesLargeSegments),
            QueueLink(capabilities: capabilities, incoming: forward, outgoing: backward, passesLargeSegments: passesLargeSegments)
        )
    }

    public func receive(at now: Instant, _ body: (UnsafeRawBufferPointer, ReceivedChecksum) -> Void) -> Bool {
        guard let frame = self.incoming.pop() else { return false }
        let vouched = self.passesLargeSegments && self.capabilities.offloads.contains(.checksum)
        frame.withUnsafeBytes { body($0, vouched ? .verified : .unchecked) }
        return true
    }

    public func transmit(at now: Instant, length: Int, offload: TransmitOffload?, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        var frame = [UInt8](repeating: 0, count: length)
        frame.withUnsafeMutableBytes { body($0) }
        guard let offload, !self.passesLargeSegments else { return self.outgoing.push(frame) }
        var pushed = true
        frame.withUnsafeBytes { whole in
            TCPSegmentation.split(whole, transportStart: offload.transportStart, segmentSize: offload.segmentSize) { segment in
                if !self.outgoing.push([UInt8](segment)) { pushed = false }
            }
        }
        return pushed
    }
}
