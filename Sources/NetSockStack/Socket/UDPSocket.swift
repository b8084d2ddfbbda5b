public import NSAPI

/// A UDP socket on one interface: a binding, an optional peer filter, and a bounded
/// queue of received datagrams. Sending goes straight to the interface, which builds
/// the frame in the link's buffer; only received payloads are copied, once, into the
/// queue.
public final class UDPSocket {
    public struct Settings: Sendable, Equatable {
        public var maximumQueuedDatagrams = 1024
        public var maximumQueuedBytes = 256 * 1024

        public init() {}
    }

    public struct Received: Sendable, Equatable {
        public var source: IPv4Endpoint
        /// Where it was sent: our address, a broadcast or a multicast group.
        public var destination: IPv4Address
        public var payload: [UInt8]
    }

    unowned let interface: Interface
    public let id: Int
    public let settings: Settings
    public internal(set) var localEndpoint: IPv4Endpoint?
    /// Set by `connect`: only datagrams from here are received, and `send` goes here.
    public private(set) var remoteEndpoint: IPv4Endpoint?
    public var timeToLive: UInt8?
    public var typeOfService: UInt8 = 0
    public internal(set) var isClosed = false

    private var queue: [Received] = []
    private var head = 0
    private var queuedBytes = 0
    public private(set) var droppedForSpace = 0

    init(interface: Interface, id: Int, settings: Settings) {
        self.interface = interface
        self.id = id
        self.settings = settings
    }

    /// Port 0 picks an ephemeral port; address `.any` receives on every address.
    public func bind(_ endpoint: IPv4Endpoint) throws(StackError) {
        guard !self.isClosed else { throw .closed }
        guard self.localEndpoint == nil else { throw .invalidArgument }
        try self.interface.udpBind(self, endpoint)
    }

    /// Filters reception to `endpoint` and makes it the default destination; `nil`
    /// removes the filter (Mbed's `connect` with an empty address).
    public func connect(_ endpoint: IPv4Endpoint?) throws(StackError) {
        guard !self.isClosed else { throw .closed }
        if let endpoint, endpoint.port == 0 || endpoint.address.isUnspecified { throw .invalidArgument }
        if self.localEndpoint == nil { try self.interface.udpBind(self, IPv4Endpoint(.any, 0)) }
        self.remoteEndpoint = endpoint
    }

    /// Sends one datagram; binds an ephemeral port first if unbound. Returns the bytes
    /// sent (all of them; UDP does not send part of a datagram).
    @discardableResult
    public func send(_ payload: UnsafeRawBufferPointer, to destination: IPv4Endpoint? = nil, at now: Instant) throws(StackError) -> Int {
        guard !self.isClosed else { throw .closed }
        guard let destination = destination ?? self.remoteEndpoint else { throw .invalidArgument }
        guard destination.port != 0, !destination.address.isUnspecified else { throw .invalidArgument }
        if self.localEndpoint == nil { try self.interface.udpBind(self, IPv4Endpoint(.any, 0)) }
        try self.interface.udpSend(from: self, payload, to: destination, at: now)
        return payload.count
    }

    @discardableResult
    public func send(_ payload: [UInt8], to destination: IPv4Endpoint? = nil, at now: Instant) throws(StackError) -> Int {
        let outcome = payload.withUnsafeBytes { buffer in
            Result { () throws(StackError) in try self.send(buffer, to: destination, at: now) }
        }
        return try outcome.get()
    }

    public func receive() -> Received? {
        guard self.head < self.queue.count else { return nil }
        let datagram = self.queue[self.head]
        self.head += 1
        self.queuedBytes -= datagram.payload.count
        if self.head == self.queue.count {
            self.queue.removeAll(keepingCapacity: true)
            self.head = 0
        } else if self.head > 64 && self.head * 2 > self.queue.count {
            self.queue.removeFirst(self.head)
            self.head = 0
        }
        return datagram
    }

    public var queuedDatagrams: Int { self.queue.count - self.head }
    public var hasQueuedDatagram: Bool { self.head < self.queue.count }

    func accepts(from source: IPv4Endpoint) -> Bool {
        guard let remote = self.remoteEndpoint else { return true }
        return remote == source
    }

    /// False when the queue is full; the datagram is then dropped and counted.
    func enqueue(_ source: IPv4Endpoint, _ destination: IPv4Address, _ payload: UnsafeRawBufferPointer) -> Bool {
        guard self.queuedDatagrams < self.settings.maximumQueuedDatagrams,
              self.queuedBytes + payload.count <= self.settings.maximumQueuedBytes
        else {
            self.droppedForSpace += 1
            return false
        }
        self.queue.append(Received(source: source, destination: destination, payload: [UInt8](payload)))
        self.queuedBytes += payload.count
        return true
    }

    public func close() {
        guard !self.isClosed else { return }
        self.interface.udpClose(self)
        self.isClosed = true
        self.queue.removeAll()
        self.head = 0
        self.queuedBytes = 0
    }
}
