public import NSAPI

/// Cuts one large Ethernet / IPv4 / TCP frame into wire-sized segments, as a device
/// with TCP segmentation offload (or the kernel's GSO) does: each segment gets a copy
/// of the headers, its own sequence number, IP length and identification, PSH and FIN
/// only on the last, CWR only on the first, and complete checksums. A link that stands
/// in for such a device (in simulation) uses it, and tests hold our TSO output to it.
public enum TCPSegmentation {
    /// Calls `each` with every segment of `frame`, whose TCP header starts at
    /// `transportStart`, carrying at most `segmentSize` payload bytes each (0: one
    /// segment). False, calling nothing, when the frame is not unfragmented TCP over IPv4.
    @discardableResult
    public static func split(
        _ frame: UnsafeRawBufferPointer, transportStart: Int, segmentSize: Int, _ each: (UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        let link = EthernetFrame.headerLength
        guard frame.count >= link + IPv4Packet.minimumHeaderLength, frame.u16(at: 12) == EtherType.ipv4.rawValue,
            frame[link] >> 4 == 4, frame[link + 9] == IPProtocol.tcp.rawValue
        else { return false }
        let ipHeaderLength = Int(frame[link] & 0x0F) * 4
        let totalLength = Int(frame.u16(at: link + 2))
        guard transportStart == link + ipHeaderLength, link + totalLength <= frame.count,
            totalLength >= ipHeaderLength + TCPSegment.minimumHeaderLength, frame.u16(at: link + 6) & 0x3FFF == 0
        else { return false }
        let tcpHeaderLength = Int(frame[transportStart + 12] >> 4) * 4
        let headersEnd = transportStart + tcpHeaderLength
        guard tcpHeaderLength >= TCPSegment.minimumHeaderLength, headersEnd <= link + totalLength else { return false }
        let payloadLength = link + totalLength - headersEnd
        let piece = segmentSize > 0 ? segmentSize : Swift.max(payloadLength, 1)
        let count = Swift.max(1, (payloadLength + piece - 1) / piece)
        let flags = frame[transportStart + 13]
        let sequence = frame.u32(at: transportStart + 4)
        let identification = frame.u16(at: link + 4)
        var scratch = [UInt8](repeating: 0, count: headersEnd + Swift.min(piece, payloadLength))
        for index in 0..<count {
            let offset = index * piece
            let length = Swift.min(piece, payloadLength - offset)
            scratch.withUnsafeMutableBytes { out in
                let segment = UnsafeMutableRawBufferPointer(rebasing: out[0..<(headersEnd + length)])
                segment.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[0..<headersEnd]))
                if length > 0 {
                    UnsafeMutableRawBufferPointer(rebasing: segment[headersEnd...])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[(headersEnd + offset)..<(headersEnd + offset + length)]))
                }
                let ip = UnsafeMutableRawBufferPointer(rebasing: segment[link..<segment.count])
                ip.setU16(UInt16(ipHeaderLength + tcpHeaderLength + length), at: 2)
                ip.setU16(identification &+ UInt16(truncatingIfNeeded: index), at: 4)
                ip.setU16(0, at: 10)
                ip.setU16(InternetChecksum.of(UnsafeRawBufferPointer(rebasing: ip[0..<ipHeaderLength])), at: 10)
                let tcp = UnsafeMutableRawBufferPointer(rebasing: segment[transportStart..<segment.count])
                tcp.setU32(sequence &+ UInt32(truncatingIfNeeded: offset), at: 4)
                var segmentFlags = flags
                if index < count - 1 { segmentFlags &= ~(TCPFlags.fin.rawValue | TCPFlags.psh.rawValue) }
                if index > 0 { segmentFlags &= ~TCPFlags.cwr.rawValue }
                tcp[13] = segmentFlags
                ChecksumCompletion.complete(segment)
                each(UnsafeRawBufferPointer(segment))
            }
        }
        return true
    }

    /// The checksum field of a TCP segment whose device is to finish it: the folded
    /// pseudo-header sum, not complemented (Linux's CHECKSUM_PARTIAL convention).
    public static func partialChecksum(source: IPv4Address, destination: IPv4Address, segmentLength: Int) -> UInt16 {
        var sum = InternetChecksum()
        sum.addPseudoHeader(source: source, destination: destination, protocol: IPProtocol.tcp.rawValue, length: segmentLength)
        return ~sum.value
    }
}
