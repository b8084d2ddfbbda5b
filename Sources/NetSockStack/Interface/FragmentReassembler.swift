public import NSAPI
public import NetSockWire

/// Puts fragmented IPv4 datagrams back together (RFC 791 §3.2, RFC 815's hole list in
/// the form of sorted filled ranges).
///
/// Bounded in every dimension a sender controls: datagrams in progress (the oldest
/// makes way), bytes held across all of them (counted as received, so a fragment far
/// out costs its own size, not its offset), fragments per datagram, and time. A
/// fragment that partly overlaps another discards its whole datagram (as Linux has done since FragmentSmack, and as
/// RFC 5722 asks for IPv6); an exact duplicate is ignored.
public struct FragmentReassembler: Sendable {
    public struct Settings: Sendable, Equatable {
        public var timeout = TimeSpan.seconds(30)
        public var maximumDatagrams = 16
        public var maximumBytes = 256 * 1024
        public var maximumPieces = 64

        public init() {}
    }

    struct Key: Hashable, Sendable {
        var source: IPv4Address
        var destination: IPv4Address
        var protocolNumber: UInt8
        var identification: UInt16
    }

    struct Datagram: Sendable {
        /// The fragments' payloads as they came, never overlapping: memory follows what
        /// was received, not how far out a fragment claims to sit.
        var pieces: [(start: Int, bytes: [UInt8])] = []
        var heldBytes = 0
        /// Filled byte ranges, sorted, never touching (adjacent ranges merge).
        var filled: [Range<Int>] = []
        var totalLength: Int?
        /// The first fragment's header and its first 8 payload bytes, for the ICMP
        /// time-exceeded message if the datagram never completes.
        var invoking: [UInt8]?
        var deadline: Instant
    }

    public enum Outcome: Sendable {
        case incomplete
        case complete(IPv4Repr, [UInt8])
        case dropped(DropReason)
    }

    public let settings: Settings
    private var datagrams: [Key: Datagram] = [:]
    private var heldBytes = 0

    public init(settings: Settings = Settings()) { self.settings = settings }

    public var inProgress: Int { self.datagrams.count }
    /// Datagrams given up to make room for newer ones.
    public private(set) var evicted = 0
    public var bytesHeld: Int { self.heldBytes }

    public mutating func add(_ packet: IPv4Packet, _ repr: IPv4Repr, at now: Instant) -> Outcome {
        let key = Key(source: repr.source, destination: repr.destination, protocolNumber: repr.protocol.rawValue, identification: repr.identification)
        let start = repr.fragmentOffset
        let end = start + repr.payloadLength
        // Every fragment but the last carries a multiple of 8 bytes (RFC 791).
        guard !repr.moreFragments || repr.payloadLength % 8 == 0, repr.payloadLength > 0 || !repr.moreFragments else {
            return .dropped(.malformed)
        }
        // The whole datagram must fit one IPv4 packet with our 20-byte header (Linux's
        // ip_frag_reasm refuses the same "ping of death").
        guard end <= IPv4Packet.maximumLength - IPv4Repr.headerLength else { return self.discard(key, .malformed) }
        var datagram: Datagram
        if let existing = self.datagrams[key] {
            datagram = existing
        } else {
            // Full: the oldest goes, so that stray fragments cannot starve reassembly.
            if self.datagrams.count >= self.settings.maximumDatagrams, let oldest = self.datagrams.min(by: { $0.value.deadline < $1.value.deadline })?.key {
                _ = self.discard(oldest, .reassemblyMemory)
                self.evicted += 1
            }
            datagram = Datagram(deadline: now + self.settings.timeout)
        }
        if !repr.moreFragments {
            if let total = datagram.totalLength, total != end { return self.discard(key, .reassemblyOverlap) }
            // A last fragment ending before bytes already held can never complete.
            if let highest = datagram.filled.last?.upperBound, highest > end { return self.discard(key, .reassemblyOverlap) }
            datagram.totalLength = end
        }
        if let total = datagram.totalLength, end > total { return self.discard(key, .reassemblyOverlap) }
        // Where the new piece goes among the filled ranges.
        var index = datagram.filled.partitioningIndex { $0.upperBound > start }
        if index < datagram.filled.count, datagram.filled[index].lowerBound < end {
            let existing = datagram.filled[index]
            // Inside what is already there: a duplicate if it says the same thing.
            if existing.lowerBound <= start && end <= existing.upperBound, Self.holds(datagram, packet.payload, at: start) {
                return .incomplete
            }
            return self.discard(key, .reassemblyOverlap)
        }
        let growth = end - start
        guard self.heldBytes + growth <= self.settings.maximumBytes, datagram.pieces.count < self.settings.maximumPieces else {
            return self.discard(key, .reassemblyMemory)
        }
        datagram.pieces.append((start, [UInt8](packet.payload)))
        datagram.heldBytes += growth
        self.heldBytes += growth
        if start == 0 {
            datagram.invoking = [UInt8](packet.header) + packet.payload.prefix(8)
        }
        // Insert, merging with the neighbours it touches.
        var range = start..<end
        if index > 0 && datagram.filled[index - 1].upperBound == start {
            range = datagram.filled[index - 1].lowerBound..<end
            datagram.filled.remove(at: index - 1)
            index -= 1
        }
        if index < datagram.filled.count && datagram.filled[index].lowerBound == end {
            range = range.lowerBound..<datagram.filled[index].upperBound
            datagram.filled.remove(at: index)
        }
        datagram.filled.insert(range, at: index)

        if let total = datagram.totalLength, datagram.filled.count == 1, datagram.filled[0] == 0..<total {
            self.datagrams[key] = nil
            self.heldBytes -= datagram.heldBytes
            var whole = repr
            whole.fragmentOffset = 0
            whole.moreFragments = false
            whole.payloadLength = total
            var payload = [UInt8](repeating: 0, count: total)
            payload.withUnsafeMutableBytes { buffer in
                for piece in datagram.pieces {
                    piece.bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[piece.start..<piece.start + piece.bytes.count]).copyMemory(from: $0) }
                }
            }
            return .complete(whole, payload)
        }
        self.datagrams[key] = datagram
        return .incomplete
    }

    /// Whether the pieces held say exactly `bytes` from `start` on (the range is filled).
    private static func holds(_ datagram: Datagram, _ bytes: UnsafeRawBufferPointer, at start: Int) -> Bool {
        let end = start + bytes.count
        for piece in datagram.pieces {
            let pieceEnd = piece.start + piece.bytes.count
            let lower = Swift.max(start, piece.start)
            let upper = Swift.min(end, pieceEnd)
            guard lower < upper else { continue }
            if !piece.bytes[(lower - piece.start)..<(upper - piece.start)].elementsEqual(bytes[(lower - start)..<(upper - start)]) { return false }
        }
        return true
    }

    private mutating func discard(_ key: Key, _ reason: DropReason) -> Outcome {
        if let datagram = self.datagrams.removeValue(forKey: key) { self.heldBytes -= datagram.heldBytes }
        return .dropped(reason)
    }

    /// Datagrams whose time is up: their source and destination and, when the first
    /// fragment came, what an ICMP time-exceeded message quotes.
    public mutating func expire(at now: Instant) -> [(source: IPv4Address, destination: IPv4Address, invoking: [UInt8]?)] {
        var expired: [(IPv4Address, IPv4Address, [UInt8]?)] = []
        for (key, datagram) in self.datagrams where datagram.deadline <= now {
            expired.append((key.source, key.destination, datagram.invoking))
            self.heldBytes -= datagram.heldBytes
            self.datagrams[key] = nil
        }
        return expired
    }

    public var nextDeadline: Instant? { self.datagrams.values.map(\.deadline).min() }
}

extension Array {
    /// The first index whose element satisfies `predicate`, which must be false then true
    /// along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = self.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
