/// Work a device can take off the stack, so that bulk TCP costs fewer passes over the
/// data and fewer system calls (a TAP with `IFF_VNET_HDR`, as virtio-net offers it).
public struct LinkOffloads: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The device finishes a TCP checksum the stack leaves partial (the pseudo-header
    /// sum in the field), and may hand over frames whose checksum it vouches for.
    public static let checksum = LinkOffloads(rawValue: 1)
    /// The device cuts one TCP packet of up to 64 KB into segments of the size the
    /// stack names (TSO); it implies `checksum`.
    public static let tcpSegmentation = LinkOffloads(rawValue: 2)
}

/// What a link can carry.
public struct LinkCapabilities: Sendable, Equatable {
    /// The largest IP packet one frame carries (1500 on Ethernet); frames add the
    /// 14-byte Ethernet header.
    public var maximumTransmissionUnit: Int
    public var offloads: LinkOffloads

    public init(maximumTransmissionUnit: Int = 1500, offloads: LinkOffloads = []) {
        self.maximumTransmissionUnit = maximumTransmissionUnit
        self.offloads = offloads
    }

    public var maximumFrameLength: Int { self.maximumTransmissionUnit + 14 }
}

/// What the stack asks the device to finish in one transmitted frame, which must be
/// Ethernet, IPv4 and TCP; only asked of a link whose capabilities offer it.
public struct TransmitOffload: Sendable, Equatable {
    /// Where the TCP header starts in the frame. Its checksum field holds the sum of
    /// the pseudo-header (over the whole packet's length), not yet complemented.
    public var transportStart: Int
    /// The TCP payload bytes of each segment the device cuts the packet into; 0 when
    /// the packet goes as one segment.
    public var segmentSize: Int

    public init(transportStart: Int, segmentSize: Int) {
        self.transportStart = transportStart
        self.segmentSize = segmentSize
    }
}

/// Whether a received frame's transport checksum is still to be checked.
public enum ReceivedChecksum: Sendable, Equatable {
    case unchecked
    /// The device checked it, or the frame never crossed a wire (the kernel sent it
    /// with the checksum left to offload), so the field may hold only a partial sum.
    case verified
}

/// One Ethernet link as the stack sees it: frames in, frames out, nothing else.
/// A frame is lent to the stack for the length of a closure, so a link can keep one
/// buffer for reads and one for writes and the stack copies only what it keeps.
public protocol Link: AnyObject {
    var capabilities: LinkCapabilities { get }

    /// Lends the next received frame to `body`; false when none is waiting.
    func receive(at now: Instant, _ body: (UnsafeRawBufferPointer, ReceivedChecksum) -> Void) -> Bool

    /// Lets `body` fill one frame of `length` bytes and sends it; false when the link
    /// cannot take a frame now (the stack counts the drop; it does not retry).
    /// `offload` is only ever given within the link's `capabilities.offloads`.
    func transmit(at now: Instant, length: Int, offload: TransmitOffload?, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool

    /// When a frame the link is holding back (a delay it injects) becomes receivable;
    /// nil when it holds none. Links that hold nothing back need not say.
    var nextArrival: Instant? { get }
}

extension Link {
    public var nextArrival: Instant? { nil }

    public func transmit(at now: Instant, length: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        self.transmit(at: now, length: length, offload: nil, body)
    }
}
