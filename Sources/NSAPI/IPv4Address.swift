/// An IPv4 address, stored in host order for cheap comparison and arithmetic.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address as a host-order integer: `192.0.2.1` is `0xC000_0201`.
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        self.value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Reads four network-order bytes; `nil` unless exactly four are given.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        self.value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    public static let any = IPv4Address(0)
    public static let loopback = IPv4Address(127, 0, 0, 1)
    public static let broadcast = IPv4Address(0xFFFF_FFFF)

    /// The four network-order bytes.
    public var bytes: [UInt8] {
        [UInt8(self.value >> 24), UInt8(truncatingIfNeeded: self.value >> 16),
         UInt8(truncatingIfNeeded: self.value >> 8), UInt8(truncatingIfNeeded: self.value)]
    }

    public var isUnspecified: Bool { self.value == 0 }
    public var isLoopback: Bool { self.value >> 24 == 127 }
    public var isMulticast: Bool { self.value >> 28 == 0xE }
    public var isLinkLocal: Bool { self.value >> 16 == 0xA9FE }
    public var isBroadcast: Bool { self.value == 0xFFFF_FFFF }

    /// Parses strict dotted-decimal text: four decimal parts of 0...255 without
    /// leading zeros, signs or spaces (so `010.1.1.1` is refused rather than read as octal).
    public init?(parsing text: some StringProtocol) {
        var utf8 = Array(text.utf8)[...]
        guard let value = Self.parse(&utf8), utf8.isEmpty else { return nil }
        self.value = value
    }

    /// Parses a dotted quad at the start of `text` and consumes it; used for IPv6's embedded form too.
    static func parse(_ text: inout ArraySlice<UInt8>) -> UInt32? {
        var result: UInt32 = 0
        for part in 0..<4 {
            if part > 0 {
                guard text.first == UInt8(ascii: ".") else { return nil }
                text = text.dropFirst()
            }
            var digits = 0
            var octet: UInt32 = 0
            while let byte = text.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if digits == 1 && octet == 0 { return nil }  // Leading zero.
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, octet <= 255 else { return nil }
                text = text.dropFirst()
            }
            guard digits > 0 else { return nil }
            result = result << 8 | octet
        }
        return result
    }

    public var description: String {
        "\(self.value >> 24).\(self.value >> 16 & 0xFF).\(self.value >> 8 & 0xFF).\(self.value & 0xFF)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
