public import NSAPI

/// One datagram on an attached descriptor (`socket.attach` on UDP, ICMP and non-IP
/// sockets, a `SOCK_SEQPACKET` socketpair): a 20-byte header, then the payload.
///
///     u8 family (4 or 6)   u8 reserved (0)   u16 port, big-endian
///     16 bytes of address (IPv4 in the first 4, the rest 0)
///
/// From the daemon the header names the source; from the client the destination, or
/// is all zeros to use the connected peer. Pure: bytes in, values out.
public enum DatagramFrame {
    public static let headerLength = 20

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooShort(Int)
        case family(UInt8)
        case reserved(UInt8)
        /// IPv4 with bytes set past its first four.
        case paddedIPv4

        public var description: String {
            switch self {
            case .tooShort(let count): "a datagram frame of \(count) bytes is shorter than its 20-byte header"
            case .family(let value): "the header's family is \(value), not 4, 6 or 0 (the connected peer)"
            case .reserved(let value): "the header's reserved byte is \(value), not 0"
            case .paddedIPv4: "an IPv4 header has bytes set after its address"
            }
        }
    }

    /// The header for a datagram from (or to) `address`.
    public static func header(_ address: SocketAddress) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: Self.headerLength)
        self.writeHeader(address, into: &header, at: 0)
        return header
    }

    /// Writes the header for `address` into `buffer` at `offset` (20 bytes).
    public static func writeHeader(_ address: SocketAddress, into buffer: inout [UInt8], at offset: Int) {
        // Written field by field, with no intermediate array: once per datagram.
        var high: UInt64 = 0
        var low: UInt64 = 0
        switch address.address {
        case .v4(let v4)?:
            buffer[offset] = 4
            high = UInt64(v4.value) << 32
        case .v6(let v6)?:
            buffer[offset] = 6
            high = v6.high
            low = v6.low
        case nil:
            buffer[offset] = 0
        }
        buffer[offset + 1] = 0
        buffer[offset + 2] = UInt8(address.port >> 8)
        buffer[offset + 3] = UInt8(address.port & 0xFF)
        for index in 0..<8 {
            buffer[offset + 4 + index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
            buffer[offset + 12 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
        }
    }

    /// The destination a client's frame names: `nil` for all zeros (the connected peer).
    /// The payload is `frame[headerLength...]`. Reads the header in place: this runs
    /// once per datagram on the fast path.
    public static func destination(_ frame: ArraySlice<UInt8>) throws(Failure) -> SocketAddress? {
        guard frame.count >= Self.headerLength else { throw .tooShort(frame.count) }
        let base = frame.startIndex
        let family = frame[base]
        guard frame[base + 1] == 0 else { throw .reserved(frame[base + 1]) }
        let port = UInt16(frame[base + 2]) << 8 | UInt16(frame[base + 3])
        let address = base + 4
        switch family {
        case 0:
            guard port == 0, frame[address..<(address + 16)].allSatisfy({ $0 == 0 }) else { throw .family(0) }
            return nil
        case 4:
            guard frame[(address + 4)..<(address + 16)].allSatisfy({ $0 == 0 }) else { throw .paddedIPv4 }
            let value = UInt32(frame[address]) << 24 | UInt32(frame[address + 1]) << 16 | UInt32(frame[address + 2]) << 8 | UInt32(frame[address + 3])
            return SocketAddress(.v4(IPv4Address(value)), port: port)
        case 6:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 {
                high = high << 8 | UInt64(frame[address + index])
                low = low << 8 | UInt64(frame[address + 8 + index])
            }
            return SocketAddress(.v6(IPv6Address(high: high, low: low)), port: port)
        default:
            throw .family(family)
        }
    }

    public static func destination(_ frame: [UInt8]) throws(Failure) -> SocketAddress? { try self.destination(frame[...]) }
}
