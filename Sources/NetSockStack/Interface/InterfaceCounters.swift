/// Why the stack dropped a frame or packet. Every drop is counted under one reason, so
/// `interface.status` can say where traffic went.
public enum DropReason: String, Sendable, CaseIterable, Hashable {
    case malformed
    case badChecksum = "bad_checksum"
    case notForUs = "not_for_us"
    case unknownProtocol = "unknown_protocol"
    case noRoute = "no_route"
    case arpFailed = "arp_failed"
    case arpQueueFull = "arp_queue_full"
    case reassemblyTimeout = "reassembly_timeout"
    case reassemblyOverlap = "reassembly_overlap"
    case reassemblyMemory = "reassembly_memory"
    case noSocket = "no_socket"
    case socketQueueFull = "socket_queue_full"
    case linkBusy = "link_busy"
    case tooBig = "too_big"
    case notConfigured = "not_configured"
    case icmpRateLimited = "icmp_rate_limited"
    case resetRateLimited = "reset_rate_limited"
}

/// Frames and bytes each way, and drops by reason.
public struct InterfaceCounters: Sendable, Equatable {
    public var framesReceived = 0
    public var bytesReceived = 0
    public var framesSent = 0
    public var bytesSent = 0
    public var drops: [DropReason: Int] = [:]
    public var arpConflicts = 0
    public var tcpSegmentsReceived = 0
    public var tcpSegmentsSent = 0

    public init() {}

    public var totalDrops: Int { self.drops.values.reduce(0, +) }

    mutating func drop(_ reason: DropReason) { self.drops[reason, default: 0] += 1 }
}
