/// An IPv6 address as two host-order 64-bit halves.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads sixteen network-order bytes; `nil` unless exactly sixteen are given.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// Builds an address from its eight 16-bit groups.
    public init(groups: [UInt16]) {
        precondition(groups.count == 8, "an IPv6 address has eight groups")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        self.init(high: high, low: low)
    }

    public static let any = IPv6Address(high: 0, low: 0)
    public static let loopback = IPv6Address(high: 0, low: 1)

    public var bytes: [UInt8] {
        (0..<16).map { index in
            index < 8 ? UInt8(truncatingIfNeeded: self.high >> (56 - 8 * index))
                : UInt8(truncatingIfNeeded: self.low >> (56 - 8 * (index - 8)))
        }
    }

    public var groups: [UInt16] {
        (0..<8).map { index in
            index < 4 ? UInt16(truncatingIfNeeded: self.high >> (48 - 16 * index))
                : UInt16(truncatingIfNeeded: self.low >> (48 - 16 * (index - 4)))
        }
    }

    public var isUnspecified: Bool { self.high == 0 && self.low == 0 }
    public var isLoopback: Bool { self.high == 0 && self.low == 1 }
    public var isMulticast: Bool { self.high >> 56 == 0xFF }
    public var isLinkLocal: Bool { self.high >> 54 == 0x3FA }  // fe80::/10
    /// `::ffff:0:0/96`, an IPv4 address seen through an IPv6 socket.
    public var isIPv4Mapped: Bool { self.high == 0 && self.low >> 32 == 0xFFFF }

    /// The IPv4 address inside an IPv4-mapped address.
    public var mappedIPv4: IPv4Address? {
        self.isIPv4Mapped ? IPv4Address(UInt32(truncatingIfNeeded: self.low)) : nil
    }

    /// Parses every text form of RFC 4291 §2.2: full, `::`-compressed, and with an
    /// embedded dotted quad in the last 32 bits. Hex digits may be either case and
    /// carry up to four digits. Zone identifiers (`%eth0`) are not IPv6 addresses and are refused.
    public init?(parsing text: some StringProtocol) {
        var input = Array(text.utf8)[...]
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false

        if input.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            compressed = true
            input = input.dropFirst(2)
        } else if input.first == UInt8(ascii: ":") {
            return nil
        }

        while !input.isEmpty {
            let groupCount = head.count + tail.count
            // An embedded IPv4 address may stand where the last two groups would.
            if Self.embeddedIPv4Ahead(input) {
                guard groupCount <= 6 else { return nil }
                guard let v4 = IPv4Address.parse(&input), input.isEmpty else { return nil }
                if compressed {
                    tail.append(UInt16(v4 >> 16))
                    tail.append(UInt16(v4 & 0xFFFF))
                } else {
                    head.append(UInt16(v4 >> 16))
                    head.append(UInt16(v4 & 0xFFFF))
                }
                break
            }
            var group: UInt16 = 0
            var digits = 0
            while let byte = input.first, let nibble = Hex.digit(byte) {
                digits += 1
                guard digits <= 4 else { return nil }
                group = group << 4 | UInt16(nibble)
                input = input.dropFirst()
            }
            guard digits > 0, groupCount < 8 else { return nil }
            if compressed { tail.append(group) } else { head.append(group) }
            if input.isEmpty { break }
            guard input.first == UInt8(ascii: ":") else { return nil }
            input = input.dropFirst()
            if input.first == UInt8(ascii: ":") {
                guard !compressed else { return nil }  // A second "::".
                compressed = true
                input = input.dropFirst()
            } else if input.isEmpty {
                return nil  // A trailing single colon.
            }
        }

        let total = head.count + tail.count
        if compressed {
            // "::" stands for at least one zero group (RFC 4291 §2.2, form 2).
            guard total <= 7 else { return nil }
            head += [UInt16](repeating: 0, count: 8 - total) + tail
        } else {
            guard total == 8 else { return nil }
        }
        self.init(groups: head)
    }

    /// True when the next group is really a dotted quad (digits then a dot before any colon).
    private static func embeddedIPv4Ahead(_ input: ArraySlice<UInt8>) -> Bool {
        for byte in input {
            if byte == UInt8(ascii: ".") { return true }
            if byte == UInt8(ascii: ":") { return false }
        }
        return false
    }

    /// The RFC 5952 canonical text: lower case, no leading zeros, the longest run of
    /// two or more zero groups (the first on a tie) as `::`, and IPv4-mapped addresses
    /// with a dotted quad (§5).
    public var description: String {
        if let v4 = self.mappedIPv4 { return "::ffff:\(v4)" }
        let groups = self.groups
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        if bestLength < 2 { bestStart = -1 }  // §4.2.2: never compress a single zero group.

        func hex(_ range: Range<Int>) -> String {
            range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
