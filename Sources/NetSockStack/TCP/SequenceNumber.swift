/// A TCP sequence number: 32 bits that wrap, compared within half the space (RFC 9293
/// §3.4, RFC 1982's serial arithmetic). `a < b` means b is ahead of a by less than 2^31.
public struct SequenceNumber: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        Int32(bitPattern: lhs.rawValue &- rhs.rawValue) < 0
    }

    public static func + (lhs: SequenceNumber, rhs: Int) -> SequenceNumber {
        SequenceNumber(lhs.rawValue &+ UInt32(truncatingIfNeeded: rhs))
    }

    public static func - (lhs: SequenceNumber, rhs: Int) -> SequenceNumber {
        SequenceNumber(lhs.rawValue &- UInt32(truncatingIfNeeded: rhs))
    }

    /// How far `lhs` is ahead of `rhs` (negative when behind), for numbers within 2^31.
    public static func - (lhs: SequenceNumber, rhs: SequenceNumber) -> Int {
        Int(Int32(bitPattern: lhs.rawValue &- rhs.rawValue))
    }

    public static func += (lhs: inout SequenceNumber, rhs: Int) { lhs = lhs + rhs }

    /// Whether `self` lies in `[start, start + length)`, the window test of RFC 9293 §3.10.7.4.
    public func isWithin(_ start: SequenceNumber, length: Int) -> Bool {
        let offset = self - start
        return offset >= 0 && offset < length
    }

    public var description: String { String(self.rawValue) }
}
