public import NSAPI

/// An address with its prefix length: what an interface is configured with, and what a
/// route matches.
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var prefixLength: Int

    public init(_ address: IPv4Address, prefixLength: Int) {
        precondition((0...32).contains(prefixLength))
        self.address = address
        self.prefixLength = prefixLength
    }

    /// From a dotted netmask; nil if its ones are not contiguous.
    public init?(_ address: IPv4Address, mask: IPv4Address) {
        let ones = mask.value.nonzeroBitCount
        guard mask.value == Self.mask(ones) else { return nil }
        self.init(address, prefixLength: ones)
    }

    static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength)
    }

    public var mask: IPv4Address { IPv4Address(Self.mask(self.prefixLength)) }
    public var network: IPv4Address { IPv4Address(self.address.value & Self.mask(self.prefixLength)) }
    /// The directed broadcast address; a /31 or /32 has none (RFC 3021).
    public var broadcast: IPv4Address? {
        self.prefixLength >= 31 ? nil : IPv4Address(self.address.value | ~Self.mask(self.prefixLength))
    }

    public func contains(_ other: IPv4Address) -> Bool {
        (other.value ^ self.address.value) & Self.mask(self.prefixLength) == 0
    }

    public var description: String { "\(self.address)/\(self.prefixLength)" }
}
