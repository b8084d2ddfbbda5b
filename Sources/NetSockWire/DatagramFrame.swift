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
        let bytes: [UInt8]
        switch address.address {
        case .v4(let v4)?:
            buffer[offset] = 4
            bytes = v4.bytes
        case .v6(let v6)?:
            buffer[offset] = 6
            bytes = v6.bytes
        case nil:
            buffer[offset] = 0
            bytes = []
        }
        buffer[offset + 1] = 0
        buffer[offset + 2] = UInt8(address.port >> 8)
        buffer[offset + 3] = UInt8(address.port & 0xFF)
        for index in 0..<16 { buffer[offset + 4 + index] = index < bytes.count ? bytes[index] : 0 }
    }

    /// The destination a client's frame names: `nil` for all zeros (the connected peer).
    /// The payload is `frame[headerLength...]`.
    public static func destination(_ frame: some Collection<UInt8>) throws(Failure) -> SocketAddress? {
        guard frame.count >= Self.headerLength else { throw .tooShort(frame.count) }
        let header = Array(frame.prefix(Self.headerLength))
        guard header[1] == 0 else { throw .reserved(header[1]) }
        let port = UInt16(header[2]) << 8 | UInt16(header[3])
        switch header[0] {
        case 0:
            guard header.allSatisfy({ $0 == 0 }) else { throw .family(0) }
            return nil
        case 4:
            guard header[8..<20].allSatisfy({ $0 == 0 }) else { throw .paddedIPv4 }
            return SocketAddress(IPAddress(bytes: header[4..<8]), port: port)
        case 6:
            return SocketAddress(IPAddress(bytes: header[4..<20]), port: port)
        default:
            throw .family(header[0])
        }
    }
}
