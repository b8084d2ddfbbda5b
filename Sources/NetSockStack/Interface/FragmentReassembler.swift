public import NSAPI
public import NetSockWire

/// Puts fragmented IPv4 datagrams back together (RFC 791 §3.2, RFC 815's hole list in
/// the form of sorted filled ranges).
///
/// Bounded in every dimension a sender controls: datagrams in progress, bytes held
/// across all of them, pieces per datagram, and time. A fragment that partly overlaps
/// another discards its whole datagram (as Linux has done since FragmentSmack, and as
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
        var payload: [UInt8] = []
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
    public var bytesHeld: Int { self.heldBytes }

    public mutating func add(_ packet: IPv4Packet, _ repr: IPv4Repr, at now: Instant) -> Outcome {
        let key = Key(source: repr.source, destination: repr.destination, protocolNumber: repr.protocol.rawValue, identification: repr.identification)
        let start = repr.fragmentOffset
        let end = start + repr.payloadLength
        // Every fragment but the last carries a multiple of 8 bytes (RFC 791).
        guard !repr.moreFragments || repr.payloadLength % 8 == 0, repr.payloadLength > 0 || !repr.moreFragments else {
            return .dropped(.malformed)
        }
        var datagram: Datagram
        if let existing = self.datagrams[key] {
            datagram = existing
        } else {
            guard self.datagrams.count < self.settings.maximumDatagrams else { return .dropped(.reassemblyMemory) }
            datagram = Datagram(deadline: now + self.settings.timeout)
        }
        if !repr.moreFragments {
            if let total = datagram.totalLength, total != end { return self.discard(key, .reassemblyOverlap) }
            datagram.totalLength = end
        }
        if let total = datagram.totalLength, end > total { return self.discard(key, .reassemblyOverlap) }
        // Where the new piece goes among the filled ranges.
        var index = datagram.filled.partitioningIndex { $0.upperBound > start }
        if index < datagram.filled.count, datagram.filled[index].lowerBound < end {
            let existing = datagram.filled[index]
            // Inside what is already there: a duplicate if it says the same thing.
            if existing.lowerBound <= start && end <= existing.upperBound,
               datagram.payload[start..<end].elementsEqual(packet.payload) {
                return .incomplete
            }
            return self.discard(key, .reassemblyOverlap)
        }
        let growth = max(0, end - datagram.payload.count)
        guard self.heldBytes + growth <= self.settings.maximumBytes else { return self.discard(key, .reassemblyMemory) }
        if growth > 0 {
            datagram.payload.append(contentsOf: repeatElement(0, count: growth))
            self.heldBytes += growth
        }
        datagram.payload.withUnsafeMutableBytes { buffer in
            UnsafeMutableRawBufferPointer(rebasing: buffer[start..<end]).copyMemory(from: packet.payload)
        }
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
        guard datagram.filled.count <= self.settings.maximumPieces else {
            // The growth was counted but this copy is not stored: uncount it with the rest.
            self.heldBytes -= growth
            return self.discard(key, .reassemblyMemory)
        }

        if let total = datagram.totalLength, datagram.filled.count == 1, datagram.filled[0] == 0..<total {
            self.datagrams[key] = nil
            self.heldBytes -= datagram.payload.count
            var whole = repr
            whole.fragmentOffset = 0
            whole.moreFragments = false
            whole.payloadLength = total
            datagram.payload.removeSubrange(total...)
            return .complete(whole, datagram.payload)
        }
        self.datagrams[key] = datagram
        return .incomplete
    }

    private mutating func discard(_ key: Key, _ reason: DropReason) -> Outcome {
        if let datagram = self.datagrams.removeValue(forKey: key) { self.heldBytes -= datagram.payload.count }
        return .dropped(reason)
    }

    /// Datagrams whose time is up: their source and, when the first fragment came, what
    /// an ICMP time-exceeded message quotes.
    public mutating func expire(at now: Instant) -> [(source: IPv4Address, invoking: [UInt8]?)] {
        var expired: [(IPv4Address, [UInt8]?)] = []
        for (key, datagram) in self.datagrams where datagram.deadline <= now {
            expired.append((key.source, datagram.invoking))
            self.heldBytes -= datagram.payload.count
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
