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
    /// What the kernel agreed to hand over unfinished (checksums, large TCP segments);
    /// what we write may use the offloads asked for whatever it says.
    public let receiveOffloads: LinkOffloads

    /// Attaches to the TAP device `device` (created if missing; a persistent one made
    /// with `ip tuntap add` is reused). `mtu` defaults to the device's. With `offloads`
    /// frames carry virtio-net headers, so checksums are left to the side that
    /// delivers them and, with `.tcpSegmentation`, TCP crosses the device in packets of
    /// up to 64 KB.
    public init(
        device: String, hardwareAddress: MACAddress?, mtu: Int?, offloads: LinkOffloads = [.checksum, .tcpSegmentation]
    ) throws(SystemError) {
        var actual = [CChar](repeating: 0, count: Int(IFNAMSIZ))
        var taken: Int32 = 0
        let offloads = offloads.contains(.tcpSegmentation) ? offloads.union(.checksum) : offloads
        let fd = cnetsock_tap_open(device, &actual, Int32(offloads.rawValue), &taken)
        guard fd >= 0 else { throw SystemError("TUNSETIFF \(device)", errno: -fd) }
        let name = String(decoding: actual.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let info = try? DeviceInfo(device: name)
        // Locally administered, derived from the device's own address so it is stable
        // across restarts and never equal to it.
        let address = hardwareAddress ?? MACAddress(locallyAdministeredFrom: (info?.hardwareAddress.value ?? 0) ^ 0x5A5A)
        self.receiveOffloads = LinkOffloads(rawValue: Int(taken))
        super.init(
            fileDescriptor: fd, deviceName: name,
            capabilities: LinkCapabilities(
                maximumTransmissionUnit: mtu ?? info?.maximumTransmissionUnit ?? 1500, offloads: offloads),
            hardwareAddress: address, carriesVirtioHeader: !offloads.isEmpty)
    }
}

/// An AF_PACKET socket on an existing device (one end of a veth pair, a real NIC):
/// the stack shares the device with the kernel, which must hold no address of its own
/// there. The stack uses the device's hardware address unless given one, and then
/// listens promiscuously for frames to it.
public final class PacketLink: DescriptorLink {
    /// With `offloads`, frames carry virtio-net headers (PACKET_VNET_HDR), as a TAP's do:
    /// checksums are left to the side that delivers them and, with `.tcpSegmentation`,
    /// TCP goes out in packets of up to 64 KB that the kernel segments for the device
    /// (in the device's hardware when it can, in software when not).
    public init(
        device: String, hardwareAddress: MACAddress?, mtu: Int?, offloads: LinkOffloads = [.checksum, .tcpSegmentation]
    ) throws(SystemError) {
        let info = try DeviceInfo(device: device)
        let own = hardwareAddress.map { $0 != info.hardwareAddress } ?? false
        let wanted = offloads.contains(.tcpSegmentation) ? offloads.union(.checksum) : offloads
        var offloaded: Int32 = 0
        let fd = cnetsock_packet_open(info.index, own ? 1 : 0, wanted.isEmpty ? 0 : 1, &offloaded)
        guard fd >= 0 else { throw SystemError("AF_PACKET \(device)", errno: -fd) }
        let granted: LinkOffloads = offloaded != 0 ? wanted : []
        super.init(
            fileDescriptor: fd, deviceName: device,
            capabilities: LinkCapabilities(maximumTransmissionUnit: mtu ?? info.maximumTransmissionUnit, offloads: granted),
            hardwareAddress: hardwareAddress ?? info.hardwareAddress, carriesVirtioHeader: !granted.isEmpty)
    }

    /// Without virtio headers, a frame this host sent with its checksum left to offload
    /// comes with the checksum partial (`TP_STATUS_CSUMNOTREADY`), and is as good as
    /// its sender.
    override func readFrame(into buffer: UnsafeMutableRawBufferPointer) -> (bytes: Range<Int>, checksum: ReceivedChecksum)? {
        if self.carriesVirtioHeader { return super.readFrame(into: buffer) }
        var unfinished: Int32 = 0
        let count = cnetsock_packet_receive(self.fileDescriptor, buffer.baseAddress, UInt(buffer.count), &unfinished)
        guard count >= 0 else {
            errno = Int32(-count)
            return nil
        }
        return (0..<Int(count), unfinished != 0 ? .verified : .unchecked)
    }
}
