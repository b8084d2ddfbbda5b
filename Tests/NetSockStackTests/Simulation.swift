import NSAPI
import NetSockStack
import NetSockWire

func ip(_ text: String) -> IPv4Address { IPv4Address(parsing: text)! }
func subnet(_ text: String) -> IPv4Subnet {
    let parts = text.split(separator: "/")
    return IPv4Subnet(ip(String(parts[0])), prefixLength: Int(parts[1])!)
}

let macA = MACAddress(parsing: "02:00:00:00:00:0a")!
let macB = MACAddress(parsing: "02:00:00:00:00:0b")!

/// Wraps a link and keeps a one-line description of every frame each way.
final class RecordingLink: Link {
    let inner: any Link
    private(set) var received: [String] = []
    private(set) var sent: [String] = []
    private(set) var sentFrames: [[UInt8]] = []
    private(set) var sentTimes: [Instant] = []
    private(set) var receivedLengths: [Int] = []
    private(set) var receivedChecksums: [ReceivedChecksum] = []

    init(_ inner: any Link) { self.inner = inner }

    var capabilities: LinkCapabilities { self.inner.capabilities }
    var nextArrival: Instant? { self.inner.nextArrival }

    func receive(at now: Instant, _ body: (UnsafeRawBufferPointer, ReceivedChecksum) -> Void) -> Bool {
        self.inner.receive(at: now) { frame, checksum in
            self.received.append(FrameDescription.describe(frame))
            self.receivedLengths.append(frame.count)
            self.receivedChecksums.append(checksum)
            body(frame, checksum)
        }
    }

    func transmit(at now: Instant, length: Int, offload: TransmitOffload?, _ body: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        self.inner.transmit(at: now, length: length, offload: offload) { frame in
            body(frame)
            self.sent.append(FrameDescription.describe(UnsafeRawBufferPointer(frame)))
            self.sentFrames.append([UInt8](UnsafeRawBufferPointer(frame)))
            self.sentTimes.append(now)
        }
    }
}

/// Two interfaces on one cable, A at 192.0.2.1/24 and B at 192.0.2.2/24, stepped
/// together on a manual clock: deterministic, and never sleeping.
final class Simulation {
    var now = Instant.seconds(1000)
    let linkA: RecordingLink
    let linkB: RecordingLink
    let a: Interface
    let b: Interface

    /// `offloads`: what each end's device does (cutting large TCP packets, finishing
    /// checksums); `passesLargeSegments`: the cable carries them whole instead, as
    /// virtio-net between two guests does.
    init(
        faults: LinkFaults? = nil, seed: UInt64 = 1, mtu: Int = 1500, settings: Interface.Settings = Interface.Settings(), configure: Bool = true,
        offloads: LinkOffloads = [], passesLargeSegments: Bool = false
    ) {
        let (endA, endB) = QueueLink.pair(
            capabilities: LinkCapabilities(maximumTransmissionUnit: mtu, offloads: faults == nil ? offloads : []), passesLargeSegments: passesLargeSegments)
        var innerA: any Link = endA
        var innerB: any Link = endB
        if let faults {
            innerA = FaultInjectingLink(wrapping: endA, faults: faults, seed: seed &+ 100, offloads: offloads)
            innerB = FaultInjectingLink(wrapping: endB, faults: faults, seed: seed &+ 200, offloads: offloads)
        }
        self.linkA = RecordingLink(innerA)
        self.linkB = RecordingLink(innerB)
        self.a = Interface(link: self.linkA, hardwareAddress: macA, settings: settings, seed: seed &+ 1)
        self.b = Interface(link: self.linkB, hardwareAddress: macB, settings: settings, seed: seed &+ 2)
        if configure {
            self.a.configure(subnet("192.0.2.1/24"), gateway: ip("192.0.2.254"), at: self.now)
            self.b.configure(subnet("192.0.2.2/24"), at: self.now)
        }
    }

    /// More things driven with the interfaces (a DHCP client, a scripted server): each
    /// polled in turn, each with its own next deadline.
    var participants: [(poll: (Instant) -> Bool, next: () -> Instant?)] = []

    /// Polls everything until nothing has anything to do at this instant.
    func settle() {
        var rounds = 0
        while true {
            let aWorked = self.a.poll(at: self.now)
            let bWorked = self.b.poll(at: self.now)
            var othersWorked = false
            for participant in self.participants where participant.poll(self.now) { othersWorked = true }
            guard aWorked || bWorked || othersWorked else { break }
            rounds += 1
            precondition(rounds < 100_000, "the simulation does not settle")
        }
    }

    /// Puts a hand-made frame on the cable, arriving at `interface`.
    func inject(_ frame: [UInt8], to interface: Interface) {
        let sender = interface === self.a ? self.linkB.inner : self.linkA.inner
        _ = sender.transmit(at: self.now, length: frame.count) { $0.copyBytes(from: frame) }
    }

    /// Runs timers and traffic for `span`, jumping from deadline to deadline.
    func run(for span: TimeSpan) {
        let end = self.now + span
        while true {
            self.settle()
            var next = self.a.nextPoll.earliest(self.b.nextPoll)
            for participant in self.participants { next = next.earliest(participant.next()) }
            guard let next, next <= end else { break }
            self.now = Swift.max(self.now, next)
        }
        self.now = end
        self.settle()
    }
}

extension Optional where Wrapped == Instant {
    func earliest(_ other: Instant?) -> Instant? {
        switch (self, other) {
        case (nil, let other): other
        case (let mine, nil): mine
        case (let mine?, let other?): Swift.min(mine, other)
        }
    }
}
