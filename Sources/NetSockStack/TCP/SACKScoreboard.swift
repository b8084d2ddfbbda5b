/// What the peer has told us it holds beyond the cumulative acknowledgment (RFC 2018
/// blocks, kept as RFC 6675's scoreboard): ranges of offsets from SND.UNA, merged and
/// bounded, so the sender can tell lost bytes (holes below the highest SACKed byte)
/// from bytes merely in flight.
public struct SACKScoreboard: Sendable, Equatable {
    private var ranges = SegmentAssembler(maximumRanges: 64)

    public init() {}

    public var isEmpty: Bool { self.ranges.isEmpty }
    public var blocks: [Range<Int>] { self.ranges.ranges }

    /// Bytes SACKed above SND.UNA.
    public var sackedBytes: Int { self.ranges.ranges.reduce(0) { $0 + $1.count } }

    /// One past the highest SACKed offset (0 when nothing is SACKed).
    public var highestSACKed: Int { self.ranges.ranges.last?.upperBound ?? 0 }

    /// Records a block the peer reported. Blocks at or below SND.UNA (D-SACKs, stale
    /// reports) and blocks past what was sent are cut or ignored.
    public mutating func add(left: SequenceNumber, right: SequenceNumber, sendUnacknowledged: SequenceNumber, sendMaximum: SequenceNumber) {
        let lower = Swift.max(0, left - sendUnacknowledged)
        let upper = Swift.min(right - sendUnacknowledged, sendMaximum - sendUnacknowledged)
        guard upper > lower else { return }
        // A full scoreboard forgets the block; the bytes are retransmitted when they
        // need not be, which costs throughput, never correctness.
        _ = self.ranges.add(offset: lower, length: upper - lower)
    }

    /// SND.UNA moved forward by `count`.
    public mutating func acknowledged(_ count: Int) {
        self.ranges.advance(by: count)
        // A block now starting at 0 means the cumulative ACK lags a SACK: keep it, the
        // next ACK covers it.
    }

    public mutating func removeAll() { self.ranges = SegmentAssembler(maximumRanges: 64) }

    /// Whether the byte at `offset` was SACKed.
    public func contains(_ offset: Int) -> Bool { self.ranges.ranges.contains { $0.contains(offset) } }

    /// The first stretch at or after `offset` and below `limit` (the highest SACKed
    /// byte, or everything sent after a timeout) that the peer does not hold: what
    /// RFC 6675's NextSeg retransmits first.
    public func nextHole(from offset: Int, below limit: Int) -> Range<Int>? {
        var start = offset
        for range in self.ranges.ranges {
            guard start < limit else { return nil }
            if range.upperBound <= start { continue }
            if range.lowerBound > start { return start..<Swift.min(range.lowerBound, limit) }
            start = range.upperBound
        }
        return start < limit ? start..<limit : nil
    }

    /// Unsacked bytes in `[offset, limit)`: lost and not yet retransmitted when `offset`
    /// is the highest retransmitted offset.
    public func holeBytes(from offset: Int, below limit: Int) -> Int {
        var total = 0
        var start = offset
        for range in self.ranges.ranges {
            guard start < limit else { break }
            if range.upperBound <= start { continue }
            if range.lowerBound > start { total += Swift.min(range.lowerBound, limit) - start }
            start = range.upperBound
        }
        return total + Swift.max(0, limit - start)
    }

    /// Below where holes count as lost (RFC 6675's IsLost): the start of the range at
    /// which more than `threshold` bytes are SACKed above; 0 when nothing is lost yet.
    /// Holes higher up may only be reordered.
    public func lossBoundary(threshold: Int) -> Int {
        var above = 0
        for range in self.ranges.ranges.reversed() {
            above += range.count
            if above > threshold { return range.lowerBound }
        }
        return 0
    }

    /// SACKed bytes below `offset`.
    public func sackedBytes(below offset: Int) -> Int {
        self.ranges.ranges.reduce(0) { sum, range in sum + Swift.max(0, Swift.min(range.upperBound, offset) - range.lowerBound) }
    }
}
