/// Initial sequence numbers after RFC 6528: a clock that ticks every 4 µs plus a keyed
/// hash of the connection's addresses and ports, so a sequence number cannot be guessed
/// off path, and a connection reopened soon after starts above the old one's numbers.
/// The hash is SipHash-2-4 with a 128-bit secret chosen when the stack starts.
public struct InitialSequenceNumbers: Sendable {
    private let key: (UInt64, UInt64)

    public init(key0: UInt64, key1: UInt64) { self.key = (key0, key1) }

    public func next(
        local: IPv4Endpoint, remote: IPv4Endpoint, at now: Instant
    ) -> SequenceNumber {
        var message = [UInt8]()
        message.reserveCapacity(12)
        for value in [local.address.value, remote.address.value] {
            message += [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        for port in [local.port, remote.port] { message += [UInt8(port >> 8), UInt8(truncatingIfNeeded: port)] }
        let hash = SipHash24.hash(message, key: self.key)
        let ticks = UInt32(truncatingIfNeeded: now.microseconds / 4)
        return SequenceNumber(ticks &+ UInt32(truncatingIfNeeded: hash))
    }
}

/// SipHash-2-4 (Aumasson and Bernstein), the keyed hash RFC 6528 suggests the like of.
public enum SipHash24 {
    public static func hash(_ message: [UInt8], key: (UInt64, UInt64)) -> UInt64 {
        var v0: UInt64 = 0x736F_6D65_7073_6575 ^ key.0
        var v1: UInt64 = 0x646F_7261_6E64_6F6D ^ key.1
        var v2: UInt64 = 0x6C79_6765_6E65_7261 ^ key.0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ key.1
        func rotate(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 - b)) }
        func round() {
            v0 &+= v1; v1 = rotate(v1, 13); v1 ^= v0; v0 = rotate(v0, 32)
            v2 &+= v3; v3 = rotate(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = rotate(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = rotate(v1, 17); v1 ^= v2; v2 = rotate(v2, 32)
        }
        let whole = message.count / 8 * 8
        for start in stride(from: 0, to: whole, by: 8) {
            var m: UInt64 = 0
            for i in 0..<8 { m |= UInt64(message[start + i]) << (8 * UInt64(i)) }
            v3 ^= m
            round()
            round()
            v0 ^= m
        }
        var last = UInt64(message.count & 0xFF) << 56
        for i in 0..<(message.count - whole) { last |= UInt64(message[whole + i]) << (8 * UInt64(i)) }
        v3 ^= last
        round()
        round()
        v0 ^= last
        v2 ^= 0xFF
        for _ in 0..<4 { round() }
        return v0 ^ v1 ^ v2 ^ v3
    }
}
