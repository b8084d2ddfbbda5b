/// Which bytes past the next expected one have arrived out of order (the data sits in
/// the receive buffer at its offset): sorted ranges, never touching, at most
/// `maximumRanges` of them, so a peer sending scattered bytes cannot make the
/// bookkeeping grow. A segment that would need one range more is refused, and TCP
/// drops it as it would a segment beyond the window.
public struct SegmentAssembler: Sendable, Equatable {
    public let maximumRanges: Int
    /// Offsets from the next expected byte.
    public private(set) var ranges: [Range<Int>] = []

    public init(maximumRanges: Int = 32) { self.maximumRanges = maximumRanges }

    public var isEmpty: Bool { self.ranges.isEmpty }

    /// Records `offset ..< offset + length` as received. False, changing nothing, when
    /// it would need more ranges than allowed. Overlaps merge: TCP's retransmissions
    /// carry the same bytes.
    @discardableResult
    public mutating func add(offset: Int, length: Int) -> Bool {
        guard length > 0, offset >= 0 else { return true }
        var new = offset..<(offset + length)
        // The first range that touches or follows the new one, and the first past it.
        let first = self.ranges.firstIndex { $0.upperBound >= new.lowerBound } ?? self.ranges.count
        var last = first
        while last < self.ranges.count && self.ranges[last].lowerBound <= new.upperBound {
            new = Swift.min(new.lowerBound, self.ranges[last].lowerBound)..<Swift.max(new.upperBound, self.ranges[last].upperBound)
            last += 1
        }
        let resulting = self.ranges.count - (last - first) + 1
        guard resulting <= self.maximumRanges else { return false }
        self.ranges.replaceSubrange(first..<last, with: [new])
        return true
    }

    /// Bytes now contiguous from the front (what the application can read), which the
    /// assembler forgets, moving its offsets back by as much.
    public mutating func removeFront() -> Int {
        guard let front = self.ranges.first, front.lowerBound == 0 else { return 0 }
        let count = front.upperBound
        self.ranges.removeFirst()
        self.ranges = self.ranges.map { ($0.lowerBound - count)..<($0.upperBound - count) }
        return count
    }

    /// The front moved by `count` without out-of-order data (in-order bytes arrived):
    /// ranges it reached are dropped or cut.
    public mutating func advance(by count: Int) {
        guard count > 0 else { return }
        self.ranges = self.ranges.compactMap { range in
            let lower = range.lowerBound - count
            let upper = range.upperBound - count
            guard upper > 0 else { return nil }
            return Swift.max(0, lower)..<upper
        }
    }
}
