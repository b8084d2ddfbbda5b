#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
public import NetSockStack
public import NetSockWire

/// A TAP device (/dev/net/tun, IFF_TAP without packet information): the kernel sees
/// the device as an Ethernet interface of its own, and our stack is the station on
/// the other end of that cable, so it needs a hardware address other than the device's.
public final class TAPLink: DescriptorLink {
    /// Attaches to the TAP device `device` (created if missing; a persistent one made
    /// with `ip tuntap add` is reused). `mtu` defaults to the device's.
    public init(device: String, hardwareAddress: MACAddress?, mtu: Int?) throws(SystemError) {
        var actual = [CChar](repeating: 0, count: Int(IFNAMSIZ))
        let fd = cnetsock_tap_open(device, &actual)
        guard fd >= 0 else { throw SystemError("TUNSETIFF \(device)", errno: -fd) }
        let name = String(decoding: actual.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let info = try? DeviceInfo(device: name)
        // Locally administered, derived from the device's own address so it is stable
        // across restarts and never equal to it.
        let address = hardwareAddress ?? MACAddress(locallyAdministeredFrom: (info?.hardwareAddress.value ?? 0) ^ 0x5A5A)
        super.init(
            fileDescriptor: fd, deviceName: name,
            capabilities: LinkCapabilities(maximumTransmissionUnit: mtu ?? info?.maximumTransmissionUnit ?? 1500),
            hardwareAddress: address)
    }
}

/// An AF_PACKET socket on an existing device (one end of a veth pair, a real NIC):
/// the stack shares the device with the kernel, which must hold no address of its own
/// there. The stack uses the device's hardware address unless given one, and then
/// listens promiscuously for frames to it.
public final class PacketLink: DescriptorLink {
    public init(device: String, hardwareAddress: MACAddress?, mtu: Int?) throws(SystemError) {
        let info = try DeviceInfo(device: device)
        let own = hardwareAddress.map { $0 != info.hardwareAddress } ?? false
        let fd = cnetsock_packet_open(info.index, own ? 1 : 0)
        guard fd >= 0 else { throw SystemError("AF_PACKET \(device)", errno: -fd) }
        super.init(
            fileDescriptor: fd, deviceName: device,
            capabilities: LinkCapabilities(maximumTransmissionUnit: mtu ?? info.maximumTransmissionUnit),
            hardwareAddress: hardwareAddress ?? info.hardwareAddress)
    }

    override func readFrame(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var unfinished: Int32 = 0
        let count = cnetsock_packet_receive(self.fileDescriptor, buffer.baseAddress, UInt(buffer.count), &unfinished)
        guard count >= 0 else {
            errno = Int32(-count)
            return -1
        }
        // Sent by the kernel on this host with the checksum left to offload: finish it.
        if unfinished != 0 { ChecksumCompletion.complete(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(count)])) }
        return Int(count)
    }
}
