#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
public import NetSockStack
public import NetSockWire

/// A link behind a file descriptor, which the reactor waits on for received frames.
/// Frames are read into and written from one buffer each, lent to the stack, so a
/// frame costs one system call and no allocation either way.
public class DescriptorLink: Link {
    public let fileDescriptor: Int32
    /// The kernel device this link reads and writes.
    public let deviceName: String
    public let capabilities: LinkCapabilities
    /// The address our stack uses on this link.
    public let hardwareAddress: MACAddress
    /// Reads and writes that failed for a reason other than "try again" (the device
    /// went away or down): counted, not thrown, as a cable would lose them.
    public private(set) var errors = 0
    /// The device is gone: nothing more will come through this descriptor.
    public private(set) var isBroken = false
    /// Every frame each way leads with a virtio-net header (a TAP opened for offloads).
    let carriesVirtioHeader: Bool
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private let transmitBuffer: UnsafeMutableRawBufferPointer

    static let virtioHeaderLength = MemoryLayout<cnetsock_virtio_header>.size

    init(fileDescriptor: Int32, deviceName: String, capabilities: LinkCapabilities, hardwareAddress: MACAddress, carriesVirtioHeader: Bool = false) {
        self.fileDescriptor = fileDescriptor
        self.deviceName = deviceName
        self.capabilities = capabilities
        self.hardwareAddress = hardwareAddress
        self.carriesVirtioHeader = carriesVirtioHeader
        // Room for the largest frame a device may hand over: a whole IPv4 packet of
        // 64 KB when the kernel segments for us, behind its Ethernet and virtio headers.
        let size = max(IPv4Packet.maximumLength + EthernetFrame.headerLength + Self.virtioHeaderLength, capabilities.maximumFrameLength)
        self.receiveBuffer = .allocate(byteCount: size, alignment: 16)
        self.transmitBuffer = .allocate(byteCount: size, alignment: 16)
    }

    deinit {
        self.close()
        self.receiveBuffer.deallocate()
        self.transmitBuffer.deallocate()
    }

    private var isClosed = false

    public func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        Glibc.close(self.fileDescriptor)
    }

    public func receive(at now: Instant, _ body: (UnsafeRawBufferPointer, ReceivedChecksum) -> Void) -> Bool {
        guard !self.isClosed else { return false }
        guard let frame = self.readFrame(into: self.receiveBuffer) else {
            if errno != EAGAIN && errno != EWOULDBLOCK {
                self.errors += 1
                // The device went away (a persistent TAP deleted, a veth removed): its
                // descriptor stays readable for ever, so the owner must let go of it.
                if errno == EBADFD || errno == ENODEV || errno == ENXIO || errno == ENETDOWN || errno == EBADF { self.isBroken = true }
            }
            return false
        }
        guard !frame.bytes.isEmpty else { return false }
        body(UnsafeRawBufferPointer(rebasing: self.receiveBuffer[frame.bytes]), frame.checksum)
        return true
    }

    /// Reads one frame: where it lies in `buffer` and what the device vouches for; nil
    /// with errno set when nothing was read.
    func readFrame(into buffer: UnsafeMutableRawBufferPointer) -> (bytes: Range<Int>, checksum: ReceivedChecksum)? {
        let count = retryingOnInterrupt { Glibc.read(self.fileDescriptor, buffer.baseAddress, buffer.count) }
        guard count >= 0 else { return nil }
        guard self.carriesVirtioHeader else { return (0..<count, .unchecked) }
        let header = Self.virtioHeaderLength
        guard count > header else { return (0..<0, .unchecked) }
        // NEEDS_CSUM (sent by this host, checksum left partial) or DATA_VALID.
        let flags = buffer[0]
        return (header..<count, flags & 0x03 != 0 ? .verified : .unchecked)
    }

    public func transmit(at now: Instant, length: Int, offload: TransmitOffload?, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        let prefix = self.carriesVirtioHeader ? Self.virtioHeaderLength : 0
        guard !self.isClosed, prefix + length <= self.transmitBuffer.count else { return false }
        let frame = UnsafeMutableRawBufferPointer(rebasing: self.transmitBuffer[prefix..<(prefix + length)])
        // A TCP packet is written whole by the stack; anything else is cleared first so
        // no byte of an earlier frame can leak into padding.
        if offload == nil { frame.initializeMemory(as: UInt8.self, repeating: 0) }
        body(frame)
        if self.carriesVirtioHeader {
            self.transmitBuffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: prefix)
            if let offload { Self.describe(offload, of: UnsafeRawBufferPointer(frame), into: self.transmitBuffer) }
        }
        let written = retryingOnInterrupt { Glibc.write(self.fileDescriptor, self.transmitBuffer.baseAddress, prefix + length) }
        if written != prefix + length {
            if written < 0 && errno != EAGAIN && errno != EWOULDBLOCK { self.errors += 1 }
            return false
        }
        return true
    }

    /// Fills the virtio-net header: the checksum to finish and, for a packet longer
    /// than one segment, TCPv4 segmentation at the stack's segment size.
    private static func describe(_ offload: TransmitOffload, of frame: UnsafeRawBufferPointer, into header: UnsafeMutableRawBufferPointer) {
        var fields = cnetsock_virtio_header()
        fields.flags = 1  // VIRTIO_NET_HDR_F_NEEDS_CSUM
        fields.checksum_start = UInt16(offload.transportStart).littleEndian
        fields.checksum_offset = UInt16(16).littleEndian
        let tcpHeaderLength = Int(frame[offload.transportStart + 12] >> 4) * 4
        let headers = offload.transportStart + tcpHeaderLength
        if offload.segmentSize > 0 && frame.count - headers > offload.segmentSize {
            fields.gso_type = 1  // VIRTIO_NET_HDR_GSO_TCPV4
            fields.gso_size = UInt16(offload.segmentSize).littleEndian
            fields.header_length = UInt16(headers).littleEndian
        }
        header.storeBytes(of: fields, as: cnetsock_virtio_header.self)
    }
}

/// A device's hardware address, MTU and index, as the kernel reports them.
public struct DeviceInfo: Sendable {
    public var hardwareAddress: MACAddress
    public var maximumTransmissionUnit: Int
    public var index: Int32

    public init(device: String) throws(SystemError) {
        var hardware = [UInt8](repeating: 0, count: 6)
        var mtu: Int32 = 0
        var index: Int32 = 0
        let result = cnetsock_device_info(device, &hardware, &mtu, &index)
        guard result == 0 else { throw SystemError("device \(device)", errno: -result) }
        self.hardwareAddress = MACAddress(bytes: hardware) ?? .zero
        self.maximumTransmissionUnit = Int(mtu)
        self.index = index
    }
}
