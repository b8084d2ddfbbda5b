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
public final class QueueLink: Link {
    public let capabilities: LinkCapabilities
    public let incoming: FrameQueue
    public let outgoing: FrameQueue

    public init(capabilities: LinkCapabilities = LinkCapabilities(), incoming: FrameQueue = FrameQueue(), outgoing: FrameQueue = FrameQueue()) {
        self.capabilities = capabilities
        self.incoming = incoming
        self.outgoing = outgoing
    }

    /// Two ends of one cable.
    public static func pair(capabilities: LinkCapabilities = LinkCapabilities(), capacity: Int = 1024) -> (QueueLink, QueueLink) {
        let forward = FrameQueue(capacity: capacity)
        let backward = FrameQueue(capacity: capacity)
        return (
            QueueLink(capabilities: capabilities, incoming: backward, outgoing: forward),
            QueueLink(capabilities: capabilities, incoming: forward, outgoing: backward)
        )
    }

    public func receive(at now: Instant, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard let frame = self.incoming.pop() else { return false }
        frame.withUnsafeBytes { body($0) }
        return true
    }

    public func transmit(at now: Instant, length: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        var frame = [UInt8](repeating: 0, count: length)
        frame.withUnsafeMutableBytes { body($0) }
        return self.outgoing.push(frame)
    }
}
