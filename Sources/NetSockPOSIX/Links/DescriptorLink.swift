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
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private let transmitBuffer: UnsafeMutableRawBufferPointer

    init(fileDescriptor: Int32, deviceName: String, capabilities: LinkCapabilities, hardwareAddress: MACAddress) {
        self.fileDescriptor = fileDescriptor
        self.deviceName = deviceName
        self.capabilities = capabilities
        self.hardwareAddress = hardwareAddress
        // Room for the largest frame a device may hand over (GSO aside, which is off).
        let size = max(65_536, capabilities.maximumFrameLength)
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

    public func receive(at now: Instant, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard !self.isClosed else { return false }
        let count = self.readFrame(into: self.receiveBuffer)
        guard count > 0 else {
            if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                self.errors += 1
                // The device went away (a persistent TAP deleted, a veth removed): its
                // descriptor stays readable for ever, so the owner must let go of it.
                if errno == EBADFD || errno == ENODEV || errno == ENXIO || errno == ENETDOWN || errno == EBADF { self.isBroken = true }
            }
            return false
        }
        body(UnsafeRawBufferPointer(rebasing: self.receiveBuffer[0..<count]))
        return true
    }

    /// Reads one frame; its length, or -1 with errno set.
    func readFrame(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        retryingOnInterrupt { Glibc.read(self.fileDescriptor, buffer.baseAddress, buffer.count) }
    }

    public func transmit(at now: Instant, length: Int, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        guard !self.isClosed, length <= self.transmitBuffer.count else { return false }
        let frame = UnsafeMutableRawBufferPointer(rebasing: self.transmitBuffer[0..<length])
        frame.initializeMemory(as: UInt8.self, repeating: 0)
        body(frame)
        let written = retryingOnInterrupt { Glibc.write(self.fileDescriptor, frame.baseAddress, length) }
        if written != length {
            if written < 0 && errno != EAGAIN && errno != EWOULDBLOCK { self.errors += 1 }
            return false
        }
        return true
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
