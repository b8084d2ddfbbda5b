public import NSAPI

/// TCP's control bits (RFC 9293 §3.1, with ECE and CWR from RFC 3168).
public struct TCPFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// tcpdump's letters: S, F, R, P, U, E, W, and `.` for ACK.
    public var description: String {
        let letters: [(TCPFlags, Character)] = [(.syn, "S"), (.fin, "F"), (.rst, "R"), (.psh, "P"), (.urg, "U"), (.ece, "E"), (.cwr, "W"), (.ack, ".")]
        return String(letters.compactMap { self.contains($0.0) ? $0.1 : nil })
    }
}

/// One SACK block (RFC 2018): the sequence numbers from `left` up to, not including, `right`.
public struct SACKBlock: Hashable, Sendable {
    public var left: UInt32
    public var right: UInt32

    public init(left: UInt32, right: UInt32) {
        self.left = left
        self.right = right
    }
}

/// A checked view of a TCP segment (RFC 9293 §3.1). TCP has no length field: the
/// segment is what the IP layer carried. The data offset is checked against it.
public struct TCPSegment {
    public static let minimumHeaderLength = 20
    public static let maximumHeaderLength = 60

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.minimumHeaderLength else { throw .truncated }
        let headerLength = Int(bytes[12] >> 4) * 4
        guard headerLength >= Self.minimumHeaderLength else { throw .malformed("data offset \(headerLength / 4)") }
        guard headerLength <= bytes.count else { throw .truncated }
        self.bytes = bytes
    }

    public var sourcePort: UInt16 { self.bytes.u16(at: 0) }
    public var destinationPort: UInt16 { self.bytes.u16(at: 2) }
    public var sequenceNumber: UInt32 { self.bytes.u32(at: 4) }
    public var acknowledgmentNumber: UInt32 { self.bytes.u32(at: 8) }
    public var headerLength: Int { Int(self.bytes[12] >> 4) * 4 }
    public var flags: TCPFlags { TCPFlags(rawValue: self.bytes[13]) }
    public var window: UInt16 { self.bytes.u16(at: 14) }
    public var checksum: UInt16 { self.bytes.u16(at: 16) }
    public var urgentPointer: UInt16 { self.bytes.u16(at: 18) }
    public var options: UnsafeRawBufferPointer { self.bytes.bytes(at: Self.minimumHeaderLength, count: self.headerLength - Self.minimumHeaderLength) }
    public var payload: UnsafeRawBufferPointer { self.bytes.bytes(at: self.headerLength, count: self.bytes.count - self.headerLength) }

    /// The checksum covers a pseudo-header, the header and the payload; zero is not special.
    public func checksumIsValid(source: IPv4Address, destination: IPv4Address) -> Bool {
        var sum = InternetChecksum()
        sum.addPseudoHeader(source: source, destination: destination, protocol: IPProtocol.tcp.rawValue, length: self.bytes.count)
        sum.add(self.bytes)
        return sum.verifies
    }
}

/// The options of a TCP header, read without recursion, one kind and length at a time.
public enum TCPOption: Hashable, Sendable {
    case maximumSegmentSize(UInt16)
    case windowScale(UInt8)
    case sackPermitted
    case sack([SACKBlock])
    case timestamps(value: UInt32, echo: UInt32)
    /// A kind this stack does not use: skipped, as RFC 9293 §3.1 requires.
    case unknown(kind: UInt8)

    /// Every option in `bytes`, stopping at End of Option List. A length under 2 or past
    /// the end, or a known option of the wrong length, is malformed (RFC 1122 §4.2.2.5:
    /// never crash on an illegal length).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> [TCPOption] {
        var options: [TCPOption] = []
        var index = 0
        while index < bytes.count {
            let kind = bytes[index]
            if kind == 0 { break }
            if kind == 1 {
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { throw .malformed("option \(kind) without a length") }
            let length = Int(bytes[index + 1])
            guard length >= 2, index + length <= bytes.count else { throw .malformed("option \(kind) length \(length)") }
            let body = bytes.bytes(at: index + 2, count: length - 2)
            switch kind {
            case 2:
                guard length == 4 else { throw .malformed("MSS length \(length)") }
                options.append(.maximumSegmentSize(body.u16(at: 0)))
            case 3:
                guard length == 3 else { throw .malformed("window scale length \(length)") }
                options.append(.windowScale(body[0]))
            case 4:
                guard length == 2 else { throw .malformed("SACK-permitted length \(length)") }
                options.append(.sackPermitted)
            case 5:
                guard (length - 2) % 8 == 0, length > 2 else { throw .malformed("SACK length \(length)") }
                options.append(.sack(stride(from: 0, to: length - 2, by: 8).map { SACKBlock(left: body.u32(at: $0), right: body.u32(at: $0 + 4)) }))
            case 8:
                guard length == 10 else { throw .malformed("timestamps length \(length)") }
                options.append(.timestamps(value: body.u32(at: 0), echo: body.u32(at: 4)))
            default:
                options.append(.unknown(kind: kind))
            }
            index += length
        }
        return options
    }
}

/// What a TCP header says. The payload travels beside it, never copied into it.
public struct TCPRepr: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    /// Present exactly when the ACK flag is set.
    public var acknowledgmentNumber: UInt32?
    /// SYN, FIN, RST, PSH, URG, ECE, CWR; ACK follows `acknowledgmentNumber`.
    public var flags: TCPFlags
    public var window: UInt16
    public var urgentPointer: UInt16 = 0
    public var maximumSegmentSize: UInt16?
    public var windowScale: UInt8?
    public var sackPermitted = false
    public var sackBlocks: [SACKBlock] = []
    public var timestamps: TCPTimestamps?

    public init(
        sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: UInt32, acknowledgmentNumber: UInt32? = nil,
        flags: TCPFlags = [], window: UInt16
    ) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags.subtracting(.ack)
        self.window = window
    }

    /// Refuses a segment whose checksum does not verify (unless the link already
    /// verified it), or whose options are malformed.
    public init(_ segment: TCPSegment, source: IPv4Address, destination: IPv4Address, checksumVerified: Bool = false) throws(WireError) {
        guard checksumVerified || segment.checksumIsValid(source: source, destination: destination) else { throw .malformed("TCP checksum") }
        let flags = segment.flags
        self.init(
            sourcePort: segment.sourcePort, destinationPort: segment.destinationPort, sequenceNumber: segment.sequenceNumber,
            acknowledgmentNumber: flags.contains(.ack) ? segment.acknowledgmentNumber : nil, flags: flags, window: segment.window)
        if flags.contains(.urg) { self.urgentPointer = segment.urgentPointer }
        for option in try TCPOption.parse(segment.options) {
            switch option {
            case .maximumSegmentSize(let size): self.maximumSegmentSize = size
            case .windowScale(let shift): self.windowScale = shift
            case .sackPermitted: self.sackPermitted = true
            case .sack(let blocks): self.sackBlocks = blocks
            case .timestamps(let value, let echo): self.timestamps = TCPTimestamps(value: value, echo: echo)
            case .unknown: break
            }
        }
    }

    /// The SACK blocks `emit` writes: as many as fit beside the other options (four
    /// alone, three with timestamps), the first ones (RFC 2018 puts the newest first).
    public var emittedSACKBlocks: ArraySlice<SACKBlock> {
        var room = 40 - self.fixedOptionsLength
        room -= 4  // NOP, NOP, kind, length
        return self.sackBlocks.prefix(Swift.max(0, room / 8))
    }

    private var fixedOptionsLength: Int {
        var length = 0
        if self.maximumSegmentSize != nil { length += 4 }
        if self.windowScale != nil { length += 4 }  // NOP + 3
        // SACK-permitted rides in the padding before the timestamps, as Linux sends it.
        if self.timestamps != nil { length += 12 } else if self.sackPermitted { length += 4 }
        return length
    }

    /// 20 bytes plus the options, padded to a multiple of four.
    public var headerLength: Int {
        let blocks = self.emittedSACKBlocks.count
        return TCPSegment.minimumHeaderLength + self.fixedOptionsLength + (blocks > 0 ? 4 + 8 * blocks : 0)
    }

    /// Writes the header, options in Linux's order, and the checksum over the header and
    /// the `payloadLength` bytes that already follow it in `buffer`; with
    /// `partialChecksum`, only the pseudo-header's sum, for a device to finish.
    public func emit(
        into buffer: UnsafeMutableRawBufferPointer, payloadLength: Int, source: IPv4Address, destination: IPv4Address,
        partialChecksum: Bool = false
    ) {
        let headerLength = self.headerLength
        let length = headerLength + payloadLength
        precondition(buffer.count >= length && length <= 0xFFFF)
        buffer.setU16(self.sourcePort, at: 0)
        buffer.setU16(self.destinationPort, at: 2)
        buffer.setU32(self.sequenceNumber, at: 4)
        buffer.setU32(self.acknowledgmentNumber ?? 0, at: 8)
        buffer[12] = UInt8(headerLength / 4) << 4
        buffer[13] = (self.acknowledgmentNumber != nil ? self.flags.union(.ack) : self.flags).rawValue
        buffer.setU16(self.window, at: 14)
        buffer.setU16(0, at: 16)
        buffer.setU16(self.flags.contains(.urg) ? self.urgentPointer : 0, at: 18)
        var at = TCPSegment.minimumHeaderLength
        func put(_ bytes: [UInt8]) {
            buffer.setBytes(bytes, at: at)
            at += bytes.count
        }
        if let size = self.maximumSegmentSize { put([2, 4, UInt8(size >> 8), UInt8(truncatingIfNeeded: size)]) }
        if let pair = self.timestamps {
            put(self.sackPermitted ? [4, 2, 8, 10] : [1, 1, 8, 10])
            buffer.setU32(pair.value, at: at)
            buffer.setU32(pair.echo, at: at + 4)
            at += 8
        } else if self.sackPermitted {
            put([1, 1, 4, 2])
        }
        if let shift = self.windowScale { put([1, 3, 3, shift]) }
        let blocks = self.emittedSACKBlocks
        if !blocks.isEmpty {
            put([1, 1, 5, UInt8(2 + 8 * blocks.count)])
            for block in blocks {
                buffer.setU32(block.left, at: at)
                buffer.setU32(block.right, at: at + 4)
                at += 8
            }
        }
        precondition(at == headerLength)
        if partialChecksum {
            buffer.setU16(TCPSegmentation.partialChecksum(source: source, destination: destination, segmentLength: length), at: 16)
            return
        }
        var sum = InternetChecksum()
        sum.addPseudoHeader(source: source, destination: destination, protocol: IPProtocol.tcp.rawValue, length: length)
        sum.add(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        buffer.setU16(sum.value, at: 16)
    }

    /// Header and payload as one array, for tests and tools.
    public func bytes(payload: [UInt8], source: IPv4Address, destination: IPv4Address) -> [UInt8] {
        let headerLength = self.headerLength
        return emitted(headerLength + payload.count) { buffer in
            buffer.setBytes(payload, at: headerLength)
            self.emit(into: buffer, payloadLength: payload.count, source: source, destination: destination)
        }
    }
}

/// The RFC 7323 timestamps option: the sender's clock and the one it echoes.
public struct TCPTimestamps: Hashable, Sendable {
    public var value: UInt32
    public var echo: UInt32

    public init(value: UInt32, echo: UInt32) {
        self.value = value
        self.echo = echo
    }
}
