public import NSAPI
public import NetSockWire

/// What a DHCP server granted, with the times the client acts on (RFC 2131 §4.4.5).
public struct DHCPLease: Sendable, Equatable {
    public var address: IPv4Subnet
    public var router: IPv4Address?
    public var dnsServers: [IPv4Address]
    public var mtu: Int?
    public var server: IPv4Address
    /// nil for an infinite lease (0xFFFFFFFF seconds).
    public var duration: TimeSpan?
    public var acquired: Instant
    public var renewAt: Instant?
    public var rebindAt: Instant?
    public var expiresAt: Instant?

    /// From an ACK received at `now`; nil when the ACK lacks what a lease needs.
    init?(_ ack: DHCPv4Repr, at now: Instant) {
        guard !ack.yourAddress.isUnspecified, !ack.yourAddress.isBroadcast, !ack.yourAddress.isMulticast,
            let server = ack.serverIdentifier, let seconds = ack.leaseTime
        else { return nil }
        self.address = Self.subnet(ack.yourAddress, mask: ack.subnetMask)
        self.router = ack.routers.first { !$0.isUnspecified }
        self.dnsServers = ack.dnsServers.filter { !$0.isUnspecified }
        self.mtu = ack.interfaceMTU.map { Int($0) }.flatMap { $0 >= 576 ? $0 : nil }
        self.server = server
        self.acquired = now
        guard seconds != .max else {
            self.duration = nil
            return
        }
        // A lease under 10 s, or a T1 under 5 s, would have the client renewing as fast
        // as the server answers: both are read as those floors.
        let duration = TimeSpan.seconds(Int64(Swift.max(seconds, Self.minimumLeaseSeconds)))
        let half = TimeSpan(microseconds: duration.microseconds / 2)
        // T1 and T2 as the server gave them when they make sense, else 0.5 and 0.875.
        var renew = Swift.max(ack.renewalTime.map { TimeSpan.seconds(Int64($0)) } ?? half, Swift.min(.seconds(5), half))
        var rebind = ack.rebindingTime.map { TimeSpan.seconds(Int64($0)) } ?? TimeSpan(microseconds: duration.microseconds * 7 / 8)
        if !(rebind < duration) { rebind = TimeSpan(microseconds: duration.microseconds * 7 / 8) }
        if !(renew < rebind) { renew = TimeSpan(microseconds: rebind.microseconds * 4 / 7) }
        self.duration = duration
        self.renewAt = now + renew
        self.rebindAt = now + rebind
        self.expiresAt = now + duration
    }

    static let minimumLeaseSeconds: UInt32 = 10

    /// The mask as given; a missing or non-contiguous one falls back to the address's class.
    static func subnet(_ address: IPv4Address, mask: IPv4Address?) -> IPv4Subnet {
        if let mask, let subnet = IPv4Subnet(address, mask: mask), subnet.prefixLength > 0 { return subnet }
        let first = address.value >> 24
        return IPv4Subnet(address, prefixLength: first < 128 ? 8 : first < 192 ? 16 : 24)
    }
}
