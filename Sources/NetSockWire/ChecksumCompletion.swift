public import NSAPI

/// Finishes the transport checksum of a frame in place: what a device with checksum
/// offload does to a frame the sender left partial, done in software where no device
/// will (segments cut by `TCPSegmentation`, tools, tests).
public enum ChecksumCompletion {
    /// Recomputes the UDP or TCP checksum of an Ethernet II / IPv4 frame in place.
    /// False, leaving the frame alone, when it is not an unfragmented UDP or TCP packet.
    @discardableResult
    public static func complete(_ frame: UnsafeMutableRawBufferPointer) -> Bool {
        let link = EthernetFrame.headerLength
        guard frame.count >= link + IPv4Packet.minimumHeaderLength,
            UnsafeRawBufferPointer(frame).u16(at: 12) == EtherType.ipv4.rawValue
        else { return false }
        let ip = UnsafeMutableRawBufferPointer(rebasing: frame[link...])
        let bytes = UnsafeRawBufferPointer(ip)
        guard bytes[0] >> 4 == 4 else { return false }
        let headerLength = Int(bytes[0] & 0x0F) * 4
        let totalLength = Int(bytes.u16(at: 2))
        guard headerLength >= IPv4Packet.minimumHeaderLength, totalLength >= headerLength, totalLength <= ip.count,
            bytes.u16(at: 6) & 0x3FFF == 0  // Neither more fragments nor an offset.
        else { return false }
        let checksumOffset: Int
        switch IPProtocol(rawValue: bytes[9]) {
        case .udp: checksumOffset = 6
        case .tcp: checksumOffset = 16
        default: return false
        }
        let segmentLength = totalLength - headerLength
        guard segmentLength >= checksumOffset + 2 else { return false }
        let segment = UnsafeMutableRawBufferPointer(rebasing: ip[headerLength..<totalLength])
        segment.setU16(0, at: checksumOffset)
        var sum = InternetChecksum()
        sum.addPseudoHeader(
            source: IPv4Address(bytes.u32(at: 12)), destination: IPv4Address(bytes.u32(at: 16)), protocol: bytes[9],
            length: segmentLength)
        sum.add(UnsafeRawBufferPointer(segment))
        var value = sum.value
        // UDP sends a computed zero as all ones: zero means "no checksum".
        if value == 0 && checksumOffset == 6 { value = 0xFFFF }
        segment.setU16(value, at: checksumOffset)
        return true
    }
}
