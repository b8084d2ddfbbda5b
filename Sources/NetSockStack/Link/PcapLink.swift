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
/// (a file in the daemon, an array in tests), after the file header.
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

    public func receive(at now: Instant, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        self.inner.receive(at: now) { frame in
            self.sink(PcapFormat.record(frame, at: now))
            body(frame)
        }
    }

    public func transmit(at now: Instant, length: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        self.inner.transmit(at: now, length: length) { frame in
            body(frame)
            self.sink(PcapFormat.record(UnsafeRawBufferPointer(frame), at: now))
        }
    }
}
