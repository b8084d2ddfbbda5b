import NetSockPOSIX
import NetSockStack

/// The place of the link in an `ip` interface: the stack is built once, with its
/// sockets, and the device behind it comes and goes (a TAP device made at connect, a
/// veth end that appears later). With nothing attached frames go nowhere, as on an
/// unplugged cable.
final class AttachableLink: Link {
    /// The link the stack talks through: the device, or a pcap recorder around it.
    private(set) var attached: (any Link)?
    /// The device itself, for the reactor.
    private(set) var device: DescriptorLink?
    private let configuredMTU: Int?

    init(mtu: Int?) { self.configuredMTU = mtu }

    var capabilities: LinkCapabilities {
        self.attached?.capabilities ?? LinkCapabilities(maximumTransmissionUnit: self.configuredMTU ?? 1500)
    }

    func attach(_ device: DescriptorLink, through link: any Link) {
        self.device = device
        self.attached = link
    }

    func detach() {
        self.device?.close()
        self.device = nil
        self.attached = nil
    }

    func receive(at now: Instant, _ body: (UnsafeRawBufferPointer, ReceivedChecksum) -> Void) -> Bool {
        self.attached?.receive(at: now, body) ?? false
    }

    /// An offload asked of a device that has since been replaced by one without it
    /// cannot happen: the stack reads the capabilities before every segment it builds.
    func transmit(at now: Instant, length: Int, offload: TransmitOffload?, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        self.attached?.transmit(at: now, length: length, offload: offload, body) ?? false
    }
}
