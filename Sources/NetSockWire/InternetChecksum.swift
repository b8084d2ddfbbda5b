public import NSAPI

/// The Internet checksum (RFC 1071): the ones'-complement sum of 16-bit big-endian
/// words. Accumulated in 64 bits, eight bytes at a time, and folded once at the end;
/// the sum is independent of byte order until then (RFC 1071 §2(B)), so the words
/// are added as the machine loads them and swapped once.
public struct InternetChecksum: Sendable {
    private var sum: UInt64 = 0
    /// Bytes added so far are odd in number: the next byte is the low half of a word.
    private var odd = false

    public init() {}

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        var start = 0
        if self.odd {
            self.sum &+= UInt64(bytes[0])
            self.odd = false
            start = 1
        }
        let remaining = bytes.count - start
        let words = remaining / 8
        var partial: UInt64 = 0
        // Sums of 32-bit halves cannot overflow 64 bits before 2^32 additions.
        for index in 0..<words {
            let word = bytes.loadUnaligned(fromByteOffset: start + index * 8, as: UInt64.self)
            partial &+= word & 0xFFFF_FFFF
            partial &+= word >> 32
        }
        var tail = start + words * 8
        while tail + 2 <= bytes.count {
            partial &+= UInt64(bytes.loadUnaligned(fromByteOffset: tail, as: UInt16.self))
            tail += 2
        }
        // Machine (little-endian) order so far: fold, then swap to network order.
        self.sum &+= UInt64(Self.fold(partial).byteSwapped)
        if tail < bytes.count {
            self.sum &+= UInt64(bytes[tail]) << 8
            self.odd = true
        }
    }

    public mutating func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { self.add($0) }
    }

    /// A 16-bit value in host order, as it would appear big-endian in the data.
    public mutating func add(_ value: UInt16) {
        precondition(!self.odd, "words are added on even offsets")
        self.sum &+= UInt64(value)
    }

    public mutating func add(_ value: UInt32) {
        self.add(UInt16(value >> 16))
        self.add(UInt16(truncatingIfNeeded: value))
    }

    /// The pseudo-header of UDP and TCP over IPv4 (RFC 768, RFC 9293 §3.1).
    public mutating func addPseudoHeader(source: IPv4Address, destination: IPv4Address, protocol: UInt8, length: Int) {
        self.add(source.value)
        self.add(destination.value)
        self.add(UInt16(`protocol`))
        self.add(UInt16(truncatingIfNeeded: length))
    }

    /// The checksum to store: the complement of the folded sum.
    public var value: UInt16 { ~Self.fold(self.sum) }

    /// True when data that includes its own checksum sums to all ones.
    public var verifies: Bool { Self.fold(self.sum) == 0xFFFF }

    private static func fold(_ wide: UInt64) -> UInt16 {
        var sum = (wide & 0xFFFF_FFFF) + (wide >> 32)
        sum = (sum & 0xFFFF) + (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16)
        return UInt16(sum)
    }

    /// The checksum of `bytes` alone.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.add(bytes)
        return checksum.value
    }

    public static func of(_ bytes: [UInt8]) -> UInt16 {
        bytes.withUnsafeBytes { Self.of($0) }
    }
}
