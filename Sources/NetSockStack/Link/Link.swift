/// What a link can carry.
public struct LinkCapabilities: Sendable, Equatable {
    /// The largest IP packet one frame carries (1500 on Ethernet); frames add the
    /// 14-byte Ethernet header.
    public var maximumTransmissionUnit: Int

    public init(maximumTransmissionUnit: Int = 1500) {
        self.maximumTransmissionUnit = maximumTransmissionUnit
    }

    public var maximumFrameLength: Int { self.maximumTransmissionUnit + 14 }
}

/// One Ethernet link as the stack sees it: frames in, frames out, nothing else.
/// A frame is lent to the stack for the length of a closure, so a link can keep one
/// buffer for reads and one for writes and the stack copies only what it keeps.
public protocol Link: AnyObject {
    var capabilities: LinkCapabilities { get }

    /// Lends the next received frame to `body`; false when none is waiting.
    func receive(at now: Instant, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool

    /// Lets `body` fill one frame of `length` bytes and sends it; false when the link
    /// cannot take a frame now (the stack counts the drop; it does not retry).
    func transmit(at now: Instant, length: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool

    /// When a frame the link is holding back (a delay it injects) becomes receivable;
    /// nil when it holds none. Links that hold nothing back need not say.
    var nextArrival: Instant? { get }
}

extension Link {
    public var nextArrival: Instant? { nil }
}
