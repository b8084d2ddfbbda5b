import NetSockWire

/// The classic libpcap file format (microsecond timestamps, Ethernet link type), built
/// as bytes; where they go is the caller's business, so the stack stays free of I/O.
public enum PcapFormat {
    public static let linkTypeEthernet: UInt32 = 1
    public static let snapshotLength: UInt32 = 65_535

    /// The 24-byte file header, little-endian (the magic number tells readers the order).
    public static var fileHeader: [UInt8] {
        var bytes: [UInt8] = []
        self.append(0xA1B2_C3D4, to: &bytes)
        self.append16(2, to: &bytes)
        self.append16(4, to: &bytes)
        self.append(0, to: &bytes)  // thiszone
        self.append(0, to: &bytes)  // sigfigs
        self.append(self.snapshotLength, to: &bytes)
        self.append(self.linkTypeEthernet, to: &bytes)
        return bytes
    }

    /// One record: timestamp, lengths, frame (cut at the snapshot length).
    public static func record(_ frame: UnsafeRawBufferPointer, at time: Instant) -> [UInt8] {
        let kept = min(frame.count, Int(self.snapshotLength))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + kept)
        let microseconds = max(0, time.microseconds)
        self.append(UInt32(truncatingIfNeeded: microseconds / 1_000_000), to: &bytes)
        self.append(UInt32(microseconds % 1_000_000), to: &bytes)
        self.append(UInt32(kept), to: &bytes)
        self.append(UInt32(frame.count), to: &bytes)
        bytes.append(contentsOf: frame.prefix(kept))
        return bytes
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func append16(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(value >> 8))
    }
}

/// Wraps a link and hands every frame it receives or sends, as pcap records, to a sink
/// (a file in the daemon, an array in tests), after the file header. Frames are
/// recorded as the cable carries them: what the stack leaves to an offloading device
/// (large TCP packets, partial checksums) is recorded as the device will send it, and
/// a received checksum the device vouched for is finished in the record.
public final class PcapLink: Link {
    public let inner: any Link
    private let sink: ([UInt8]) -> Void

    public init(wrapping inner: any Link, sink: @escaping ([UInt8]) -> Void) {
        self.inner = inner
        self.sink = sink
        sink(PcapFormat.fileHeader)
    }

    public var capabilities: LinkCapabilities { self.inner.capabilities }
    public var nextArrival: Instant? { self.inner.nextArrival }

    public func receive(at now: Instant, _ body: (UnsafeRawBufferPointer, ReceivedChecksum) -> Void) -> Bool {
        self.inner.receive(at: now) { frame, checksum in
            if checksum == .verified {
                var copy = [UInt8](frame)
                copy.withUnsafeMutableBytes { ChecksumCompletion.complete($0) }
                copy.withUnsafeBytes { self.sink(PcapFormat.record($0, at: now)) }
            } else {
                self.sink(PcapFormat.record(frame, at: now))
            }
            body(frame, checksum)
        }
    }

    public func transmit(at now: Instant, length: Int, offload: TransmitOffload?, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        self.inner.transmit(at: now, length: length, offload: offload) { frame in
            body(frame)
            let bytes = UnsafeRawBufferPointer(frame)
            guard let offload else { return self.sink(PcapFormat.record(bytes, at: now)) }
            TCPSegmentation.split(bytes, transportStart: offload.transportStart, segmentSize: offload.segmentSize) { segment in
                self.sink(PcapFormat.record(segment, at: now))
            }
        }
    }
}
